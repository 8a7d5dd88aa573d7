"""Personal access tokens (SPEC §3, §6.5): the secret is shown once, scopes hold, deletion bites."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import empty_pb2
from google.rpc import error_details_pb2
from segment.config.v1beta import access_tokens_pb2, sources_pb2, workspaces_pb2

from configapi.auth.tokens import SCOPE_READ, SCOPE_WRITE
from tests.integration.harness import (
    World,
    create_source_request,
    source_name,
)

LIST_WORKSPACES = ("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())


def _create_request(
    scopes: str = SCOPE_READ, workspaces: tuple[str, ...] = ("acme",), description: str = "ci"
) -> access_tokens_pb2.CreateAccessTokenRequest:
    token = access_tokens_pb2.AccessToken(
        description=description,
        scopes=scopes,
        workspace_names=[f"workspaces/{slug}" for slug in workspaces],
    )
    return access_tokens_pb2.CreateAccessTokenRequest(access_token=token)


async def _create(world: World, **fields: object) -> access_tokens_pb2.AccessToken:
    created = await world.call("CreateAccessToken", _create_request(**fields))  # type: ignore[arg-type]
    assert isinstance(created, access_tokens_pb2.AccessToken)
    return created


async def test_access_token_lifecycle(world: World) -> None:
    created = await _create(world, scopes=SCOPE_READ, description="dashboards")
    assert created.name.startswith("access-tokens/")
    assert created.token  # the secret, shown this once
    assert created.description == "dashboards"
    assert created.scopes == SCOPE_READ
    assert list(created.workspace_names) == ["workspaces/acme"]
    assert created.HasField("create_time")

    got = await world.call(
        "GetAccessToken", access_tokens_pb2.GetAccessTokenRequest(name=created.name)
    )
    assert isinstance(got, access_tokens_pb2.AccessToken)
    assert got.token == ""  # never again
    without_secret = access_tokens_pb2.AccessToken()
    without_secret.CopyFrom(created)
    without_secret.ClearField("token")
    assert got == without_secret

    listed = await world.call("ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest())
    assert isinstance(listed, access_tokens_pb2.ListAccessTokensResponse)
    assert [t.token for t in listed.access_tokens] == ["", "", ""]
    assert listed.access_tokens[-1] == got

    deleted = await world.call(
        "DeleteAccessToken", access_tokens_pb2.DeleteAccessTokenRequest(name=created.name)
    )
    assert deleted == empty_pb2.Empty()
    await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetAccessToken",
        access_tokens_pb2.GetAccessTokenRequest(name=created.name),
    )


async def test_create_ignores_output_only_fields(world: World) -> None:
    request = _create_request()
    request.access_token.name = "access-tokens/0123456789abcdef01234567"
    request.access_token.token = "sgp_chosen-by-the-caller"
    created = await world.call("CreateAccessToken", request)
    assert isinstance(created, access_tokens_pb2.AccessToken)
    assert created.name != request.access_token.name
    assert created.token != request.access_token.token
    await world.call(*LIST_WORKSPACES, token=created.token)
    await world.fail(
        grpc.StatusCode.UNAUTHENTICATED, *LIST_WORKSPACES, token=request.access_token.token
    )


async def test_a_created_read_token_reads_but_cannot_write(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    reader = (await _create(world, scopes=SCOPE_READ)).token
    got = await world.call(
        "GetSource", sources_pb2.GetSourceRequest(name=source_name("js")), reader
    )
    assert got.name == source_name("js")  # type: ignore[attr-defined]
    for method, request in [
        ("CreateSource", create_source_request("ios", catalog="ios")),
        ("DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name("js"))),
    ]:
        failure = await world.fail(grpc.StatusCode.PERMISSION_DENIED, method, request, reader)
        assert failure.detail(error_details_pb2.ErrorInfo).reason == "INSUFFICIENT_SCOPE"
    # the source is still there
    await world.call("GetSource", sources_pb2.GetSourceRequest(name=source_name("js")))


async def test_a_created_write_token_writes(world: World) -> None:
    writer = (await _create(world, scopes=SCOPE_WRITE)).token
    created = await world.call("CreateSource", create_source_request("js"), writer)
    assert created.name == source_name("js")  # type: ignore[attr-defined]


BROADER = {
    "another-workspace": (SCOPE_READ, ("globex",)),
    "one-more-workspace": (SCOPE_READ, ("acme", "globex")),
    "a-missing-workspace": (SCOPE_READ, ("nowhere",)),
}


@pytest.mark.parametrize("scopes, workspaces", BROADER.values(), ids=BROADER.keys())
async def test_a_token_cannot_create_a_broader_token(
    world: World, scopes: str, workspaces: tuple[str, ...]
) -> None:
    await world.fail(
        grpc.StatusCode.PERMISSION_DENIED,
        "CreateAccessToken",
        _create_request(scopes=scopes, workspaces=workspaces),
    )


async def test_a_read_token_cannot_create_any_token(world: World) -> None:
    for scopes in (SCOPE_READ, SCOPE_WRITE):
        failure = await world.fail(
            grpc.StatusCode.PERMISSION_DENIED,
            "CreateAccessToken",
            _create_request(scopes=scopes),
            world.read,
        )
        assert failure.detail(error_details_pb2.ErrorInfo).reason == "INSUFFICIENT_SCOPE"


async def test_a_token_holding_two_workspaces_creates_one_for_either(world: World) -> None:
    both = await world.server.add_token("acme", "globex")
    for workspaces in (("acme",), ("globex",), ("acme", "globex")):
        created = await world.call(
            "CreateAccessToken", _create_request(workspaces=workspaces), both
        )
        assert len(created.workspace_names) == len(workspaces)  # type: ignore[attr-defined]


async def test_a_deleted_token_is_rejected_on_its_next_request(world: World) -> None:
    doomed = await _create(world, scopes=SCOPE_WRITE)
    await world.call(*LIST_WORKSPACES, token=doomed.token)  # known, and cached, by the server
    await world.call(
        "DeleteAccessToken", access_tokens_pb2.DeleteAccessTokenRequest(name=doomed.name)
    )
    await world.fail(grpc.StatusCode.UNAUTHENTICATED, *LIST_WORKSPACES, token=doomed.token)


async def test_a_token_may_delete_itself(world: World) -> None:
    doomed = await _create(world, scopes=SCOPE_WRITE)
    request = access_tokens_pb2.DeleteAccessTokenRequest(name=doomed.name)
    await world.call("DeleteAccessToken", request, doomed.token)
    await world.fail(grpc.StatusCode.UNAUTHENTICATED, *LIST_WORKSPACES, token=doomed.token)


async def test_a_token_of_another_workspace_is_not_found(world: World) -> None:
    listed = await world.call(
        "ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest(), world.globex
    )
    globex_token = listed.access_tokens[0].name  # type: ignore[attr-defined]
    for method, request in [
        ("GetAccessToken", access_tokens_pb2.GetAccessTokenRequest(name=globex_token)),
        ("DeleteAccessToken", access_tokens_pb2.DeleteAccessTokenRequest(name=globex_token)),
    ]:
        await world.fail(grpc.StatusCode.NOT_FOUND, method, request)
    await world.call(*LIST_WORKSPACES, token=world.globex)  # still works
