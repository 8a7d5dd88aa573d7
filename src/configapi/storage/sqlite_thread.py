"""A SQLite file written from one thread of its own, for the rate-limit buckets only.

The server's data goes through aiosqlite (`storage.sqlite`). The bucket store
(`storage.sqlite_buckets`) runs synchronous read-refill-write units, so it keeps this writer
thread (never the event loop) until the stores of issue 17 replace it. It has no schema of ours
and no reads outside a write; `durable=False` (`synchronous=OFF`): a crash only refills budgets.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from configapi.errors import ApiError, unavailable
from configapi.storage.sqlite import is_read_only, translate

T = TypeVar("T")


class ThreadedDatabase:
    """A SQLite file written by one writer thread, one whole transaction per hop."""

    def __init__(
        self,
        path: Path,
        *,
        durable: bool = True,
        schema: bool = False,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        if schema:
            raise ValueError("ThreadedDatabase holds no schema of ours: use storage.sqlite")
        self._path = path
        self._observe = observe  # told ("write", seconds) of every unit, queueing included
        self._synchronous = "FULL" if durable else "OFF"
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-buckets")
        self._conn: sqlite3.Connection | None = None
        self._reopen_before_write = False  # the connection was found read-only

    async def open(self) -> None:
        """Open the write connection (on its thread)."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = await asyncio.get_running_loop().run_in_executor(self._writer, self._connect)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        return conn

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one write transaction on the writer thread; an exception rolls it back."""
        started = time.perf_counter()
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._writer, self._transaction, work)
        except ApiError:
            raise
        except sqlite3.Error as error:
            self._reopen_before_write = self._reopen_before_write or is_read_only(error)
            raise translate(error) from error
        finally:
            if self._observe is not None:
                self._observe("write", time.perf_counter() - started)

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._reopen_before_write:
            self._reopen()
        conn = self._conn
        if conn is None:
            raise unavailable("storage is not open")
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _reopen(self) -> None:
        """A connection opened on a read-only file stays read-only: replace it (see sqlite.py)."""
        try:
            fresh = self._connect()
        except sqlite3.Error:
            return
        stale, self._conn = self._conn, fresh
        self._reopen_before_write = False
        if stale is not None:
            stale.close()

    async def close(self) -> None:
        """Close the connection after pending writes finish."""
        if self._conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._writer, self._conn.close)
        self._writer.shutdown(wait=True)
        self._conn = None
