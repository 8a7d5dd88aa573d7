"""Tracking plans (SPEC §6.4): rules round-trip as JSON values, schemas are checked, PUT updates."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from segment.config.v1beta import tracking_plans_pb2

from tests.data import tracking_plan_files
from tests.integration.api import RestApi, connect
from tests.integration.harness import (
    StartServer,
    World,
    as_json,
    create_tracking_plan_request,
    integral,
    tracking_plan,
    violated_fields,
)

FIXTURES = tracking_plan_files()
DRAFT_04 = "http://json-schema.org/draft-04/schema#"


def _fixture(path: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _rules_of(plan: object) -> object:
    assert isinstance(plan, tracking_plans_pb2.TrackingPlan)
    return as_json(plan.rules)


def _update(name: str, *paths: str, **plan: Any) -> tracking_plans_pb2.UpdateTrackingPlanRequest:
    request = tracking_plans_pb2.UpdateTrackingPlanRequest(
        tracking_plan=tracking_plan(plan.get("display_name", ""), plan.get("rules"))
    )
    request.tracking_plan.name = name
    request.update_mask.paths.extend(paths)
    return request


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
async def test_real_plan_rules_round_trip_exactly(world: World, path: Any) -> None:
    fixture = _fixture(path)
    created = await world.call(
        "CreateTrackingPlan",
        create_tracking_plan_request(fixture["display_name"], fixture["rules"]),
    )
    # Struct numbers are doubles on the wire: compare with integral floats as ints
    assert _rules_of(created) == integral(fixture["rules"])
    if isinstance(world.api, RestApi):  # and over REST the JSON itself is the fixture's
        assert world.api.last_json["rules"] == fixture["rules"]

    got = await world.call(
        "GetTrackingPlan",
        tracking_plans_pb2.GetTrackingPlanRequest(name=created.name),  # type: ignore[attr-defined]
    )
    assert got == created
    if isinstance(world.api, RestApi):
        assert world.api.last_json["rules"] == fixture["rules"]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
async def test_put_replaces_the_rules_with_a_real_plan(world: World, path: Any) -> None:
    fixture = _fixture(path)
    created = await world.call(
        "CreateTrackingPlan",
        create_tracking_plan_request("Empty", {"events": [{"name": "Old", "rules": {}}]}),
    )
    name: str = created.name  # type: ignore[attr-defined]
    updated = await world.call(
        "UpdateTrackingPlan",
        _update(
            name,
            "tracking_plan.rules",
            "tracking_plan.display_name",
            display_name=fixture["display_name"],
            rules=fixture["rules"],
        ),
    )
    assert updated.display_name == fixture["display_name"]  # type: ignore[attr-defined]
    assert _rules_of(updated) == integral(fixture["rules"])


async def test_numbers_in_rules_keep_their_json_form(world: World) -> None:
    schema = {"type": "string", "maxLength": 5, "minLength": 0, "multipleOf": 0.5}
    created = await world.call(
        "CreateTrackingPlan", create_tracking_plan_request("Plan", {"global": schema})
    )
    assert _rules_of(created) == {
        "global": schema,
        "events": [],
        "identify_traits": [],
        "group_traits": [],
    }
    if isinstance(world.api, RestApi):  # SPEC §1: `5`, not `5.0`
        assert world.api.last_json["rules"] == {
            "global": schema,
            "events": [],
            "identify_traits": [],
            "group_traits": [],
        }


async def test_event_versions_default_to_1(world: World) -> None:
    rules = {"events": [{"name": "A", "rules": {}}, {"name": "B", "version": 3, "rules": {}}]}
    created = await world.call("CreateTrackingPlan", create_tracking_plan_request("Plan", rules))
    events = created.rules.events  # type: ignore[attr-defined]
    assert [(e.name, e.version) for e in events] == [("A", 1), ("B", 3)]


async def test_draft_04_and_draft_07_schemas_are_accepted(world: World) -> None:
    rules = {
        "global": {"$schema": DRAFT_04, "type": "object", "required": ["userId"]},
        "identify": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
        "group": {"type": "object"},
        "identify_traits": [{"type": "object", "properties": {"email": {"type": "string"}}}],
    }
    created = await world.call("CreateTrackingPlan", create_tracking_plan_request("Plan", rules))
    assert _rules_of(created) == {**rules, "events": [], "group_traits": []}


INVALID_RULES = {
    "global-of-unknown-type": ({"global": {"type": "no-such-type"}}, "tracking_plan.rules.global"),
    "identify-with-bad-required": ({"identify": {"required": 5}}, "tracking_plan.rules.identify"),
    "group-with-bad-properties": ({"group": {"properties": "x"}}, "tracking_plan.rules.group"),
    "event-rules": (
        {"events": [{"name": "E", "rules": {"type": ["object", 7]}}]},
        "tracking_plan.rules.events[0].rules",
    ),
    "identify-traits": (
        {"identify_traits": [{"minLength": -1}]},
        "tracking_plan.rules.identify_traits[0]",
    ),
    "unsupported-draft": (
        {"global": {"$schema": "http://json-schema.org/draft-03/schema#"}},
        "tracking_plan.rules.global.$schema",
    ),
}


@pytest.mark.parametrize("rules, field", INVALID_RULES.values(), ids=INVALID_RULES.keys())
async def test_rules_that_are_not_json_schema_are_refused(
    world: World, rules: dict[str, Any], field: str
) -> None:
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT,
        "CreateTrackingPlan",
        create_tracking_plan_request("Plan", rules),
    )
    assert field in violated_fields(failure)


async def test_an_update_to_invalid_rules_is_refused_and_changes_nothing(world: World) -> None:
    created = await world.call(
        "CreateTrackingPlan", create_tracking_plan_request("Plan", {"global": {"type": "object"}})
    )
    name: str = created.name  # type: ignore[attr-defined]
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT,
        "UpdateTrackingPlan",
        _update(name, "tracking_plan.rules.global", rules={"global": {"type": 12}}),
    )
    assert violated_fields(failure) == ["tracking_plan.rules.global"]
    got = await world.call("GetTrackingPlan", tracking_plans_pb2.GetTrackingPlanRequest(name=name))
    assert got == created


async def test_update_by_patch_is_accepted_too(start_server: StartServer) -> None:
    # REST only: SPEC §6.4 makes PUT the update verb and accepts PATCH as well
    server = await start_server()
    await server.add_workspace("acme")
    token = await server.add_token("acme")
    api = connect("rest", server.grpc_port, server.http_port)
    assert isinstance(api, RestApi)
    try:
        created = await api.call("CreateTrackingPlan", create_tracking_plan_request("Plan"), token)
        name: str = created.name  # type: ignore[attr-defined]
        request = _update(name, "tracking_plan.display_name", display_name="Patched")
        updated = await api.call("UpdateTrackingPlan", request, token, binding=1)
        assert updated.display_name == "Patched"  # type: ignore[attr-defined]
    finally:
        await api.close()
