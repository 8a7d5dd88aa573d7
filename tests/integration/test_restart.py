"""A restarted server (stop, then a new one on the same database) keeps everything (DESIGN)."""

from __future__ import annotations

import grpc
from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from configapi.auth.tokens import SCOPE_READ
from tests.integration.api import Api
from tests.integration.harness import (
    Connect,
    StartServer,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    expect_failure,
    source_name,
)


async def _snapshot(api: Api, token: str, plan: str, access_token: str) -> list[Message]:
    """Everything a client can read of what the test created."""
    reads: list[tuple[str, Message]] = [
        ("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest()),
        ("ListSources", sources_pb2.ListSourcesRequest(parent="workspaces/acme")),
        ("ListDestinations", destinations_pb2.ListDestinationsRequest(parent=source_name("js"))),
        ("GetTrackingPlan", tracking_plans_pb2.GetTrackingPlanRequest(name=plan)),
        ("ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest()),
        ("GetAccessToken", access_tokens_pb2.GetAccessTokenRequest(name=access_token)),
    ]
    return [await api.call(method, request, token) for method, request in reads]


async def test_a_restarted_server_keeps_data_and_tokens(
    start_server: StartServer, connect_to: Connect
) -> None:
    first = await start_server()
    await first.add_workspace("acme")
    seeded = await first.add_token("acme")
    api = connect_to(first)
    await api.call("CreateSource", create_source_request("js", labels={"k": "v"}), seeded)
    for slug in ("heap", "hotjar"):
        await api.call("CreateDestination", create_destination_request("js", slug), seeded)
    plan = await api.call(
        "CreateTrackingPlan",
        create_tracking_plan_request("Plan", {"global": {"type": "object", "maxProperties": 3}}),
        seeded,
    )
    new_token = access_tokens_pb2.CreateAccessTokenRequest(
        access_token=access_tokens_pb2.AccessToken(
            description="made over the API", scopes=SCOPE_READ, workspace_names=["workspaces/acme"]
        )
    )
    made = await api.call("CreateAccessToken", new_token, seeded)
    doomed = await api.call("CreateAccessToken", new_token, seeded)
    await api.call(
        "DeleteAccessToken",
        access_tokens_pb2.DeleteAccessTokenRequest(name=doomed.name),  # type: ignore[attr-defined]
        seeded,
    )
    page = await api.call(
        "ListDestinations",
        destinations_pb2.ListDestinationsRequest(parent=source_name("js"), page_size=1),
        seeded,
    )
    names = (plan.name, made.name)  # type: ignore[attr-defined]
    before = await _snapshot(api, seeded, *names)
    await first.stop()

    second = await start_server(database=first.settings.database)
    api = connect_to(second)
    assert await _snapshot(api, seeded, *names) == before
    # tokens made over the API keep working, deleted ones stay deleted
    await api.call("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest(), made.token)  # type: ignore[attr-defined]
    await expect_failure(
        grpc.StatusCode.UNAUTHENTICATED,
        api.call("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest(), doomed.token),  # type: ignore[attr-defined]
    )
    # a page token issued before the restart still continues the walk
    following = await api.call(
        "ListDestinations",
        destinations_pb2.ListDestinationsRequest(
            parent=source_name("js"),
            page_size=1,
            page_token=page.next_page_token,  # type: ignore[attr-defined]
        ),
        seeded,
    )
    assert [d.name for d in following.destinations] == [  # type: ignore[attr-defined]
        f"{source_name('js')}/destinations/hotjar"
    ]
