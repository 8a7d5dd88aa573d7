"""Tracking-plan source connections (SPEC §6.9), over both transports."""

from __future__ import annotations

import asyncio

import grpc
from segment.config.v1beta import sources_pb2, tracking_plans_pb2

from tests.integration.api import RestApi
from tests.integration.harness import (
    World,
    assert_resource_info,
    attempt,
    create_source_request,
    create_tracking_plan_request,
    source_name,
    violated_fields,
)

CONNECTION = "config.segmentapis.com/SourceConnection"


async def _plan(world: World, display_name: str = "Plan") -> tracking_plans_pb2.TrackingPlan:
    plan = await world.call("CreateTrackingPlan", create_tracking_plan_request(display_name))
    assert isinstance(plan, tracking_plans_pb2.TrackingPlan)
    return plan


async def _sources(world: World, *slugs: str) -> None:
    for slug in slugs:
        await world.call("CreateSource", create_source_request(slug))


def _create(plan: str, source: str) -> tracking_plans_pb2.CreateSourceConnectionRequest:
    return tracking_plans_pb2.CreateSourceConnectionRequest(parent=plan, source_name=source)


def _batch(plan: str, *sources: str) -> tracking_plans_pb2.BatchCreateSourceConnectionsRequest:
    return tracking_plans_pb2.BatchCreateSourceConnectionsRequest(
        parent=plan, source_names=list(sources)
    )


async def _listed(world: World, plan: str) -> list[tuple[str, str]]:
    listed = await world.call(
        "ListSourceConnections", tracking_plans_pb2.ListSourceConnectionsRequest(parent=plan)
    )
    assert isinstance(listed, tracking_plans_pb2.ListSourceConnectionsResponse)
    return [(c.source_name, c.tracking_plan_id) for c in listed.connections]


async def test_create_answers_the_bare_connection_and_list_shows_it(world: World) -> None:
    plan = await _plan(world)
    plan_id = plan.name.rsplit("/", 1)[1]
    await _sources(world, "js")
    created = await world.call("CreateSourceConnection", _create(plan.name, source_name("js")))
    assert created == tracking_plans_pb2.SourceConnection(
        source_name=source_name("js"), tracking_plan_id=plan_id
    )
    if isinstance(world.api, RestApi):  # reference §5.10: the bare object, no wrapper
        assert world.api.last_json == {
            "source_name": source_name("js"),
            "tracking_plan_id": plan_id,
        }
    assert await _listed(world, plan.name) == [(source_name("js"), plan_id)]
    if isinstance(world.api, RestApi):
        assert world.api.last_json == {
            "connections": [{"source_name": source_name("js"), "tracking_plan_id": plan_id}],
            "next_page_token": "",
        }


async def test_batch_create_connects_every_source_in_order(world: World) -> None:
    plan = await _plan(world)
    await _sources(world, "a", "b", "c")
    names = [source_name(s) for s in ("c", "a", "b")]
    made = await world.call("BatchCreateSourceConnections", _batch(plan.name, *names))
    assert isinstance(made, tracking_plans_pb2.BatchCreateSourceConnectionsResponse)
    assert [c.source_name for c in made.connections] == names
    assert [s for s, _ in await _listed(world, plan.name)] == names


async def test_batch_create_is_all_or_nothing(world: World) -> None:
    plan = await _plan(world)
    await _sources(world, "a", "b")
    missing = source_name("nowhere")
    failure = await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "BatchCreateSourceConnections",
        _batch(plan.name, source_name("a"), missing, source_name("b")),
    )
    assert_resource_info(failure, "config.segmentapis.com/Source", missing)
    assert await _listed(world, plan.name) == []  # nothing half-written


async def test_batch_create_refuses_a_source_listed_twice(world: World) -> None:
    plan = await _plan(world)
    await _sources(world, "a")
    failure = await world.fail(
        grpc.StatusCode.INVALID_ARGUMENT,
        "BatchCreateSourceConnections",
        _batch(plan.name, source_name("a"), source_name("a")),
    )
    assert violated_fields(failure) == ["source_names[1]"]
    assert await _listed(world, plan.name) == []


async def test_a_source_is_connected_to_at_most_one_plan(world: World) -> None:
    first, second = await _plan(world, "First"), await _plan(world, "Second")
    await _sources(world, "js")
    await world.call("CreateSourceConnection", _create(first.name, source_name("js")))
    for plan in (first, second):
        failure = await world.fail(
            grpc.StatusCode.ALREADY_EXISTS,
            "CreateSourceConnection",
            _create(plan.name, source_name("js")),
        )
        assert_resource_info(failure, CONNECTION, f"{first.name}/source-connections/js")
    assert await _listed(world, second.name) == []


async def test_the_source_must_exist_in_the_plans_workspace(world: World) -> None:
    plan = await _plan(world)
    other = await world.call(
        "CreateSource", create_source_request("js", "globex"), token=world.globex
    )
    assert isinstance(other, sources_pb2.Source)
    for source in (source_name("nowhere"), other.name):
        failure = await world.fail(
            grpc.StatusCode.NOT_FOUND, "CreateSourceConnection", _create(plan.name, source)
        )
        assert_resource_info(failure, "config.segmentapis.com/Source", source)


async def test_delete_answers_exactly_empty_and_disconnects(world: World) -> None:
    plan = await _plan(world)
    await _sources(world, "js")
    await world.call("CreateSourceConnection", _create(plan.name, source_name("js")))
    name = f"{plan.name}/source-connections/js"
    request = tracking_plans_pb2.DeleteSourceConnectionRequest(name=name)
    await world.call("DeleteSourceConnection", request)
    if isinstance(world.api, RestApi):  # the ajbosco client fails on anything but `{}`
        assert world.api.last_json == {}
    assert await _listed(world, plan.name) == []
    failure = await world.fail(grpc.StatusCode.NOT_FOUND, "DeleteSourceConnection", request)
    assert_resource_info(failure, CONNECTION, name)
    # connectable again once disconnected
    await world.call("CreateSourceConnection", _create(plan.name, source_name("js")))


async def test_delete_of_a_connection_to_another_plan_is_not_found(world: World) -> None:
    first, second = await _plan(world, "First"), await _plan(world, "Second")
    await _sources(world, "js")
    await world.call("CreateSourceConnection", _create(first.name, source_name("js")))
    name = f"{second.name}/source-connections/js"
    await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "DeleteSourceConnection",
        tracking_plans_pb2.DeleteSourceConnectionRequest(name=name),
    )
    assert len(await _listed(world, first.name)) == 1


async def test_deleting_the_source_removes_its_connection(world: World) -> None:
    plan = await _plan(world)
    await _sources(world, "js", "web")
    await world.call(
        "BatchCreateSourceConnections", _batch(plan.name, source_name("js"), source_name("web"))
    )
    await world.call("DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name("js")))
    assert [s for s, _ in await _listed(world, plan.name)] == [source_name("web")]
    await _sources(world, "js")  # a new source of that slug starts unconnected
    assert [s for s, _ in await _listed(world, plan.name)] == [source_name("web")]


async def test_deleting_the_plan_removes_its_connections(world: World) -> None:
    plan = await _plan(world)
    await _sources(world, "js")
    await world.call("CreateSourceConnection", _create(plan.name, source_name("js")))
    await world.call(
        "DeleteTrackingPlan", tracking_plans_pb2.DeleteTrackingPlanRequest(name=plan.name)
    )
    await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "ListSourceConnections",
        tracking_plans_pb2.ListSourceConnectionsRequest(parent=plan.name),
    )
    second = await _plan(world, "Second")  # the source is free for another plan
    await world.call("CreateSourceConnection", _create(second.name, source_name("js")))


async def test_connections_of_a_missing_plan_are_not_found(world: World) -> None:
    plan = "workspaces/acme/tracking-plans/rs_1N9oTnc5O8cv1peY65iXsSPnzGP"
    await _sources(world, "js")
    for method, request in (
        ("CreateSourceConnection", _create(plan, source_name("js"))),
        ("BatchCreateSourceConnections", _batch(plan, source_name("js"))),
    ):
        failure = await world.fail(grpc.StatusCode.NOT_FOUND, method, request)
        assert_resource_info(failure, "config.segmentapis.com/TrackingPlan", plan)


async def test_connections_page_in_creation_order(world: World) -> None:
    plan = await _plan(world)
    slugs = ["a", "b", "c"]
    await _sources(world, *slugs)
    await world.call("BatchCreateSourceConnections", _batch(plan.name, *map(source_name, slugs)))
    seen: list[str] = []
    request = tracking_plans_pb2.ListSourceConnectionsRequest(parent=plan.name, page_size=2)
    while True:
        page = await world.call("ListSourceConnections", request)
        assert isinstance(page, tracking_plans_pb2.ListSourceConnectionsResponse)
        assert len(page.connections) <= 2
        seen += [c.source_name for c in page.connections]
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert seen == [source_name(s) for s in slugs]


async def test_concurrent_connections_of_one_source_leave_exactly_one(world: World) -> None:
    plans = [await _plan(world, f"P{i}") for i in range(4)]
    await _sources(world, "js")
    outcomes = await asyncio.gather(
        *(
            attempt(
                world.api, "CreateSourceConnection", _create(p.name, source_name("js")), world.write
            )
            for p in plans
        )
    )
    assert sorted("OK" if f is None else f.code.name for f in outcomes) == [
        "ALREADY_EXISTS",
        "ALREADY_EXISTS",
        "ALREADY_EXISTS",
        "OK",
    ]
    listed = [await _listed(world, p.name) for p in plans]
    assert sum(len(connections) for connections in listed) == 1
    (winner,) = [p.name for p, connections in zip(plans, listed, strict=True) if connections]
    for failure in outcomes:  # each refusal names the connection that won
        if failure is not None:
            assert_resource_info(failure, CONNECTION, f"{winner}/source-connections/js")
