"""The SQLite point-read cache never serves a row that a commit has changed (README "Guarantees").

Commits come from this process and from others sharing the file (`configapi workspaces create`,
another worker, a replica, a person with `sqlite3`): each test commits one way, then reads at
once and must see it. Another process here is a real one, running Python's `sqlite3` on the
same file. The cache must also really answer (repeated reads do not reach SQLite), or the
bench's numbers would be the cache's claim without its work.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from segment.config.v1beta import sources_pb2, workspaces_pb2

from configapi.storage.read_cache import MISS, ReadCache
from configapi.storage.sqlite_repository import SqliteRepository
from configapi.storage.wal_index import WalIndex
from tests.integration.harness import create_source_request
from tests.reliability.process import CLI, clean_env, run_cli, seed, start_server, stop

WORKSPACE = "workspaces/acme"
SOURCE = f"{WORKSPACE}/sources/web"
ROUNDS = 8


class Counted(SqliteRepository):
    """The real repository, told of each unit that reached SQLite (`observe`)."""

    def __init__(self, path: Path, read_cache_bytes: int = 16 * 1024 * 1024) -> None:
        self.reads = 0
        super().__init__(path, observe=self._seen, read_cache_bytes=read_cache_bytes)

    def _seen(self, operation: str, _seconds: float) -> None:
        self.reads += operation == "read"


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[Counted]:
    repository = Counted(tmp_path / "config.db")
    await repository.open()
    await repository.workspaces.insert(WORKSPACE, "", workspaces_pb2.Workspace(name=WORKSPACE))
    await repository.sources.insert(SOURCE, WORKSPACE, _source("Web site"))
    yield repository
    await repository.close()


def _source(display_name: str) -> sources_pb2.Source:
    return sources_pb2.Source(name=SOURCE, parent=WORKSPACE, display_name=display_name)


def other_process(database: Path, sql: str, *parameters: object) -> None:
    """Run one statement in a new Python process with its own connection (a commit of its own)."""
    script = (
        "import sqlite3, sys, ast\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA busy_timeout = 5000')\n"
        "c.execute(sys.argv[2], ast.literal_eval(sys.argv[3]))\n"
        "c.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(database), sql, repr(parameters)], check=True)


async def test_repeated_reads_are_answered_without_sqlite(repository: Counted) -> None:
    first = await repository.sources.get(SOURCE)
    reads = repository.reads
    again = [await repository.sources.get(SOURCE) for _ in range(100)]
    assert repository.reads == reads, "repeated point reads reached SQLite"
    assert all(source == first for source in again)
    missing = f"{WORKSPACE}/sources/nope"
    assert await repository.sources.get(missing) is None
    assert await repository.sources.get(missing) is None
    assert repository.reads == reads + 1  # "not found" is kept too


async def test_a_cache_of_zero_bytes_is_no_cache(tmp_path: Path) -> None:
    """`--read-cache-mib 0`: every read reaches SQLite."""
    repository = Counted(tmp_path / "config.db", read_cache_bytes=0)
    await repository.open()
    try:
        await repository.workspaces.insert(WORKSPACE, "", workspaces_pb2.Workspace(name=WORKSPACE))
        reads = repository.reads
        for _ in range(5):
            assert await repository.workspaces.get(WORKSPACE) is not None
        assert repository.reads == reads + 5
    finally:
        await repository.close()


async def test_what_the_cache_hands_out_cannot_change_what_it_holds(
    repository: Counted,
) -> None:
    source = await repository.sources.get(SOURCE)
    assert source is not None
    source.display_name = "changed by a caller"
    assert await repository.sources.get(SOURCE) == _source("Web site")


async def test_a_commit_by_another_process_is_read_at_once(
    repository: Counted, tmp_path: Path
) -> None:
    database = tmp_path / "config.db"
    for round_ in range(ROUNDS):
        assert await repository.sources.get(SOURCE) is not None  # cached now
        wanted = _source(f"round {round_}")
        other_process(
            database,
            "UPDATE resources SET data = ? WHERE name = ?",
            wanted.SerializeToString(),
            SOURCE,
        )
        assert await repository.sources.get(SOURCE) == wanted
    other_process(database, "DELETE FROM resources WHERE name = ?", SOURCE)
    assert await repository.sources.get(SOURCE) is None
    other_process(
        database,
        "INSERT INTO resources (kind, name, parent, data) VALUES ('source', ?, ?, ?)",
        SOURCE,
        WORKSPACE,
        _source("back").SerializeToString(),
    )
    assert await repository.sources.get(SOURCE) == _source("back")  # a cached "not found" too


async def test_our_own_writes_are_read_at_once_by_concurrent_readers(
    repository: Counted,
) -> None:
    for round_ in range(ROUNDS):
        readers = [asyncio.create_task(repository.sources.get(SOURCE)) for _ in range(20)]
        name = f"round {round_}"
        await repository.sources.update(SOURCE, lambda s, name=name: _source(name))  # type: ignore[misc]
        after = await asyncio.gather(*(repository.sources.get(SOURCE) for _ in range(20)))
        assert all(source == _source(name) for source in after)
        await asyncio.gather(*readers)  # those raced the write: either value is right for them
    await repository.sources.delete(SOURCE)
    assert await repository.sources.get(SOURCE) is None


def test_the_wal_index_stamp_moves_with_each_commit_only(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / "plain.db"
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    index = WalIndex(database)
    try:
        stamps = [index.stamp()]
        conn.execute("SELECT * FROM t").fetchall()
        assert index.stamp() == stamps[0], "a read moved the stamp"
        for value in range(3):
            other_process(database, "INSERT INTO t VALUES (?)", value)
            stamps.append(index.stamp())
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stamps.append(index.stamp())
        conn.execute("INSERT INTO t VALUES (9)")
        stamps.append(index.stamp())
        assert None not in stamps
        assert len(set(stamps)) == len(stamps), "a commit left the stamp as it was"
    finally:
        conn.close()
        index.close()  # last: closing the descriptor drops this process's locks on the file


@pytest.mark.parametrize("damage", ["copies differ", "not initialised", "unknown version"])
def test_a_header_caught_mid_commit_is_not_trusted(tmp_path: Path, damage: str) -> None:
    database = tmp_path / "made.db"
    header = bytearray((3007000).to_bytes(4, sys.byteorder) + bytes(44))
    header[12] = 1  # isInit
    second = bytearray(header)
    if damage == "copies differ":
        second[8] = 7  # iChange of a commit half-written
    elif damage == "not initialised":
        header[12] = second[12] = 0
    else:
        header[0] = second[0] = 9
    database.with_name("made.db-shm").write_bytes(bytes(header + second) + bytes(32 * 1024))
    index = WalIndex(database)
    try:
        assert index.stamp() is None
    finally:
        index.close()


def test_the_cache_keeps_one_stamp_and_its_byte_bound() -> None:
    cache = ReadCache(max_bytes=1_000)
    assert cache.get("s1", "a") is MISS
    cache.put("s1", "a", (b"x" * 300,))
    cache.put("s0", "b", (b"old",))  # fetched under an older stamp: not kept
    assert cache.get("s1", "b") is MISS
    cache.put("s1", "b", (b"y" * 300,))
    cache.put("s1", "c", (b"z" * 300,))  # over the bound: the oldest entry goes
    assert cache.get("s1", "a") is MISS
    assert cache.get("s1", "b") == (b"y" * 300,)
    cache.put("s1", "huge", (b"h" * 2_000,))  # larger than the whole cache: never kept
    assert cache.get("s1", "huge") is MISS
    assert cache.get("s2", "b") is MISS  # a new stamp: everything went
    assert cache.get("s2", "c") is MISS


async def test_a_served_source_changed_by_another_process_is_served_changed(
    tmp_path: Path,
) -> None:
    """End to end, as served: the server has answered GET source twice (the second from its
    cache); another process commits a change to that row; the next GET, over either transport,
    has it."""
    database = tmp_path / "config.db"
    token = seed(database, "acme")
    server = start_server(database)
    try:
        grpc_api = server.client("grpc")
        await grpc_api.call("CreateSource", create_source_request("web"), token)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
            headers = {"Authorization": f"Bearer {token}"}
            url = f"/v1beta/{SOURCE}"
            for round_ in range(ROUNDS):
                for _ in range(2):
                    assert (await http.get(url, headers=headers)).status_code == 200
                source = sources_pb2.Source.FromString(_stored(database))
                source.display_name = f"round {round_}"
                other_process(
                    database,
                    "UPDATE resources SET data = ? WHERE name = ?",
                    source.SerializeToString(),
                    SOURCE,
                )
                assert (await http.get(url, headers=headers)).json()["display_name"] == (
                    f"round {round_}"
                )
                read = sources_pb2.GetSourceRequest(name=SOURCE)
                served = await grpc_api.call("GetSource", read, token)
                assert served.display_name == f"round {round_}"  # type: ignore[attr-defined]
        await server.close_clients()
    finally:
        stop(server)
    assert "Traceback" not in server.output


def _stored(database: Path) -> bytes:
    import sqlite3

    with contextlib.closing(sqlite3.connect(database)) as conn:
        (data,) = conn.execute("SELECT data FROM resources WHERE name = ?", (SOURCE,)).fetchone()
    return bytes(data)


# SQLite's "dead man switch" lock: byte 128 of the -shm file, held shared by every process that
# has the database open, taken exclusive only by the first to open it (which resets the index).
_DMS_OFFSET = 128


async def test_a_server_keeps_sqlites_locks_on_the_wal_index(tmp_path: Path) -> None:
    """Reading the WAL index must not cost SQLite its locks: a POSIX lock is lost when any
    descriptor of the file is closed by its process. Without them another process would take
    this server's database for unused: `configapi restore` would replace it under the server,
    and a new connection would reset the index it is using."""
    database = tmp_path / "config.db"
    token = seed(database, "acme")
    server = start_server(database)
    try:
        await server.client("grpc").call("CreateSource", create_source_request("web"), token)
        fd = os.open(f"{database}-shm", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _DMS_OFFSET)
        finally:
            os.close(fd)
        copy = tmp_path / "copy.db"
        run_cli("backup", "--to", str(copy), "--database", str(database))
        refused = subprocess.run(
            [*CLI, "restore", "--from", str(copy), "--force", "--database", str(database)],
            capture_output=True,
            text=True,
            env=clean_env(),
            check=False,
        )
        assert refused.returncode == 2 and "in use" in refused.stderr, refused
        await server.close_clients()
    finally:
        stop(server)
