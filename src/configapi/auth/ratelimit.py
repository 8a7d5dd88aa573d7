"""Per-token rate limiting: a token bucket per key (SPEC §3).

Capacity is the per-minute limit, so a token may spend its whole minute in one burst; the
bucket refills continuously at limit/60 per second. The arithmetic lives here; where the
buckets are kept is the store's business (`BucketStore`): in the process's memory by default
(SPEC §9, one process: exact and free of I/O), in storage every process shares otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Bucket:
    """Tokens left, and when that was computed (seconds, a clock shared by all processes)."""

    tokens: float
    updated: float


@dataclass(frozen=True)
class Verdict:
    """The bucket after one request, and the wait before the next allowed one if refused."""

    bucket: Bucket
    retry_after: float | None


def take_one(bucket: Bucket | None, now: float, limit_per_minute: int) -> Verdict:
    """Refill `bucket` up to `now`, then take one request from it if it holds one."""
    capacity = float(limit_per_minute)
    rate = limit_per_minute / 60.0
    tokens = capacity if bucket is None else bucket.tokens
    last = now if bucket is None else bucket.updated
    # Processes sample their clocks before they queue for the shared bucket, so a spend may
    # arrive with a `now` older than the bucket's. Moving `updated` back would refill the same
    # seconds twice (the old shared file admitted 753 against a ceiling of 720 that way).
    now = max(now, last)
    tokens = min(capacity, tokens + (now - last) * rate)
    if tokens >= 1.0:
        return Verdict(Bucket(tokens - 1.0, now), None)
    return Verdict(Bucket(tokens, now), (1.0 - tokens) / rate)


class BucketStore(Protocol):
    """Where buckets live; `spend` applies `take_one` atomically for one key."""

    async def spend(self, key: bytes, limit_per_minute: int, now: float) -> float | None:
        """None if allowed, else seconds until one request refills."""
        ...


class LocalBuckets:
    """Buckets in this process's memory: the embedded default (SPEC §9), exact for one process.

    A dict look-up and a few float operations per call; no I/O, no lock (one event loop)."""

    def __init__(self) -> None:
        self._buckets: dict[bytes, Bucket] = {}

    async def spend(self, key: bytes, limit_per_minute: int, now: float) -> float | None:
        """See `BucketStore.spend`."""
        verdict = take_one(self._buckets.get(key), now, limit_per_minute)
        self._buckets[key] = verdict.bucket
        return verdict.retry_after


class RateLimiter:
    """Token buckets keyed by caller; `limit_per_minute` 0 turns limiting off."""

    def __init__(
        self,
        limit_per_minute: int,
        store: BucketStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit_per_minute = limit_per_minute
        self._store = store or LocalBuckets()
        self._clock = clock

    @property
    def enabled(self) -> bool:
        """Whether calls are limited at all (a limit of 0 turns limiting off)."""
        return self.limit_per_minute > 0

    async def acquire(self, key: bytes) -> float | None:
        """Take one request from `key`'s bucket: None if allowed, else seconds to wait."""
        if not self.enabled:
            return None
        return await self._store.spend(key, self.limit_per_minute, self._clock())
