"""Update semantics (SPEC §5), rule by rule, for each updatable resource.

Each case creates a resource, sends an update with some data and some mask paths, and states
which fields differ afterwards; everything else must be as created, and a later Get must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from segment.config.v1beta import destinations_pb2, sources_pb2, tracking_plans_pb2

from configapi import contract
from tests.integration.api import method_named
from tests.integration.harness import (
    World,
    as_json,
    config_entry,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    destination_name,
    let_clock_pass,
    source_name,
)

EMPTY_LIBRARY_CONFIG = {
    "metrics_enabled": False,
    "retry_queue": False,
    "cross_domain_id_enabled": False,
    "api_host": "",
}


@dataclass(frozen=True)
class Case:
    """Create with `created`, update with `sent` and `paths`; `changed` is what must differ."""

    created: dict[str, Any]
    sent: dict[str, Any]
    paths: tuple[str, ...]
    changed: dict[str, Any] = field(default_factory=dict)
    mask_set: bool = True  # False: no `update_mask` at all in the request


@dataclass(frozen=True)
class Resource:
    """How to create, update and get one kind of resource."""

    create: str
    update: str
    get: str
    field: str  # the request field holding the resource, e.g. `source`

    async def make(self, world: World, fields: dict[str, Any]) -> Message:
        return await world.call(self.create, _create_request(self.field, fields))

    def update_request(self, name: str, case: Case) -> Message:
        request = _request_class(self.update)()
        resource = getattr(request, self.field)
        json_format.ParseDict(case.sent, resource)
        resource.name = name
        if case.mask_set:
            request.update_mask.SetInParent()  # type: ignore[attr-defined]
            request.update_mask.paths.extend(case.paths)  # type: ignore[attr-defined]
        return request

    def get_request(self, name: str) -> Message:
        return _request_class(self.get)(name=name)


def _request_class(method: str) -> type[Message]:
    return contract.input_class(method_named(method))


def _create_request(kind: str, fields: dict[str, Any]) -> Message:
    if kind == "source":
        return create_source_request("js", **fields)
    if kind == "destination":
        return create_destination_request("js", "google-analytics", **fields)
    return create_tracking_plan_request(**fields)


SOURCE = Resource("CreateSource", "UpdateSource", "GetSource", "source")
DESTINATION = Resource("CreateDestination", "UpdateDestination", "GetDestination", "destination")
TRACKING_PLAN = Resource(
    "CreateTrackingPlan", "UpdateTrackingPlan", "GetTrackingPlan", "tracking_plan"
)

GLOBAL = {"type": "object", "required": ["userId"]}
EVENT_A = {"name": "A", "description": "", "version": 1, "rules": {"type": "object"}}
EVENT_B = {"name": "B", "description": "b", "version": 2, "rules": {}}
PLAN = {"display_name": "Plan", "rules": {"global": GLOBAL, "events": [EVENT_A]}}

CASES: dict[str, tuple[Resource, Case]] = {
    # rule 1: only masked paths change; data without paths changes nothing
    "source/data-without-mask-changes-nothing": (
        SOURCE,
        Case(
            {"display_name": "Web"},
            {"display_name": "New", "labels": {"a": "1"}},
            (),
            mask_set=False,
        ),
    ),
    "source/data-with-empty-mask-changes-nothing": (
        SOURCE,
        Case({"display_name": "Web"}, {"display_name": "New"}, ()),
    ),
    "destination/data-without-mask-changes-nothing": (
        DESTINATION,
        Case(
            {"enabled": True}, {"enabled": False, "connection_mode": "DEVICE"}, (), mask_set=False
        ),
    ),
    "tracking-plan/data-without-mask-changes-nothing": (
        TRACKING_PLAN,
        Case(PLAN, {"display_name": "New", "rules": {}}, (), mask_set=False),
    ),
    "source/the-mask-is-never-derived-from-the-body": (
        SOURCE,
        Case(
            {"display_name": "Web", "labels": {"a": "1"}},
            {"display_name": "New", "labels": {"b": "2"}},
            ("source.display_name",),
            {"display_name": "New"},
        ),
    ),
    # rule 2: a path with no value sets the field to its empty value
    "source/path-without-value-clears-a-string": (
        SOURCE,
        Case({"display_name": "Web"}, {}, ("source.display_name",), {"display_name": ""}),
    ),
    "source/path-without-value-clears-a-map": (
        SOURCE,
        Case({"labels": {"a": "1"}}, {}, ("source.labels",), {"labels": {}}),
    ),
    "source/path-without-value-clears-a-message": (
        SOURCE,
        Case(
            {"library_config": {"retry_queue": True, "api_host": "h.example"}},
            {},
            ("source.library_config",),
            {"library_config": EMPTY_LIBRARY_CONFIG},  # still present (SPEC §6.2)
        ),
    ),
    "destination/path-without-value-clears-a-bool": (
        DESTINATION,
        Case({"enabled": True}, {}, ("destination.enabled",), {"enabled": False}),
    ),
    "destination/path-without-value-clears-an-enum": (
        DESTINATION,
        Case(
            {"connection_mode": "CLOUD"},
            {},
            ("destination.connection_mode",),
            {"connection_mode": "UNSPECIFIED"},
        ),
    ),
    "tracking-plan/path-without-value-clears-the-rules": (
        TRACKING_PLAN,
        Case(PLAN, {}, ("tracking_plan.rules",), {"rules": None}),
    ),
    "tracking-plan/path-without-value-clears-one-rule": (
        TRACKING_PLAN,
        Case(PLAN, {}, ("tracking_plan.rules.global",), {"rules": {"events": [EVENT_A]}}),
    ),
    # rule 3: prefixed and unprefixed paths mean the same
    "source/prefixed-path": (
        SOURCE,
        Case({}, {"display_name": "New"}, ("source.display_name",), {"display_name": "New"}),
    ),
    "source/unprefixed-path": (
        SOURCE,
        Case({}, {"display_name": "New"}, ("display_name",), {"display_name": "New"}),
    ),
    "destination/prefixed-path": (
        DESTINATION,
        Case({}, {"enabled": True}, ("destination.enabled",), {"enabled": True}),
    ),
    "destination/unprefixed-path": (
        DESTINATION,
        Case(
            {}, {"connection_mode": "DEVICE"}, ("connection_mode",), {"connection_mode": "DEVICE"}
        ),
    ),
    "tracking-plan/prefixed-path": (
        TRACKING_PLAN,
        Case(
            PLAN, {"display_name": "New"}, ("tracking_plan.display_name",), {"display_name": "New"}
        ),
    ),
    "tracking-plan/unprefixed-path": (
        TRACKING_PLAN,
        Case(PLAN, {"display_name": "New"}, ("display_name",), {"display_name": "New"}),
    ),
    "source/subfield-path-changes-only-that-subfield": (
        SOURCE,
        Case(
            {"library_config": {"retry_queue": True}},
            {"library_config": {"api_host": "h.example", "metrics_enabled": True}},
            ("source.library_config.api_host",),
            {
                "library_config": {
                    **EMPTY_LIBRARY_CONFIG,
                    "retry_queue": True,
                    "api_host": "h.example",
                }
            },
        ),
    ),
    "tracking-plan/one-rule-path-changes-only-that-rule": (
        TRACKING_PLAN,
        Case(
            PLAN,
            {"rules": {"global": {"type": "object"}, "events": [EVENT_B]}},
            ("tracking_plan.rules.global",),
            {"rules": {"global": {"type": "object"}, "events": [EVENT_A]}},
        ),
    ),
    # rule 4: output-only fields in a mask are ignored
    "source/output-only-paths-are-ignored": (
        SOURCE,
        Case(
            {},
            {
                "write_keys": ["mine"],
                "parent": "workspaces/globex",
                "create_time": "2001-01-01T00:00:00Z",
            },
            ("source.write_keys", "source.parent", "source.create_time"),
        ),
    ),
    "destination/output-only-paths-are-ignored": (
        DESTINATION,
        Case(
            {},
            {"display_name": "Mine", "update_time": "2001-01-01T00:00:00Z"},
            ("destination.display_name", "destination.update_time", "destination.create_time"),
        ),
    ),
    "tracking-plan/output-only-paths-are-ignored": (
        TRACKING_PLAN,
        Case(PLAN, {"create_time": "2001-01-01T00:00:00Z"}, ("tracking_plan.create_time",)),
    ),
    # rule 5: repeated fields and maps are replaced, not appended
    "source/a-map-is-replaced": (
        SOURCE,
        Case(
            {"labels": {"a": "1", "b": "2"}},
            {"labels": {"c": "3"}},
            ("source.labels",),
            {"labels": {"c": "3"}},
        ),
    ),
    "tracking-plan/a-list-is-replaced": (
        TRACKING_PLAN,
        Case(
            PLAN,
            {"rules": {"events": [EVENT_B]}},
            ("tracking_plan.rules.events",),
            {"rules": {"global": GLOBAL, "events": [EVENT_B]}},
        ),
    ),
    "tracking-plan/whole-rules-are-replaced": (
        TRACKING_PLAN,
        Case(
            PLAN,
            {"rules": {"events": [EVENT_B], "identify": {"type": "object"}}},
            ("tracking_plan.rules",),
            {"rules": {"events": [EVENT_B], "identify": {"type": "object"}}},
        ),
    ),
}


def _comparable(resource: Message) -> dict[str, Any]:
    """The resource as JSON without `update_time` (checked on its own)."""
    document = as_json(resource)
    document.pop("update_time", None)
    rules = document.get("rules")
    if isinstance(rules, dict):  # legacy lists are emitted empty; not what these cases are about
        for key in ("identify_traits", "group_traits"):
            if rules.get(key) == []:
                del rules[key]
    return document


def _expected(created: Message, changed: dict[str, Any]) -> dict[str, Any]:
    expected = _comparable(created)
    for key, value in changed.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    return expected


@pytest.mark.parametrize("resource, case", CASES.values(), ids=CASES.keys())
async def test_update_mask(world: World, resource: Resource, case: Case) -> None:
    if resource is DESTINATION:
        await world.call("CreateSource", create_source_request("js"))
    created = await resource.make(world, case.created)
    name: str = getattr(created, "name")  # noqa: B009
    await let_clock_pass(world, getattr(created, "create_time"))  # noqa: B009

    updated = await world.call(resource.update, resource.update_request(name, case))
    assert _comparable(updated) == _expected(created, case.changed)
    assert await world.call(resource.get, resource.get_request(name)) == updated
    if "update_time" in created.DESCRIPTOR.fields_by_name:
        # SPEC §6.3: update_time changes on every successful update, and only then
        refreshed = getattr(updated, "update_time") != getattr(created, "update_time")  # noqa: B009
        assert refreshed == bool(case.changed)


# ---- rule 4: an unknown or non-updatable path is INVALID_ARGUMENT naming it ---------------------

BAD_PATHS = {
    "source/unknown-field": (SOURCE, "source.no_such_field"),
    "source/unknown-unprefixed-field": (SOURCE, "no_such_field"),
    "source/unknown-subfield": (SOURCE, "source.library_config.no_such_field"),
    "source/immutable-field": (SOURCE, "source.catalog_name"),
    "destination/unknown-field": (DESTINATION, "destination.no_such_field"),
    "destination/into-a-list": (DESTINATION, "destination.config.value"),
    "tracking-plan/unknown-rule": (TRACKING_PLAN, "tracking_plan.rules.no_such_rule"),
    "tracking-plan/into-a-list": (TRACKING_PLAN, "tracking_plan.rules.events.name"),
}


@pytest.mark.parametrize("resource, path", BAD_PATHS.values(), ids=BAD_PATHS.keys())
async def test_a_bad_path_is_refused_naming_it_and_changes_nothing(
    world: World, resource: Resource, path: str
) -> None:
    if resource is DESTINATION:
        await world.call("CreateSource", create_source_request("js"))
    created = await resource.make(world, PLAN if resource is TRACKING_PLAN else {})
    name: str = getattr(created, "name")  # noqa: B009
    # a valid path beside the bad one: the whole update is refused
    valid = (
        f"{resource.field}.display_name" if resource is not DESTINATION else "destination.enabled"
    )
    case = Case(
        {},
        {"display_name": "New"} if resource is not DESTINATION else {"enabled": True},
        (valid, path),
    )
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, resource.update, resource.update_request(name, case)
    )
    violations = failure.detail(error_details_pb2.BadRequest).field_violations
    assert any(path in v.field or f'"{path}"' in v.description for v in violations), violations
    assert await world.call(resource.get, resource.get_request(name)) == created


# ---- rule 5's exception: destination config merges by setting name (SPEC §6.3) ----------------


async def test_destination_config_merges_by_name_unprefixed_path_too(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    name = destination_name("js", "google-analytics")
    await world.call(
        "CreateDestination",
        create_destination_request("js", "google-analytics", config={"trackingId": "UA-1-1"}),
    )
    update = destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(
            name=name, config=[config_entry(name, "anonymizeIp", True)]
        )
    )
    update.update_mask.paths.append("config")
    updated = await world.call("UpdateDestination", update)
    assert isinstance(updated, destinations_pb2.Destination)
    assert {entry.name.rsplit("/", 1)[1] for entry in updated.config} == {
        "trackingId",
        "anonymizeIp",
    }


async def test_an_update_of_a_missing_resource_with_empty_mask_is_not_found(world: World) -> None:
    for method, request in [
        (
            "UpdateSource",
            sources_pb2.UpdateSourceRequest(source=sources_pb2.Source(name=source_name("nope"))),
        ),
        (
            "UpdateTrackingPlan",
            tracking_plans_pb2.UpdateTrackingPlanRequest(
                tracking_plan=tracking_plans_pb2.TrackingPlan(
                    name="workspaces/acme/tracking-plans/rs_1N9oTnc5O8cv1peY65iXsSPnzGP"
                )
            ),
        ),
    ]:
        await world.fail(grpc.StatusCode.NOT_FOUND, method, request)
