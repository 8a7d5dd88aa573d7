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


def test_a_late_clock_reading_never_refills_the_same_seconds_twice() -> None:
    # processes sample the clock before they queue for a shared bucket: a spend may carry an
    # older `now` than the bucket's; it must not move `updated` back
    empty = Bucket(0.0, 100.0)
    late = take_one(empty, 99.0, 60)
    assert late.retry_after is not None and late.bucket.updated == 100.0
    assert take_one(late.bucket, 100.5, 60).retry_after is not None  # only half a second passed


async def test_one_process_admits_exactly_the_ceiling_under_any_interleaving() -> None:
    # SPEC §3: over T seconds a token gets at most capacity + T * limit/60, and exactly that
    # when it keeps asking; clock readings arrive out of order as with concurrent callers
    clock = FakeClock()
    limiter = RateLimiter(600, LocalBuckets(), clock)
    admitted = 0
    for step in range(12_001):  # 12 s in 1 ms steps, 10 asks a step, some with a late clock
        clock.now = 1000.0 + step / 1000 - (0.0015 if step % 3 == 0 else 0.0)
        for _ in range(10):
            admitted += await limiter.acquire(b"t") is None
    assert admitted == 600 + 12 * 10


def test_tracking_plan_ids_are_rs_and_27_base62() -> None:
    plan_id = tracking_plan_id()
    assert plan_id.startswith("rs_") and len(plan_id) == 30 and plan_id[3:].isalnum()


def test_ksuids_sort_by_time() -> None:
    assert ksuid(1_600_000_000) < ksuid(1_700_000_000)


def test_write_keys_are_random_32_characters() -> None:
    keys = {random_key(32) for _ in range(100)}
    assert len(keys) == 100 and all(len(k) == 32 and k.isalnum() for k in keys)
