"""Rate-limit buckets in PostgreSQL, shared by every replica on one database (SPEC §3).

For deployments without Redis; each spend is one transaction of three short statements. The
clock is the database's, so replicas on hosts whose clocks disagree still share one budget.
"""

from __future__ import annotations

from configapi.auth.ratelimit import Bucket, take_one
from configapi.storage.postgres_repository import PostgresDatabase

_NOW = "extract(epoch from clock_timestamp())::float8"


class PostgresBuckets:
    """`BucketStore` over the `rate_buckets` table of the repository's database."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def spend(self, key: bytes, limit_per_minute: int, now: float) -> float | None:
        """See `BucketStore.spend` (`now` is ignored: the database's clock decides)."""
        async with self._db.transaction() as conn:
            # a first spend creates a full bucket; concurrent first spends then queue on its lock
            await conn.execute(
                f"INSERT INTO rate_buckets (key, tokens, updated) VALUES ($1, $2, {_NOW})"
                " ON CONFLICT (key) DO NOTHING",
                key,
                float(limit_per_minute),
            )
            row = await conn.fetchrow(
                f"SELECT tokens, updated, {_NOW} AS now FROM rate_buckets WHERE key = $1"
                " FOR UPDATE",
                key,
            )
            assert row is not None
            verdict = take_one(Bucket(row["tokens"], row["updated"]), row["now"], limit_per_minute)
            await conn.execute(
                "UPDATE rate_buckets SET tokens = $2, updated = $3 WHERE key = $1",
                key,
                verdict.bucket.tokens,
                verdict.bucket.updated,
            )
        return verdict.retry_after
