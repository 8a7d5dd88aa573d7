"""How long and how often each cell runs: the full plan and the BENCH_QUICK smoke plan."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """Durations, repeats, concurrencies and collection sizes of one bench run."""

    name: str
    seconds: int  # one measured run (wrk takes whole seconds)
    warmup: int  # one unmeasured run per cell and concurrency, first
    repeats: int
    concurrencies: tuple[int, ...]
    reads: int  # sources in the read workspace (the "1k" collection)
    big: int  # sources in the big workspace (the "100k" collection)
    profile: bool  # profile the server under load with py-spy after the cells

    @property
    def big_label(self) -> str:
        """`100k` for 100 000."""
        return f"{self.big // 1000}k"


def plan_from_environment() -> Plan:
    """BENCH_QUICK=1: a ~2 minute smoke run; BENCH_PROFILE=1 adds the py-spy profiles."""
    profile = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
    if os.environ.get("BENCH_QUICK", "") not in ("", "0"):
        return Plan("quick", 1, 1, 2, (1, 16, 64), 1000, 10_000, profile)
    return Plan("full", 5, 2, 3, (1, 16, 64), 1000, 100_000, profile)
