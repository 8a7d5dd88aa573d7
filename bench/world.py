"""The world under test: a fresh SQLite file made with the command line, the real server on
it (rate limit off), the same server in its default configuration (rate limit on), and the
seeded resources every cell reads or writes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from segment.config.v1beta import destinations_pb2

from bench import grpc_client
from bench.processes import ServerProcess, configapi, start_server

READS = "workspaces/bench"  # the Get/List/Update target: `web` plus `count` more sources
WRITES = "workspaces/writes"  # where CreateSource cells put their sources
BIG = "workspaces/big"  # the large collection for the list-latency cell
SOURCE = f"{READS}/sources/web"
# The default configuration limits every call (SPEC §3); so high a limit that no bench call is
# refused still charges each one to its token's bucket: the cost the "limit on" cells measure.
LIMIT_ON = 1_000_000  # a minute: the highest --rate-limit accepts, ~16,700 calls a second
DESTINATION = f"{SOURCE}/destinations/webhooks"


@dataclass
class World:
    """The running server, a write token for every bench workspace, and the seeded source."""

    server: ServerProcess
    token: str
    source_json: dict[str, Any]  # GET source as the API returns it over REST


def create_database(path: Path | str) -> str:
    """Create the workspaces and a write token with `configapi`; the token."""
    for workspace in (READS, WRITES, BIG):
        slug = workspace.rpartition("/")[2]
        _cli("workspaces", "create", slug, "--database", str(path))
    holds = [arg for w in (READS, WRITES, BIG) for arg in ("--workspace", w.rpartition("/")[2])]
    return _cli("tokens", "create", *holds, "--scopes", "workspace", "--database", str(path))


def _cli(*args: str) -> str:
    done = subprocess.run(configapi(*args), capture_output=True, text=True, check=True)
    return done.stdout.strip()


def serve_args(database: Path | str, rate_limit: int = 0) -> list[str]:
    """The `configapi` arguments of the benched server: `serve` on free loopback ports, rate
    limiting off unless `rate_limit` says otherwise."""
    return [
        *("serve", "--database", str(database)),
        *("--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"),
        *("--rate-limit", str(rate_limit)),
    ]


def start_configapi(
    database: Path | str,
    log: Path,
    rate_limit: int = 0,
    name: str = "configapi",
    *,
    workers: int = 1,
    extra: tuple[str, ...] = (),
) -> ServerProcess:
    """`configapi serve` as `serve_args` says, and `extra` flags; with `workers` > 1,
    `--workers N` on every core (the load generator's core included: the bench machine has
    two)."""
    argv = configapi(*serve_args(database, rate_limit), "--workers", str(workers), *extra)
    cpus = "0" if workers == 1 else "0,1"
    return start_server(name, argv, log, grpc=True, rest=True, cpus=cpus)


def seed_reads(server: ServerProcess, token: str, count: int) -> World:
    """`web` (a source with every field set), its webhooks destination, and `count` sources."""
    target = server.grpc_target
    web = grpc_client.source_request(
        READS, "web", displayName="Web site", labels={"team": "growth", "env": "prod"}
    )
    asyncio.run(grpc_client.create_source(target, token, web))
    asyncio.run(grpc_client.create_destination(target, token, destination_request()))
    slugs = (f"s{n:06d}" for n in range(count))
    asyncio.run(grpc_client.seed_sources(target, token, READS, slugs))
    return World(server, token, rest_get(f"{server.rest_url}/v1beta/{SOURCE}", token))


def destination_request() -> destinations_pb2.CreateDestinationRequest:
    """CreateDestination for webhooks on `web`, with one config setting."""
    destination = destinations_pb2.Destination()
    json_format.ParseDict(
        {
            "name": DESTINATION,
            "connectionMode": "CLOUD",
            "config": [
                {"name": f"{DESTINATION}/config/globalHook", "value": "https://example.com/hook"}
            ],
        },
        destination,
    )
    return destinations_pb2.CreateDestinationRequest(parent=SOURCE, destination=destination)


def seed_big(server: ServerProcess, token: str, count: int) -> float:
    """`count` sources in the big workspace through the API; the seconds it took."""
    slugs = (f"b{n:07d}" for n in range(count))
    started = time.perf_counter()
    asyncio.run(grpc_client.seed_sources(server.grpc_target, token, BIG, slugs))
    return time.perf_counter() - started


def rest_get(url: str, token: str) -> dict[str, Any]:
    """GET a REST URL as JSON."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        document: dict[str, Any] = json.load(response)
    return document
