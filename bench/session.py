"""One bench session: its server processes, the cells built against them, and the results."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from segment.config.v1beta.sources_pb2 import Source

from bench import grpc_client, world
from bench.cells import (
    DESTINATIONS_PATH,
    SOURCES_PATH,
    Cell,
    Scratch,
    create_lua,
    get_source_request,
    h2load_cell,
    list_sources_request,
    update_destination_request,
    update_lua,
    writer_cell,
    wrk_cell,
)
from bench.plan import Plan
from bench.processes import SERVER_CPU, ServerProcess, configapi, python_module, start_server
from bench.report import Results
from bench.schedule import run_group


class BenchSession:
    """One bench run: its servers, its cells, its results."""

    def __init__(self, plan: Plan, folder: Path, stack: ExitStack) -> None:
        self.plan = plan
        self.folder = folder
        self.stack = stack
        self.results = Results()
        self.logs = folder / "servers.log"
        self.cells: dict[str, Cell] = {}
        self.proxy_from_cli = False
        self.rss_started = self.rss_after_cells = self.rss_peak = 0.0

    def start(self, name: str, argv: list[str], *, grpc: bool, rest: bool) -> ServerProcess:
        """Start a server process that is stopped when the run ends."""
        server = start_server(name, argv, self.logs, grpc=grpc, rest=rest)
        return self.stack.enter_context(server)

    def prepare(self) -> None:
        """The database, the real server, the seeded reads."""
        database = self.folder / "configapi.db"
        token = world.create_database(database)
        self.server = self.stack.enter_context(world.start_configapi(database, self.logs))
        self.rss_started = self.server.rss_mib()
        started = time.perf_counter()
        self.world = world.seed_reads(self.server, token, self.plan.reads)
        self.results.facts.append(
            (
                "seeding",
                f"{self.plan.reads + 1:,} sources in {world.READS} through gRPC CreateSource in"
                f" {time.perf_counter() - started:.1f} s",
            )
        )
        self.scratch = Scratch(self.folder, token)
        # the default configuration (rate limit on) on the same database, for the cost of the limit
        limited = world.start_configapi(
            database, self.logs, world.LIMIT_ON, "configapi (rate limit on)"
        )
        self.limited = self.stack.enter_context(limited)
        # `serve --workers 2` on the same database (rate limit off, as the main server)
        workers2 = world.start_configapi(database, self.logs, 0, "configapi --workers 2", workers=2)
        self.workers2 = self.stack.enter_context(workers2)
        # the point-read cache off (rate limit off): what a Get costs when it reaches SQLite
        uncached = world.start_configapi(
            database, self.logs, 0, "configapi (read cache off)", extra=("--read-cache-mib", "0")
        )
        self.uncached = self.stack.enter_context(uncached)
        self._prepare_postgres()

    def _prepare_postgres(self) -> None:
        """The same server on PostgreSQL (a cluster in a temp dir, durable, on the server core):
        `web` seeded for GetSource, and the workspaces for CreateSource."""
        from tests.services import PostgresServer  # the tests' way of running PostgreSQL

        postgres = PostgresServer(durable=True, cpus=str(SERVER_CPU))
        self.stack.callback(postgres.stop)
        postgres.start()
        url = postgres.new_database()
        token = world.create_database(url)
        server = world.start_configapi(url, self.logs, 0, "configapi (PostgreSQL)")
        self.pg_server = self.stack.enter_context(server)
        world.seed_reads(self.pg_server, token, 0)
        self.pg_scratch = Scratch(self.folder, token)

    def get_cells(self) -> tuple[list[Cell], list[Cell]]:
        """gRPC Get against bare grpc.aio; REST Get against bare Starlette and the proxy."""
        get = SOURCES_PATH + "GetSource"
        label = "gRPC GetSource"
        grpc_get, reply = h2load_cell(
            self.scratch, "grpc_get", label, self.server, get, get_source_request()
        )
        source_bin = self.folder / "source.bin"
        source_bin.write_bytes(reply)
        argv = python_module("bench.baseline_grpc", str(source_bin))
        bare = self.start("bare grpc.aio", argv, grpc=True, rest=False)
        grpc_bare, bare_reply = h2load_cell(
            self.scratch, "grpc_get_bare", label, bare, get, get_source_request()
        )
        if Source.FromString(bare_reply) != Source.FromString(reply):
            self.results.notes.append("bare grpc.aio reply differs from the real one")
        grpc_limited, _ = h2load_cell(
            self.scratch, "grpc_get_limited", label, self.limited, get, get_source_request()
        )
        grpc_pg, _ = h2load_cell(
            self.pg_scratch, "grpc_get_pg", label, self.pg_server, get, get_source_request()
        )
        grpc_uncached, _ = h2load_cell(
            self.scratch, "grpc_get_uncached", label, self.uncached, get, get_source_request()
        )
        grpc_cells = [grpc_get, grpc_bare, grpc_limited, grpc_uncached, grpc_pg]
        return grpc_cells, self._rest_get_cells()

    def _rest_get_cells(self) -> list[Cell]:
        path, label = f"/v1beta/{world.SOURCE}", "REST GET source"
        source_json = self.folder / "source.json"
        source_json.write_text(json.dumps(self.world.source_json))
        argv = python_module("bench.baseline_starlette", str(source_json))
        starlette = self.start("bare Starlette", argv, grpc=False, rest=True)
        self._check_same_body(starlette, path, "bare Starlette JSON")
        cells = [
            wrk_cell(self.scratch, "rest_get", label, [self.server], path),
            wrk_cell(self.scratch, "rest_get_bare", label, [starlette], path),
            wrk_cell(self.scratch, "rest_get_limited", label, [self.limited], path),
            wrk_cell(self.scratch, "rest_get_workers2", label, [self.workers2], path),
            wrk_cell(self.scratch, "rest_get_uncached", label, [self.uncached], path),
        ]
        proxy = self._start_proxy()
        if proxy is not None:
            self._check_same_body(proxy, path, "REST proxy JSON")
            cells.append(
                wrk_cell(self.scratch, "rest_get_proxy", label, [proxy, self.server], path)
            )
        return cells

    def _check_same_body(self, other: ServerProcess, path: str, what: str) -> None:
        token = self.scratch.token
        if _get_bytes(other.rest_url + path, token) != _get_bytes(
            self.server.rest_url + path, token
        ):
            self.results.notes.append(f"{what} differs from the real server's (bytes)")

    def _start_proxy(self) -> ServerProcess | None:
        """`configapi gateway --upstream` in front of the real server, when the CLI has it."""
        command = cli_proxy_command(self.server.grpc_target)
        if command is None:
            self.results.notes.append(
                "REST proxy mode: `configapi` has no `gateway --upstream` command"
                " (src/configapi/cli.py), so its cells and target are n/a."
            )
            return None
        self.proxy_from_cli = True
        return self.start("configapi gateway (proxy)", command, grpc=False, rest=True)

    def list_cells(self) -> list[Cell]:
        """ListSources, page_size 100, the first page of the 1k collection, both transports."""
        label = "ListSources (100)"
        grpc_list, _ = h2load_cell(
            self.scratch,
            "grpc_list",
            label,
            self.server,
            SOURCES_PATH + "ListSources",
            list_sources_request(),
        )
        path = f"/v1beta/{world.READS}/sources?page_size=100"
        return [grpc_list, wrk_cell(self.scratch, "rest_list", label, [self.server], path)]

    def write_cells(self) -> tuple[list[Cell], list[Cell]]:
        """UpdateDestination (both transports) and durable CreateSource (both transports)."""
        server, scratch = self.server, self.scratch
        update, create = "UpdateDestination", "CreateSource (durable)"
        grpc_update, _ = h2load_cell(
            scratch,
            "grpc_update",
            update,
            server,
            DESTINATIONS_PATH + "UpdateDestination",
            update_destination_request(),
            slack=4,
        )
        rest_update = wrk_cell(
            scratch, "rest_update", update, [server], f"/v1beta/{world.DESTINATION}", update_lua
        )
        grpc_create = writer_cell(scratch, "grpc_create", create, server)
        grpc_create_pg = writer_cell(self.pg_scratch, "grpc_create_pg", create, self.pg_server)
        rest_create = wrk_cell(
            scratch, "rest_create", create, [server], f"/v1beta/{world.WRITES}/sources", create_lua
        )
        return [grpc_update, rest_update], [grpc_create, rest_create, grpc_create_pg]

    def list_latency_cell(self, key: str, parent: str, size: int) -> Cell:
        """gRPC ListSources at a page in the middle of a collection of `size` sources."""
        middle = max(1, size // 100 // 2)
        target, token = self.server.grpc_target, self.scratch.token
        _, page_token, _ = asyncio.run(grpc_client.walk_pages(target, token, parent, 100, middle))
        label = f"ListSources page {middle + 1} of {size // 1000}k"
        request = list_sources_request(parent, page_token)
        cell, _ = h2load_cell(
            self.scratch, key, label, self.server, SOURCES_PATH + "ListSources", request
        )
        return cell

    def big_collection(self) -> None:
        """Seed the big collection, walk every page, record RSS and the deep-page latency."""
        plan, results = self.plan, self.results
        self.rss_after_cells = self.server.peak_rss_mib()
        print(f"seeding {plan.big:,} sources in {world.BIG}", flush=True)
        seconds = world.seed_big(self.server, self.scratch.token, plan.big)
        results.facts.append(
            (
                "seeding (big)",
                f"{plan.big:,} sources in {world.BIG} through gRPC CreateSource"
                f" (64 in flight) in {seconds:.1f} s = {plan.big / seconds:,.0f}/s",
            )
        )
        seen, _, walk = asyncio.run(
            grpc_client.walk_pages(self.server.grpc_target, self.scratch.token, world.BIG, 100)
        )
        if seen != plan.big:
            results.notes.append(f"walking {world.BIG} saw {seen} sources, not {plan.big}")
        results.facts.append(
            ("page walk (big)", f"{seen:,} sources in {seen // 100} pages of 100 in {walk:.1f} s")
        )
        self.rss_peak = self.server.peak_rss_mib()
        big = self.list_latency_cell("list_big", world.BIG, plan.big)
        run_group(plan, results, [big], (1,))


def cli_proxy_command(upstream: str) -> list[str] | None:
    """The CLI's standalone gateway command line, if `configapi gateway --upstream` exists."""
    done = subprocess.run(configapi("gateway", "--help"), capture_output=True, text=True)
    if done.returncode != 0 or "--upstream" not in done.stdout:
        return None
    return configapi("gateway", "--upstream", upstream, "--http-address", "127.0.0.1:0")


def _get_bytes(url: str, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
    return body
