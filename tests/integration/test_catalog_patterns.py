"""Catalog regular expressions cannot backtrack catastrophically (README "Guarantees").

The starter catalog's `^\\S+@\\S+$` (zendesk `email`, salesforce `username`) was quadratic under
Python's `re`: a 30 KB value took 4.6 s on the event loop. Patterns RE2 can compile run on RE2;
the real dump's lookahead `^(?!www\\.)` (chartbeat `domain`, woopra `projectName`), which RE2
lacks, runs on `re` but only on values of at most FALLBACK_MAX_CHARS characters.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import grpc

from configapi.catalog.patterns import FALLBACK_MAX_CHARS, matcher
from tests.integration.harness import (
    MakeWorld,
    World,
    create_destination_request,
    create_source_request,
    violated_fields,
)

DUMP_ENTRIES = Path(__file__).parents[1] / "data" / "redos" / "destinations.yml"
EMAIL = r"^\S+@\S+$"
NO_WWW = r"^(?!www\.)"


def test_the_starter_catalog_email_pattern_runs_on_a_linear_time_engine() -> None:
    assert matcher(EMAIL).linear is not None
    assert matcher(NO_WWW).linear is None  # RE2 has no lookahead: the bounded fallback


def test_a_hostile_value_costs_linear_time_on_the_email_pattern() -> None:
    """Ten times the issue's 30 KB (which took 4.6 s, and `re` is quadratic on it: ~460 s at
    300 KB) is checked in well under a second; median of five runs."""
    check = matcher(EMAIL)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        problem = check.problem("a" * 300_000)
        timings.append(time.perf_counter() - started)
        assert problem == f"expects a string matching {EMAIL}"
    assert statistics.median(timings) < 0.5, timings


async def test_a_30kb_email_is_400_naming_the_config_entry(world: World) -> None:
    await world.call("CreateSource", create_source_request("web"))
    request = create_destination_request(
        "web", "zendesk", {"subdomain": "acme", "email": "a" * 30_000, "apiToken": "t"}
    )
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "CreateDestination", request)
    assert violated_fields(failure) == ["destination.config[1].value"]
    assert "^\\S+@\\S+$" in failure.message
    ok = create_destination_request(
        "web", "zendesk", {"subdomain": "acme", "email": "me@acme.test", "apiToken": "t"}
    )
    await world.call("CreateDestination", ok)


async def test_the_dump_lookahead_pattern_checks_short_values(make_world: MakeWorld) -> None:
    world = await make_world(catalog_files=[DUMP_ENTRIES])
    await world.call("CreateSource", create_source_request("web"))
    www = create_destination_request("web", "chartbeat", {"domain": "www.acme.test", "uid": "1"})
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "CreateDestination", www)
    assert "^(?!www\\.)" in failure.message
    ok = create_destination_request("web", "chartbeat", {"domain": "acme.test", "uid": "1"})
    await world.call("CreateDestination", ok)


async def test_the_dump_lookahead_pattern_refuses_values_over_the_cap(
    make_world: MakeWorld,
) -> None:
    world = await make_world(catalog_files=[DUMP_ENTRIES])
    await world.call("CreateSource", create_source_request("web"))
    for length, refused in ((FALLBACK_MAX_CHARS, False), (FALLBACK_MAX_CHARS + 1, True)):
        request = create_destination_request("web", "chartbeat", {"domain": "a" * length})
        if refused:
            failure = await world.fail(
                grpc.StatusCode.INVALID_ARGUMENT, "CreateDestination", request
            )
            assert f"at most {FALLBACK_MAX_CHARS} characters" in failure.message
        else:
            await world.call("CreateDestination", request)
