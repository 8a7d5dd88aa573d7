"""Where CPU-heavy validation runs: off the event loop, one job at a time (SPEC §6).

A 1 MiB tracking plan takes seconds of JSON Schema meta-validation; on the event loop that
stalls every other caller of the process. Large jobs go to a single worker thread instead, so
the loop keeps answering cheap calls, and concurrent heavy requests queue behind each other
rather than multiplying the work competing with the loop. Small jobs stay inline: a thread
hand-off would cost more than they do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

T = TypeVar("T")

# Below this many encoded bytes a check takes well under a millisecond: run it inline.
INLINE_BYTES: Final = 64 * 1024


class CpuLane:
    """One worker thread for CPU-heavy checks."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="configapi-cpu")

    async def run(self, size: int, job: Callable[[], T], inline_bytes: int = INLINE_BYTES) -> T:
        """`job()`, on the worker when `size` (the input's encoded bytes) makes it heavy:
        more than `inline_bytes`, which a job that costs more per byte sets lower."""
        if size <= inline_bytes:
            return job()
        return await self.off_loop(job)

    async def off_loop(self, job: Callable[[], T]) -> T:
        """`job()` on the worker, whatever its size."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def close(self) -> None:
        """Let the worker finish its job and stop."""
        self._executor.shutdown(wait=False, cancel_futures=True)
