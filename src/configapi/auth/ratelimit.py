"""Per-token rate limiting: a token bucket per key (SPEC §3).

Capacity is the per-minute limit, so a token may spend its whole minute in one burst; the
bucket refills continuously at limit/60 per second. The buckets live in this process: in a
deployment of several processes each enforces the limit on its own share of the traffic (a
shared limiter needs a shared store; noted in the README).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Token buckets keyed by caller; `limit_per_minute` 0 turns limiting off."""

    def __init__(self, limit_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(limit_per_minute)
        self._rate = limit_per_minute / 60.0
        self._clock = clock
        self._buckets: dict[bytes, tuple[float, float]] = {}

    def acquire(self, key: bytes) -> float | None:
        """Take one request from `key`'s bucket: None if allowed, else seconds until one refills."""
        if self._capacity <= 0:
            return None
        now = self._clock()
        tokens, last = self._buckets.get(key, (self._capacity, now))
        tokens = min(self._capacity, tokens + (now - last) * self._rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return None
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self._rate
