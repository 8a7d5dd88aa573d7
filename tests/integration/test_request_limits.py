"""Whatever is accepted can be served back (SPEC §1 "JSON-valued limits", §4, §6 "Size limits"):
each limit refuses with 400 naming the field over both transports, and everything within the
limits comes back from Get and List (README "Guarantees", issue 12)."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import json_format
from segment.config.v1beta import (
    access_tokens_pb2,
    destination_filters_pb2,
    sources_pb2,
    tracking_plans_pb2,
)

from configapi.aip.limits import JSON_MAX_DEPTH, MAX_RESOURCE_BYTES
from configapi.fql.budget import MAX_STEPS
from configapi.fql.event_json import MAX_EVENT_BYTES
from configapi.fql.grammar import MAX_DEPTH, MAX_STATEMENT_LENGTH
from configapi.services.source_connections import MAX_BATCH
from tests.integration.api import Api, connect
from tests.integration.harness import (
    SCOPE_WRITE,
    StartServer,
    World,
    as_json,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    destination_name,
    expect_failure,
    source_name,
    violated_fields,
)

PLANS = "workspaces/acme/tracking-plans"


def nested(depth: int, leaf: Any = 1, *, arrays: bool = False) -> Any:
    """A JSON value with `depth` levels of objects (or arrays, or both alternating)."""
    value = leaf
    for level in range(depth):
        value = [value] if arrays or level % 2 else {"a": value}
    return value


def deep_plan(depth: int, **kwargs: Any) -> tracking_plans_pb2.CreateTrackingPlanRequest:
    """A plan whose event rules nest `depth` levels: the deepest place a Struct sits."""
    rules = {"events": [{"name": "e", "rules": {"default": nested(depth - 1, **kwargs)}}]}
    return create_tracking_plan_request("deep", rules)


async def served_back(world: World, created: tracking_plans_pb2.TrackingPlan) -> None:
    got = await world.call(
        "GetTrackingPlan", tracking_plans_pb2.GetTrackingPlanRequest(name=created.name)
    )
    listed = await world.call(
        "ListTrackingPlans", tracking_plans_pb2.ListTrackingPlansRequest(parent="workspaces/acme")
    )
    assert got == created
    assert created in listed.tracking_plans  # type: ignore[attr-defined]


@pytest.mark.parametrize("shape", ["objects", "arrays"])
async def test_json_nested_32_levels_is_stored_and_served_back(world: World, shape: str) -> None:
    created = await world.call(
        "CreateTrackingPlan", deep_plan(JSON_MAX_DEPTH, arrays=shape == "arrays")
    )
    assert isinstance(created, tracking_plans_pb2.TrackingPlan)
    await served_back(world, created)


@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH + 1, 40, 60, 200])
async def test_json_nested_deeper_is_400_naming_the_field(world: World, depth: int) -> None:
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, "CreateTrackingPlan", deep_plan(depth)
    )
    assert violated_fields(failure) == ["tracking_plan.rules.events[0].rules"]
    assert "32 levels" in failure.message


async def test_a_destination_config_nested_in_arrays_is_400(world: World) -> None:
    await world.call("CreateSource", create_source_request("web"))
    request = create_destination_request(
        "web", "webhooks", {"hooks": nested(JSON_MAX_DEPTH + 1, arrays=True)}
    )
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "CreateDestination", request)
    assert violated_fields(failure) == ["destination.config[0].value"]


# ---- non-finite numbers: each transport spelled as its clients can send them ------------------


@dataclass
class Both:
    """One server, a gRPC client and a raw HTTP client, each with acme's write token."""

    grpc: Api
    http: httpx.AsyncClient
    token: str

    async def rest(self, method: str, path: str, body: bytes) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.token}", "content-type": "application/json"}
        return await self.http.request(method, path, content=body, headers=headers)


@pytest.fixture
async def both(start_server: StartServer) -> AsyncIterator[Both]:
    server = await start_server()
    await server.add_workspace("acme")
    token = await server.add_token("acme", scopes=SCOPE_WRITE)
    api = connect("grpc", server.grpc_port, server.http_port)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
        yield Both(api, http, token)
    await api.close()


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
async def test_non_finite_numbers_over_grpc_are_400(both: Both, number: float) -> None:
    plan = create_tracking_plan_request("p", {"global": {"maximum": 1}})
    getattr(plan.tracking_plan.rules, "global").fields["maximum"].number_value = number
    failure = await expect_failure(
        grpc.StatusCode.INVALID_ARGUMENT, both.grpc.call("CreateTrackingPlan", plan, both.token)
    )
    assert violated_fields(failure) == ["tracking_plan.rules.global"]


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400"])
async def test_overflowing_numbers_over_rest_are_400(both: Both, literal: bytes) -> None:
    body = b'{"tracking_plan": {"display_name": "p", "rules": {"global": {"maximum": ' + literal
    response = await both.rest("POST", f"/v1beta/{PLANS}", body + b"}}}}")
    assert response.status_code == 400, response.text
    violations = response.json()["details"][1]["field_violations"]
    assert [v["field"] for v in violations] == ["tracking_plan.rules.global"]


async def test_update_mask_with_null_paths_is_like_no_mask(both: Both) -> None:
    """Decided for issue 12: `{"paths": null}` ≡ `"update_mask": null` ≡ no mask, and an update
    with no paths changes nothing (SPEC §5 rule 1)."""
    created = await both.grpc.call("CreateSource", create_source_request("web"), both.token)
    path = "/v1beta/workspaces/acme/sources/web"
    for mask in (b'{"paths": null}', b"null", b"{}"):
        body = b'{"source": {"display_name": "changed"}, "update_mask": ' + mask + b"}"
        response = await both.rest("PATCH", path, body)
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == created.display_name  # type: ignore[attr-defined]


# ---- size limits (SPEC §6) -----------------------------------------------------------------


def _source_with(**fields: Any) -> sources_pb2.CreateSourceRequest:
    return create_source_request("big", **fields)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (lambda: _source_with(display_name="x" * 257), "source.display_name"),
        (lambda: _source_with(labels={f"k{i}": "v" for i in range(65)}), "source.labels"),
        (lambda: _source_with(labels={"k" * 64: "v"}), f"source.labels[{'k' * 64!r}]"),
        (lambda: _source_with(labels={"k": "v" * 257}), "source.labels['k']"),
        (
            lambda: create_tracking_plan_request("x" * 257),
            "tracking_plan.display_name",
        ),
        (
            lambda: create_tracking_plan_request(
                "p", {"events": [{"name": "e", "description": "d" * 4097}]}
            ),
            "tracking_plan.rules.events[0].description",
        ),
        (
            lambda: create_tracking_plan_request(
                "p", {"global": {"description": "d" * MAX_RESOURCE_BYTES}}
            ),
            "tracking_plan",
        ),
        (
            lambda: access_tokens_pb2.CreateAccessTokenRequest(
                access_token=access_tokens_pb2.AccessToken(
                    description="d" * 4097, scopes="workspace", workspace_names=["workspaces/acme"]
                )
            ),
            "access_token.description",
        ),
    ],
    ids=[
        "display-name",
        "labels-count",
        "label-key",
        "label-value",
        "title",
        "description",
        "resource-1mib",
        "token-description",
    ],
)
async def test_size_limits_are_400_naming_the_field(
    world: World, request_: Any, field: str
) -> None:
    request = request_()
    method = "Create" + type(request).__name__.removeprefix("Create").removesuffix("Request")
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, method, request)
    assert field in violated_fields(failure)


async def test_limits_themselves_are_accepted(world: World) -> None:
    labels = {f"{i:0>63}": "v" * 256 for i in range(64)}
    created = await world.call("CreateSource", _source_with(display_name="x" * 256, labels=labels))
    assert as_json(created)["labels"] == labels


async def test_an_update_that_would_pass_1_mib_is_400_and_stores_nothing(world: World) -> None:
    half = "d" * (MAX_RESOURCE_BYTES // 2 + 1000)
    plan = await world.call(
        "CreateTrackingPlan", create_tracking_plan_request("p", {"global": {"description": half}})
    )
    update = tracking_plans_pb2.UpdateTrackingPlanRequest()
    update.tracking_plan.name = plan.name  # type: ignore[attr-defined]
    update.tracking_plan.rules.identify.update({"description": half})
    update.update_mask.paths.append("tracking_plan.rules.identify")
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "UpdateTrackingPlan", update)
    assert violated_fields(failure) == ["tracking_plan"]
    got = await world.call(
        "GetTrackingPlan", tracking_plans_pb2.GetTrackingPlanRequest(name=plan.name)
    )  # type: ignore[attr-defined]
    assert got == plan


async def test_a_list_page_stops_before_3_mib_and_continues_after_it(world: World) -> None:
    """SPEC §4: four plans of ~0.9 MiB never share a page over 3 MiB; the tokens walk all."""
    names = []
    for index in range(4):
        big = {"global": {"description": str(index) * (900 * 1024)}}
        plan = await world.call(
            "CreateTrackingPlan", create_tracking_plan_request(f"p{index}", big)
        )
        names.append(plan.name)  # type: ignore[attr-defined]
    seen: list[str] = []
    request = tracking_plans_pb2.ListTrackingPlansRequest(parent="workspaces/acme", page_size=100)
    while True:
        page = await world.call("ListTrackingPlans", request)
        assert page.ByteSize() <= 3 * 1024 * 1024
        seen += [p.name for p in page.tracking_plans]  # type: ignore[attr-defined]
        if not page.next_page_token:  # type: ignore[attr-defined]
            break
        request.page_token = page.next_page_token  # type: ignore[attr-defined]
    assert seen == names


async def test_duplicate_workspace_names_are_stored_once(world: World) -> None:
    """Decided for issue 12: a workspace named twice is one grant, stored and echoed once."""
    request = access_tokens_pb2.CreateAccessTokenRequest(
        access_token=access_tokens_pb2.AccessToken(
            description="d", scopes="workspace", workspace_names=["workspaces/acme"] * 3
        )
    )
    created = await world.call("CreateAccessToken", request)
    assert list(created.workspace_names) == ["workspaces/acme"]  # type: ignore[attr-defined]
    got = await world.call(
        "GetAccessToken",
        access_tokens_pb2.GetAccessTokenRequest(name=created.name),  # type: ignore[attr-defined]
    )
    assert list(got.workspace_names) == ["workspaces/acme"]  # type: ignore[attr-defined]


async def test_an_invalid_event_outside_the_mask_is_neither_checked_nor_stored(
    world: World,
) -> None:
    """SPEC §6.4: only the masked paths are validated."""
    plan = await world.call("CreateTrackingPlan", create_tracking_plan_request("p", {"events": []}))
    update = tracking_plans_pb2.UpdateTrackingPlanRequest()
    update.tracking_plan.CopyFrom(plan)
    update.tracking_plan.display_name = "renamed"
    event = update.tracking_plan.rules.events.add(name="")  # no name: invalid
    event.rules.update({"type": 5})  # not a valid JSON Schema either
    update.update_mask.paths.append("tracking_plan.display_name")
    updated = await world.call("UpdateTrackingPlan", update)
    assert updated.display_name == "renamed"  # type: ignore[attr-defined]
    assert list(updated.rules.events) == []  # type: ignore[attr-defined]
    update.update_mask.paths[:] = ["tracking_plan.rules.events"]
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "UpdateTrackingPlan", update)
    assert "tracking_plan.rules.events[0].rules" in violated_fields(failure)


async def test_unknown_protobuf_fields_are_dropped_not_stored(both: Both) -> None:
    """Issue 12: a 100 KB unknown field 99 was stored and echoed by CreateSource over gRPC."""
    unknown = b"\x9a\x06" + b"\xa0\x8d\x06" + b"u" * 100_000  # field 99, length 100,000
    source = sources_pb2.Source.FromString(
        create_source_request("web").source.SerializeToString() + unknown
    )
    request = sources_pb2.CreateSourceRequest(parent="workspaces/acme", source=source)
    assert request.ByteSize() > 100_000  # the unknown field is on the wire
    created = await both.grpc.call("CreateSource", request, both.token)
    got = await both.grpc.call(
        "GetSource", sources_pb2.GetSourceRequest(name=source.name), both.token
    )
    assert created.ByteSize() < 1000
    assert got.ByteSize() < 1000


# ---- destination filters, preview, schema config, connections (SPEC §6.7-§6.9) -------------

FILTERS_OF = destination_name("web", "heap")


async def _destination(world: World) -> None:
    await world.call("CreateSource", create_source_request("web"))
    await world.call("CreateDestination", create_destination_request("web", "heap"))


def _filter(**fields: Any) -> destination_filters_pb2.CreateDestinationFilterRequest:
    document = {"title": "t", "if": "type = 'track'", **fields}
    parsed = json_format.ParseDict(document, destination_filters_pb2.DestinationFilter())
    return destination_filters_pb2.CreateDestinationFilterRequest(parent=FILTERS_OF, filter=parsed)


async def _filters(world: World) -> list[destination_filters_pb2.DestinationFilter]:
    listed = await world.call(
        "ListDestinationFilters",
        destination_filters_pb2.ListDestinationFiltersRequest(parent=FILTERS_OF),
    )
    return list(listed.filters)  # type: ignore[attr-defined]


def _statement_of_length(length: int, depth: int = 0) -> str:
    """A valid statement of exactly `length` characters nesting `depth` levels of '('."""
    core = "(" * depth + "a = 1" + ")" * depth
    padding = length - len(core) - len(" or b = ''")
    return core + " or b = '" + "x" * padding + "'"


def _blacklist(names: list[str]) -> list[dict[str, Any]]:
    return [{"type": "blacklist_fields", "fields": {"properties": {"fields": names}}}]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "t" * 257}, "filter.title"),
        ({"description": "d" * 4097}, "filter.description"),
        ({"if": _statement_of_length(MAX_STATEMENT_LENGTH + 1)}, "filter.if"),
        ({"if": "a = 1 and " * 100_000 + "a = 1"}, "filter.if"),
        ({"if": "(" * 10_000 + "a" + ")" * 10_000}, "filter.if"),
        ({"if": "!" * (MAX_DEPTH + 1) + "a"}, "filter.if"),
        ({"if": "a = 1e400"}, "filter.if"),
        ({"if": "a = " + "9" * 309}, "filter.if"),
        ({"actions": [{"type": "sample_event", "percent": 1.5}]}, "filter.actions[0].percent"),
        ({"actions": [{"type": "sample_event", "percent": "NaN"}]}, "filter.actions[0].percent"),
        (
            {"actions": [{"type": "sample_event", "percent": 0.5, "path": "a." * 50_000 + "."}]},
            "filter.actions[0].path",
        ),
        ({"actions": _blacklist(["x" * 100] * 11_000)}, "filter"),  # over 1 MiB
    ],
    ids=[
        "title",
        "description",
        "statement-16385",
        "statement-1mb",
        "parens-10000",
        "negations-33",
        "1e400",
        "309-digits",
        "percent",
        "percent-nan",
        "path-100k",
        "resource-1mib",
    ],
)
async def test_filter_limits_are_400_naming_the_field_and_store_nothing(
    world: World, fields: dict[str, Any], field: str
) -> None:
    await _destination(world)
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, "CreateDestinationFilter", _filter(**fields)
    )
    assert field in violated_fields(failure)
    assert await _filters(world) == []


async def test_a_filter_at_every_limit_is_stored_and_served_back(world: World) -> None:
    """The longest statement nesting the deepest, 20,000 field names, texts at their limits."""
    await _destination(world)
    request = _filter(
        title="t" * 256,
        description="d" * 4096,
        actions=_blacklist([f"field{i}" for i in range(20_000)]),
        enabled=True,
        **{"if": _statement_of_length(MAX_STATEMENT_LENGTH, depth=MAX_DEPTH)},
    )
    created = await world.call("CreateDestinationFilter", request)
    got = await world.call(
        "GetDestinationFilter",
        destination_filters_pb2.GetDestinationFilterRequest(name=created.name),  # type: ignore[attr-defined]
    )
    assert got == created
    assert await _filters(world) == [created]
    assert len(getattr(created, "if")) == MAX_STATEMENT_LENGTH


def _preview(statement: str, text: str) -> destination_filters_pb2.PreviewDestinationFilterRequest:
    document = {"if": statement, "enabled": True}
    parsed = json_format.ParseDict(document, destination_filters_pb2.DestinationFilter())
    return destination_filters_pb2.PreviewDestinationFilterRequest(filter=parsed, input=text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a": ' * (JSON_MAX_DEPTH + 1) + "1" + "}" * (JSON_MAX_DEPTH + 1),
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": 1e400}',
        '{"a": ' + "9" * 309 + "}",
        json.dumps({"a": "x" * MAX_EVENT_BYTES}),
        '{"a": "\\ud800"}',
        "[]",
    ],
    ids=[
        "nested-10000",
        "nested-33",
        "nan",
        "infinity",
        "1e400",
        "309-digits",
        "32kb",
        "surrogate",
        "array",
    ],
)
async def test_preview_input_limits_are_400_naming_input(world: World, text: str) -> None:
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT,
        "PreviewDestinationFilter",
        _preview("all", text),
        world.read,
    )
    assert violated_fields(failure) == ["input"]


async def test_a_preview_at_the_input_limits_answers(world: World) -> None:
    deep = '{"a": ' * (JSON_MAX_DEPTH - 1) + '{"b": 1}' + "}" * (JSON_MAX_DEPTH - 1)
    for text in (deep, json.dumps({"a": "x" * (MAX_EVENT_BYTES - 20)})):
        answer = await world.call("PreviewDestinationFilter", _preview("all", text), world.read)
        assert json.loads(answer.output) == json.loads(text)  # type: ignore[attr-defined]


async def test_a_preview_that_would_cost_too_much_is_400_naming_the_filter(world: World) -> None:
    """500 comparisons of a 7,000-item list with itself: 1.2 s of CPU on the event loop before
    the step budget (fql/budget.py); now refused after MAX_STEPS, off the loop."""
    statement = " and ".join(["properties.a = properties.a"] * 500)
    text = json.dumps({"properties": {"a": [0] * 7000}})
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT,
        "PreviewDestinationFilter",
        _preview(statement, text),
        world.read,
    )
    assert violated_fields(failure) == ["filter"]
    assert f"within {MAX_STEPS} steps" in failure.message


async def _plan_and_sources(world: World, count: int) -> str:
    plan = await world.call("CreateTrackingPlan", create_tracking_plan_request("p"))
    for index in range(count):
        await world.call("CreateSource", create_source_request(f"s{index}"))
    return plan.name  # type: ignore[attr-defined]


async def _connections(world: World, plan: str) -> list[tracking_plans_pb2.SourceConnection]:
    listed = await world.call(
        "ListSourceConnections", tracking_plans_pb2.ListSourceConnectionsRequest(parent=plan)
    )
    return list(listed.connections)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("names", "code", "field"),
    [
        ([f"s{i}" for i in range(MAX_BATCH + 1)], grpc.StatusCode.INVALID_ARGUMENT, "source_names"),
        (["s0"] * 5000, grpc.StatusCode.INVALID_ARGUMENT, "source_names"),
        (["s0", "s1", "s0"], grpc.StatusCode.INVALID_ARGUMENT, "source_names[2]"),
        (["s0"] + [f"missing{i}" for i in range(MAX_BATCH - 1)], grpc.StatusCode.NOT_FOUND, None),
    ],
    ids=["1001", "5000-duplicates", "duplicate", "1000-with-999-missing"],
)
async def test_a_batch_over_its_limits_is_refused_and_connects_nothing(
    world: World, names: list[str], code: grpc.StatusCode, field: str | None
) -> None:
    plan = await _plan_and_sources(world, 2)
    request = tracking_plans_pb2.BatchCreateSourceConnectionsRequest(
        parent=plan, source_names=[source_name(slug) for slug in names]
    )
    failure = await world.fail(code, "BatchCreateSourceConnections", request)
    if field is not None:
        assert violated_fields(failure) == [field]
    assert await _connections(world, plan) == []


async def test_a_batch_within_its_limit_is_stored_and_listed(world: World) -> None:
    plan = await _plan_and_sources(world, 40)
    names = [source_name(f"s{i}") for i in range(40)]
    request = tracking_plans_pb2.BatchCreateSourceConnectionsRequest(
        parent=plan, source_names=names
    )
    created = await world.call("BatchCreateSourceConnections", request)
    assert [c.source_name for c in created.connections] == names  # type: ignore[attr-defined]
    assert await _connections(world, plan) == list(created.connections)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "field"),
    [("x" * 2_000_000, "schema_config"), ("x" * 5000, "schema_config.forwarding_violations_to")],
    ids=["2mb", "not-a-slug"],
)
async def test_a_schema_config_over_its_limits_is_400_and_changes_nothing(
    world: World, value: str, field: str
) -> None:
    await world.call("CreateSource", create_source_request("web"))
    name = "workspaces/acme/sources/web/schema-config"
    before = await world.call("GetSchemaConfig", sources_pb2.GetSchemaConfigRequest(name=name))
    request = sources_pb2.UpdateSchemaConfigRequest(
        schema_config=sources_pb2.SchemaConfig(name=name, forwarding_violations_to=value)
    )
    request.update_mask.paths.append("schema_config.forwarding_violations_to")
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "UpdateSchemaConfig", request)
    assert violated_fields(failure) == [field]
    assert len(failure.message) < 1024  # the value is not echoed whole
    after = await world.call("GetSchemaConfig", sources_pb2.GetSchemaConfigRequest(name=name))
    assert after == before


async def test_a_filter_update_that_would_pass_1_mib_is_400_and_stores_nothing(
    world: World,
) -> None:
    """The statement and description kept from before, with actions that fill the request's
    own 1 MiB: together they would pass it (SPEC §6: also after an update's merge)."""
    await _destination(world)
    created = await world.call(
        "CreateDestinationFilter",
        _filter(description="d" * 4096, **{"if": _statement_of_length(MAX_STATEMENT_LENGTH)}),
    )
    name = created.name  # type: ignore[attr-defined]
    names = [f"{i:0>100}" for i in range(10_200)]  # about 1,040,000 bytes encoded
    update = destination_filters_pb2.UpdateDestinationFilterRequest(
        filter=_filter(actions=_blacklist(names)).filter
    )
    update.filter.name = name
    assert update.filter.ByteSize() <= MAX_RESOURCE_BYTES < update.filter.ByteSize() + 20_000
    update.update_mask.paths.append("actions")
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "UpdateDestinationFilter", update)
    assert violated_fields(failure) == ["filter"]
    got = await world.call(
        "GetDestinationFilter", destination_filters_pb2.GetDestinationFilterRequest(name=name)
    )
    assert got == created
