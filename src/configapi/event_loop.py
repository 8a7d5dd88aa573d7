"""Which asyncio event loop a server process runs on (`--event-loop`).

`asyncio` (the default) is the standard loop. `uvloop` does the loop's own bookkeeping (ready
queue, handles, timers) in C: in our measurements (README "Performance") it serves about a fifth
more REST requests a second on a saturated core, but its tail latency there is worse: p99 at 64
connections 3-7 times p50 where the standard loop stays under 2 times, for a bare Starlette app as
much as for ours. Both transports run on the chosen loop: grpc.aio's completion queue wakes it
through a file descriptor it watches, and uvicorn runs inside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Final

from configapi.settings import SettingError

EVENT_LOOPS: Final = ("asyncio", "uvloop")


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """The factory for `choice`; ValueError for an unknown choice, SettingError (an operator
    mistake, exit status 2) for uvloop when it is not installed."""
    if choice not in EVENT_LOOPS:
        raise ValueError(f'event loop "{choice}" is not one of {", ".join(EVENT_LOOPS)}')
    if choice == "asyncio":
        return asyncio.new_event_loop
    try:
        import uvloop
    except ImportError:
        raise SettingError(
            "--event-loop uvloop: the uvloop package is not installed"
            " (pip install 'configapi[uvloop]')"
        ) from None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, None], choice: str) -> None:
    """`asyncio.run(main)` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        runner.run(main)
