"""Backups: a consistent online copy while the server writes, and a restore that refuses to
clobber a live or existing database."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import grpc
import httpx
import pytest
from segment.config.v1beta import sources_pb2, sources_pb2_grpc

from configapi.storage.backup import BackupError, backup, restore
from configapi.storage.schema import MIGRATIONS
from configapi.storage.sqlite import Database
from tests.operability.conftest import Serve, Served

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
