"""Failing dependencies (README "Guarantees"): when storage cannot be written, writes answer
UNAVAILABLE with a clean message, reads go on, nothing is half-written, and the same process
recovers as soon as the condition clears. SIGTERM lets in-flight calls finish, refuses new ones
cleanly and closes the database consistently.

The conditions are real, imposed on a real `configapi serve` from outside (`conditions.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import grpc
import httpx
import pytest
from google.protobuf.message import Message
from segment.config.v1beta import sources_pb2, workspaces_pb2

from tests.integration.api import ApiFailure, GrpcApi
from tests.integration.harness import check_failure, create_source_request, source_name
from tests.reliability.conditions import (
    file_size_limit,
    filled,
    small_filesystem,
    unwritable,
)
from tests.reliability.load import (
    Expected,
    Load,
    create_token_request,
    observe,
    update_source,
    worker_script,
)
from tests.reliability.process import (
    ServerProcess,
    database_files,
    database_problems,
    fingerprint,
    open_database,
    seed,
    start_server,
    stop,
)

TRANSPORTS = ("grpc", "rest")
UNAVAILABLE_MESSAGE = "service unavailable: storage is not reachable or not writable; retry later"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "config.db"


@pytest.fixture
def served(database: Path) -> Iterator[tuple[ServerProcess, str]]:
    """A seeded `configapi serve` on `database` and a write token."""
    token = seed(database)
    server = start_server(database)
    yield server, token
    stop(server)


def _writes(tag: str) -> list[tuple[str, Message]]:
    """One write of each kind, none of which may land while storage is refusing them."""
    return [
        ("CreateSource", create_source_request(f"during-{tag}")),
        ("UpdateSource", update_source(source_name("before"), f"renamed {tag}", {"x": tag})),
        ("CreateAccessToken", create_token_request(f"during {tag} token")),
        ("DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name("before"))),
    ]


async def _expect_refused_then_recovered(
    server: ServerProcess, token: str, condition: Callable[[], AbstractContextManager[object]]
) -> None:
    """Under `condition`, every write over both transports is UNAVAILABLE with the clean
    message and changes nothing while reads succeed; once it is lifted, writes succeed in the
    same process and none of the refused ones shows."""
    apis = {t: server.client(t) for t in TRANSPORTS}
    await apis["grpc"].call("CreateSource", create_source_request("before"), token)
    before = fingerprint(server.database)
    with condition():
        for transport, api in apis.items():
            for method, request in _writes(transport):
                with pytest.raises(ApiFailure) as caught:
                    await api.call(method, request, token)
                check_failure(caught.value, grpc.StatusCode.UNAVAILABLE)
                assert caught.value.message == UNAVAILABLE_MESSAGE
            read = sources_pb2.GetSourceRequest(name=source_name("before"))
            source = await api.call("GetSource", read, token)
            assert source.display_name == "before"  # type: ignore[attr-defined]
        assert fingerprint(server.database) == before

    for transport, api in apis.items():  # the same process, no restart
        for method, request in _writes(transport)[:3]:
            await api.call(method, request, token)  # a 409 here would be a refused write landing
        await api.call("CreateSource", create_source_request(f"after-{transport}"), token)
    await server.close_clients()
    assert database_problems(server.database) == []
    assert "Traceback" not in server.output


async def test_a_full_disk_fails_writes_cleanly_and_the_process_recovers(
    served: tuple[ServerProcess, str],
) -> None:
    """EFBIG on every write past byte 0 (RLIMIT_FSIZE), as a full disk fails them."""
    server, token = served
    await _expect_refused_then_recovered(
        server, token, lambda: file_size_limit(server.pid, limit=0)
    )


async def test_a_disk_that_fills_up_mid_load_fails_whole_writes_only(
    served: tuple[ServerProcess, str],
) -> None:
    """Room for a few more pages only (RLIMIT_FSIZE a little past the files' current ends): big
    writes succeed until one cannot be written whole. That one is UNAVAILABLE and absent, every
    acknowledged one is present, and writes succeed again once there is room."""
    server, token = served
    apis = [server.client(t) for t in TRANSPORTS]
    room = max(path.stat().st_size for path in database_files(server.database)) + 64 * 1024
    acknowledged: list[str] = []
    with file_size_limit(server.pid, limit=room):
        for index in range(500):
            slug = f"big-{index}"
            # ~16 KB per row within SPEC §6's label limits (64 entries, values ≤ 256)
            labels = {f"blob{i:02}": "x" * 250 for i in range(64)}
            request = create_source_request(slug, labels=labels)
            try:
                await apis[index % 2].call("CreateSource", request, token)
            except ApiFailure as failure:
                check_failure(failure, grpc.StatusCode.UNAVAILABLE)
                assert failure.message == UNAVAILABLE_MESSAGE
                refused = slug
                break
            acknowledged.append(slug)
        else:
            raise AssertionError("the disk never filled up")

    for slug in acknowledged:
        await apis[0].call("GetSource", sources_pb2.GetSourceRequest(name=source_name(slug)), token)
    with pytest.raises(ApiFailure) as missing:
        await apis[1].call(
            "GetSource", sources_pb2.GetSourceRequest(name=source_name(refused)), token
        )
    check_failure(missing.value, grpc.StatusCode.NOT_FOUND)
    await apis[1].call("CreateSource", create_source_request(refused), token)
    await server.close_clients()
    assert database_problems(server.database) == []
    assert "Traceback" not in server.output


async def test_a_truly_full_filesystem_fails_writes_cleanly_and_recovers(tmp_path: Path) -> None:
    """ENOSPC from a real tmpfs filled to its last byte (skipped where mounting is refused)."""
    with small_filesystem(tmp_path / "mnt") as mounted:
        database = mounted / "config.db"
        token = seed(database)
        server = start_server(database)
        try:
            await _expect_refused_then_recovered(server, token, lambda: filled(mounted))
        finally:
            stop(server)


async def test_an_unwritable_database_file_fails_writes_cleanly_and_recovers(
    served: tuple[ServerProcess, str],
) -> None:
    """The file and its WAL turn unwritable under the running server, then writable again."""
    server, token = served
    files = [server.database, server.database.with_name(server.database.name + "-wal")]
    await _expect_refused_then_recovered(
        server, token, lambda: unwritable(files, open_files_too=True)
    )


async def test_a_database_unwritable_at_start_serves_reads_and_recovers(database: Path) -> None:
    """Started on a read-only file, the server serves reads and refuses writes; once the file
    is writable again it takes writes, without a restart."""
    token = seed(database)
    setup = start_server(database)  # one write before the file turns read-only
    await setup.client("grpc").call("CreateSource", create_source_request("before"), token)
    await setup.close_clients()
    setup.terminate()
    assert setup.wait() == 0

    server: ServerProcess | None = None
    try:
        with unwritable([database], open_files_too=False):
            server = start_server(database)
            api = server.client("rest")
            read = sources_pb2.GetSourceRequest(name=source_name("before"))
            assert (await api.call("GetSource", read, token)).display_name == "before"  # type: ignore[attr-defined]
            with pytest.raises(ApiFailure) as caught:
                await api.call("CreateSource", create_source_request("during"), token)
            check_failure(caught.value, grpc.StatusCode.UNAVAILABLE)
            assert caught.value.message == UNAVAILABLE_MESSAGE
        await api.call("CreateSource", create_source_request("after"), token)
        await server.close_clients()
    finally:
        if server is not None:
            stop(server)
    assert "Traceback" not in server.output
    assert database_problems(database) == []


# ---- SIGTERM -----------------------------------------------------------------------------------


def _no_wal_left(database: Path) -> bool:
    """A database closed consistently: its WAL checkpointed and removed by the last close."""
    wal = database.with_name(database.name + "-wal")
    return not wal.exists() or wal.stat().st_size == 0


async def _rest_create_in_flight(port: int, token: str, slug: str) -> asyncio.Task[bytes]:
    """A REST create the server has started serving: it sends `Expect: 100-continue` and
    returns once the server's `100 Continue` shows the gateway reading its body."""
    body = (
        b'{"source": {"name": "workspaces/acme/sources/%s", '
        b'"catalog_name": "catalog/sources/javascript"}}' % slug.encode()
    )
    head = (
        b"POST /v1beta/workspaces/acme/sources HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(body)
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    interim = await reader.readuntil(b"\r\n\r\n")
    assert interim.startswith(b"HTTP/1.1 100"), interim

    async def finish() -> bytes:
        writer.write(body)
        try:
            return await reader.read()
        finally:
            writer.close()

    return asyncio.create_task(finish())


async def test_sigterm_finishes_in_flight_calls_and_refuses_new_ones(
    served: tuple[ServerProcess, str],
) -> None:
    """Calls held in flight (behind a write lock another process holds) when SIGTERM arrives
    complete with 200; calls made after it are refused at once; the file closes consistently."""
    server, token = served
    grpc_api = server.client("grpc")
    workspace = workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme")
    await grpc_api.call("GetWorkspace", workspace, token)  # the token is admitted from cache now

    lock = open_database(server.database)
    lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock: writes queue
    try:
        grpc_create = asyncio.create_task(
            grpc_api.call("CreateSource", create_source_request("in-flight-grpc"), token)
        )
        await grpc_api.call("GetWorkspace", workspace, token)  # later on the same connection
        assert not grpc_create.done()
        rest_create = await _rest_create_in_flight(server.http_port, token, "in-flight-rest")

        server.terminate()
        await asyncio.to_thread(server.stderr.wait_for, lambda line: "shutting down" in line)
        late = GrpcApi(f"127.0.0.1:{server.grpc_port}")
        try:
            with pytest.raises(ApiFailure) as refused:
                await late.call("CreateSource", create_source_request("late-grpc"), token)
            # refused by the gRPC transport itself (no Status of ours): never served
            assert refused.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
            assert refused.value.details == []
        finally:
            await late.close()
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient() as client:
                await client.get(f"http://127.0.0.1:{server.http_port}/v1beta/workspaces")
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    created = await grpc_create
    assert created.name == source_name("in-flight-grpc")  # type: ignore[attr-defined]
    status, _, body = _parse(await rest_create)
    assert status == 200, body
    await server.close_clients()
    assert server.wait() == 0
    assert "Traceback" not in server.output
    assert _no_wal_left(server.database)
    assert database_problems(server.database) == []

    restarted = start_server(server.database)
    try:
        api = restarted.client("rest")
        for slug, present in (
            ("in-flight-grpc", True),
            ("in-flight-rest", True),
            ("late-grpc", False),
        ):
            request = sources_pb2.GetSourceRequest(name=source_name(slug))
            if present:
                await api.call("GetSource", request, token)
            else:
                with pytest.raises(ApiFailure):
                    await api.call("GetSource", request, token)
        await restarted.close_clients()
    finally:
        stop(restarted)


def _parse(response: bytes) -> tuple[int, bytes, bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), head, body


async def test_sigterm_under_load_keeps_every_acknowledged_write(database: Path) -> None:
    """SIGTERM after N acknowledged writes of a two-transport load: the process exits 0 with
    its WAL checkpointed, and a restart shows every acknowledged write and no partial one."""
    token = seed(database)
    expected = Expected()
    for round_number, stop_after in enumerate((5, 40)):
        server = start_server(database)
        try:
            load = Load(stop_after=stop_after, on_threshold=server.terminate)
            workers = [
                load.run_worker(
                    server.client(TRANSPORTS[w % 2]), token, worker_script(f"t{round_number}w{w}")
                )
                for w in range(8)
            ]
            await asyncio.gather(*workers)
            assert server.wait() == 0
            await server.close_clients()
        finally:
            stop(server)
        assert "Traceback" not in server.output
        assert _no_wal_left(database)
        assert database_problems(database) == []
        expected.record(load.outcomes)

        restarted = start_server(database)
        try:
            expected.settle(await observe(restarted.client("grpc"), token))
            await restarted.close_clients()
        finally:
            stop(restarted)
