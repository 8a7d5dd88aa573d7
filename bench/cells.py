"""The cells: what one load run sends to which server, with which tool.

A cell's `run(concurrency, seconds, tag)` performs one measured run and returns a `Sample`
(`tag` is unique per run, so write cells never reuse a name); `check()` makes one real call
with the exact request the run replays and fails unless it is OK.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.message import Message
from segment.config.v1beta import destinations_pb2, sources_pb2

from bench import grpc_client, loadgen
from bench.loadgen import GrpcLoad, LoadError, RestLoad, Sample
from bench.processes import LOAD_CPU, ServerProcess, python_module
from bench.world import DESTINATION, READS, SOURCE, WRITES

SOURCES_PATH = "/segment.config.v1beta.SourceService/"
DESTINATIONS_PATH = "/segment.config.v1beta.DestinationService/"
LIST_PAGE_SIZE = 100
# the REST bodies the README's curl lines send
UPDATE_DESTINATION_JSON = (
    '{"destination": {"enabled": true}, "update_mask": {"paths": ["destination.enabled"]}}'
)


@dataclass(frozen=True)
class Cell:
    """One kind of load against one server; `pids` are the processes whose CPU serves it."""

    key: str
    label: str
    server: str
    tool: str
    pids: tuple[int, ...]
    run: Callable[[int, float, str], Sample]
    check: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class Scratch:
    """Where request bodies, scripts and logs go, and the token every request carries."""

    folder: Path
    token: str

    def path(self, name: str) -> Path:
        """A file in the scratch folder."""
        return self.folder / name


def h2load_cell(
    scratch: Scratch,
    key: str,
    label: str,
    server: ServerProcess,
    method_path: str,
    request: Message,
    slack: int = 0,
) -> tuple[Cell, bytes]:
    """A gRPC cell replaying one framed request; also the OK reply it gets (checked here)."""
    target = server.grpc_target
    body = grpc_client.write_frame(scratch.path(f"{key}.bin"), request)
    reply = grpc_client.call_framed(target, method_path, body, scratch.token)
    load = GrpcLoad(target, method_path, scratch.token, body, len(reply), slack)

    def run(concurrency: int, seconds: float, tag: str) -> Sample:
        return loadgen.run_h2load(load, concurrency, seconds, scratch.path(f"{key}-{tag}.log"))

    def check() -> None:
        grpc_client.call_framed(target, method_path, body, scratch.token)

    return Cell(key, label, server.name, "h2load", (server.pid,), run, check), reply


def wrk_cell(
    scratch: Scratch,
    key: str,
    label: str,
    servers: Sequence[ServerProcess],
    path: str,
    lua: Callable[[str], str] = lambda tag: "",
) -> Cell:
    """A REST cell on the first of `servers` (the others serve it too: a proxy's upstream);
    `lua(tag)` may set the method and body or build each request."""
    url = servers[0].rest_url + path

    def run(concurrency: int, seconds: float, tag: str) -> Sample:
        load = RestLoad(url, scratch.token, lua(tag))
        return loadgen.run_wrk(load, concurrency, seconds, scratch.path(f"{key}-{tag}.lua"))

    pids = tuple(s.pid for s in servers)
    return Cell(key, label, servers[0].name, "wrk", pids, run)


def writer_cell(scratch: Scratch, key: str, label: str, server: ServerProcess) -> Cell:
    """gRPC CreateSource with a distinct name per call, driven by `bench.grpc_writer`."""
    target = server.grpc_target

    def run(concurrency: int, seconds: float, tag: str) -> Sample:
        argv = python_module(
            "bench.grpc_writer",
            target,
            scratch.token,
            WRITES,
            f"g{tag}",
            str(concurrency),
            str(seconds),
        )
        done = subprocess.run(
            ["taskset", "-c", str(LOAD_CPU), *argv],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
        if done.returncode != 0:
            raise LoadError(f"grpc_writer exited {done.returncode}: {done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["errors"]:
            raise LoadError(f"grpc_writer: {result['errors']} errors, {result['first_error']}")
        return Sample(result["requests"], result["seconds"], result["p50_ms"], result["p99_ms"])

    return Cell(key, label, server.name, "asyncio grpc", (server.pid,), run)


def create_lua(tag: str) -> str:
    """wrk Lua: POST CreateSource with a new name `r<tag>-N` on every request."""
    parent = WRITES
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{{"source": {{"name": "{parent}/sources/r{tag}-' .. n ..
    '", "catalog_name": "{grpc_client.JAVASCRIPT}"}}}}'
  return wrk.format(nil, nil, nil, body)
end
"""


def update_lua(tag: str) -> str:
    """wrk Lua: PATCH UpdateDestination with one constant body (a static request)."""
    return f"""
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{UPDATE_DESTINATION_JSON}'
"""


def get_source_request() -> sources_pb2.GetSourceRequest:
    """GetSource for the seeded `web` source."""
    return sources_pb2.GetSourceRequest(name=SOURCE)


def list_sources_request(parent: str = READS, token: str = "") -> sources_pb2.ListSourcesRequest:
    """ListSources, a full page of 100."""
    return sources_pb2.ListSourcesRequest(parent=parent, page_size=LIST_PAGE_SIZE, page_token=token)


def update_destination_request() -> destinations_pb2.UpdateDestinationRequest:
    """The gRPC twin of UPDATE_DESTINATION_JSON."""
    request = destinations_pb2.UpdateDestinationRequest()
    request.destination.name = DESTINATION
    request.destination.enabled = True
    request.update_mask.paths.append("destination.enabled")
    return request
