"""Source schema config (SPEC §6.7): a singleton of every source, over both transports."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from segment.config.v1beta import sources_pb2

from tests.integration.api import RestApi
from tests.integration.harness import (
    World,
    create_source_request,
    source_name,
    violated_fields,
)

ALLOW_FIELDS = [
    "allow_unplanned_track_events",
    "allow_unplanned_identify_traits",
    "allow_unplanned_group_traits",
    "allow_unplanned_track_event_properties",
    "allow_track_event_on_violations",
    "allow_identify_traits_on_violations",
    "allow_group_traits_on_violations",
    "allow_track_properties_on_violations",
]
Config = sources_pb2.SchemaConfig


def _name(slug: str = "js") -> str:
    return f"{source_name(slug)}/schema-config"


def _get(slug: str = "js") -> sources_pb2.GetSchemaConfigRequest:
    return sources_pb2.GetSchemaConfigRequest(name=_name(slug))


def _update(
    *paths: str, slug: str = "js", **fields: object
) -> sources_pb2.UpdateSchemaConfigRequest:
    request = sources_pb2.UpdateSchemaConfigRequest(
        schema_config=Config(name=_name(slug), **fields)
    )
    request.update_mask.paths.extend(paths)
    return request


async def test_a_new_source_has_the_default_config(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    got = await world.call("GetSchemaConfig", _get())
    expected = Config(name=_name(), parent=source_name("js"), **dict.fromkeys(ALLOW_FIELDS, True))
    assert got == expected
    if isinstance(world.api, RestApi):  # every field on the wire, enums by name
        assert world.api.last_json == {
            "name": _name(),
            "parent": source_name("js"),
            **dict.fromkeys(ALLOW_FIELDS, True),
            "forwarding_blocked_events_to": "",
            "forwarding_violations_to": "",
            "common_track_event_on_violations": "ALLOW",
            "common_identify_event_on_violations": "ALLOW",
            "common_group_event_on_violations": "ALLOW",
        }


async def test_update_changes_only_the_masked_paths(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    await world.call("CreateSource", create_source_request("violations"))
    updated = await world.call(
        "UpdateSchemaConfig",
        _update(
            "schema_config.allow_unplanned_track_events",
            "schema_config.forwarding_violations_to",
            "common_track_event_on_violations",
            allow_unplanned_identify_traits=False,  # not masked: unchanged
            forwarding_violations_to="violations",
            common_track_event_on_violations=Config.OMIT_PROPERTIES,
        ),
    )
    assert isinstance(updated, Config)
    assert updated.allow_unplanned_track_events is False  # masked, no value: the empty value
    assert updated.allow_unplanned_identify_traits is True
    assert updated.forwarding_violations_to == "violations"
    assert updated.common_track_event_on_violations == Config.OMIT_PROPERTIES
    assert await world.call("GetSchemaConfig", _get()) == updated


async def test_data_but_no_paths_changes_nothing(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    before = await world.call("GetSchemaConfig", _get())
    after = await world.call("UpdateSchemaConfig", _update(allow_unplanned_track_events=False))
    assert after == before


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        pytest.param("forwarding_blocked_events_to", {"forwarding_blocked_events_to": "nowhere"}),
        pytest.param("forwarding_violations_to", {"forwarding_violations_to": "Not A Slug"}),
        pytest.param(
            "common_identify_event_on_violations",
            {"common_identify_event_on_violations": Config.OMIT_PROPERTIES},
        ),
        pytest.param(
            "common_track_event_on_violations",
            {"common_track_event_on_violations": Config.OMIT_TRAITS},
        ),
    ],
)
async def test_a_bad_value_is_refused_naming_the_field(
    world: World, path: str, fields: dict[str, object]
) -> None:
    await world.call("CreateSource", create_source_request("js"))
    before = await world.call("GetSchemaConfig", _get())
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT, "UpdateSchemaConfig", _update(path, **fields)
    )
    assert violated_fields(failure) == [f"schema_config.{path}"]
    assert await world.call("GetSchemaConfig", _get()) == before  # nothing written


async def test_forwarding_to_a_source_of_another_workspace_is_refused(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    await world.call("CreateSource", create_source_request("other", "globex"), token=world.globex)
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT,
        "UpdateSchemaConfig",
        _update("forwarding_blocked_events_to", forwarding_blocked_events_to="other"),
    )
    assert violated_fields(failure) == ["schema_config.forwarding_blocked_events_to"]


async def test_the_config_goes_with_its_source(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    await world.call("UpdateSchemaConfig", _update("allow_unplanned_track_events"))  # stored now
    await world.call("DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name("js")))
    await world.fail(grpc.StatusCode.NOT_FOUND, "GetSchemaConfig", _get())
    await world.fail(
        grpc.StatusCode.NOT_FOUND, "UpdateSchemaConfig", _update("allow_unplanned_track_events")
    )
    await world.call("CreateSource", create_source_request("js"))  # a new source: defaults
    got = await world.call("GetSchemaConfig", _get())
    assert isinstance(got, Config) and got.allow_unplanned_track_events is True


async def test_concurrent_first_updates_all_succeed_and_one_config_is_stored(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    fields = ALLOW_FIELDS[:4]
    answers = await asyncio.gather(
        *(world.call("UpdateSchemaConfig", _update(f"schema_config.{f}")) for f in fields)
    )
    assert all(isinstance(a, Config) for a in answers)
    got = await world.call("GetSchemaConfig", _get())
    assert isinstance(got, Config)
    assert not any(getattr(got, f) for f in fields)  # every update landed on the one config
