"""Backups: a consistent online copy while the server writes, and a restore that refuses to
clobber a live or existing database."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import grpc
import httpx
import pytest
from segment.config.v1beta import sources_pb2, sources_pb2_grpc

from configapi.storage.backup import BackupError, backup, restore
from configapi.storage.schema import MIGRATIONS
from configapi.storage.sqlite import Database
from tests.integration.harness import create_source_request
from tests.operability.conftest import Serve, Served
from tests.reliability.process import (
    clean_env,
    database_problems,
    fingerprint,
    seed,
    start_server,
    stop,
)

WRITES_BEFORE_BACKUP = 20
MAX_WRITES = 2000  # a bound on each writer, whatever happens


def source(slug: str) -> dict[str, str]:
    return {"name": f"workspaces/acme/sources/{slug}", "catalog_name": "catalog/sources/javascript"}


async def write_over_rest(
    served: Served, acked: list[int], warmed_up: asyncio.Event, done: asyncio.Event
) -> None:
    auth = {"Authorization": f"Bearer {served.token}"}
    async with httpx.AsyncClient(base_url=served.rest) as client:
        for number in range(MAX_WRITES):
            if done.is_set():
                return
            reply = await client.post(
                "/v1beta/workspaces/acme/sources",
                headers=auth,
                json={"source": source(f"rest-{number:04d}")},
            )
            assert reply.status_code == 200, reply.text
            acked.append(number)
            if len(acked) >= WRITES_BEFORE_BACKUP:
                warmed_up.set()


async def write_over_grpc(
    served: Served, acked: list[int], warmed_up: asyncio.Event, done: asyncio.Event
) -> None:
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        stub = sources_pb2_grpc.SourceServiceStub(channel)
        for number in range(MAX_WRITES):
            if done.is_set():
                return
            await stub.CreateSource(
                sources_pb2.CreateSourceRequest(
                    parent="workspaces/acme",
                    source=sources_pb2.Source(**source(f"grpc-{number:04d}")),
                ),
                metadata=(("authorization", f"Bearer {served.token}"),),
            )
            acked.append(number)
            if len(acked) >= WRITES_BEFORE_BACKUP:
                warmed_up.set()


def slugs_in(database: Path, prefix: str) -> list[int]:
    """The numbers of the sources `prefix-NNNN` a database file holds, in order."""
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT name FROM resources WHERE kind = 'source' AND name LIKE ? ORDER BY name",
            (f"workspaces/acme/sources/{prefix}-%",),
        ).fetchall()
    return [int(name.rsplit("-", 1)[1]) for (name,) in rows]


async def test_a_backup_under_write_load_is_one_consistent_instant(
    serve: Serve, tmp_path: Path
) -> None:
    served = await serve()
    copy = tmp_path / "backups" / "copy.db"
    acked = {"rest": [], "grpc": []}
    warmed_up = {name: asyncio.Event() for name in acked}
    done = asyncio.Event()
    writers = [
        asyncio.create_task(write_over_rest(served, acked["rest"], warmed_up["rest"], done)),
        asyncio.create_task(write_over_grpc(served, acked["grpc"], warmed_up["grpc"], done)),
    ]
    await asyncio.gather(*(event.wait() for event in warmed_up.values()))
    before = {name: len(numbers) for name, numbers in acked.items()}
    version = await asyncio.to_thread(backup, served.server.settings.database, copy)
    after = {name: len(numbers) for name, numbers in acked.items()}
    done.set()
    await asyncio.gather(*writers)
    assert version == len(MIGRATIONS)
    for name in acked:
        present = slugs_in(copy, name)
        # each writer writes in sequence, so an instant's copy holds a prefix of its writes:
        # every write acknowledged before the backup began, none that was never made
        assert present == list(range(len(present))), f"{name}: not a prefix"
        assert before[name] <= len(present) <= after[name] + 1
    assert not Path(f"{copy}-wal").exists()  # a single self-contained file


async def test_a_restored_backup_serves_its_data(serve: Serve, tmp_path: Path) -> None:
    served = await serve()
    auth = {"Authorization": f"Bearer {served.token}"}
    async with httpx.AsyncClient(base_url=served.rest) as client:
        created = await client.post(
            "/v1beta/workspaces/acme/sources", headers=auth, json={"source": source("web")}
        )
        assert created.status_code == 200
    copy = tmp_path / "copy.db"
    backup(served.server.settings.database, copy)
    restored = tmp_path / "restored" / "configapi.db"
    assert restore(copy, restored) == len(MIGRATIONS)
    again = await serve(database=restored)
    async with httpx.AsyncClient(base_url=again.rest) as client:
        reply = await client.get("/v1beta/workspaces/acme/sources/web", headers=auth)
    assert reply.status_code == 200 and reply.json() == created.json()


async def test_restore_refuses_a_database_a_server_holds(serve: Serve, tmp_path: Path) -> None:
    served = await serve()
    copy = tmp_path / "copy.db"
    backup(served.server.settings.database, copy)
    with pytest.raises(BackupError, match="in use"):
        restore(copy, served.server.settings.database, force=True)


async def test_restore_replaces_a_stopped_database_only_when_forced(
    serve: Serve, tmp_path: Path
) -> None:
    served = await serve()
    database = served.server.settings.database
    copy = tmp_path / "copy.db"
    backup(database, copy)
    await served.server.stop(grace=0)
    with pytest.raises(BackupError, match="pass --force"):
        restore(copy, database)
    restore(copy, database, force=True)
    assert not Path(f"{database}-wal").exists()


def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    database = make_database(tmp_path / "db")
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="exists"):
        backup(database, target)
    assert target.read_bytes() == b"keep me"
    assert backup(database, target, force=True) == len(MIGRATIONS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just bytes" * 200, "not a usable database"),
        (None, "not a configapi database"),
    ],
    ids=["garbage", "foreign-schema"],
)
def test_restore_refuses_what_is_not_a_backup_of_ours(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "source.db"
    if content is None:
        with closing(sqlite3.connect(source)) as conn:
            conn.execute("CREATE TABLE other (x)")
            conn.execute("PRAGMA user_version = 1")
    else:
        source.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        restore(source, tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


def test_backup_of_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        backup(tmp_path / "missing.db", tmp_path / "copy.db")


def make_database(path: Path) -> Path:
    """A new, empty database of ours, made as the server makes it."""

    async def create() -> None:
        database = Database(path)
        await database.open()
        await database.close()

    asyncio.run(create())
    return path


# ---- with real processes: the operator's commands against a served (or killed) database -------

CLI = (sys.executable, "-m", "configapi")
SOURCES = 20


def configapi(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `configapi ARGS` as an operator does; its exit status and output."""
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120, env=clean_env(), check=False
    )


def resources_in(database: Path) -> int:
    """The resource rows a database holds as SQLite reads it (its `-wal` included)."""
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        (count,) = conn.execute("SELECT count(*) FROM resources").fetchone()
    return int(count)


async def served_then_killed(database: Path) -> None:
    """Serve `database`, create SOURCES sources, SIGKILL the server: the `-wal` holds them."""
    token = seed(database)
    server = start_server(database)
    try:
        api = server.client("grpc")
        for number in range(SOURCES):
            await api.call("CreateSource", create_source_request(f"s{number}"), token)
        server.kill()
        server.wait()
    finally:
        await server.close_clients()
        stop(server)
    assert Path(f"{database}-wal").stat().st_size > 0


@pytest.mark.parametrize("command", ["restore", "backup"])
async def test_a_copy_of_a_killed_servers_database_keeps_what_its_wal_holds(
    tmp_path: Path, command: str
) -> None:
    """Issue 13: `restore --from k.db` copied k.db's bytes only, 1 row of its 21."""
    database, copy = tmp_path / "k.db", tmp_path / "r.db"
    await served_then_killed(database)
    expected = 1 + SOURCES  # the workspace and its sources
    if command == "restore":
        result = configapi("restore", "--from", str(database), "--database", str(copy))
    else:
        result = configapi("backup", "--database", str(database), "--to", str(copy))
    assert result.returncode == 0, result.stderr
    assert resources_in(copy) == expected
    assert not Path(f"{copy}-wal").exists()  # a single self-contained file
    assert resources_in(database) == expected  # the source is left as it was


def aliases(database: Path, kind: str) -> Path:
    """Another name for `database` (or one of its files) of the given kind."""
    directory = database.parent
    if kind == "same path":
        return database
    if kind == "relative path":
        return Path(os.path.relpath(database, Path.cwd()))
    if kind == "dotted path":
        return directory / "." / ".." / directory.name / database.name
    if kind == "symlink":
        link = directory / "link.db"
        link.symlink_to(database)
        return link
    if kind == "hard link":
        link = directory / "hard.db"
        os.link(database, link)
        return link
    return Path(f"{database}-{kind}")  # "wal" or "shm"


BACKUP_ALIASES = ["same path", "relative path", "dotted path", "symlink", "hard link", "wal", "shm"]


async def test_a_backup_onto_the_live_database_is_refused_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """Issue 13: `backup --to ./var/c.db --force` replaced the live file under its server."""
    database = tmp_path / "var" / "c.db"
    database.parent.mkdir()
    token = seed(database)
    server = start_server(database)
    try:
        api = server.client("rest")
        for number in range(3):
            await api.call("CreateSource", create_source_request(f"s{number}"), token)
        before = fingerprint(database)
        for kind in BACKUP_ALIASES:
            target = aliases(database, kind)
            result = configapi(
                "backup", "--database", str(database), "--to", str(target), "--force"
            )
            assert result.returncode == 2, (kind, result.stderr)
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and "choose another file" in lines[0], (kind, lines)
            assert result.stdout == ""
        await api.call("CreateSource", create_source_request("after"), token)  # still serving
        listed = await api.call(
            "ListSources", sources_pb2.ListSourcesRequest(parent="workspaces/acme"), token
        )
        assert len(listed.sources) == 4  # type: ignore[attr-defined]
    finally:
        await server.close_clients()
        stop(server)
    assert database_problems(database) == []
    assert fingerprint(database) != before  # the write after the refusals landed in the file


@pytest.mark.parametrize("kind", ["same path", "symlink", "hard link", "wal"])
def test_a_restore_from_the_database_onto_itself_is_refused(tmp_path: Path, kind: str) -> None:
    database = make_database(tmp_path / "c.db")
    source = aliases(database, kind)
    if kind == "wal":  # restore FROM the database onto its own -wal file's name
        source, target = database, aliases(database, "wal")
    else:
        target = database
    before = database.read_bytes()
    result = configapi("restore", "--from", str(source), "--database", str(target), "--force")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "choose another file" in result.stderr
    assert database.read_bytes() == before
