"""AccessTokenService (SPEC §3, §6.5): tokens never broader than their creator."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import grpc
from google.protobuf import empty_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from segment.config.v1beta import access_tokens_pb2 as pb

from configapi.aip.fieldbehavior import clear_output_only, missing_required
from configapi.aip.names import broken_rule, parse_name
from configapi.auth.tokens import SCOPES, Caller, hash_secret, new_secret, new_token_id
from configapi.errors import ApiError, FieldViolation, invalid_arguments, not_found
from configapi.services.context import ServiceContext
from configapi.services.resource_types import ACCESS_TOKEN, WORKSPACE
from configapi.storage.repository import TokenStore


class AccessTokenServicer:
    """Personal access tokens visible to the caller: those within its workspaces."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.AccessTokenService"

    def __init__(self, context: ServiceContext, on_delete: Callable[[str], None]) -> None:
        self._ctx = context
        self._store = context.repository.tokens
        self._on_delete = on_delete  # drops the deleted token from the policy's cache

    async def ListAccessTokens(
        self, request: pb.ListAccessTokensRequest, caller: Caller
    ) -> pb.ListAccessTokensResponse:
        """AIP-132: tokens whose workspaces are all held by the caller."""
        items, token = await self._ctx.page(
            request,
            lambda after, n: self._store.list_within(caller.workspace_names, after, n),
            int,
        )
        return pb.ListAccessTokensResponse(access_tokens=items, next_page_token=token)

    async def GetAccessToken(
        self, request: pb.GetAccessTokenRequest, caller: Caller
    ) -> pb.AccessToken:
        """AIP-131; the secret is never returned."""
        return await self._visible(request.name, caller)

    async def _visible(self, name: str, caller: Caller) -> pb.AccessToken:
        parse_name(ACCESS_TOKEN, name, "name")
        token = await self._store.get(name)
        if token is None or not set(token.workspace_names) <= caller.workspace_names:
            raise not_found(ACCESS_TOKEN.resource_type, name)  # no existence leak (SPEC §3)
        return token

    async def CreateAccessToken(
        self, request: pb.CreateAccessTokenRequest, caller: Caller
    ) -> pb.AccessToken:
        """AIP-133; the response is the only place the secret is shown."""
        token = pb.AccessToken()
        token.CopyFrom(request.access_token)
        clear_output_only(token)
        check_token_fields(token)
        _check_not_broader(token, caller)
        return await issue_token(self._store, token, self._ctx.now())

    async def DeleteAccessToken(
        self, request: pb.DeleteAccessTokenRequest, caller: Caller
    ) -> empty_pb2.Empty:
        """AIP-135; the token stops working on its next request."""
        await self._visible(request.name, caller)
        if not await self._store.delete(request.name):
            raise not_found(ACCESS_TOKEN.resource_type, request.name)
        self._on_delete(request.name)
        return empty_pb2.Empty()


async def issue_token(store: TokenStore, token: pb.AccessToken, now: Timestamp) -> pb.AccessToken:
    """Name, stamp and store a checked token; the result is the only copy holding the secret.

    A workspace named twice is stored once: `workspace_names` is a set of grants, and a
    duplicate adds nothing a caller could see (decided for issue 12; SPEC §6.5 lists it).
    """
    unique = list(dict.fromkeys(token.workspace_names))
    del token.workspace_names[:]
    token.workspace_names.extend(unique)
    token.name = ACCESS_TOKEN.render(access_token=new_token_id())
    token.create_time.CopyFrom(now)
    secret = new_secret()
    await store.insert(token, hash_secret(secret))
    token.token = secret
    return token


def check_token_fields(token: pb.AccessToken) -> None:
    problems = missing_required(token, "access_token")
    if token.scopes and token.scopes not in SCOPES:
        problems.append(
            FieldViolation(
                "access_token.scopes", f'must be one of {", ".join(SCOPES)}, got "{token.scopes}"'
            )
        )
    for index, name in enumerate(token.workspace_names):
        if WORKSPACE.match(name) is None:
            rule = broken_rule(WORKSPACE, name)  # SPEC §6: state the rule the name breaks
            problems.append(
                FieldViolation(
                    f"access_token.workspace_names[{index}]",
                    f'"{name}" is not a workspace name: {rule}',
                )
            )
    if problems:
        raise invalid_arguments(problems)


def _check_not_broader(token: pb.AccessToken, caller: Caller) -> None:
    """A token can never create a token broader than itself (SPEC §6.5): 403."""
    foreign = sorted(set(token.workspace_names) - caller.workspace_names)
    if foreign:
        raise ApiError(
            code=grpc.StatusCode.PERMISSION_DENIED,
            message=f'the caller\'s token does not hold "{foreign[0]}"',
            reason="TOKEN_BROADER_THAN_CALLER",
            metadata={"workspace_name": foreign[0]},
        )
