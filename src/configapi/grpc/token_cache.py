"""Bearer secret → caller, cached so that admission costs no database round trip.

An entry lives `ttl` seconds; a token deleted through this process is dropped at once, one
deleted through another process of the deployment stops working within `ttl` (README).
"""

from __future__ import annotations

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
        now = self._clock()
        token = await self._store.by_hash(digest)
        if token is None:
            self._entries.pop(digest, None)
            return None
        caller = Caller(token.name, digest, token.scopes, frozenset(token.workspace_names))
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (caller, now + self._ttl)
        return caller

    def _fresh(self, digest: bytes) -> Caller | None:
        entry = self._entries.get(digest)
        return entry[0] if entry is not None and entry[1] > self._clock() else None

    def revoke(self, token_name: str | None) -> None:
        """Forget a deleted token at once; None forgets every token (a revocation may have
        been missed)."""
        if token_name is None:
            self._entries.clear()
            return
        stale = [d for d, (c, _) in self._entries.items() if c.token_name == token_name]
        for digest in stale:
            del self._entries[digest]
