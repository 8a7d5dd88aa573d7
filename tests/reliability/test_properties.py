"""Property: whatever request message a client sends, over either transport, the answer is a
response or a canonical error of ours, never INTERNAL and never UNKNOWN (README "Guarantees").

Requests are generated from the contract's descriptors (`strategies.py`) for every method, with
a write token of the seeded workspace so that they reach the services, not just the policy layer.
The server runs on an event loop of the test's own, driven one call at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from segment.config.v1beta import workspaces_pb2

from configapi import admin
from configapi.app import ConfigApiServer
from configapi.settings import Settings
from tests.integration.api import Api, ApiFailure, connect
from tests.integration.harness import (
    check_failure,
    create_destination_request,
    create_source_request,
)
from tests.reliability.strategies import requests

NEVER = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
TRANSPORTS = ("grpc", "rest")


@dataclass
class Live:
    """A server and a client per transport, on one loop this module drives."""

    loop: asyncio.AbstractEventLoop
    server: ConfigApiServer
    apis: dict[str, Api]
    token: str

    def call(self, transport: str, method: str, request: Message) -> Message | ApiFailure | None:
        """One call; its response or its failure. None: over REST, the URL the request's
        values make belongs to another method (a `GetSource` whose name is a destination's is
        `GET /v1beta/<destination>`), which answered 200 with a response of its own type."""
        try:
            return self.loop.run_until_complete(
                self.apis[transport].call(method, request, self.token)
            )
        except ApiFailure as failure:
            return failure
        except json_format.ParseError:
            assert transport == "rest"
            return None


async def _start(database: Path) -> tuple[ConfigApiServer, dict[str, Api], str]:
    settings = Settings(
        database=database, grpc_address="127.0.0.1:0", http_address="127.0.0.1:0", rate_limit=0
    )
    server = ConfigApiServer(settings)
    await server.start()
    for slug in ("acme", "globex"):
        await admin.create_workspace(server.repository, slug)
    token = (await admin.create_token(server.repository, ["acme"], "workspace", "fuzz")).token
    apis = {t: connect(t, server.grpc_port, server.http_port) for t in TRANSPORTS}
    await apis["grpc"].call("CreateSource", create_source_request("web"), token)
    await apis["grpc"].call("CreateDestination", create_destination_request("web", "heap"), token)
    return server, apis, token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    loop = asyncio.new_event_loop()
    database = tmp_path_factory.mktemp("properties") / "config.db"
    server, apis, token = loop.run_until_complete(_start(database))
    try:
        yield Live(loop, server, apis, token)
    finally:
        for api in apis.values():
            loop.run_until_complete(api.close())
        loop.run_until_complete(server.stop(grace=0))
        loop.close()


def _check(live: Live, transport: str, method: str, request: Message) -> None:
    outcome = live.call(transport, method, request)
    if isinstance(outcome, ApiFailure):
        assert outcome.code not in NEVER, f"{method} over {transport}: {outcome}\n{request}"
        check_failure(outcome, outcome.code)  # canonical: one ErrorInfo of our domain


def _still_serving(live: Live) -> None:
    for transport in TRANSPORTS:
        listed = live.call(transport, "ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())
        assert not isinstance(listed, ApiFailure), listed


_COMMON = {
    "deadline": None,
    "database": None,  # nothing written to .hypothesis/ in the repository
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@pytest.mark.parametrize("transport", TRANSPORTS)
@settings(max_examples=250, derandomize=True, **_COMMON)  # type: ignore[arg-type]
@given(call=requests())
def test_no_request_message_gets_internal_or_unknown(
    live: Live, transport: str, call: tuple[str, Message]
) -> None:
    _check(live, transport, *call)


@pytest.mark.soak
@pytest.mark.parametrize("transport", TRANSPORTS)
@settings(max_examples=5_000, **_COMMON)  # type: ignore[arg-type]
@given(call=requests())
def test_soak_no_request_message_gets_internal_or_unknown(
    live: Live, transport: str, call: tuple[str, Message]
) -> None:
    _check(live, transport, *call)


def test_the_server_still_serves_after_the_properties(live: Live) -> None:
    _still_serving(live)
