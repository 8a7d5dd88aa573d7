"""The embedded SQLite backend of the repository protocol.

One writer thread owns the write connection and runs each write as one whole transaction
(`BEGIN IMMEDIATE`, so processes sharing the file serialise too); a reader thread serves reads
from its own connection, which WAL lets proceed during writes. Each call is one thread hop for a
whole unit of work rather than one per statement. `synchronous=FULL`: an acknowledged write is
on disk before the reply.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from configapi.errors import ApiError, unavailable
from configapi.storage.schema import migrate

T = TypeVar("T")
log = logging.getLogger(__name__)

# Errors that mean "storage is not usable right now" rather than "this request is wrong".
_UNAVAILABLE_HINTS = ("locked", "disk", "full", "readonly", "unable to open", "i/o")


class Database:
    """A SQLite file with one writer and one reader thread."""

    def __init__(self, path: Path, *, durable: bool = True, schema: bool = True) -> None:
        self._path = path
        self._synchronous = "FULL" if durable else "OFF"
        self._schema = schema
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")
        self._write_conn: sqlite3.Connection | None = None
        self._read_conn: sqlite3.Connection | None = None

    async def open(self) -> None:
        """Open both connections and bring the schema up to date."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        self._write_conn = await loop.run_in_executor(self._writer, self._connect, True)
        self._read_conn = await loop.run_in_executor(self._reader, self._connect, False)

    def _connect(self, migrate_schema: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
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
        """Run `work` on the read connection (a consistent snapshot per statement)."""
        return await self._run(self._reader, self._read, work)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
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

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._require(self._read_conn)
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
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, runner, work)
        except ApiError:
            raise
        except sqlite3.Error as error:
            raise _translate(error) from error

    async def close(self) -> None:
        """Close both connections after pending work finishes."""
        loop = asyncio.get_running_loop()
        for executor, conn in ((self._writer, self._write_conn), (self._reader, self._read_conn)):
            if conn is not None:
                await loop.run_in_executor(executor, conn.close)
            executor.shutdown(wait=True)
        self._write_conn = self._read_conn = None


def _translate(error: sqlite3.Error) -> Exception:
    """Storage trouble → UNAVAILABLE (the caller may retry); anything else stays a bug."""
    text = str(error).lower()
    if isinstance(error, sqlite3.OperationalError) and any(h in text for h in _UNAVAILABLE_HINTS):
        log.warning("storage unavailable: %s", error)
        return unavailable("storage is not reachable or not writable; retry later")
    return error
