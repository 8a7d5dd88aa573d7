"""Where a deployment keeps its rate-limit buckets and how it spreads revocations (SPEC §3, §9).

- default: the process's memory (embedded, one process); revocation is local, other processes
  see a deletion when their token cache expires (`--token-cache-seconds`);
- `rate_limit_store="database"`: a table every process on the database shares (the SQLite
  side file, or `rate_buckets` in PostgreSQL) — what `serve --workers N` uses without Redis;
- `--redis`: Redis for both, across replicas (storage/redis_shared.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from configapi.auth.ratelimit import BucketStore, LocalBuckets
from configapi.settings import Settings
from configapi.storage.backends import AnyRepository
from configapi.storage.postgres_buckets import PostgresBuckets
from configapi.storage.postgres_repository import PostgresRepository
from configapi.storage.redis_shared import RedisShared
from configapi.storage.sqlite_buckets import SqliteBuckets


class Budgets:
    """The bucket store of one server process, and the revocation fan-out that goes with it."""

    def __init__(
        self,
        settings: Settings,
        repository: AnyRepository,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        self._redis = RedisShared(settings.redis_url) if settings.redis_url else None
        self._sqlite: SqliteBuckets | None = None
        self.buckets: BucketStore = LocalBuckets()
        if self._redis is not None:
            self.buckets = self._redis
        elif settings.rate_limit_store == "database" and isinstance(repository, PostgresRepository):
            self.buckets = PostgresBuckets(repository.database)
        elif settings.rate_limit_store == "database" and isinstance(settings.database, Path):
            self._sqlite = SqliteBuckets(settings.database, observe=observe)
            self.buckets = self._sqlite

    async def open(self, forget: Callable[[str | None], None]) -> None:
        """Open the stores; `forget(name)` drops a token another process deleted (None: all)."""
        if self._sqlite is not None:
            await self._sqlite.open()
        if self._redis is not None:
            await self._redis.open(forget)

    def revoked(self, token_name: str) -> None:
        """A token was deleted through this process: tell the others (with Redis)."""
        if self._redis is not None:
            self._redis.revoked(token_name)

    async def close(self) -> None:
        """Close the stores."""
        if self._sqlite is not None:
            await self._sqlite.close()
        if self._redis is not None:
            await self._redis.close()
