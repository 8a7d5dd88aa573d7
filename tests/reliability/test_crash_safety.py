"""Crash safety: a server killed with SIGKILL under write load loses no acknowledged write and
leaves nothing half-applied (README "Guarantees").

Workers write over gRPC and REST at once; after the N-th acknowledgement (counted, not timed) the
server gets SIGKILL while the other workers' calls are in flight. The file is then checked as
SQLite recovers it (integrity, no orphans, no partial token), the server restarts on it, and
everything the API returns is compared with what was acknowledged. The rounds run on one
database, so later kills land on a file that has already survived earlier ones.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest
from segment.config.v1beta import destinations_pb2, sources_pb2, workspaces_pb2

from tests.integration.api import Api
from tests.reliability.load import Expected, Load, Observed, Outcome, observe, worker_script
from tests.reliability.process import ServerProcess, database_problems, seed, start_server, stop

TRANSPORTS = ("grpc", "rest")


async def _kill_under_load(
    server: ServerProcess, token: str, round_number: int, kill_after: int, workers: int
) -> Load:
    """Run the workers until `kill_after` writes are acknowledged, SIGKILL there, and wait."""
    load = Load(stop_after=kill_after, on_threshold=server.kill)
    runs = [
        load.run_worker(
            server.client(TRANSPORTS[w % 2]), token, worker_script(f"r{round_number}w{w}")
        )
        for w in range(workers)
    ]
    await asyncio.gather(*runs)
    assert server.wait() == -signal.SIGKILL
    await server.close_clients()
    return load


async def _check_tokens_work(api: Api, expected: Expected) -> None:
    """Every token acknowledged over the API authenticates after the crash."""
    request = workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme")
    for token in expected.tokens.values():
        secret = token.token  # type: ignore[attr-defined]
        if secret:
            await api.call("GetWorkspace", request, secret)


async def _survive_kills(database: Path, kill_points: Sequence[int], workers: int) -> None:
    token = seed(database)
    expected = Expected()
    unknown = 0  # calls in flight at a kill: the case this test is about
    server = start_server(database)
    try:
        for round_number, kill_after in enumerate(kill_points):
            load = await _kill_under_load(server, token, round_number, kill_after, workers)
            assert load.acknowledged >= kill_after
            unknown += len(load.outcomes) - load.acknowledged
            expected.record(load.outcomes)
            assert database_problems(database) == []  # as SQLite recovers the hot WAL

            server = start_server(database)
            api = server.client(TRANSPORTS[round_number % 2])
            expected.settle(await observe(api, token))
            await _check_tokens_work(api, expected)
            await server.close_clients()
        server.terminate()
        assert server.wait() == 0
        assert unknown > 0, "no call was in flight at any kill: nothing was tested"
    finally:
        stop(server)


async def test_sigkill_mid_load_keeps_every_acknowledged_write_and_no_partial_one(
    tmp_path: Path,
) -> None:
    # 1: right after the first write; then points deeper into the load
    await _survive_kills(tmp_path / "config.db", kill_points=(1, 9, 31, 64), workers=8)


@pytest.mark.soak
async def test_soak_many_kills_under_heavier_load(tmp_path: Path) -> None:
    kill_points = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233] * 2
    await _survive_kills(tmp_path / "config.db", kill_points=kill_points, workers=16)


def test_the_check_catches_half_applied_and_lost_writes() -> None:
    """The check itself is not vacuous: a lost acknowledged write, an update with one of its
    two fields applied, and a delete that took the source but not its destination all fail it."""
    script = worker_script("c")
    create, update = next(script), next(script)
    created = sources_pb2.Source(name=create.touches[0], display_name="c-0 v0", labels={"v": "0"})
    expected = Expected()
    expected.record([Outcome(create, created), Outcome(update, None)])

    assert expected.problems(Observed()) != []  # the acknowledged create is gone
    half = sources_pb2.Source()
    half.CopyFrom(created)
    half.display_name = "c-0 v1"  # the display name changed, the labels did not
    assert expected.problems(Observed(sources={half.name: half})) != []
    whole = sources_pb2.Source()
    whole.CopyFrom(half)
    whole.labels["v"] = "1"
    assert expected.problems(Observed(sources={whole.name: whole})) == []
    assert expected.problems(Observed(sources={created.name: created})) == []

    delete = next(call for call in script if call.method == "DeleteSource")
    # a delete of source c-2 with its destination, answered or not: never one without the other
    source = sources_pb2.Source(name=delete.touches[0])
    destination = destinations_pb2.Destination(name=delete.touches[1])
    expected = Expected(sources={source.name: source}, destinations={destination.name: destination})
    expected.record([Outcome(delete, None)])
    assert expected.problems(Observed(destinations={destination.name: destination})) != []
    assert expected.problems(Observed(sources={source.name: source})) != []
    assert expected.problems(Observed()) == []
