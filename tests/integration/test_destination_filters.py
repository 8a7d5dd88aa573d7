"""Destination filters (SPEC §6.8), over both transports."""

from __future__ import annotations

import json
import re
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from segment.config.v1beta import destination_filters_pb2 as pb
from segment.config.v1beta import destinations_pb2, sources_pb2

from tests.integration.api import RestApi
from tests.integration.harness import (
    World,
    assert_resource_info,
    create_destination_request,
    create_source_request,
    destination_name,
    violated_fields,
)

DESTINATION = destination_name("js", "heap")
FILTER_ID = re.compile(r"df_[0-9A-Za-z]{27}")


def _filter(**fields: Any) -> pb.DestinationFilter:
    """A filter from snake_case JSON, as a client sends it (`if` is a Python keyword)."""
    return json_format.ParseDict(fields, pb.DestinationFilter())


def _create(parent: str = DESTINATION, **fields: Any) -> pb.CreateDestinationFilterRequest:
    document = {"title": "Only track", "if": "type = 'track'", **fields}
    return pb.CreateDestinationFilterRequest(parent=parent, filter=_filter(**document))


async def _destination(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    await world.call("CreateDestination", create_destination_request("js", "heap"))


async def _created(world: World, **fields: Any) -> pb.DestinationFilter:
    made = await world.call("CreateDestinationFilter", _create(**fields))
    assert isinstance(made, pb.DestinationFilter)
    return made


async def test_create_generates_a_df_id_and_get_and_list_return_it(world: World) -> None:
    await _destination(world)
    actions = [
        {"type": "drop_event"},
        {"type": "sample_event", "percent": 0.6, "path": "userId"},
        {"type": "whitelist_fields", "fields": {"properties": {"fields": ["order"]}}},
    ]
    made = await _created(world, actions=actions, enabled=True, description="why")
    parent, _, filter_id = made.name.rpartition("/filters/")
    assert parent == DESTINATION and FILTER_ID.fullmatch(filter_id)
    assert getattr(made, "if") == "type = 'track'"
    if isinstance(world.api, RestApi):  # the JSON key is `if`
        assert world.api.last_json["if"] == "type = 'track'"
        assert world.api.last_json["actions"][2]["fields"] == {"properties": {"fields": ["order"]}}
    got = await world.call("GetDestinationFilter", pb.GetDestinationFilterRequest(name=made.name))
    assert got == made
    listed = await world.call(
        "ListDestinationFilters", pb.ListDestinationFiltersRequest(parent=DESTINATION)
    )
    assert isinstance(listed, pb.ListDestinationFiltersResponse)
    assert list(listed.filters) == [made] and listed.next_page_token == ""


async def test_all_matches_every_event(world: World) -> None:
    await _destination(world)
    made = await _created(world, **{"if": "all"})
    assert getattr(made, "if") == "all"


async def test_an_invalid_statement_is_400_saying_where_and_what(world: World) -> None:
    await _destination(world)
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, "CreateDestinationFilter", _create(**{"if": "type = "})
    )
    assert violated_fields(failure) == ["filter.if"]
    assert "at position 7: expected" in failure.message
    listed = await world.call(
        "ListDestinationFilters", pb.ListDestinationFiltersRequest(parent=DESTINATION)
    )
    assert isinstance(listed, pb.ListDestinationFiltersResponse) and not listed.filters


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"title": ""}, "filter.title", id="no-title"),
        pytest.param({"if": ""}, "filter.if", id="no-if"),
        pytest.param({"actions": [{"type": "explode"}]}, "filter.actions[0].type", id="type"),
        pytest.param(
            {"actions": [{"type": "sample_event", "percent": 1.5}]},
            "filter.actions[0].percent",
            id="percent",
        ),
        pytest.param(
            {"actions": [{"type": "sample_event", "percent": 0.5, "path": "user..id"}]},
            "filter.actions[0].path",
            id="path",
        ),
    ],
)
async def test_bad_fields_are_refused_naming_them(
    world: World, fields: dict[str, Any], field: str
) -> None:
    await _destination(world)
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, "CreateDestinationFilter", _create(**fields)
    )
    assert violated_fields(failure) == [field]


async def test_the_destination_must_exist(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    failure = await world.fail(grpc.StatusCode.NOT_FOUND, "CreateDestinationFilter", _create())
    assert_resource_info(failure, "config.segmentapis.com/Destination", DESTINATION)


@pytest.mark.parametrize("prefix", ["", "filter."])
async def test_update_takes_unprefixed_and_prefixed_paths(world: World, prefix: str) -> None:
    await _destination(world)
    made = await _created(world)
    request = pb.UpdateDestinationFilterRequest(
        filter=_filter(title="Renamed", description="ignored", enabled=True, **{"if": "all"})
    )
    request.filter.name = made.name
    request.update_mask.paths.extend([f"{prefix}title", f"{prefix}if", f"{prefix}enabled"])
    updated = await world.call("UpdateDestinationFilter", request)
    assert isinstance(updated, pb.DestinationFilter)
    assert (updated.title, getattr(updated, "if"), updated.enabled) == ("Renamed", "all", True)
    assert updated.description == ""  # unmasked: unchanged (it was empty)
    assert updated.create_time == made.create_time


async def test_an_update_to_an_invalid_statement_changes_nothing(world: World) -> None:
    await _destination(world)
    made = await _created(world)
    request = pb.UpdateDestinationFilterRequest(filter=_filter(**{"if": "type = = 'x'"}))
    request.filter.name = made.name
    request.update_mask.paths.append("if")
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "UpdateDestinationFilter", request)
    assert violated_fields(failure) == ["filter.if"]
    got = await world.call("GetDestinationFilter", pb.GetDestinationFilterRequest(name=made.name))
    assert got == made


async def test_delete_answers_empty_and_filters_go_with_their_destination(world: World) -> None:
    await _destination(world)
    first, second = await _created(world), await _created(world)
    await world.call("DeleteDestinationFilter", pb.DeleteDestinationFilterRequest(name=first.name))
    if isinstance(world.api, RestApi):
        assert world.api.last_json == {}
    await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetDestinationFilter",
        pb.GetDestinationFilterRequest(name=first.name),
    )
    await world.call(
        "DeleteDestination", destinations_pb2.DeleteDestinationRequest(name=DESTINATION)
    )
    await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetDestinationFilter",
        pb.GetDestinationFilterRequest(name=second.name),
    )
    await world.call(
        "DeleteSource", sources_pb2.DeleteSourceRequest(name="workspaces/acme/sources/js")
    )


async def test_a_made_up_filter_id_is_not_found(world: World) -> None:
    await _destination(world)
    name = f"{DESTINATION}/filters/df_1JjE7f3gz8OXU6lVbUGuDhHcyKl"
    failure = await world.fail(
        grpc.StatusCode.NOT_FOUND, "GetDestinationFilter", pb.GetDestinationFilterRequest(name=name)
    )
    assert_resource_info(failure, "config.segmentapis.com/DestinationFilter", name)


# ---- preview (SPEC §6.8): POST /v1beta/filters/preview ----------------------------------------

EVENT = {"type": "track", "userId": "6592", "properties": {"order": "129", "age": "40"}}


def _preview(statement: str, actions: list[dict[str, Any]], enabled: bool = True) -> Any:
    document = {"if": statement, "actions": actions, "enabled": enabled}
    return pb.PreviewDestinationFilterRequest(filter=_filter(**document), input=json.dumps(EVENT))


async def _previewed(world: World, request: Any) -> pb.PreviewDestinationFilterResponse:
    answer = await world.call("PreviewDestinationFilter", request, token=world.read)
    assert isinstance(answer, pb.PreviewDestinationFilterResponse)
    return answer


async def test_preview_of_a_drop_answers_an_empty_output(world: World) -> None:
    answer = await _previewed(world, _preview("type = 'track'", [{"type": "drop_event"}]))
    assert answer.input == json.dumps(EVENT)
    assert answer.output == ""
    assert answer.diff != ""
    if isinstance(world.api, RestApi):
        assert set(world.api.last_json) == {"input", "output", "diff"}


async def test_preview_of_a_blacklist_removes_the_field(world: World) -> None:
    actions = [{"type": "blacklist_fields", "fields": {"properties": {"fields": ["age"]}}}]
    answer = await _previewed(world, _preview("all", actions))
    expected = {**EVENT, "properties": {"order": "129"}}
    assert json.loads(answer.output) == expected
    assert "age" in answer.diff


async def test_preview_of_a_disabled_or_unmatched_filter_changes_nothing(world: World) -> None:
    for request in (
        _preview("all", [{"type": "drop_event"}], enabled=False),
        _preview("type = 'identify'", [{"type": "drop_event"}]),
    ):
        answer = await _previewed(world, request)
        assert json.loads(answer.output) == EVENT


async def test_preview_sampling_repeats(world: World) -> None:
    request = _preview("all", [{"type": "sample_event", "percent": 0.5, "path": "userId"}])
    answers = [await _previewed(world, request) for _ in range(3)]
    assert len({(a.output, a.diff) for a in answers}) == 1


@pytest.mark.parametrize(
    ("statement", "actions", "event", "field"),
    [
        pytest.param("type = ", [], EVENT, "filter.if", id="statement"),
        pytest.param("", [], EVENT, "filter.if", id="no-statement"),
        pytest.param("all", [{"type": "explode"}], EVENT, "filter.actions[0].type", id="action"),
        pytest.param("all", [], "not json", "input", id="input"),
    ],
)
async def test_preview_of_bad_input_is_400_naming_the_field(
    world: World, statement: str, actions: list[dict[str, Any]], event: Any, field: str
) -> None:
    request = _preview(statement, actions)
    request.input = event if isinstance(event, str) else json.dumps(event)
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, "PreviewDestinationFilter", request, token=world.read
    )
    assert violated_fields(failure) == [field]


async def test_filters_page_in_creation_order(world: World) -> None:
    await _destination(world)
    made = [(await _created(world, title=f"F{i}")).name for i in range(3)]
    seen: list[str] = []
    request = pb.ListDestinationFiltersRequest(parent=DESTINATION, page_size=2)
    while True:
        page = await world.call("ListDestinationFilters", request)
        assert isinstance(page, pb.ListDestinationFiltersResponse)
        assert len(page.filters) <= 2
        seen += [f.name for f in page.filters]
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert seen == made
