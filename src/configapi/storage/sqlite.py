"""The embedded SQLite backend of the repository protocol.

One writer thread owns the write connection and runs each write as one whole transaction
(`BEGIN IMMEDIATE`, so processes sharing the file serialise too), one thread hop for a whole
unit of work rather than one per statement. Reads run on the event loop's own thread, on a
connection of their own: in WAL mode a reader never waits for the writer, a point read costs
a few microseconds, and a thread hop (futures, wake-ups, GIL hand-offs) cost far more — the
profile of GetSource showed the hop as most of the storage time. The reader's busy timeout is
short so that a rare lock (another process changing the journal) cannot stall the loop.
`synchronous=FULL`: an acknowledged write is on disk before the reply.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from configapi.errors import ApiError, unavailable
from configapi.storage.schema import migrate

T = TypeVar("T")
log = logging.getLogger(__name__)

# Errors that mean "storage is not usable right now" rather than "this request is wrong".
_UNAVAILABLE_HINTS = ("locked", "disk", "full", "readonly", "unable to open", "i/o")
_READER_BUSY_TIMEOUT_MS = 250


class Database:
    """A SQLite file with one writer thread; reads run inline on the event loop."""

    def __init__(
        self,
        path: Path,
        *,
        durable: bool = True,
        schema: bool = True,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        self._path = path
        # told ("read" | "write", seconds) of every operation, queueing included (metrics)
        self._observe = observe
        self._synchronous = "FULL" if durable else "OFF"
        self._schema = schema
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._write_conn: sqlite3.Connection | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._reopen_before_write = False  # the write connection was found read-only

    async def open(self) -> None:
        """Open both connections and bring the schema up to date."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        self._write_conn = await loop.run_in_executor(self._writer, self._connect, True)
        self._read_conn = self._connect(False, busy_timeout_ms=_READER_BUSY_TIMEOUT_MS)

    def _connect(self, migrate_schema: bool, busy_timeout_ms: int = 5000) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        if migrate_schema and self._schema:
            migrate(conn)
        return conn

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one write transaction; an exception rolls it back."""
        return await self._run(self._writer, self._transaction, work)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the read connection, in one snapshot, on this thread (see above)."""
        return self._on_loop(lambda conn: self._in_snapshot(conn, work))

    async def read_row(self, sql: str, parameters: Sequence[object]) -> Any:
        """The first row of one SELECT (None if there is none), on this thread. A single
        statement reads one snapshot by itself: no BEGIN and COMMIT around it, which were two
        more statements and two more lock cycles on the WAL index per point read."""
        return self._on_loop(lambda conn: conn.execute(sql, parameters).fetchone())

    def _on_loop(self, work: Callable[[sqlite3.Connection], T]) -> T:
        started = time.perf_counter()
        try:
            return work(self._require(self._read_conn))
        except sqlite3.Error as error:
            raise _translate(error) from error
        finally:
            if self._observe is not None:
                self._observe("read", time.perf_counter() - started)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._reopen_before_write:
            self._reopen_writer()
        conn = self._require(self._write_conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    @staticmethod
    def _in_snapshot(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
        conn.execute("BEGIN")
        try:
            return work(conn)
        finally:
            conn.execute("COMMIT")

    @staticmethod
    def _require(conn: sqlite3.Connection | None) -> sqlite3.Connection:
        if conn is None:
            raise unavailable("storage is not open")
        return conn

    async def _run(
        self,
        executor: ThreadPoolExecutor,
        runner: Callable[[Callable[[sqlite3.Connection], T]], T],
        work: Callable[[sqlite3.Connection], T],
    ) -> T:
        started = time.perf_counter()
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, runner, work)
        except ApiError:
            raise
        except sqlite3.Error as error:
            self._reopen_before_write = self._reopen_before_write or _is_read_only(error)
            raise _translate(error) from error
        finally:
            if self._observe is not None:
                self._observe("write", time.perf_counter() - started)

    def _reopen_writer(self) -> None:
        """A connection opened while the file was read-only stays read-only for good: replace
        it before the next write, so that writes resume as soon as the file is writable again
        (README Guarantees). Still read-only, the new one fails that write and is replaced too."""
        try:
            fresh = self._connect(False)
        except sqlite3.Error:
            return  # the file cannot even be opened: keep the old one, try again next write
        stale, self._write_conn = self._write_conn, fresh
        self._reopen_before_write = False
        if stale is not None:
            stale.close()

    async def close(self) -> None:
        """Close both connections after pending writes finish."""
        if self._write_conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._writer, self._write_conn.close)
        self._writer.shutdown(wait=True)
        if self._read_conn is not None:
            self._read_conn.close()
        self._write_conn = self._read_conn = None


def _is_read_only(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY


def _translate(error: sqlite3.Error) -> Exception:
    """Storage trouble → UNAVAILABLE (the caller may retry); anything else stays a bug."""
    text = str(error).lower()
    if isinstance(error, sqlite3.OperationalError) and any(h in text for h in _UNAVAILABLE_HINTS):
        log.warning("storage unavailable: %s", error)
        return unavailable("storage is not reachable or not writable; retry later")
    return error
