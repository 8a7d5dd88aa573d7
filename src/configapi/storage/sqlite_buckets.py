"""Rate-limit buckets shared by every process of a deployment, in a SQLite file of their own.

A sibling of the main database (`<database>-ratelimit`), so that bucket writes never wait
behind a durable write's fsync nor hold the main write lock. Losing bucket state in a crash
is harmless, hence `synchronous = OFF`: a spend is a short transaction with no fsync.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from configapi.auth.ratelimit import Bucket, take_one
from configapi.storage.sqlite_thread import ThreadedDatabase as Database

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS buckets "
    "(key BLOB PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL) WITHOUT ROWID"
)


class SqliteBuckets:
    """`BucketStore` over a shared SQLite file."""

    def __init__(
        self, database: Path, *, observe: Callable[[str, float], None] | None = None
    ) -> None:
        self._db = Database(
            database.with_name(database.name + "-ratelimit"),
            durable=False,
            schema=False,
            observe=observe,
        )

    async def open(self) -> None:
        """Open the file and create the table."""
        await self._db.open()
        await self._db.write(lambda conn: conn.execute(_SCHEMA))

    async def spend(self, key: bytes, limit_per_minute: int, now: float) -> float | None:
        """See `BucketStore.spend`: read, refill, take and write back in one transaction."""

        def work(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(
                "SELECT tokens, updated FROM buckets WHERE key = ?", (key,)
            ).fetchone()
            verdict = take_one(None if row is None else Bucket(*row), now, limit_per_minute)
            conn.execute(
                "INSERT INTO buckets (key, tokens, updated) VALUES (?, ?, ?) ON CONFLICT (key)"
                " DO UPDATE SET tokens = excluded.tokens, updated = excluded.updated",
                (key, verdict.bucket.tokens, verdict.bucket.updated),
            )
            return verdict.retry_after

        return await self._db.write(work)

    async def close(self) -> None:
        """Close the file."""
        await self._db.close()
