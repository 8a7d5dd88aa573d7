"""SPEC §8: every REST route of the released contract is still served, unchanged.

contract/routes.v1beta.json is the route table of the last release (verb, path template, body,
method); the gateway's live route table, built from the descriptors, must contain each row.
"""

from __future__ import annotations

import pytest

from configapi import contract
from tests.contract_safety.route_table import (
    SNAPSHOT,
    describe,
    missing_rows,
    read_snapshot,
    render_snapshot,
    route_rows,
)


def test_every_released_route_is_still_served() -> None:
    missing = missing_rows(read_snapshot(), route_rows(contract.methods()))
    assert not missing, (
        "routes of the released v1beta contract are gone or changed (SPEC §8):\n"
        + describe(missing)
        + "\nput them back; a route may be added, never removed or changed (docs/compatibility.md)"
    )


def test_the_snapshot_file_is_as_the_refresh_command_writes_it() -> None:
    # hand edits that reorder or reformat it would make a release's diff unreadable
    assert SNAPSHOT.read_text(encoding="utf-8") == render_snapshot(read_snapshot())


ROW = {"method": "pkg.S.M", "verb": "GET", "path": "/v1beta/{name=things/*}", "body": ""}


@pytest.mark.parametrize(
    ("served", "missing"),
    [
        pytest.param([ROW], [], id="unchanged"),
        pytest.param([ROW, {**ROW, "path": "/v1beta/others"}], [], id="a route added"),
        pytest.param([], [ROW], id="route removed"),
        pytest.param([{**ROW, "verb": "POST"}], [ROW], id="verb changed"),
        pytest.param([{**ROW, "path": "/v1beta/{name=items/*}"}], [ROW], id="path changed"),
        pytest.param([{**ROW, "body": "*"}], [ROW], id="body changed"),
        pytest.param([{**ROW, "method": "pkg.S.N"}], [ROW], id="served by another method"),
    ],
)
def test_a_released_route_may_not_be_removed_or_changed(
    served: list[dict[str, str]], missing: list[dict[str, str]]
) -> None:
    assert missing_rows([ROW], served) == missing
