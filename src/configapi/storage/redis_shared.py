"""Redis for replicas (`--redis redis://…`, SPEC §3 and §9): one rate-limit budget per token
across every process and host, and token revocation broadcast to all of them.

- Buckets: one Lua script per spend, so the refill-and-take is atomic in Redis and uses Redis's
  clock (replicas' clocks may disagree). Never above the ceiling; no early refusal.
- Revocation: a deletion is published on a channel every process subscribes to; each drops the
  token from its cache at once (well under SPEC's 1 s). A process whose subscription broke
  forgets every cached token when it subscribes again, as it may have missed a message; until
  then `--token-cache-seconds` still bounds how long it trusts a cached token.
- Redis unreachable: the rate limit fails closed. A call that must be counted is refused with
  UNAVAILABLE (HTTP 503) and RetryInfo of 1 s rather than admitted uncounted, since SPEC §3 makes
  the limit a ceiling that is never exceeded; the next call tries Redis again, so the process
  recovers by itself when Redis is back. Logged once per outage as `redis unreachable`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from configapi.errors import ApiError, unavailable
from configapi.storage.backends import DatabaseError, redact

log = logging.getLogger(__name__)

_CHANNEL = "configapi:revoked"
_RETRY_SECONDS = 1.0
# KEYS[1] bucket; ARGV[1] capacity (the per-minute limit). Returns the wait in seconds as a
# string, "-1" when admitted (strings: Lua numbers come back truncated to integers).
_SPEND = """
local cap = tonumber(ARGV[1])
local rate = cap / 60.0
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(b[1]) or cap
local last = tonumber(b[2]) or now
if now < last then now = last end
tokens = math.min(cap, tokens + (now - last) * rate)
local wait = -1
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], 61)
return tostring(wait)
"""


def redis_unavailable() -> ApiError:
    """UNAVAILABLE with RetryInfo: the shared rate limit cannot be consulted."""
    error = unavailable("the rate-limit store is not reachable; retry later")
    error.retry_after_seconds = _RETRY_SECONDS
    return error


class RedisShared:
    """One Redis client for the buckets (`BucketStore`) and the revocation channel."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client = aioredis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._spend = self._client.register_script(_SPEND)
        self._listener: asyncio.Task[None] | None = None
        self._publishing: set[asyncio.Task[None]] = set()
        self._down = False

    async def open(self, on_revoked: Callable[[str | None], None]) -> None:
        """Check Redis answers, then listen for revocations; `on_revoked(None)` means "forget
        every cached token" (after a broken subscription)."""
        pong = self._client.ping()
        assert inspect.isawaitable(pong)  # the asyncio client's commands are awaitables
        try:
            await pong
        except (RedisError, OSError) as error:
            await self._client.aclose()
            raise DatabaseError(f"cannot use Redis at {redact(self._url)}: {error}") from None
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(on_revoked, ready))
        await ready.wait()

    async def spend(self, key: bytes, limit_per_minute: int, now: float) -> float | None:
        """See `BucketStore.spend` (`now` is ignored: Redis's clock decides)."""
        try:
            wait = float(
                await self._spend(keys=[b"configapi:bucket:" + key], args=[limit_per_minute])
            )
        except (RedisError, OSError) as error:
            self._note_down(error)
            raise redis_unavailable() from error
        self._down = False
        return None if wait < 0 else wait

    def revoked(self, token_name: str) -> None:
        """Publish a deletion without making the caller wait for Redis."""
        task = asyncio.create_task(self.publish_revoked(token_name))
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def publish_revoked(self, token_name: str) -> None:
        """Tell every process that `token_name` is deleted (best effort: the cache TTL bounds
        the rest)."""
        try:
            await self._client.publish(_CHANNEL, token_name)
        except (RedisError, OSError) as error:
            self._note_down(error)

    async def _listen(self, on_revoked: Callable[[str | None], None], ready: asyncio.Event) -> None:
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(_CHANNEL)
                    on_revoked(None)  # a message may have been missed while unsubscribed
                    ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            on_revoked(bytes(message["data"]).decode())
            except (RedisError, OSError) as error:
                self._note_down(error)
                ready.set()
                await asyncio.sleep(_RETRY_SECONDS)  # back off before subscribing again

    def _note_down(self, error: BaseException) -> None:
        if not self._down:
            log.error("redis unreachable: %s", error)
        self._down = True

    async def close(self) -> None:
        """Stop listening and close the connections."""
        await asyncio.gather(*self._publishing, return_exceptions=True)
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._client.aclose()
