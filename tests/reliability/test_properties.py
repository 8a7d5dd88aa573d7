"""Properties over every method and both transports (README "Guarantees"):

1. whatever request message a client sends, the answer is a response or a canonical error of
   ours, never INTERNAL and never UNKNOWN;
2. a call that succeeds stores only what Get, List and the standalone gateway can serve back
   (issue 12): the resource it returns is read back equal over gRPC, and Get and every List
   page up to it succeed over REST and through a standalone gateway (`configapi gateway`).
   This covers the filter, schema-config and connection writes too (`surface_strategies`):
   a schema config has no List, a connection no name and no Get (it is found in its plan's
   List by its source, then disconnected so that the next example can connect again).

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
from google.protobuf.message_factory import GetMessageClass
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from segment.config.v1beta import destination_filters_pb2, tracking_plans_pb2, workspaces_pb2

from configapi import admin, contract
from configapi.aip.limits import MAX_RESOURCE_BYTES
from configapi.app import ConfigApiServer, ProxyGateway
from configapi.settings import Settings
from tests.integration.api import Api, ApiFailure, connect
from tests.integration.harness import (
    check_failure,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
)
from tests.reliability.strategies import requests, storable_requests
from tests.reliability.surface_strategies import Targets, surface_requests

NEVER = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
METHODS = {method.name: method for method in contract.methods()}
TRANSPORTS = ("grpc", "rest")


@dataclass
class Live:
    """A server and a client per transport, on one loop this module drives."""

    loop: asyncio.AbstractEventLoop
    server: ConfigApiServer
    apis: dict[str, Api]  # "grpc", "rest" (in-process gateway), "proxy" (standalone gateway)
    token: str
    names: dict[str, str]  # resources the storable writes update: plan, webhooks, source
    targets: Targets  # and those of the filter, schema-config and connection writes

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
        except json_format.Error:
            # REST only: the URL belongs to another method (above), or the message holds what
            # JSON cannot carry (NaN, Infinity) and the client refused to send it
            assert transport != "grpc"
            return None


async def _start(
    database: Path,
) -> tuple[ConfigApiServer, ProxyGateway, dict[str, Api], str, dict[str, str], Targets]:
    settings = Settings(
        database=database, grpc_address="127.0.0.1:0", http_address="127.0.0.1:0", rate_limit=0
    )
    server = ConfigApiServer(settings)
    await server.start()
    for slug in ("acme", "globex"):
        await admin.create_workspace(server.repository, slug)
    token = (await admin.create_token(server.repository, ["acme"], "workspace", "fuzz")).token
    proxy = ProxyGateway(f"127.0.0.1:{server.grpc_port}", "127.0.0.1:0", 8 * 1024 * 1024)
    await proxy.start()
    apis = {t: connect(t, server.grpc_port, server.http_port) for t in TRANSPORTS}
    apis["proxy"] = connect("rest", 0, proxy.http_port)
    grpc_api = apis["grpc"]
    await grpc_api.call("CreateSource", create_source_request("web"), token)
    await grpc_api.call("CreateDestination", create_destination_request("web", "heap"), token)
    hooks = await grpc_api.call(
        "CreateDestination", create_destination_request("web", "webhooks"), token
    )
    plan = await grpc_api.call("CreateTrackingPlan", create_tracking_plan_request("p"), token)
    names = {
        "plan": plan.name,  # type: ignore[attr-defined]
        "webhooks": hooks.name,  # type: ignore[attr-defined]
        "source": "workspaces/acme/sources/web",
    }
    targets = await _surface_targets(grpc_api, token, names["plan"])
    return server, proxy, apis, token, names, targets


async def _surface_targets(api: Api, token: str, plan: str) -> Targets:
    """Resources of their own, named nothing `requests()` generates, so that a generated
    DeleteSource of `web` cannot take them away from the writes that need them."""
    for slug in ("surface", "surface2"):
        await api.call("CreateSource", create_source_request(slug), token)
    await api.call("CreateDestination", create_destination_request("surface", "heap"), token)
    destination = "workspaces/acme/sources/surface/destinations/heap"
    created = await api.call(
        "CreateDestinationFilter",
        destination_filters_pb2.CreateDestinationFilterRequest(
            parent=destination,
            filter=json_format.ParseDict(
                {"title": "f", "if": "all"}, destination_filters_pb2.DestinationFilter()
            ),
        ),
        token,
    )
    return Targets(
        destination=destination,
        filter=created.name,  # type: ignore[attr-defined]
        source="workspaces/acme/sources/surface",
        other_source="workspaces/acme/sources/surface2",
        plan=plan,
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    loop = asyncio.new_event_loop()
    database = tmp_path_factory.mktemp("properties") / "config.db"
    server, proxy, apis, token, names, targets = loop.run_until_complete(_start(database))
    try:
        yield Live(loop, server, apis, token, names, targets)
    finally:
        for api in apis.values():
            loop.run_until_complete(api.close())
        loop.run_until_complete(proxy.stop())
        loop.run_until_complete(server.stop(grace=0))
        loop.close()


def _check(live: Live, transport: str, method: str, request: Message) -> None:
    outcome = live.call(transport, method, request)
    if isinstance(outcome, ApiFailure):
        assert outcome.code not in NEVER, f"{method} over {transport}: {outcome}\n{request}"
        check_failure(outcome, outcome.code)  # canonical: one ErrorInfo of our domain


def _check_served_back(live: Live, transport: str, method: str, request: Message) -> None:
    outcome = live.call(transport, method, request)
    if isinstance(outcome, ApiFailure):
        assert outcome.code not in NEVER, f"{method} over {transport}: {outcome}"
        return
    if outcome is None or not method.startswith(("Create", "Update", "BatchCreate")):
        return
    stored = _stored(method, request, outcome)
    for kind, parent, item in stored:
        _served_back(live, kind, parent, item, method)
    for _, parent, item in stored:
        if isinstance(item, tracking_plans_pb2.SourceConnection):
            _disconnect(live, parent, item)


def _stored(method: str, request: Message, outcome: Message) -> list[tuple[str, str, Message]]:
    """(kind, parent, resource) for each resource a successful write returned."""
    if isinstance(outcome, tracking_plans_pb2.BatchCreateSourceConnectionsResponse):
        parent: str = getattr(request, "parent")  # noqa: B009
        return [("SourceConnection", parent, item) for item in outcome.connections]
    item = type(outcome)()
    item.CopyFrom(outcome)
    if "token" in item.DESCRIPTOR.fields_by_name:
        item.ClearField("token")  # type: ignore[arg-type]  # the secret is shown once only
    kind = method.removeprefix("Create").removeprefix("Update")
    if isinstance(item, tracking_plans_pb2.SourceConnection):
        return [(kind, getattr(request, "parent"), item)]  # noqa: B009
    name: str = getattr(item, "name")  # noqa: B009
    if not _answers(request, name):
        return []
    return [(kind, name.rsplit("/", 2)[0], item)]


def _answers(request: Message, name: str) -> bool:
    """Whether `name` is what the request wrote: an update's own resource, a child of a
    create's parent. Over REST a request whose values make another method's URL (an
    UpdateDestination named like a source is `PATCH /v1beta/<source>`) is answered by that
    method, with a resource the client reads leniently as its own type: nothing to check."""
    fields = request.DESCRIPTOR.fields_by_name
    if "update_mask" in fields:
        resource = next(f for f in fields.values() if f.name != "update_mask")
        return str(getattr(request, resource.name).name) == name
    parent = getattr(request, "parent", "")
    return not parent or name.startswith(f"{parent}/")


def _served_back(live: Live, kind: str, parent: str, stored: Message, method: str) -> None:
    """Get (where the resource has one) and every List page up to it (where it has a List);
    and it is within SPEC §6's 1 MiB, however an update merged it."""
    assert stored.ByteSize() <= MAX_RESOURCE_BYTES, f"{method} stored {stored.ByteSize()} bytes"
    key = _key(stored)
    for via in ("grpc", "rest", "proxy"):
        if f"Get{kind}" in METHODS:
            got = live.call(via, f"Get{kind}", _request(f"Get{kind}", name=key))
            assert isinstance(got, Message), f"Get{kind} over {via} of what {method} stored: {got}"
            if via == "grpc":
                assert got == stored
        if f"List{kind}s" in METHODS:
            assert _listed(live, via, kind, parent, key), f"List over {via} misses {key}"


def _key(item: Message) -> str:
    """What identifies an item in a page: its name, or a connection's source."""
    field = "name" if "name" in item.DESCRIPTOR.fields_by_name else "source_name"
    return str(getattr(item, field))


def _disconnect(live: Live, plan: str, connection: Message) -> None:
    slug = _key(connection).rsplit("/", 1)[1]
    request = _request("DeleteSourceConnection", name=f"{plan}/source-connections/{slug}")
    assert isinstance(live.call("grpc", "DeleteSourceConnection", request), Message)


def _request(method: str, **fields: str) -> Message:
    return GetMessageClass(METHODS[method].input_type)(**fields)


def _listed(live: Live, via: str, kind: str, parent: str, key: str) -> bool:
    """Walk the List pages of `parent`'s collection over `via` (each must succeed) to find
    the item identified by `key`."""
    method = f"List{kind}s"
    request = _request(method)
    if "parent" in request.DESCRIPTOR.fields_by_name:
        request.parent = parent  # type: ignore[attr-defined]
    while True:
        page = live.call(via, method, request)
        assert isinstance(page, Message), f"{method} over {via}: {page}"
        items = getattr(page, page.DESCRIPTOR.fields[0].name)
        if any(_key(item) == key for item in items):
            return True
        token: str = getattr(page, "next_page_token")  # noqa: B009
        if not token:
            return False
        request.page_token = token  # type: ignore[attr-defined]


def _writes_and_requests(live: Live) -> st.SearchStrategy[tuple[str, Message]]:
    names = live.names
    writes = storable_requests(names["plan"], names["webhooks"], names["source"])
    return st.one_of(writes, surface_requests(live.targets), requests())


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


@pytest.mark.parametrize("transport", TRANSPORTS)
@settings(max_examples=90, derandomize=True, **_COMMON)  # type: ignore[arg-type]
@given(data=st.data())
def test_what_a_call_stores_is_served_back(live: Live, transport: str, data: st.DataObject) -> None:
    _check_served_back(live, transport, *data.draw(_writes_and_requests(live)))


@pytest.mark.soak
@pytest.mark.parametrize("transport", TRANSPORTS)
@settings(max_examples=1_000, **_COMMON)  # type: ignore[arg-type]
@given(data=st.data())
def test_soak_what_a_call_stores_is_served_back(
    live: Live, transport: str, data: st.DataObject
) -> None:
    _check_served_back(live, transport, *data.draw(_writes_and_requests(live)))


def test_the_server_still_serves_after_the_properties(live: Live) -> None:
    _still_serving(live)
