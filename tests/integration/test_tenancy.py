"""Tenancy (SPEC §3): a workspace the token does not hold looks exactly like one that is empty."""

from __future__ import annotations

import grpc
from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from tests.integration.api import ApiFailure
from tests.integration.examples import Targets, example_requests
from tests.integration.harness import (
    World,
    attempt,
    check_failure,
    codes,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
)

# methods that reach into another workspace through their target (the rest are global, or,
# for CreateAccessToken, refused as "broader than the caller": 403, see test_access_tokens)
GLOBAL_METHODS = {
    "ListWorkspaces",
    "ListAccessTokens",
    "CreateAccessToken",
    "ListCatalogSources",
    "GetCatalogSource",
    "ListCatalogDestinations",
    "GetCatalogDestination",
    "PreviewDestinationFilter",  # names no resource: stores and reads nothing
}


async def _fill_globex(world: World) -> Targets:
    """Globex's own token creates one resource of each kind there."""
    token = world.globex
    await world.call("CreateSource", create_source_request("js", "globex"), token)
    await world.call(
        "CreateDestination", create_destination_request("js", "heap", workspace="globex"), token
    )
    plan = await world.call(
        "CreateTrackingPlan", create_tracking_plan_request("P", workspace="globex"), token
    )
    new_token = access_tokens_pb2.AccessToken(
        description="globex only", scopes="workspace", workspace_names=["workspaces/globex"]
    )
    created = await world.call(
        "CreateAccessToken",
        access_tokens_pb2.CreateAccessTokenRequest(access_token=new_token),
        token,
    )
    return Targets(
        workspace="globex",
        source="js",
        destination="heap",
        tracking_plan_id=plan.name.rsplit("/", 1)[1],  # type: ignore[attr-defined]
        access_token_id=created.name.rsplit("/", 1)[1],  # type: ignore[attr-defined]
    )


def _foreign_requests(targets: Targets) -> dict[str, Message]:
    return {n: r for n, r in example_requests(targets).items() if n not in GLOBAL_METHODS}


async def _attempt_all(world: World, requests: dict[str, Message]) -> dict[str, ApiFailure | None]:
    return {name: await attempt(world.api, name, r, world.write) for name, r in requests.items()}


def _as_seen(failure: ApiFailure | None) -> tuple[object, ...]:
    assert failure is not None
    return (failure.code, failure.message, [d.SerializeToString() for d in failure.details])


async def test_everything_in_another_workspace_is_not_found_as_if_missing(world: World) -> None:
    targets = await _fill_globex(world)
    requests = _foreign_requests(targets)

    existing = await _attempt_all(world, requests)
    assert codes(existing) == dict.fromkeys(requests, "NOT_FOUND")
    for failure in existing.values():
        assert failure is not None
        check_failure(failure, grpc.StatusCode.NOT_FOUND)

    # globex removes everything; the same calls must now fail in exactly the same way
    for method in ("DeleteAccessToken", "DeleteTrackingPlan", "DeleteSource"):
        await world.call(method, requests[method], world.globex)
    missing = await _attempt_all(world, requests)
    assert {n: _as_seen(f) for n, f in existing.items()} == {
        n: _as_seen(f) for n, f in missing.items()
    }


async def test_failed_foreign_calls_leave_the_other_workspace_untouched(world: World) -> None:
    targets = await _fill_globex(world)
    await _attempt_all(world, _foreign_requests(targets))
    source = await world.call(
        "GetSource", sources_pb2.GetSourceRequest(name=targets.source_name), world.globex
    )
    assert isinstance(source, sources_pb2.Source)
    assert source.display_name == "js"
    plans = await world.call(
        "ListTrackingPlans",
        tracking_plans_pb2.ListTrackingPlansRequest(parent="workspaces/globex"),
        world.globex,
    )
    assert [p.name for p in plans.tracking_plans] == [targets.tracking_plan_name]  # type: ignore[attr-defined]


async def test_list_workspaces_returns_only_the_tokens_workspaces(world: World) -> None:
    both = await world.server.add_token("acme", "globex")
    for token, expected in [
        (world.write, ["workspaces/acme"]),
        (world.globex, ["workspaces/globex"]),
        (both, ["workspaces/acme", "workspaces/globex"]),
    ]:
        listed = await world.call("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest(), token)
        assert isinstance(listed, workspaces_pb2.ListWorkspacesResponse)
        assert [w.name for w in listed.workspaces] == expected


async def test_a_token_lists_only_tokens_within_its_workspaces(world: World) -> None:
    await world.server.add_token("acme", "globex")
    listed = await world.call("ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest())
    assert isinstance(listed, access_tokens_pb2.ListAccessTokensResponse)
    assert [list(t.workspace_names) for t in listed.access_tokens] == [
        ["workspaces/acme"],
        ["workspaces/acme"],
    ]
