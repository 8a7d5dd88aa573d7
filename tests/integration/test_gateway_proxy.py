"""The standalone gateway: `ProxyInvoker` in front of a real gRPC server on port 0.

The upstream is a real `grpc.aio` server with a tiny WorkspaceService servicer (it stands in for
our server); the gateway in front of it is the real one, called over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2
from segment.config.v1beta import workspaces_pb2, workspaces_pb2_grpc

from configapi.errors import ApiError
from configapi.gateway import ProxyInvoker, build_gateway, render_error

DENIED = ApiError(
    code=grpc.StatusCode.PERMISSION_DENIED,
    message="insufficient scope",
    reason="INSUFFICIENT_SCOPE",
    metadata={"required_scope": "workspace"},
).status()


AUTH = {"authorization": "Bearer t0k"}


@dataclass
class TinyWorkspaces(workspaces_pb2_grpc.WorkspaceServiceServicer):
    """Get answers a workspace; List fails with a rich status; every call's metadata is kept."""

    metadata: list[dict[str, str | bytes]] = field(default_factory=list)

    async def GetWorkspace(
        self, request: workspaces_pb2.GetWorkspaceRequest, context: grpc.aio.ServicerContext
    ) -> workspaces_pb2.Workspace:
        self.metadata.append(dict(context.invocation_metadata() or ()))
        workspace = workspaces_pb2.Workspace(name=request.name, display_name="Acme")
        workspace.create_time.FromJsonString("2018-08-08T13:24:02.651Z")
        return workspace

    async def ListWorkspaces(
        self, request: workspaces_pb2.ListWorkspacesRequest, context: grpc.aio.ServicerContext
    ) -> workspaces_pb2.ListWorkspacesResponse:
        trailer = (("grpc-status-details-bin", DENIED.SerializeToString()),)
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, DENIED.message, trailer)
        raise AssertionError("abort returns only by raising")


@dataclass
class Upstream:
    server: grpc.aio.Server
    servicer: TinyWorkspaces
    port: int


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    server = grpc.aio.server()
    servicer = TinyWorkspaces()
    workspaces_pb2_grpc.add_WorkspaceServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield Upstream(server, servicer, port)
    await server.stop(None)


@pytest.fixture
async def client(upstream: Upstream) -> AsyncIterator[httpx.AsyncClient]:
    invoker = ProxyInvoker(f"127.0.0.1:{upstream.port}", timeout=10)
    app = build_gateway(invoker)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as http:
        yield http
    await invoker.close()


async def test_a_success_passes_through_as_spec_json(
    upstream: Upstream, client: httpx.AsyncClient
) -> None:
    response = await client.get(
        "/v1beta/workspaces/acme/",
        headers={"authorization": "Bearer t0k", "grpc-metadata-request-id": "r1"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "name": "workspaces/acme",
        "display_name": "Acme",
        "id": "",
        "create_time": "2018-08-08T13:24:02.651Z",
    }
    [metadata] = upstream.servicer.metadata
    assert metadata["authorization"] == "Bearer t0k"
    assert metadata["request-id"] == "r1"


async def test_an_error_with_details_passes_through_intact(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1beta/workspaces", headers=AUTH)
    expected_status, expected_body, _ = render_error(DENIED)
    assert (response.status_code, response.content) == (expected_status, expected_body)
    detail = response.json()["details"][0]
    assert detail["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    info = error_details_pb2.ErrorInfo()
    DENIED.details[0].Unpack(info)
    assert detail["metadata"] == dict(info.metadata) == {"required_scope": "workspace"}


async def test_an_upstream_error_without_details_still_gets_error_info(
    client: httpx.AsyncClient,
) -> None:
    # the tiny upstream does not serve SourceService: its own UNIMPLEMENTED, without details
    response = await client.get("/v1beta/workspaces/acme/sources/js", headers=AUTH)
    body = response.json()
    assert (response.status_code, body["code"]) == (501, 12)
    assert body["details"][0]["reason"] == "UNIMPLEMENTED"


async def test_a_stopped_upstream_is_the_plain_text_503(
    upstream: Upstream, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/v1beta/workspaces/acme", headers=AUTH)).status_code == 200
    await upstream.server.stop(None)
    response = await client.get("/v1beta/workspaces/acme", headers=AUTH)
    assert response.status_code == 503
    assert response.text == "upstream connect error or disconnect/reset before headers"
    assert response.headers["content-type"] == "text/plain"


async def test_a_big_cookie_is_not_forwarded_and_the_call_succeeds(
    upstream: Upstream, client: httpx.AsyncClient
) -> None:
    headers = {**AUTH, "cookie": "session=" + "c" * 20_000, "user-agent": "browser"}
    response = await client.get("/v1beta/workspaces/acme", headers=headers)
    assert response.status_code == 200  # as in-process: gRPC's 8 KiB metadata limit is not hit
    [metadata] = upstream.servicer.metadata
    assert metadata["authorization"] == "Bearer t0k"
    assert not [key for key in metadata if "cookie" in key or key.startswith("grpcgateway-")]


@dataclass
class HugeWorkspaces(workspaces_pb2_grpc.WorkspaceServiceServicer):
    """Answers a workspace over gRPC's 4 MiB limit (an upstream without SPEC §6's caps)."""

    async def GetWorkspace(
        self, request: workspaces_pb2.GetWorkspaceRequest, context: grpc.aio.ServicerContext
    ) -> workspaces_pb2.Workspace:
        return workspaces_pb2.Workspace(name=request.name, display_name="x" * 6_000_000)


async def test_a_response_over_the_message_limit_is_400_without_grpc_internals() -> None:
    server = grpc.aio.server(options=[("grpc.max_send_message_length", 16 * 1024 * 1024)])
    workspaces_pb2_grpc.add_WorkspaceServiceServicer_to_server(HugeWorkspaces(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    invoker = ProxyInvoker(f"127.0.0.1:{port}", timeout=10)
    transport = httpx.ASGITransport(app=build_gateway(invoker))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            response = await http.get("/v1beta/workspaces/acme", headers=AUTH)
    finally:
        await invoker.close()
        await server.stop(None)
    assert (response.status_code, response.json()["code"]) == (400, 3)
    assert "retry-after" not in response.headers
    assert "4194304 bytes" in response.json()["message"]
    assert "Received message larger than max" not in response.text
    assert "6000" not in response.text  # nothing of gRPC's own text (its sizes) reaches the caller


async def test_a_request_over_the_message_limit_is_400_without_grpc_internals(
    upstream: Upstream,
) -> None:
    invoker = ProxyInvoker(f"127.0.0.1:{upstream.port}", timeout=10)
    app = build_gateway(invoker, max_body_bytes=16 * 1024 * 1024)  # an operator's larger limit
    body = {"source": {"display_name": "x" * 5_000_000}}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as http:
            response = await http.post("/v1beta/workspaces/acme/sources", json=body, headers=AUTH)
    finally:
        await invoker.close()
    assert (response.status_code, response.json()["code"]) == (400, 3)
    assert "larger than max" not in response.text
