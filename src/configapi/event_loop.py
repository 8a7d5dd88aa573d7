"""Which asyncio event loop a server process runs on (`--event-loop`).

`auto` (the default) is uvloop where it is installed (Linux and macOS; a dependency there), the
standard loop elsewhere. Both transports run on it: grpc.aio's completion queue wakes the loop
through a file descriptor it watches, and uvicorn runs inside the same loop. uvloop does the
loop's own bookkeeping (ready queue, handles, timers) in C; on a GetSource that bookkeeping is
about half the Python the process runs per call (README "Performance").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

EVENT_LOOPS: Final = ("auto", "uvloop", "asyncio")


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """The factory for `choice`; ValueError for an unknown choice or a missing uvloop."""
    if choice not in EVENT_LOOPS:
        raise ValueError(f'event loop "{choice}" is not one of {", ".join(EVENT_LOOPS)}')
    if choice == "asyncio":
        return asyncio.new_event_loop
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise ValueError("event loop uvloop: the uvloop package is not installed") from None
        return asyncio.new_event_loop
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: object, choice: str) -> None:
    """`asyncio.run(main)` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        runner.run(main)  # type: ignore[arg-type]
