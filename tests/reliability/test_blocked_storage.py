"""A blocked SQLite reader stalls only the calls that wait for it (README "Guarantees").

The block is real: another process holds the WAL read-mark locks of the database's `-shm` file
(what a checkpointer or a recovering process holds). A reader that starts a read transaction
then spins in SQLite's own retry loop, for about ten seconds, before it gives up. The server
runs that reader on an aiosqlite thread, so while reads of the database are stuck, calls that
need none (the liveness probe, the catalog with a cached token) answer as fast as ever, over
both transports. Had the read run on the event loop, each of them would wait those seconds.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from segment.config.v1beta import catalog_pb2, sources_pb2

from tests.integration.harness import create_source_request, source_name
from tests.operability.support import sample, samples
from tests.reliability.process import (
    CLI,
    START_TIMEOUT,
    clean_env,
    seed,
    start_server,
    stop,
)

BLOCKED_READS = 4  # more than the server's two readers: some wait in line too
SAMPLES = 15
FAST = 0.5  # seconds; unblocked these calls take milliseconds, blocked ones about ten seconds
# SQLite's wal-index locks are bytes 120..127 of the -shm file; 123..127 are the read marks
_READ_MARKS_OFFSET, _READ_MARKS = 123, 5


@contextmanager
def read_marks_held(database: Path) -> Iterator[None]:
    """Hold every WAL read-mark lock of `database` from this process (POSIX locks, as SQLite
    takes them), so that no other process can begin a read transaction until released."""
    fd = os.open(f"{database}-shm", os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _READ_MARKS, _READ_MARKS_OFFSET)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases its locks


async def median_seconds(call: Callable[[], Awaitable[object]]) -> float:
    """The median wall time of `SAMPLES` calls made one after another."""
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def in_flight(http: httpx.AsyncClient) -> float:
    """The server's gRPC calls in flight; it must answer /metrics at once meanwhile."""
    try:
        reply = await http.get("/metrics", timeout=10 * FAST)
    except httpx.TimeoutException:
        raise AssertionError("/metrics did not answer while reads were blocked") from None
    exposition = samples(reply.text)
    return sample(exposition, "configapi_requests_in_flight", transport="grpc")


async def test_a_blocked_reader_does_not_stall_calls_that_need_no_read(tmp_path: Path) -> None:
    database = tmp_path / "config.db"
    token = seed(database)
    server = start_server(database, "--token-cache-seconds", "3600")
    try:
        grpc_api, rest_api = server.client("grpc"), server.client("rest")
        await grpc_api.call("CreateSource", create_source_request("web"), token)
        catalog = catalog_pb2.GetCatalogSourceRequest(name="catalog/sources/javascript")
        await grpc_api.call("GetCatalogSource", catalog, token)  # the token is cached now
        read = sources_pb2.GetSourceRequest(name=source_name("web"))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
            with read_marks_held(database):
                blocked = [
                    asyncio.create_task(grpc_api.call("GetSource", read, token))
                    for _ in range(BLOCKED_READS)
                ]
                for _ in range(10_000):  # until the server holds all of them (counted, no sleep)
                    if await in_flight(http) >= BLOCKED_READS:
                        break
                medians = {
                    "gRPC GetCatalogSource": await median_seconds(
                        lambda: grpc_api.call("GetCatalogSource", catalog, token)
                    ),
                    "REST GET catalog source": await median_seconds(
                        lambda: rest_api.call("GetCatalogSource", catalog, token)
                    ),
                    "REST /healthz": await median_seconds(lambda: http.get("/healthz")),
                }
                still_blocked = sum(not task.done() for task in blocked)
            answers = await asyncio.gather(*blocked)
        assert still_blocked == BLOCKED_READS, "the reads were not blocked: nothing was proved"
        slow = {name: m for name, m in medians.items() if m > FAST}
        assert not slow, f"calls stalled behind a blocked reader (median seconds): {slow}"
        assert all(source.name == source_name("web") for source in answers)  # type: ignore[attr-defined]
        await server.close_clients()
    finally:
        stop(server)
    assert "Traceback" not in server.output


def test_a_server_that_cannot_start_still_exits(tmp_path: Path) -> None:
    """Storage is opened first; a failure after it (here: the gRPC port is taken) must close it,
    or its aiosqlite threads keep the failed process alive for good."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        addresses = ("--grpc-address", f"127.0.0.1:{port}", "--http-address", "127.0.0.1:0")
        result = subprocess.run(
            [*CLI, "serve", "--database", str(tmp_path / "c.db"), *addresses],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            env=clean_env(),
            check=False,
        )
    assert result.returncode != 0
    assert "serving gRPC" not in result.stdout
