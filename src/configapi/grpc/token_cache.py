"""Bearer secret → caller, cached so that admission costs no database round trip.

An entry lives `ttl` seconds; a token deleted through this process is dropped at once, one
deleted through another process of the deployment stops working within `ttl` (README).

When an entry expires under load, every call of that token in flight misses it at once: they
share one look-up instead of queueing one read each on the database's readers (at 64
connections those queued reads put 50-100 ms on the tail every `ttl`). A look-up that was under
way when a token was revoked does not put it back, nor answers calls made after it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from configapi.auth.tokens import Caller, hash_secret
from configapi.storage.repository import TokenStore

_MAX_ENTRIES = 10_000


class TokenCache:
    """Callers by secret hash, revalidated against storage every `ttl` seconds."""

    def __init__(
        self, store: TokenStore, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[bytes, tuple[Caller, float]] = {}
        self._lookups: dict[bytes, asyncio.Future[Caller | None]] = {}  # under way, by digest
        self._revocations = 0  # a look-up that saw this move while under way stores nothing

    def cached(self, secret: str) -> Caller | None:
        """The caller a secret identifies if a fresh entry says so, without a look-up (the
        hot path: no coroutine, no storage); None means "ask `caller_for`"."""
        return self._fresh(hash_secret(secret))

    async def caller_for(self, secret: str) -> Caller | None:
        """The caller a secret identifies, or None for an unknown secret."""
        digest = hash_secret(secret)
        fresh = self._fresh(digest)
        if fresh is not None:
            return fresh
        lookup = self._lookups.get(digest)
        if lookup is None:
            lookup = asyncio.ensure_future(self._look_up(digest))
            self._lookups[digest] = lookup
            lookup.add_done_callback(lambda done: self._lookup_done(digest, done))
        # shielded: a caller that goes away does not cancel the look-up the others wait for
        return await asyncio.shield(lookup)

    async def _look_up(self, digest: bytes) -> Caller | None:
        now, revocations = self._clock(), self._revocations
        token = await self._store.by_hash(digest)
        if token is None:
            self._entries.pop(digest, None)
            return None
        caller = Caller(token.name, digest, token.scopes, frozenset(token.workspace_names))
        if revocations != self._revocations:
            return caller  # read before a revocation finished: answer this call, keep nothing
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (caller, now + self._ttl)
        return caller

    def _lookup_done(self, digest: bytes, done: asyncio.Future[Caller | None]) -> None:
        if self._lookups.get(digest) is done:
            del self._lookups[digest]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter may have gone away

    def _fresh(self, digest: bytes) -> Caller | None:
        entry = self._entries.get(digest)
        return entry[0] if entry is not None and entry[1] > self._clock() else None

    def revoke(self, token_name: str | None) -> None:
        """Forget a deleted token at once; None forgets every token (a revocation may have
        been missed)."""
        self._revocations += 1
        self._lookups.clear()  # a call from now on waits for a look-up of its own
        if token_name is None:
            self._entries.clear()
            return
        stale = [d for d, (c, _) in self._entries.items() if c.token_name == token_name]
        for digest in stale:
            del self._entries[digest]
