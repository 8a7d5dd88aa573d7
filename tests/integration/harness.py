"""What integration scenarios are built from: a running server, a seeded world, and shorthands
for requests and expected failures (fixtures in conftest.py hand these out)."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from segment.config.v1beta import (
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from configapi import admin
from configapi.app import ConfigApiServer
from configapi.auth.tokens import SCOPE_WRITE
from configapi.settings import Settings
from tests.integration.api import Api, ApiFailure

DOMAIN = "config.segmentapis.com"
_UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


@dataclass
class RunningServer:
    """A started `ConfigApiServer` and the operator actions that seed it."""

    settings: Settings
    server: ConfigApiServer
    stopped: bool = False

    @property
    def grpc_port(self) -> int:
        return self.server.grpc_port

    @property
    def http_port(self) -> int:
        return self.server.http_port

    async def add_workspace(self, slug: str, display_name: str = "") -> workspaces_pb2.Workspace:
        """`configapi workspaces create SLUG`."""
        return await admin.create_workspace(self.server.repository, slug, display_name)

    async def add_token(self, *workspaces: str, scopes: str = SCOPE_WRITE) -> str:
        """`configapi tokens create --workspace ...`: the new token's secret."""
        token = await admin.create_token(self.server.repository, workspaces, scopes, "seeded")
        return token.token

    async def stop(self) -> None:
        """Stop serving and close storage (idempotent)."""
        if not self.stopped:
            self.stopped = True
            await self.server.stop(grace=0)


StartServer = Callable[..., Awaitable[RunningServer]]
Connect = Callable[[RunningServer], Api]


@dataclass
class World:
    """A server with two tenants, `acme` and `globex`, and a client over one transport.

    `write`/`read` are tokens for acme with scope `workspace`/`workspace:read`; `globex` is a
    write token for globex only.
    """

    server: RunningServer
    api: Api
    write: str
    read: str
    globex: str
    workspace: str = "workspaces/acme"
    other_workspace: str = "workspaces/globex"

    async def call(self, method_name: str, request: Message, token: str | None = None) -> Message:
        """A call with acme's write token unless another is given."""
        return await self.api.call(method_name, request, self.write if token is None else token)

    async def fail(
        self,
        code: grpc.StatusCode,
        method_name: str,
        request: Message,
        token: str | None = None,
    ) -> ApiFailure:
        """Expect the call to fail with `code`; checks the details every error carries."""
        return await expect_failure(
            code, self.api.call(method_name, request, self.write if token is None else token)
        )


MakeWorld = Callable[..., Awaitable[World]]


async def expect_failure(code: grpc.StatusCode, call: Awaitable[Message]) -> ApiFailure:
    """The failure of `call`, which must have `code` and one ErrorInfo in our domain (SPEC §2)."""
    with pytest.raises(ApiFailure) as caught:
        await call
    return check_failure(caught.value, code)


def check_failure(failure: ApiFailure, code: grpc.StatusCode) -> ApiFailure:
    """`failure` has `code` and the one ErrorInfo every error carries (SPEC §2, AIP-193)."""
    assert failure.code == code, f"expected {code.name}, got {failure}"
    info = failure.detail(error_details_pb2.ErrorInfo)
    assert info.domain == DOMAIN
    assert _UPPER_SNAKE.fullmatch(info.reason), f"reason {info.reason!r} is not UPPER_SNAKE_CASE"
    return failure


async def attempt(
    api: Api, method_name: str, request: Message, token: str | None
) -> ApiFailure | None:
    """The failure of a call, or None if it succeeded."""
    try:
        await api.call(method_name, request, token)
    except ApiFailure as failure:
        return failure
    return None


def codes(outcomes: Mapping[str, ApiFailure | None]) -> dict[str, str]:
    """Method → the code it ended with ("OK" for success), for one readable comparison."""
    return {name: "OK" if f is None else f.code.name for name, f in outcomes.items()}


def violated_fields(failure: ApiFailure) -> list[str]:
    """The fields named by the failure's BadRequest."""
    bad_request = failure.detail(error_details_pb2.BadRequest)
    return [violation.field for violation in bad_request.field_violations]


def assert_resource_info(failure: ApiFailure, resource_type: str, name: str) -> None:
    """SPEC §2: NOT_FOUND and ALREADY_EXISTS name the resource in a ResourceInfo."""
    info = failure.detail(error_details_pb2.ResourceInfo)
    assert (info.resource_type, info.resource_name) == (resource_type, name)


# ---- request shorthands ------------------------------------------------------------------------


def source_name(slug: str, workspace: str = "acme") -> str:
    return f"workspaces/{workspace}/sources/{slug}"


def create_source_request(
    slug: str, workspace: str = "acme", catalog: str = "javascript", **fields: object
) -> sources_pb2.CreateSourceRequest:
    source = sources_pb2.Source(
        name=source_name(slug, workspace), catalog_name=f"catalog/sources/{catalog}"
    )
    json_format.ParseDict(fields, source)
    return sources_pb2.CreateSourceRequest(parent=f"workspaces/{workspace}", source=source)


def destination_name(source: str, slug: str, workspace: str = "acme") -> str:
    return f"{source_name(source, workspace)}/destinations/{slug}"


def config_entry(
    destination: str, setting: str, value: object
) -> destinations_pb2.DestinationConfig:
    """A config entry `<destination>/config/<setting>` with a JSON value."""
    entry = destinations_pb2.DestinationConfig(name=f"{destination}/config/{setting}")
    entry.value.CopyFrom(json_value(value))
    return entry


def create_destination_request(
    source: str,
    slug: str,
    config: dict[str, object] | None = None,
    workspace: str = "acme",
    **fields: object,
) -> destinations_pb2.CreateDestinationRequest:
    name = destination_name(source, slug, workspace)
    destination = destinations_pb2.Destination(
        name=name,
        config=[config_entry(name, key, value) for key, value in (config or {}).items()],
    )
    json_format.ParseDict(fields, destination)
    return destinations_pb2.CreateDestinationRequest(
        parent=source_name(source, workspace), destination=destination
    )


def tracking_plan(
    display_name: str, rules: Mapping[str, Any] | None = None
) -> tracking_plans_pb2.TrackingPlan:
    """A TrackingPlan from snake_case JSON, as a client would send it."""
    document: dict[str, Any] = {"display_name": display_name}
    if rules is not None:
        document["rules"] = rules
    return json_format.ParseDict(document, tracking_plans_pb2.TrackingPlan())


def create_tracking_plan_request(
    display_name: str, rules: Mapping[str, Any] | None = None, workspace: str = "acme"
) -> tracking_plans_pb2.CreateTrackingPlanRequest:
    request = tracking_plans_pb2.CreateTrackingPlanRequest(parent=f"workspaces/{workspace}")
    request.tracking_plan.CopyFrom(tracking_plan(display_name, rules))
    return request


def json_value(value: Any) -> struct_pb2.Value:
    """Any JSON value as a `google.protobuf.Value`."""
    return json_format.ParseDict(value, struct_pb2.Value())


def as_json(message: Message) -> dict[str, Any]:
    """A message as snake_case JSON with every scalar and list, for comparisons."""
    document: dict[str, Any] = integral(
        json_format.MessageToDict(
            message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
    )
    return document


def integral(value: Any) -> Any:
    """Struct numbers are doubles: compare `5.0` as `5`, as the JSON fixtures write them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral(item) for item in value]
    return value


async def let_clock_pass(world: World, stamp: timestamp_pb2.Timestamp) -> None:
    """Wait, by making real calls (no sleeps), until the wall clock is past `stamp` at the API's
    millisecond precision, so that a later `update_time` must differ from it."""
    while time.time() * 1000 <= stamp.ToMilliseconds():
        await world.call("GetWorkspace", workspaces_pb2.GetWorkspaceRequest(name=world.workspace))
