"""The whole lifecycle of every resource, as a client of the API lives it (SPEC §6).

Each test runs over gRPC (generated stubs) and over REST (requests built from the HTTP bindings).
"""

from __future__ import annotations

import re

import grpc
from google.protobuf import empty_pb2
from segment.config.v1beta import (
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from tests.integration.harness import (
    World,
    as_json,
    assert_resource_info,
    config_entry,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    destination_name,
    let_clock_pass,
    source_name,
    tracking_plan,
)

WRITE_KEY = re.compile(r"[0-9A-Za-z]{32}")
TRACKING_PLAN_NAME = re.compile(r"workspaces/acme/tracking-plans/rs_[0-9A-Za-z]{27}")
SOURCE_TYPE = "config.segmentapis.com/Source"
DESTINATION_TYPE = "config.segmentapis.com/Destination"
TRACKING_PLAN_TYPE = "config.segmentapis.com/TrackingPlan"


# ---- workspaces (SPEC §6.1) --------------------------------------------------------------------


async def test_list_workspaces_returns_the_callers_workspace(world: World) -> None:
    listed = await world.call("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())
    assert isinstance(listed, workspaces_pb2.ListWorkspacesResponse)
    assert [w.name for w in listed.workspaces] == ["workspaces/acme"]
    assert listed.next_page_token == ""
    acme = listed.workspaces[0]
    assert acme.display_name == "Acme Inc"
    assert len(acme.id) == 10
    assert acme.HasField("create_time")


async def test_get_workspace_equals_its_list_entry(world: World) -> None:
    listed = await world.call("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())
    got = await world.call("GetWorkspace", workspaces_pb2.GetWorkspaceRequest(name=world.workspace))
    assert isinstance(listed, workspaces_pb2.ListWorkspacesResponse)
    assert got == listed.workspaces[0]


# ---- sources (SPEC §6.2) -----------------------------------------------------------------------


async def test_source_lifecycle(world: World) -> None:
    created = await world.call("CreateSource", create_source_request("js"))
    assert isinstance(created, sources_pb2.Source)
    assert created.name == source_name("js")
    assert created.parent == "workspaces/acme"
    assert created.catalog_name == "catalog/sources/javascript"
    assert created.display_name == "js"  # defaults to the slug
    assert len(created.write_keys) == 1 and WRITE_KEY.fullmatch(created.write_keys[0])
    assert created.HasField("library_config")  # always present, even never set
    assert created.HasField("create_time")

    got = await world.call("GetSource", sources_pb2.GetSourceRequest(name=created.name))
    assert got == created

    listed = await world.call("ListSources", sources_pb2.ListSourcesRequest(parent=world.workspace))
    assert isinstance(listed, sources_pb2.ListSourcesResponse)
    assert list(listed.sources) == [created]
    assert listed.next_page_token == ""

    update = sources_pb2.UpdateSourceRequest(
        source=sources_pb2.Source(name=created.name, display_name="Website")
    )
    update.update_mask.paths.append("source.display_name")
    updated = await world.call("UpdateSource", update)
    assert isinstance(updated, sources_pb2.Source)
    assert updated.display_name == "Website"
    assert updated.create_time == created.create_time
    assert list(updated.write_keys) == list(created.write_keys)

    deleted = await world.call("DeleteSource", sources_pb2.DeleteSourceRequest(name=created.name))
    assert deleted == empty_pb2.Empty()
    failure = await world.fail(
        grpc.StatusCode.NOT_FOUND, "GetSource", sources_pb2.GetSourceRequest(name=created.name)
    )
    assert_resource_info(failure, SOURCE_TYPE, created.name)


async def test_create_source_keeps_the_optional_fields_sent(world: World) -> None:
    request = create_source_request(
        "ios",
        catalog="ios",
        display_name="iOS app",
        labels={"team": "mobile", "env": "prod"},
        library_config={"retry_queue": True, "api_host": "api.example.com"},
    )
    created = await world.call("CreateSource", request)
    assert isinstance(created, sources_pb2.Source)
    assert created.display_name == "iOS app"
    assert dict(created.labels) == {"team": "mobile", "env": "prod"}
    assert as_json(created.library_config) == {
        "metrics_enabled": False,
        "retry_queue": True,
        "cross_domain_id_enabled": False,
        "api_host": "api.example.com",
    }


async def test_create_source_ignores_output_only_fields(world: World) -> None:
    request = create_source_request(
        "js",
        write_keys=["mine"],
        parent="workspaces/globex",
        create_time="2001-01-01T00:00:00Z",
    )
    created = await world.call("CreateSource", request)
    assert isinstance(created, sources_pb2.Source)
    assert list(created.write_keys) != ["mine"]
    assert created.parent == "workspaces/acme"
    assert created.create_time.seconds > 978307200


async def test_deleting_a_source_deletes_its_destinations(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    await world.call("CreateDestination", create_destination_request("js", "heap"))
    await world.call("DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name("js")))
    await world.call("CreateSource", create_source_request("js"))

    listed = await world.call(
        "ListDestinations", destinations_pb2.ListDestinationsRequest(parent=source_name("js"))
    )
    assert isinstance(listed, destinations_pb2.ListDestinationsResponse)
    assert list(listed.destinations) == []
    await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetDestination",
        destinations_pb2.GetDestinationRequest(name=destination_name("js", "heap")),
    )


# ---- destinations (SPEC §6.3) ------------------------------------------------------------------


async def test_destination_lifecycle(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    request = create_destination_request(
        "js",
        "google-analytics",
        config={"trackingId": "UA-1234-1", "anonymizeIp": True},
        enabled=True,
        connection_mode="CLOUD",
    )
    created = await world.call("CreateDestination", request)
    assert isinstance(created, destinations_pb2.Destination)
    name = destination_name("js", "google-analytics")
    assert created.name == name
    assert created.parent == source_name("js")
    assert created.display_name == "Google Analytics"  # from the catalog
    assert created.enabled is True
    assert created.connection_mode == destinations_pb2.Destination.CLOUD
    assert [as_json(entry) for entry in created.config] == [
        {
            "name": f"{name}/config/trackingId",
            "display_name": "Website Tracking ID",
            "value": "UA-1234-1",
            "type": "string",
        },
        {
            "name": f"{name}/config/anonymizeIp",
            "display_name": "Anonymize IP addresses",
            "value": True,
            "type": "boolean",
        },
    ]
    assert created.create_time == created.update_time

    got = await world.call("GetDestination", destinations_pb2.GetDestinationRequest(name=name))
    assert got == created
    listed = await world.call(
        "ListDestinations", destinations_pb2.ListDestinationsRequest(parent=source_name("js"))
    )
    assert isinstance(listed, destinations_pb2.ListDestinationsResponse)
    assert list(listed.destinations) == [created]

    await let_clock_pass(world, created.update_time)
    update = destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(name=name, enabled=False)
    )
    update.update_mask.paths.append("destination.enabled")
    updated = await world.call("UpdateDestination", update)
    assert isinstance(updated, destinations_pb2.Destination)
    assert updated.enabled is False
    assert list(updated.config) == list(created.config)
    assert updated.create_time == created.create_time
    assert updated.update_time.ToMilliseconds() > created.update_time.ToMilliseconds()

    deleted = await world.call(
        "DeleteDestination", destinations_pb2.DeleteDestinationRequest(name=name)
    )
    assert deleted == empty_pb2.Empty()
    failure = await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetDestination",
        destinations_pb2.GetDestinationRequest(name=name),
    )
    assert_resource_info(failure, DESTINATION_TYPE, name)


async def test_destination_defaults(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    created = await world.call("CreateDestination", create_destination_request("js", "heap"))
    assert isinstance(created, destinations_pb2.Destination)
    assert created.enabled is False
    assert created.connection_mode == destinations_pb2.Destination.UNSPECIFIED
    assert list(created.config) == []  # only the entries that were set


async def test_destination_config_type_is_filled_from_the_catalog_or_checked(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    request = create_destination_request("js", "amplitude")
    name = request.destination.name
    typed = config_entry(name, "eventUploadThreshold", 50)
    typed.type = "NUMBER"  # any case is accepted
    request.destination.config.extend([typed, config_entry(name, "traitsToIncrement", ["a"])])
    created = await world.call("CreateDestination", request)
    assert isinstance(created, destinations_pb2.Destination)
    assert [(entry.type, as_json(entry)["value"]) for entry in created.config] == [
        ("number", 50),
        ("list", ["a"]),
    ]


async def test_destination_config_merges_by_name_and_clears(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    name = destination_name("js", "google-analytics")
    await world.call(
        "CreateDestination",
        create_destination_request(
            "js", "google-analytics", config={"trackingId": "UA-1-1", "anonymizeIp": True}
        ),
    )

    merge = destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(
            name=name,
            config=[
                config_entry(name, "trackingId", "UA-2-2"),
                config_entry(name, "siteSpeedSampleRate", 50),
            ],
        )
    )
    merge.update_mask.paths.append("destination.config")
    merged = await world.call("UpdateDestination", merge)
    assert isinstance(merged, destinations_pb2.Destination)
    values = {entry.name.rsplit("/", 1)[1]: as_json(entry)["value"] for entry in merged.config}
    assert values == {"trackingId": "UA-2-2", "anonymizeIp": True, "siteSpeedSampleRate": 50}

    clear = destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(name=name)
    )
    clear.update_mask.paths.append("destination.config")
    cleared = await world.call("UpdateDestination", clear)
    assert isinstance(cleared, destinations_pb2.Destination)
    assert list(cleared.config) == []
    got = await world.call("GetDestination", destinations_pb2.GetDestinationRequest(name=name))
    assert got == cleared


# ---- tracking plans (SPEC §6.4) ----------------------------------------------------------------


async def test_tracking_plan_lifecycle(world: World) -> None:
    rules = {"global": {"type": "object"}, "events": [{"name": "Signed Up", "rules": {}}]}
    created = await world.call("CreateTrackingPlan", create_tracking_plan_request("Plan", rules))
    assert isinstance(created, tracking_plans_pb2.TrackingPlan)
    assert TRACKING_PLAN_NAME.fullmatch(created.name), created.name
    assert created.display_name == "Plan"
    assert created.rules.events[0].version == 1  # defaults to 1
    assert created.create_time == created.update_time

    got = await world.call(
        "GetTrackingPlan", tracking_plans_pb2.GetTrackingPlanRequest(name=created.name)
    )
    assert got == created
    listed = await world.call(
        "ListTrackingPlans", tracking_plans_pb2.ListTrackingPlansRequest(parent=world.workspace)
    )
    assert isinstance(listed, tracking_plans_pb2.ListTrackingPlansResponse)
    assert list(listed.tracking_plans) == [created]

    await let_clock_pass(world, created.update_time)
    update = tracking_plans_pb2.UpdateTrackingPlanRequest(tracking_plan=tracking_plan("Renamed"))
    update.tracking_plan.name = created.name
    update.update_mask.paths.append("tracking_plan.display_name")
    updated = await world.call("UpdateTrackingPlan", update)
    assert isinstance(updated, tracking_plans_pb2.TrackingPlan)
    assert updated.display_name == "Renamed"
    assert updated.rules == created.rules
    assert updated.create_time == created.create_time
    assert updated.update_time.ToMilliseconds() > created.update_time.ToMilliseconds()

    deleted = await world.call(
        "DeleteTrackingPlan", tracking_plans_pb2.DeleteTrackingPlanRequest(name=created.name)
    )
    assert deleted == empty_pb2.Empty()
    failure = await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetTrackingPlan",
        tracking_plans_pb2.GetTrackingPlanRequest(name=created.name),
    )
    assert_resource_info(failure, TRACKING_PLAN_TYPE, created.name)


async def test_tracking_plans_get_distinct_generated_ids(world: World) -> None:
    names = set()
    for index in range(3):
        plan = await world.call("CreateTrackingPlan", create_tracking_plan_request(f"Plan {index}"))
        assert isinstance(plan, tracking_plans_pb2.TrackingPlan)
        names.add(plan.name)
    assert len(names) == 3
