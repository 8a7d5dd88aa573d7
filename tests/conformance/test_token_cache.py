"""The token cache over each backend's token store: one look-up for all the calls that find an
entry expired together, and nothing kept from a look-up that a revocation overtook."""

from __future__ import annotations

import asyncio

from segment.config.v1beta import access_tokens_pb2

from configapi import admin
from configapi.auth.tokens import SCOPE_WRITE
from configapi.grpc.token_cache import TokenCache
from configapi.storage.backends import AnyRepository
from configapi.storage.repository import TokenStore

TTL = 1.0
WAITING = 50


class CountedStore:
    """The backend's real token store, counting the look-ups by secret that reach it."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store
        self.lookups = 0

    async def by_hash(self, secret_hash: bytes) -> access_tokens_pb2.AccessToken | None:
        self.lookups += 1
        return await self._store.by_hash(secret_hash)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _cache_with_a_token(
    repository: AnyRepository,
) -> tuple[TokenCache, CountedStore, Clock, str, str]:
    await admin.create_workspace(repository, "acme")
    made = await admin.create_token(repository, ["acme"], SCOPE_WRITE, "ci")
    store, clock = CountedStore(repository.tokens), Clock()
    cache = TokenCache(store, TTL, clock)  # type: ignore[arg-type]
    assert await cache.caller_for(made.token) is not None
    clock.now += 2 * TTL  # the entry has expired
    # a commit, so that no backend can answer the next look-up from a cache of its own
    await admin.create_workspace(repository, "globex")
    return cache, store, clock, made.token, made.name


async def test_calls_that_find_the_entry_expired_together_share_one_look_up(
    repository: AnyRepository,
) -> None:
    cache, store, _, secret, name = await _cache_with_a_token(repository)
    before = store.lookups
    callers = await asyncio.gather(*(cache.caller_for(secret) for _ in range(WAITING)))
    assert {c.token_name for c in callers if c is not None} == {name}
    assert None not in callers
    assert store.lookups == before + 1
    assert cache.cached(secret) is not None  # and it was kept for the next calls


async def test_a_look_up_overtaken_by_a_revocation_keeps_nothing(
    repository: AnyRepository,
) -> None:
    cache, _, secret, under_way = await _revoked_while_looking_up(repository)
    await under_way  # concurrent with the revocation: either answer is right for it
    assert cache.cached(secret) is None, "a look-up read before a revocation was kept"


async def test_a_call_made_after_a_revocation_waits_for_a_look_up_of_its_own(
    repository: AnyRepository,
) -> None:
    cache, store, secret, under_way = await _revoked_while_looking_up(repository)
    lookups = store.lookups
    await asyncio.gather(under_way, cache.caller_for(secret))
    assert store.lookups == lookups + 1


async def _revoked_while_looking_up(
    repository: AnyRepository,
) -> tuple[TokenCache, CountedStore, str, asyncio.Task[object]]:
    """A cache whose look-up of an expired token has reached the store when every token is
    revoked (as when the revocation broadcast lost its connection); that look-up's task."""
    cache, store, _, secret, _name = await _cache_with_a_token(repository)
    before = store.lookups
    under_way: asyncio.Task[object] = asyncio.create_task(cache.caller_for(secret))
    for _ in range(100):  # let the loop run until the look-up has reached the store (no sleep)
        if store.lookups > before:
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("the look-up never reached the store")
    cache.revoke(None)
    return cache, store, secret, under_way


async def test_a_caller_that_goes_away_does_not_cancel_the_shared_look_up(
    repository: AnyRepository,
) -> None:
    cache, _store, _, secret, name = await _cache_with_a_token(repository)
    first = asyncio.create_task(cache.caller_for(secret))
    await asyncio.sleep(0)
    second = asyncio.create_task(cache.caller_for(secret))
    await asyncio.sleep(0)
    first.cancel()
    caller = await second
    assert caller is not None and caller.token_name == name
