"""Several server processes of one deployment share one database (SPEC §3, DESIGN "storage").

Two `ConfigApiServer`s on the same SQLite file stand in for two processes: they share no
memory, only storage.
"""

from __future__ import annotations

import grpc
from segment.config.v1beta import access_tokens_pb2, sources_pb2, workspaces_pb2

from configapi.auth.tokens import SCOPE_WRITE
from tests.integration.harness import (
    Connect,
    RunningServer,
    StartServer,
    create_source_request,
    expect_failure,
    source_name,
)

LIST_WORKSPACES = ("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())


async def _two_processes(
    start_server: StartServer, **settings: object
) -> tuple[RunningServer, RunningServer, str]:
    first = await start_server(**settings)
    second = await start_server(database=first.settings.database, **settings)
    await first.add_workspace("acme")
    return first, second, await first.add_token("acme")


async def test_what_one_process_writes_the_other_reads(
    start_server: StartServer, connect_to: Connect
) -> None:
    first, second, token = await _two_processes(start_server)
    created = await connect_to(first).call("CreateSource", create_source_request("js"), token)
    got = await connect_to(second).call(
        "GetSource", sources_pb2.GetSourceRequest(name=source_name("js")), token
    )
    assert got == created


async def test_a_token_deleted_through_one_process_stops_working_on_the_other(
    start_server: StartServer, connect_to: Connect
) -> None:
    # the other process sees the deletion once its token cache expires; 0 makes that at once
    first, second, token = await _two_processes(start_server, token_cache_seconds=0)
    one, other = connect_to(first), connect_to(second)
    request = access_tokens_pb2.CreateAccessTokenRequest(
        access_token=access_tokens_pb2.AccessToken(
            description="doomed", scopes=SCOPE_WRITE, workspace_names=["workspaces/acme"]
        )
    )
    doomed = await one.call("CreateAccessToken", request, token)
    assert isinstance(doomed, access_tokens_pb2.AccessToken)
    await other.call(*LIST_WORKSPACES, doomed.token)
    await one.call(
        "DeleteAccessToken", access_tokens_pb2.DeleteAccessTokenRequest(name=doomed.name), token
    )
    await expect_failure(
        grpc.StatusCode.UNAUTHENTICATED, other.call(*LIST_WORKSPACES, doomed.token)
    )


async def test_the_rate_limit_is_shared_by_all_processes(
    start_server: StartServer, connect_to: Connect
) -> None:
    # SPEC §3: 200 requests per minute per token "across both transports and all server
    # processes of one deployment"; `serve --workers N` puts its processes on the shared store
    first, second, token = await _two_processes(
        start_server, rate_limit=2, rate_limit_store="database"
    )
    one, other = connect_to(first), connect_to(second)
    await one.call(*LIST_WORKSPACES, token)
    await other.call(*LIST_WORKSPACES, token)
    for api in (one, other):
        await expect_failure(grpc.StatusCode.RESOURCE_EXHAUSTED, api.call(*LIST_WORKSPACES, token))
