"""The embedded SQLite backend of the repository protocol, over aiosqlite.

Nothing here runs SQLite on the event loop: every statement goes to a connection's own thread
(aiosqlite), so a reader held up by a lock, a checkpoint or a slow disk holds up that reader
only, never the health checks and the other calls the loop serves meanwhile (README
"Guarantees"; the reads that used to run inline on the loop stalled everything behind one).

- **One writer.** One write connection, and an `asyncio.Lock` in front of it: each write is
  one `BEGIN IMMEDIATE` transaction (so processes sharing the file serialise too) whose
  statements run one after another on that connection's thread, then `COMMIT`.
  `synchronous=FULL`: an acknowledged write is on disk before the reply.
- **Readers never wait for the writer.** WAL mode, and a small pool of read connections of their
  own: a point read is one statement (one hop to a reader's thread, no BEGIN/COMMIT); a read
  that needs one snapshot across statements takes a reader for a `BEGIN … COMMIT`.
- **A unit of work finishes whole.** A client that goes away mid-call cancels its handler, not
  the unit: it runs on in a task of its own (shielded), so a transaction never stops half-way
  with its connection left inside it.
- **Point reads are cached while nothing changes.** `cached_row` answers a repeated point read
  (a Get) from memory, without a hop to a reader's thread, as long as no write has been
  committed since the row was read: by this process (its own count of writes) or by any other
  sharing the file (the WAL-index header, `wal_index`). See `read_cache` for the rules.
- **Readiness and writes agree.** Each write checks, inside its transaction, that the schema is
  still the one this code migrates to (another process may have migrated past it): if not, the
  write is UNAVAILABLE with the reason `/readyz` gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from configapi.errors import unavailable
from configapi.storage.read_cache import MISS, ReadCache
from configapi.storage.schema import MIGRATIONS, migrate, user_version
from configapi.storage.wal_index import WalIndex

T = TypeVar("T")
log = logging.getLogger(__name__)

# Errors that mean "storage is not usable right now" rather than "this request is wrong"
# ("locking protocol": a reader that could not begin while another process held the WAL locks).
_UNAVAILABLE_HINTS = (
    "locked",
    "locking protocol",
    "disk",
    "full",
    "readonly",
    "unable to open",
    "i/o",
)
_BUSY_TIMEOUT_MS = 5000  # off the loop now: a wait costs the waiting call only
READERS = 2
CACHE_BYTES = 16 * 1024 * 1024  # the point-read cache's bound: rows' bytes


class Transaction:
    """The statements of one unit of work, on the connection that runs it."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection

    async def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        """Every row of one statement (one hop to the connection's thread)."""
        return list(await self._conn.execute_fetchall(sql, parameters))

    async def row(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """The first row of one statement, or None."""
        rows = await self.rows(sql, parameters)
        return rows[0] if rows else None

    async def run(self, sql: str, parameters: Sequence[object] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        cursor = await self._conn.execute(sql, parameters)
        return cursor.rowcount

    async def run_many(self, sql: str, parameters: Iterable[Sequence[object]]) -> None:
        """Run one statement once per parameter tuple."""
        await self._conn.executemany(sql, parameters)


class Database:
    """A SQLite file: one aiosqlite write connection and a pool of aiosqlite readers."""

    def __init__(
        self,
        path: Path,
        *,
        durable: bool = True,
        readers: int = READERS,
        observe: Callable[[str, float], None] | None = None,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        self._path = path
        self._observe = observe  # told ("read" | "write", seconds) of each unit, queueing too
        self._synchronous = "FULL" if durable else "OFF"
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._pooled = 0  # readers made for the pool, in it or in use
        self._opened: list[aiosqlite.Connection] = []
        self._reopen_before_write = False  # the write connection was found read-only
        self._cache = ReadCache(cache_bytes)
        self._wal: WalIndex | None = None  # None: not in WAL mode, `cached_row` reads through
        self._writes = 0  # write units ended here (committed or not): part of the cache's stamp

    async def open(self) -> None:
        """Open the connections and bring the schema up to date (`SchemaVersionError` if the
        file's schema is newer than this code's)."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            await migrate(self._writer, self._path)
            for _ in range(self._reader_count):
                self._readers.put_nowait(await self._connect())
                self._pooled += 1
            if self._cache.max_bytes:  # 0: no cache, and no WAL index to read for it
                self._wal = await self._wal_index(self._writer)
        except BaseException:
            await self.close()
            raise

    async def _wal_index(self, conn: aiosqlite.Connection) -> WalIndex | None:
        """The file's WAL index, which `cached_row` needs; None (no cache) when the file is not
        in WAL mode, e.g. on a file system without shared memory."""
        (mode,) = next(iter(await conn.execute_fetchall("PRAGMA journal_mode")))
        if str(mode).lower() != "wal":
            log.warning(
                "%s is in journal mode %s, not WAL: point reads are not cached", self._path, mode
            )
            return None
        try:
            return await asyncio.to_thread(WalIndex, self._path)
        except OSError as error:
            log.warning("point reads are not cached: the WAL index is unreadable (%s)", error)
            return None

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self._path, isolation_level=None)
        try:
            await conn.executescript(
                f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL;"
                f" PRAGMA synchronous = {self._synchronous}; PRAGMA foreign_keys = ON;"
            )
        except BaseException:
            await conn.close()  # its thread would outlive it otherwise
            raise
        self._opened.append(conn)
        return conn

    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` in one write transaction; an exception rolls it back."""
        return await self._unit("write", self._transaction(work))

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` on a reader, in one snapshot."""
        return await self._unit("read", self._snapshot(work))

    async def read_rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        """Every row of one SELECT. A single statement reads one snapshot by itself: no BEGIN
        and COMMIT around it, two hops fewer than `read`."""
        started = time.perf_counter()
        try:  # one statement leaves nothing half-done: no task of its own (see `_unit`)
            async with self._reader() as conn:
                return list(await conn.execute_fetchall(sql, parameters))
        except sqlite3.Error as error:
            raise translate(error) from error
        finally:
            if self._observe is not None:
                self._observe("read", time.perf_counter() - started)

    async def read_row(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """The first row of one SELECT, or None (see `read_rows`)."""
        rows = await self.read_rows(sql, parameters)
        return rows[0] if rows else None

    async def cached_row(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """`read_row`, answered from memory when the same read was made since the last commit
        (by any process); `parameters` must be hashable values."""
        stamp = self._stamp()
        if stamp is None:
            return await self.read_row(sql, parameters)
        key = (sql, *parameters)
        row = self._cache.get(stamp, key)
        if row is MISS:
            row = await self.read_row(sql, parameters)
            self._cache.put(stamp, key, row)
        return row

    def _stamp(self) -> tuple[int, bytes] | None:
        """What changes with every commit to the file: this process's count of writes (its own
        commits, whatever the WAL index says) and the WAL-index header (everyone's)."""
        header = None if self._wal is None else self._wal.stamp()
        return None if header is None else (self._writes, header)

    async def schema_version(self) -> int:
        """The schema version the file stores now, as a reader sees it."""
        row = await self.read_row("PRAGMA user_version")
        return int(row[0])

    async def _unit(self, operation: str, unit: Awaitable[T]) -> T:
        started = time.perf_counter()
        task = asyncio.ensure_future(unit)
        task.add_done_callback(_retrieve)  # a cancelled caller no longer awaits its outcome
        try:
            return await asyncio.shield(task)
        except sqlite3.Error as error:
            if operation == "write" and is_read_only(error):
                self._reopen_before_write = True
            raise translate(error) from error
        finally:
            if self._observe is not None:
                self._observe(operation, time.perf_counter() - started)

    async def _transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        async with self._write_lock:
            try:
                return await self._in_transaction(work)
            finally:
                self._writes += 1  # before the caller hears of it: no cached row predates it

    async def _in_transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        if self._reopen_before_write:
            await self._reopen_writer()
        conn = _require(self._writer)
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await self._check_schema(conn)
            result = await work(Transaction(conn))
            await conn.execute("COMMIT")  # a failed COMMIT must not leave it open either
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back itself
                await conn.execute("ROLLBACK")
            raise
        return result

    async def _check_schema(self, conn: aiosqlite.Connection) -> None:
        version = await user_version(conn)
        if version != len(MIGRATIONS):
            raise unavailable(
                f"database schema is version {version}, this server needs {len(MIGRATIONS)}"
            )

    async def _snapshot(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        async with self._reader() as conn:
            await conn.execute("BEGIN")
            try:
                return await work(Transaction(conn))
            finally:
                await conn.execute("COMMIT")

    @contextlib.asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._writer is None:
            raise unavailable("storage is not open")
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    async def _reopen_writer(self) -> None:
        """A connection opened while the file was read-only stays read-only for good: replace
        it before the next write, so that writes resume as soon as the file is writable again
        (README Guarantees). Still read-only, the new one fails that write and is replaced too."""
        try:
            fresh = await self._connect()
        except sqlite3.Error:
            return  # the file cannot even be opened: keep the old one, try again next write
        stale, self._writer = self._writer, fresh
        self._reopen_before_write = False
        if stale is not None:
            self._opened.remove(stale)
            await stale.close()

    async def close(self) -> None:
        """Close every connection once the units under way have finished."""
        async with self._write_lock:
            self._writer = None
            wal, self._wal = self._wal, None
            for _ in range(self._pooled):
                await self._readers.get()  # a reader still in use comes back first
            opened, self._opened, self._pooled = self._opened, [], 0
            for conn in opened:
                await conn.close()
            if wal is not None:
                wal.close()  # after the connections: it may release SQLite's locks (wal_index)


def _require(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
    if conn is None:
        raise unavailable("storage is not open")
    return conn


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def is_read_only(error: sqlite3.Error) -> bool:
    """SQLITE_READONLY: the file (or its directory) cannot be written by this connection."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY


def translate(error: sqlite3.Error) -> Exception:
    """Storage trouble → UNAVAILABLE (the caller may retry); anything else stays a bug."""
    text = str(error).lower()
    if isinstance(error, sqlite3.OperationalError) and any(h in text for h in _UNAVAILABLE_HINTS):
        log.warning("storage unavailable: %s", error)
        return unavailable("storage is not reachable or not writable; retry later")
    return error
