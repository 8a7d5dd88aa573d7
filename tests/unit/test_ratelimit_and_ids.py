"""Token buckets (SPEC §3) and generated ids (SPEC §6.4)."""

from __future__ import annotations

import pytest

from configapi.auth.ratelimit import Bucket, LocalBuckets, RateLimiter, take_one
from configapi.services.ids import ksuid, random_key, tracking_plan_id


class FakeClock:
    """A clock the test moves by hand (time is an input, not a dependency to wait on)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_token_may_spend_its_whole_minute_in_a_burst() -> None:
    limiter = RateLimiter(200, LocalBuckets(), FakeClock())
    assert all([await limiter.acquire(b"t") is None for _ in range(200)])
    assert await limiter.acquire(b"t") == pytest.approx(0.3)


async def test_the_budget_refills_continuously() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, LocalBuckets(), clock)
    for _ in range(60):
        await limiter.acquire(b"t")
    assert await limiter.acquire(b"t") is not None
    clock.now += 1.0
    assert await limiter.acquire(b"t") is None
    assert await limiter.acquire(b"t") is not None


async def test_tokens_have_separate_buckets() -> None:
    limiter = RateLimiter(1, LocalBuckets(), FakeClock())
    assert await limiter.acquire(b"a") is None
    assert await limiter.acquire(b"b") is None
    assert await limiter.acquire(b"a") is not None


async def test_zero_turns_limiting_off() -> None:
    limiter = RateLimiter(0, LocalBuckets(), FakeClock())
    assert all([await limiter.acquire(b"t") is None for _ in range(1000)])


def test_a_bucket_never_holds_more_than_a_minute() -> None:
    verdict = take_one(Bucket(5.0, 0.0), 10_000.0, 60)
    assert verdict.bucket.tokens == 59.0


def test_tracking_plan_ids_are_rs_and_27_base62() -> None:
    plan_id = tracking_plan_id()
    assert plan_id.startswith("rs_") and len(plan_id) == 30 and plan_id[3:].isalnum()


def test_ksuids_sort_by_time() -> None:
    assert ksuid(1_600_000_000) < ksuid(1_700_000_000)


def test_write_keys_are_random_32_characters() -> None:
    keys = {random_key(32) for _ in range(100)}
    assert len(keys) == 100 and all(len(k) == 32 and k.isalnum() for k in keys)
