"""`--event-loop`: which loop each choice builds."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from configapi.event_loop import loop_factory, run


def test_uvloop_builds_a_uvloop_loop() -> None:
    loop = loop_factory("uvloop")()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_asyncio_builds_the_standard_loop() -> None:
    loop = loop_factory("asyncio")()
    try:
        assert not isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(ValueError, match='event loop "trio" is not one of asyncio, uvloop'):
        loop_factory("trio")


def test_run_runs_the_coroutine_on_the_chosen_loop() -> None:
    seen: list[object] = []

    async def main() -> None:
        seen.append(asyncio.get_running_loop())

    run(main(), "uvloop")
    assert isinstance(seen[0], uvloop.Loop)
