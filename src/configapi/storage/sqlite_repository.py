"""The repository protocol over `Database`: resources as serialized protobuf rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Collection as Kinds
from pathlib import Path
from typing import Generic

from segment.config.v1beta import (
    access_tokens_pb2,
    workspaces_pb2,
)

from configapi.errors import already_exists, not_found
from configapi.storage.kinds import CollectionsByKind
from configapi.storage.repository import M, Page
from configapi.storage.sqlite import CACHE_BYTES, Database, Transaction

AccessToken = access_tokens_pb2.AccessToken


class SqliteCollection(Generic[M]):
    """The rows of one kind in the `resources` table."""

    def __init__(
        self,
        db: Database,
        kind: str,
        message: type[M],
        resource_type: str,
        kinds: Kinds[str] = (),
    ) -> None:
        self._db = db
        self._kind = kind
        self._message = message
        self._type = resource_type
        self._kinds = kinds  # every kind stored: lets a delete find children by parent (index)

    async def insert(self, name: str, parent: str, message: M, *, parent_type: str = "") -> None:
        """See `Collection.insert`."""
        data = message.SerializeToString()

        async def work(tx: Transaction) -> None:
            parent_found, taken = await tx.row(
                "SELECT EXISTS (SELECT 1 FROM resources WHERE name = ?),"
                " EXISTS (SELECT 1 FROM resources WHERE name = ?)",
                (parent, name),
            )
            if parent_type and not parent_found:
                raise not_found(parent_type, parent)
            if taken:
                raise already_exists(self._type, name)
            await tx.run(
                "INSERT INTO resources (kind, name, parent, data) VALUES (?, ?, ?, ?)",
                (self._kind, name, parent, data),
            )

        await self._db.write(work)

    async def insert_all(
        self, rows: Sequence[tuple[str, str, M]], *, requires: Mapping[str, str]
    ) -> None:
        """See `Collection.insert_all`."""
        data = [(name, parent, message.SerializeToString()) for name, parent, message in rows]

        async def work(tx: Transaction) -> None:
            for name, resource_type in requires.items():
                if not await _exists(tx, name):
                    raise not_found(resource_type, name)
            for name, parent, blob in data:
                if await _exists(tx, name):
                    raise already_exists(self._type, name)
                await tx.run(
                    "INSERT INTO resources (kind, name, parent, data) VALUES (?, ?, ?, ?)",
                    (self._kind, name, parent, blob),
                )

        await self._db.write(work)

    async def get(self, name: str) -> M | None:
        """See `Collection.get`."""
        row = await self._db.cached_row(_FETCH, (self._kind, name))
        return None if row is None else self._message.FromString(row[0])

    async def update(self, name: str, mutate: Callable[[M], M]) -> M | None:
        """See `Collection.update`."""

        async def work(tx: Transaction) -> M | None:
            row = await _fetch(tx, self._kind, name)
            if row is None:
                return None
            updated = mutate(self._message.FromString(row))
            await tx.run(
                "UPDATE resources SET data = ? WHERE kind = ? AND name = ?",
                (updated.SerializeToString(), self._kind, name),
            )
            return updated

        return await self._db.write(work)

    async def delete(self, name: str) -> bool:
        """See `Collection.delete`: descendants go too (their names extend `name + "/"`)."""

        async def work(tx: Transaction) -> bool:
            if await _fetch(tx, self._kind, name) is None:
                return False
            # '0' is the character after '/': the range holds exactly the names under `name/`.
            under = (name + "/", name + "0")
            await tx.run(
                "DELETE FROM resources WHERE name = ? OR (name > ? AND name < ?)", (name, *under)
            )
            # Rows whose parent is `name` or under it (a connection hangs under its source by
            # name, under its tracking plan by parent): two statements, by kind, so that each
            # is a search of the (kind, parent, seq) index rather than a scan.
            kinds = sorted(self._kinds)
            by_kind = f"DELETE FROM resources WHERE kind IN ({','.join('?' * len(kinds))})"
            await tx.run(f"{by_kind} AND parent = ?", (*kinds, name))
            await tx.run(f"{by_kind} AND parent > ? AND parent < ?", (*kinds, *under))
            return True

        return await self._db.write(work)

    async def list(
        self, parent: str, after: int | None, limit: int, *, parent_type: str = ""
    ) -> Page[M, int]:
        """See `Collection.list`."""

        sql = (
            "SELECT seq, data FROM resources WHERE kind = ? AND parent = ? AND seq > ?"
            " ORDER BY seq LIMIT ?"
        )
        parameters = (self._kind, parent, after or 0, limit + 1)
        if not parent_type:
            return _page(await self._db.read_rows(sql, parameters), limit, self._message)

        async def work(tx: Transaction) -> list[tuple[int, bytes]]:
            if await tx.row("SELECT 1 FROM resources WHERE name = ?", (parent,)) is None:
                raise not_found(parent_type, parent)
            return await tx.rows(sql, parameters)

        return _page(await self._db.read(work), limit, self._message)


class SqliteTokenStore:
    """Personal access tokens with a side table of their workspaces (for tenancy filters)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def insert(self, token: AccessToken, secret_hash: bytes) -> None:
        """See `TokenStore.insert`."""
        data = token.SerializeToString()

        async def work(tx: Transaction) -> None:
            await tx.run(
                "INSERT INTO access_tokens (name, secret_hash, data) VALUES (?, ?, ?)",
                (token.name, secret_hash, data),
            )
            await tx.run_many(
                "INSERT OR IGNORE INTO token_workspaces (token, workspace) VALUES (?, ?)",
                [(token.name, w) for w in token.workspace_names],
            )

        await self._db.write(work)

    async def by_hash(self, secret_hash: bytes) -> AccessToken | None:
        """See `TokenStore.by_hash`."""
        row = await self._db.cached_row(
            "SELECT data FROM access_tokens WHERE secret_hash = ?", (secret_hash,)
        )
        return None if row is None else AccessToken.FromString(row[0])

    async def get(self, name: str) -> AccessToken | None:
        """See `TokenStore.get`."""
        row = await self._db.read_row("SELECT data FROM access_tokens WHERE name = ?", (name,))
        return None if row is None else AccessToken.FromString(row[0])

    async def delete(self, name: str) -> bool:
        """See `TokenStore.delete`."""
        deleted = await self._db.write(
            lambda tx: tx.run("DELETE FROM access_tokens WHERE name = ?", (name,))
        )
        return deleted > 0

    async def list_within(
        self, workspace_names: frozenset[str], after: int | None, limit: int
    ) -> Page[AccessToken, int]:
        """See `TokenStore.list_within`."""
        allowed = sorted(workspace_names)
        marks = ",".join("?" * len(allowed))
        sql = (
            "SELECT seq, data FROM access_tokens t WHERE seq > ? AND NOT EXISTS ("
            " SELECT 1 FROM token_workspaces w WHERE w.token = t.name"
            f" AND w.workspace NOT IN ({marks})) ORDER BY seq LIMIT ?"
        )
        rows = await self._db.read_rows(sql, (after or 0, *allowed, limit + 1))
        return _page(rows, limit, AccessToken)


class SqliteRepository(CollectionsByKind):
    """The repository protocol over one SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        observe: Callable[[str, float], None] | None = None,
        read_cache_bytes: int = CACHE_BYTES,
    ) -> None:
        super().__init__()
        self._db = Database(path, observe=observe, cache_bytes=read_cache_bytes)
        self.tokens = SqliteTokenStore(self._db)

    def _make(
        self, kind: str, message: type[M], resource_type: str, kinds: Kinds[str]
    ) -> SqliteCollection[M]:
        return SqliteCollection(self._db, kind, message, resource_type, kinds)

    async def open(self) -> None:
        """Open the file, creating and migrating the schema as needed."""
        await self._db.open()

    async def list_workspaces_in(
        self, names: frozenset[str], after: int | None, limit: int
    ) -> Page[workspaces_pb2.Workspace, int]:
        """See `Repository.list_workspaces_in`."""
        wanted = sorted(names)
        marks = ",".join("?" * len(wanted))
        sql = (
            "SELECT seq, data FROM resources WHERE kind = 'workspace' AND seq > ?"
            f" AND name IN ({marks}) ORDER BY seq LIMIT ?"
        )
        rows = await self._db.read_rows(sql, (after or 0, *wanted, limit + 1))
        return _page(rows, limit, workspaces_pb2.Workspace)

    async def page_token_secret(self) -> bytes:
        """See `Repository.page_token_secret`."""
        row = await self._db.read_row("SELECT value FROM meta WHERE key = 'page_token_secret'")
        return bytes(row[0])

    async def ping(self) -> None:
        """See `Repository.ping`."""
        await self._db.read_row("SELECT 1")

    async def schema_version(self) -> int:
        """The database's schema version as stored now (readiness: migrations done)."""
        return await self._db.schema_version()

    async def close(self) -> None:
        """See `Repository.close`."""
        await self._db.close()


_FETCH = "SELECT data FROM resources WHERE kind = ? AND name = ?"


async def _exists(tx: Transaction, name: str) -> bool:
    return await tx.row("SELECT 1 FROM resources WHERE name = ?", (name,)) is not None


async def _fetch(tx: Transaction, kind: str, name: str) -> bytes | None:
    row = await tx.row(_FETCH, (kind, name))
    return None if row is None else bytes(row[0])


def _page(rows: list[tuple[int, bytes]], limit: int, message: type[M]) -> Page[M, int]:
    items = [message.FromString(data) for _, data in rows[:limit]]
    more = len(rows) > limit
    return Page(items, rows[limit - 1][0] if more else None)
