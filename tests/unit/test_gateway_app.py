"""The gateway application over HTTP (httpx's ASGI transport), in front of a canned dispatcher.

`CannedDispatcher` stands in for the gRPC server's dispatcher (not for gateway code): it records
each call and answers with a prepared response or error.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import empty_pb2
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from segment.config.v1beta import sources_pb2, workspaces_pb2

from configapi.contract import output_class
from configapi.errors import ApiError, not_found
from configapi.gateway import Gateway, InProcessInvoker, UpstreamUnavailable, build_gateway
from configapi.observability.endpoints import operator_routes


@dataclass
class Call:
    method: str
    request: Message
    metadata: Sequence[tuple[str, str]]


@dataclass
class CannedDispatcher:
    """Answers `answers[method name]` (a message, or an exception to raise); default: empty."""

    answers: dict[str, Message | Exception] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    refusal: ApiError | None = None  # what `admit` raises (None: every caller is admitted)
    admitted: list[str] = field(default_factory=list)

    async def admit(self, method: MethodDescriptor, metadata: Sequence[tuple[str, str]]) -> None:
        self.admitted.append(method.name)
        if self.refusal is not None:
            raise self.refusal

    async def call(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, str]],
        caller: object = None,
    ) -> Message:
        self.calls.append(Call(method.name, request, metadata))
        answer = self.answers.get(method.name, output_class(method)())
        if isinstance(answer, Exception):
            raise answer
        return answer


MakeClient = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """`make_client(dispatcher_or_invoker, max_body_bytes=...)` → an HTTP client of a gateway."""
    clients: list[httpx.AsyncClient] = []

    def make(backend: Any, **options: Any) -> httpx.AsyncClient:
        invoker = backend if hasattr(backend, "invoke") else InProcessInvoker(backend)
        app = build_gateway(invoker, **options)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


AUTH = {"authorization": "Bearer secret-token"}


async def test_get_answers_200_json_and_passes_the_token(make_client: MakeClient) -> None:
    workspace = workspaces_pb2.Workspace(name="workspaces/acme", display_name="Acme")
    dispatcher = CannedDispatcher({"GetWorkspace": workspace})
    response = await make_client(dispatcher).get("/v1beta/workspaces/acme", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"name": "workspaces/acme", "display_name": "Acme", "id": ""}
    [call] = dispatcher.calls
    assert call.request == workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme")
    assert ("authorization", "Bearer secret-token") in call.metadata


async def test_list_with_query_parameters(make_client: MakeClient) -> None:
    dispatcher = CannedDispatcher()
    client = make_client(dispatcher)
    response = await client.get("/v1beta/workspaces/acme/sources?page_size=2&pageToken=t&x=1")
    assert response.json() == {"sources": [], "next_page_token": ""}
    expected = sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_size=2, page_token="t")
    assert dispatcher.calls[0].request == expected


async def test_create_reads_the_wrapped_body(make_client: MakeClient) -> None:
    dispatcher = CannedDispatcher()
    body = {"source": {"name": "workspaces/acme/sources/js", "catalogName": "catalog/sources/js"}}
    response = await make_client(dispatcher).post("/v1beta/workspaces/acme/sources/", json=body)
    assert response.status_code == 200
    assert dispatcher.calls[0].request == sources_pb2.CreateSourceRequest(
        parent="workspaces/acme",
        source=sources_pb2.Source(name=body["source"]["name"], catalog_name="catalog/sources/js"),
    )


async def test_update_takes_mask_beside_the_resource_and_the_path_name(
    make_client: MakeClient,
) -> None:
    dispatcher = CannedDispatcher()
    body = {"source": {"display_name": "JS"}, "update_mask": {"paths": ["source.display_name"]}}
    client = make_client(dispatcher)
    await client.patch("/v1beta/workspaces/acme/sources/js", json=body)
    request = dispatcher.calls[0].request
    assert isinstance(request, sources_pb2.UpdateSourceRequest)
    assert request.source.name == "workspaces/acme/sources/js"
    assert list(request.update_mask.paths) == ["source.display_name"]


@pytest.mark.parametrize("body", [b"{}", b"", b"not json"], ids=["empty-object", "none", "junk"])
async def test_delete_answers_an_empty_object_and_ignores_its_body(
    make_client: MakeClient, body: bytes
) -> None:
    dispatcher = CannedDispatcher({"DeleteSource": empty_pb2.Empty()})
    response = await make_client(dispatcher).request(
        "DELETE",
        "/v1beta/workspaces/acme/sources/js",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, response.content) == (200, b"{}")


@pytest.mark.parametrize(
    ("verb", "path"),
    [("GET", "/v1beta/unknown"), ("PUT", "/v1beta/workspaces/acme/sources/js")],
    ids=["unknown-path", "wrong-verb"],
)
async def test_routing_misses_are_404_code_5(make_client: MakeClient, verb: str, path: str) -> None:
    response = await make_client(CannedDispatcher()).request(verb, path)
    assert response.status_code == 404
    assert response.json()["code"] == 5
    assert response.json()["error"] == response.json()["message"] == "Not Found"


async def test_api_errors_keep_code_message_and_details(make_client: MakeClient) -> None:
    error = not_found("config.segmentapis.com/Source", "workspaces/acme/sources/js")
    client = make_client(CannedDispatcher({"GetSource": error}))
    response = await client.get("/v1beta/workspaces/acme/sources/js")
    body = response.json()
    assert (response.status_code, body["code"], body["error"]) == (404, 5, error.message)
    assert [d["@type"].rsplit(".", 1)[-1] for d in body["details"]] == ["ErrorInfo", "ResourceInfo"]


@pytest.mark.parametrize(
    ("code", "header"),
    [
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "retry-after"),
        (grpc.StatusCode.UNAUTHENTICATED, "www-authenticate"),
    ],
    ids=["429-retry-after", "401-www-authenticate"],
)
async def test_error_headers_reach_the_client(
    make_client: MakeClient, code: grpc.StatusCode, header: str
) -> None:
    error = ApiError(code=code, message="m", reason="R", retry_after_seconds=12)
    client = make_client(CannedDispatcher({"ListWorkspaces": error}))
    response = await client.get("/v1beta/workspaces")
    assert header in response.headers


async def test_unexpected_exceptions_are_500_without_internals(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(CannedDispatcher({"ListWorkspaces": RuntimeError("db at /var/secret")}))
    with caplog.at_level(logging.ERROR):
        response = await client.get("/v1beta/workspaces")
    assert response.status_code == 500
    assert (response.json()["code"], response.json()["message"]) == (13, "internal error")
    assert "secret" not in response.text
    assert "db at /var/secret" in caplog.text  # the traceback is logged, never sent


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"source": ', "invalid JSON"),
        (b'{"source": {"name": "\xff"}}', "not valid UTF-8"),
        (b'{"source": {"labels": []}}', "invalid source.labels"),
    ],
    ids=["bad-json", "bad-utf8", "wrong-type"],
)
async def test_bad_bodies_are_400_code_3(
    make_client: MakeClient, content: bytes, problem: str
) -> None:
    client = make_client(CannedDispatcher())
    response = await client.post("/v1beta/workspaces/acme/sources", content=content)
    assert (response.status_code, response.json()["code"]) == (400, 3)
    assert problem in response.json()["message"]


async def test_a_malformed_path_escape_is_400(make_client: MakeClient) -> None:
    response = await make_client(CannedDispatcher()).get("/v1beta/workspaces/a%zz")
    assert (response.status_code, response.json()["code"]) == (400, 3)


async def chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 10):
        yield b" " * 10


@pytest.mark.parametrize(
    "content",
    [b"{" + b" " * 100 + b"}", chunks(200)],
    ids=["content-length-says-so", "streamed-without-length"],
)
async def test_an_oversized_body_is_400_naming_the_limit(
    make_client: MakeClient, content: Any
) -> None:
    dispatcher = CannedDispatcher()
    client = make_client(dispatcher, max_body_bytes=64)
    response = await client.post("/v1beta/workspaces/acme/sources", content=content)
    assert (response.status_code, response.json()["code"]) == (400, 3)
    assert response.json()["message"] == "request body exceeds 64 bytes"
    assert dispatcher.calls == []


@dataclass
class UnreachableUpstream:
    """An invoker whose upstream cannot be reached (stands in for a ProxyInvoker's failure)."""

    async def admit(self, method: MethodDescriptor, metadata: Sequence[tuple[str, str]]) -> None:
        return None

    async def invoke(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, str]],
        admitted: object = None,
    ) -> Message:
        raise UpstreamUnavailable("connection refused")

    async def close(self) -> None:
        return None


async def test_an_unreachable_upstream_is_the_plain_text_503(make_client: MakeClient) -> None:
    response = await make_client(UnreachableUpstream()).get("/v1beta/workspaces")
    assert response.status_code == 503
    assert response.text == "upstream connect error or disconnect/reset before headers"
    assert response.headers["content-type"] == "text/plain"


async def test_lifespan_is_acknowledged() -> None:
    app: Gateway = build_gateway(InProcessInvoker(CannedDispatcher()))
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    await app({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


UNAUTHENTICATED = ApiError(
    code=grpc.StatusCode.UNAUTHENTICATED, message="the access token is missing", reason="MISSING"
)


async def test_a_refused_caller_never_has_its_body_parsed(make_client: MakeClient) -> None:
    dispatcher = CannedDispatcher(refusal=UNAUTHENTICATED)
    response = await make_client(dispatcher).post(
        "/v1beta/workspaces/acme/sources", content=b"{not json"
    )
    assert (response.status_code, response.json()["code"]) == (401, 16)  # not 400
    assert response.headers["www-authenticate"] == "Bearer"
    assert (dispatcher.admitted, dispatcher.calls) == (["CreateSource"], [])


async def test_a_body_over_the_limit_is_refused_before_admission(make_client: MakeClient) -> None:
    dispatcher = CannedDispatcher(refusal=UNAUTHENTICATED)
    client = make_client(dispatcher, max_body_bytes=64)
    response = await client.post("/v1beta/workspaces/acme/sources", content=b" " * 100)
    assert (response.status_code, response.json()["code"]) == (400, 3)
    assert dispatcher.admitted == []


async def test_the_probes_are_routes_of_the_gateway_and_405_for_other_methods() -> None:
    async def ready() -> str | None:
        return "storage is not open"

    app = build_gateway(
        InProcessInvoker(CannedDispatcher()), operator_routes=operator_routes(ready, None)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        healthz, readyz, posted = (
            await c.get("/healthz"),
            await c.get("/readyz"),
            await c.post("/healthz"),
        )
        metrics = await c.get("/metrics")  # without metrics on this listener: the API's 404
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    assert (readyz.status_code, readyz.json()["reason"]) == (503, "storage is not open")
    assert (posted.status_code, posted.headers["allow"]) == (405, "GET, HEAD")
    assert (metrics.status_code, metrics.json()["code"]) == (404, 5)
