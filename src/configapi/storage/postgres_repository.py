"""The repository protocol over PostgreSQL (`--database postgresql://…`, SPEC §9 replicas).

Generic by `kind` like the SQLite repository: one `resources` table of serialized protobuf
rows. Every write is one transaction (READ COMMITTED with explicit row locks):

- insert takes a share lock on the parent row, so a concurrent delete of the parent either
  finishes first (the insert then finds no parent: NOT_FOUND) or waits for the insert;
- delete locks the resource, then every row under it, then deletes them in a new statement,
  whose fresh snapshot sees children inserted by transactions it waited for (no orphan);
- update reads the row `FOR UPDATE`: concurrent masked updates apply one after the other;
- the UNIQUE name index decides concurrent creates of one name: one winner.

A server that cannot reach PostgreSQL answers UNAVAILABLE with a retry hint; the pool makes new
connections on later calls, so the replica recovers by itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from collections.abc import Collection as Kinds
from contextlib import asynccontextmanager
from typing import Generic

import asyncpg
from segment.config.v1beta import (
    access_tokens_pb2,
    workspaces_pb2,
)

from configapi.errors import ApiError, already_exists, not_found, unavailable
from configapi.storage.kinds import CollectionsByKind
from configapi.storage.postgres_schema import MIGRATIONS, Conn, migrate, schema_version
from configapi.storage.repository import M, Page

AccessToken = access_tokens_pb2.AccessToken
_RETRY_SECONDS = 1.0
_CONNECT_SECONDS = 5.0
# the library's and the network's ways of saying "the server is not there (any more)"
_UNREACHABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    # transient, the caller may retry: a deadlock victim or a failed serialization
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


def storage_unavailable() -> ApiError:
    """UNAVAILABLE with RetryInfo: PostgreSQL did not answer (SPEC §9)."""
    error = unavailable("storage is not reachable; retry later")
    error.retry_after_seconds = _RETRY_SECONDS
    return error


class PostgresDatabase:
    """A connection pool; `transaction()` and `connection()` map outages to UNAVAILABLE."""

    def __init__(self, url: str, *, observe: Callable[[str, float], None] | None = None) -> None:
        self._url = url
        self._observe = observe
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Connect and migrate; raises `OSError`/asyncpg errors when the server is unusable."""
        pool = await asyncpg.create_pool(
            self._url, min_size=1, max_size=10, timeout=_CONNECT_SECONDS, command_timeout=30
        )
        assert pool is not None
        self._pool = pool
        async with pool.acquire() as conn:
            await migrate(conn)

    @asynccontextmanager
    async def connection(self, operation: str = "read") -> AsyncIterator[Conn]:
        """A pooled connection; UNAVAILABLE if PostgreSQL cannot be reached."""
        if self._pool is None:
            raise storage_unavailable()
        started = time.perf_counter()
        try:
            async with self._pool.acquire(timeout=_CONNECT_SECONDS) as conn:
                yield conn
        except _UNREACHABLE as error:
            raise storage_unavailable() from error
        finally:
            if self._observe is not None:
                self._observe(operation, time.perf_counter() - started)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with self.connection("write") as conn, conn.transaction():
            yield conn

    async def schema_version(self) -> int:
        """The stored schema version (readiness)."""
        async with self.connection() as conn:
            return await schema_version(conn)

    async def close(self) -> None:
        """Close every connection."""
        if self._pool is not None:
            await self._pool.close()


class PostgresCollection(Generic[M]):
    """The rows of one kind in the `resources` table."""

    def __init__(
        self,
        db: PostgresDatabase,
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
        async with self._db.transaction() as conn:
            if parent_type and not await _lock_shared(conn, parent):
                raise not_found(parent_type, parent)
            await self._insert_new(conn, name, parent, message.SerializeToString())

    async def insert_all(
        self, rows: Sequence[tuple[str, str, M]], *, requires: Mapping[str, str]
    ) -> None:
        """See `Collection.insert_all`: the required rows are share-locked, as `insert` locks
        its parent, so a concurrent delete of one either finishes first or waits."""
        data = [(name, parent, message.SerializeToString()) for name, parent, message in rows]
        async with self._db.transaction() as conn:
            for name, resource_type in requires.items():
                if not await _lock_shared(conn, name):
                    raise not_found(resource_type, name)
            for name, parent, blob in data:
                await self._insert_new(conn, name, parent, blob)  # raising rolls back the rest

    async def _insert_new(self, conn: Conn, name: str, parent: str, data: bytes) -> None:
        """One row; ALREADY_EXISTS when the name is taken (the UNIQUE index decides races)."""
        status = await conn.execute(
            "INSERT INTO resources (kind, name, parent, data) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (name) DO NOTHING",
            self._kind,
            name,
            parent,
            data,
        )
        if status.endswith(" 0"):
            raise already_exists(self._type, name)

    async def get(self, name: str) -> M | None:
        """See `Collection.get`."""
        async with self._db.connection() as conn:
            data = await conn.fetchval(_FETCH, self._kind, name)
        return None if data is None else self._message.FromString(data)

    async def update(self, name: str, mutate: Callable[[M], M]) -> M | None:
        """See `Collection.update`."""
        async with self._db.transaction() as conn:
            data = await conn.fetchval(_FETCH + " FOR UPDATE", self._kind, name)
            if data is None:
                return None
            updated = mutate(self._message.FromString(data))
            await conn.execute(
                "UPDATE resources SET data = $1 WHERE name = $2", updated.SerializeToString(), name
            )
            return updated

    async def delete(self, name: str) -> bool:
        """See `Collection.delete`: descendants go too (their names extend `name + "/"`), and
        so do rows whose parent is `name` or under it (a source connection hangs under its
        tracking plan by parent)."""
        async with self._db.transaction() as conn:
            if await conn.fetchval(_FETCH + " FOR UPDATE", self._kind, name) is None:
                return False
            # '0' is the character after '/': the range holds exactly the names under `name/`
            low, high = name + "/", name + "0"
            kinds = sorted(self._kinds)
            # lock first, then delete in a new statement, whose fresh snapshot sees children
            # inserted by the transactions the locks waited for (no orphan)
            for verb in ("SELECT 1", "DELETE"):
                lock = " FOR UPDATE" if verb == "SELECT 1" else ""
                await conn.execute(
                    f"{verb} FROM resources WHERE name = $1 OR (name > $2 AND name < $3){lock}",
                    name,
                    low,
                    high,
                )
                # by kind, so that each is a search of the (kind, parent, seq) index
                await conn.execute(
                    f"{verb} FROM resources WHERE kind = ANY($1::text[])"
                    f" AND (parent = $2 OR (parent > $3 AND parent < $4)){lock}",
                    kinds,
                    name,
                    low,
                    high,
                )
            return True

    async def list(
        self, parent: str, after: int | None, limit: int, *, parent_type: str = ""
    ) -> Page[M, int]:
        """See `Collection.list`."""
        async with self._db.connection() as conn, conn.transaction(readonly=True):
            if parent_type and await conn.fetchval(_EXISTS, parent) is None:
                raise not_found(parent_type, parent)
            rows = await conn.fetch(
                "SELECT seq, data FROM resources WHERE kind = $1 AND parent = $2 AND seq > $3"
                " ORDER BY seq LIMIT $4",
                self._kind,
                parent,
                after or 0,
                limit + 1,
            )
        return _page(rows, limit, self._message)


class PostgresTokenStore:
    """Personal access tokens with a side table of their workspaces (for tenancy filters)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def insert(self, token: AccessToken, secret_hash: bytes) -> None:
        """See `TokenStore.insert`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO access_tokens (name, secret_hash, data) VALUES ($1, $2, $3)",
                token.name,
                secret_hash,
                token.SerializeToString(),
            )
            await conn.executemany(
                "INSERT INTO token_workspaces (token, workspace) VALUES ($1, $2)"
                " ON CONFLICT DO NOTHING",
                [(token.name, w) for w in token.workspace_names],
            )

    async def by_hash(self, secret_hash: bytes) -> AccessToken | None:
        """See `TokenStore.by_hash`."""
        return await self._one("SELECT data FROM access_tokens WHERE secret_hash = $1", secret_hash)

    async def get(self, name: str) -> AccessToken | None:
        """See `TokenStore.get`."""
        return await self._one("SELECT data FROM access_tokens WHERE name = $1", name)

    async def _one(self, sql: str, key: object) -> AccessToken | None:
        async with self._db.connection() as conn:
            data = await conn.fetchval(sql, key)
        return None if data is None else AccessToken.FromString(data)

    async def delete(self, name: str) -> bool:
        """See `TokenStore.delete`."""
        async with self._db.transaction() as conn:
            status = await conn.execute("DELETE FROM access_tokens WHERE name = $1", name)
        return not status.endswith(" 0")

    async def list_within(
        self, workspace_names: frozenset[str], after: int | None, limit: int
    ) -> Page[AccessToken, int]:
        """See `TokenStore.list_within`."""
        sql = (
            "SELECT seq, data FROM access_tokens t WHERE seq > $1 AND NOT EXISTS ("
            " SELECT 1 FROM token_workspaces w WHERE w.token = t.name"
            " AND w.workspace <> ALL($2::text[])) ORDER BY seq LIMIT $3"
        )
        async with self._db.connection() as conn:
            rows = await conn.fetch(sql, after or 0, sorted(workspace_names), limit + 1)
        return _page(rows, limit, AccessToken)


class PostgresRepository(CollectionsByKind):
    """The repository protocol over one PostgreSQL database."""

    def __init__(self, url: str, *, observe: Callable[[str, float], None] | None = None) -> None:
        super().__init__()
        self._db = PostgresDatabase(url, observe=observe)
        self.tokens = PostgresTokenStore(self._db)

    def _make(
        self, kind: str, message: type[M], resource_type: str, kinds: Kinds[str]
    ) -> PostgresCollection[M]:
        return PostgresCollection(self._db, kind, message, resource_type, kinds)

    @property
    def database(self) -> PostgresDatabase:
        """The connection pool (shared with the rate-limit buckets of this database)."""
        return self._db

    async def open(self) -> None:
        """Connect, creating and migrating the schema as needed."""
        await self._db.open()

    async def list_workspaces_in(
        self, names: frozenset[str], after: int | None, limit: int
    ) -> Page[workspaces_pb2.Workspace, int]:
        """See `Repository.list_workspaces_in`."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT seq, data FROM resources WHERE kind = 'workspace' AND seq > $1"
                " AND name = ANY($2::text[]) ORDER BY seq LIMIT $3",
                after or 0,
                sorted(names),
                limit + 1,
            )
        return _page(rows, limit, workspaces_pb2.Workspace)

    async def page_token_secret(self) -> bytes:
        """See `Repository.page_token_secret`."""
        async with self._db.connection() as conn:
            value = await conn.fetchval("SELECT value FROM meta WHERE key = 'page_token_secret'")
        return bytes(value)

    async def ping(self) -> None:
        """See `Repository.ping`."""
        async with self._db.connection() as conn:
            await conn.fetchval("SELECT 1")

    async def schema_version(self) -> int:
        """The database's schema version as stored now (readiness: migrations done)."""
        return await self._db.schema_version()

    async def close(self) -> None:
        """See `Repository.close`."""
        await self._db.close()


SCHEMA_VERSION = len(MIGRATIONS)
_FETCH = "SELECT data FROM resources WHERE kind = $1 AND name = $2"
_EXISTS = "SELECT 1 FROM resources WHERE name = $1"


async def _lock_shared(conn: Conn, name: str) -> bool:
    """Whether `name` exists, holding a share lock on it until the transaction ends."""
    return await conn.fetchval(_EXISTS + " FOR SHARE", name) is not None


def _page(rows: list[asyncpg.Record], limit: int, message: type[M]) -> Page[M, int]:
    items = [message.FromString(row[1]) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items, int(rows[limit - 1][0]) if more else None)
