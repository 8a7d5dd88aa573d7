"""Request logs: one line per call from either transport, with the fields an operator needs, the
request id echoed to the caller, the token named by its resource name, and never a secret."""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass

import grpc
import httpx
import pytest
from segment.config.v1beta import (
    access_tokens_pb2,
    workspaces_pb2,
    workspaces_pb2_grpc,
)

from configapi.app import ProxyGateway
from configapi.auth.tokens import SCOPE_READ
from tests.operability.conftest import Serve, Served
from tests.operability.support import request_lines

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
GET_WORKSPACE = "segment.config.v1beta.WorkspaceService.GetWorkspace"
FIELDS = {
    "time",
    "level",
    "logger",
    "transport",
    "method",
    "http_method",
    "route",
    "code",
    "http_status",
    "duration_ms",
    "request_id",
    "token",
    "workspaces",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def grpc_get_workspace(
    served: Served, name: str, metadata: tuple[tuple[str, str], ...] = ()
) -> tuple[grpc.StatusCode, dict[str, str]]:
    """Call GetWorkspace over gRPC; the code and the trailing metadata."""
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        call = workspaces_pb2_grpc.WorkspaceServiceStub(channel).GetWorkspace(
            workspaces_pb2.GetWorkspaceRequest(name=name),
            metadata=(("authorization", f"Bearer {served.token}"), *metadata),
        )
        with contextlib.suppress(grpc.aio.AioRpcError):
            await call
        trailers = {key: value for key, value in (await call.trailing_metadata() or ())}
        return await call.code(), trailers


async def test_a_rest_call_is_one_json_line_with_every_field(serve: Serve) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        reply = await client.get(
            "/v1beta/workspaces/acme", headers={**bearer(served.token), "X-Request-Id": "req-1"}
        )
    assert reply.status_code == 200
    assert reply.headers["x-request-id"] == "req-1"
    [line] = request_lines(served.lines)
    assert set(line) == FIELDS
    assert TIME.fullmatch(line["time"])
    assert line["duration_ms"] > 0
    del line["time"], line["duration_ms"]
    assert line == {
        "level": "info",
        "logger": "configapi.access",
        "transport": "rest",
        "method": GET_WORKSPACE,
        "http_method": "GET",
        "route": "/v1beta/{name=workspaces/*}",
        "code": "OK",
        "http_status": 200,
        "request_id": "req-1",
        "token": served.token_name,
        "workspaces": ["workspaces/acme"],
    }


async def test_a_grpc_call_is_one_line_and_returns_its_request_id(serve: Serve) -> None:
    served = await serve()
    code, trailers = await grpc_get_workspace(
        served, "workspaces/acme", (("x-request-id", "grpc-req-7"),)
    )
    assert code == grpc.StatusCode.OK
    assert trailers["x-request-id"] == "grpc-req-7"
    [line] = request_lines(served.lines)
    assert line["transport"] == "grpc"
    assert (line["method"], line["code"], line["request_id"]) == (GET_WORKSPACE, "OK", "grpc-req-7")
    assert (line["http_method"], line["route"], line["http_status"]) == (None, None, None)
    assert (line["token"], line["workspaces"]) == (served.token_name, ["workspaces/acme"])


async def test_a_failed_grpc_call_returns_its_request_id_too(serve: Serve) -> None:
    served = await serve()
    code, trailers = await grpc_get_workspace(served, "workspaces/nope")
    assert code == grpc.StatusCode.NOT_FOUND
    assert "grpc-status-details-bin" in trailers  # the error's details are still there
    [line] = request_lines(served.lines)
    assert (line["code"], line["request_id"]) == ("NOT_FOUND", trailers["x-request-id"])


@pytest.mark.parametrize(
    "sent",
    ['has"quote', "x" * 129, "spaces are not ids", ""],
    ids=["quote", "too-long", "spaces", "empty"],
)
async def test_a_missing_or_unusable_request_id_is_replaced(serve: Serve, sent: str) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        first = await client.get(
            "/v1beta/workspaces", headers={**bearer(served.token), "X-Request-Id": sent}
        )
        second = await client.get("/v1beta/workspaces", headers=bearer(served.token))
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert sent not in ids and ids[0] != ids[1]
    assert [line["request_id"] for line in request_lines(served.lines)] == ids


@dataclass(frozen=True)
class Refused:
    """A REST request the API refuses, and how its line must read."""

    verb: str
    path: str
    code: str
    status: int
    token: str | None = "write"  # "write", "read", None (no header) or a literal secret
    body: bytes = b""

    @property
    def names_its_caller(self) -> bool:
        """Refused after authentication: the line names the token. A body is parsed only
        after the caller is admitted (cheap checks first), so a bad body names it too."""
        admitted_first = ("PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "INVALID_ARGUMENT")
        return self.code in admitted_first or self.path.endswith("globex")


SOURCES = "/v1beta/workspaces/acme/sources"
REFUSED = {
    "no token": Refused("GET", "/v1beta/workspaces", "UNAUTHENTICATED", 401, token=None),
    "bad token": Refused("GET", "/v1beta/workspaces", "UNAUTHENTICATED", 401, token="sgp_bad"),
    "no route": Refused("GET", "/v1beta/nowhere", "NOT_FOUND", 404),
    "wrong verb": Refused("DELETE", "/v1beta/workspaces", "NOT_FOUND", 404),
    "bad json": Refused("POST", f"{SOURCES}", "INVALID_ARGUMENT", 400, body=b"{"),
    "read scope": Refused("DELETE", f"{SOURCES}/web", "PERMISSION_DENIED", 403, token="read"),
    "other tenant": Refused("GET", "/v1beta/workspaces/globex", "NOT_FOUND", 404),
}  # fmt: skip


@pytest.mark.parametrize("refused", REFUSED.values(), ids=REFUSED.keys())
async def test_a_refused_rest_call_is_logged_with_its_code_and_caller(
    serve: Serve, refused: Refused
) -> None:
    served = await serve()
    read = await served.add_token("acme", scopes=SCOPE_READ)
    secret = {"write": served.token, "read": read.token}.get(refused.token or "", refused.token)
    headers = bearer(secret) if secret else {}
    async with httpx.AsyncClient(base_url=served.rest) as client:
        reply = await client.request(
            refused.verb, refused.path, headers=headers, content=refused.body
        )
    assert reply.status_code == refused.status
    [line] = request_lines(served.lines)
    assert (line["code"], line["http_status"], line["http_method"]) == (
        refused.code,
        refused.status,
        refused.verb,
    )
    assert line["request_id"] == reply.headers["x-request-id"]
    if refused.names_its_caller:
        assert line["token"] == {"read": read.name}.get(refused.token or "", served.token_name)
    else:
        assert (line["token"], line["workspaces"]) == (None, None)


async def test_a_rate_limited_call_names_its_token(serve: Serve) -> None:
    served = await serve(rate_limit=1)
    async with httpx.AsyncClient(base_url=served.rest) as client:
        statuses = [
            (await client.get("/v1beta/workspaces", headers=bearer(served.token))).status_code
            for _ in range(2)
        ]
    assert statuses == [200, 429]
    limited = request_lines(served.lines)[1]
    assert (limited["code"], limited["token"]) == ("RESOURCE_EXHAUSTED", served.token_name)


async def test_no_line_holds_a_secret_or_the_authorization_header(serve: Serve) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        created = await client.post(
            "/v1beta/access-tokens",
            headers=bearer(served.token),
            json={
                "access_token": {
                    "description": "ci",
                    "scopes": "workspace:read",
                    "workspace_names": ["workspaces/acme"],
                }
            },
        )
        new_secret = created.json()["token"]
        await client.get("/v1beta/workspaces", headers=bearer(new_secret))
        await client.get("/v1beta/workspaces", headers=bearer("sgp_not_a_real_secret"))
    await grpc_get_workspace(served, "workspaces/acme")
    logged = "\n".join(served.lines)
    assert len(request_lines(served.lines)) == 4
    for secret in (served.token, new_secret, "sgp_not_a_real_secret"):
        assert secret not in logged
    assert "bearer" not in logged.lower() and "authorization" not in logged.lower()


async def test_concurrent_calls_each_name_their_own_caller(serve: Serve) -> None:
    served = await serve()
    other = await served.add_token("acme")
    tokens = {served.token: served.token_name, other.token: other.name}
    expected: dict[str, str] = {}

    async def call(client: httpx.AsyncClient, secret: str, number: int) -> None:
        request_id = f"call-{number}"
        expected[request_id] = tokens[secret]
        reply = await client.get(
            "/v1beta/workspaces/acme", headers={**bearer(secret), "X-Request-Id": request_id}
        )
        assert reply.status_code == 200

    async with httpx.AsyncClient(base_url=served.rest) as client:
        await asyncio.gather(
            *(call(client, list(tokens)[n % 2], n) for n in range(40)),
            *(
                grpc_get_workspace(served, "workspaces/acme", (("x-request-id", f"g-{n}"),))
                for n in range(10)
            ),
        )
    expected.update({f"g-{n}": served.token_name for n in range(10)})
    lines = request_lines(served.lines)
    assert {line["request_id"]: line["token"] for line in lines} == expected
    assert len(lines) == 50


async def test_text_format_is_one_readable_line_per_call(serve: Serve) -> None:
    served = await serve(log_format="text")
    async with httpx.AsyncClient(base_url=served.rest) as client:
        await client.get("/v1beta/workspaces/acme", headers=bearer(served.token))
        await client.get("/v1beta/workspaces/acme")
    assert len(served.lines) == 2
    ok, refused = served.lines
    assert re.fullmatch(
        rf"{TIME.pattern} INFO rest GET /v1beta/\{{name=workspaces/\*\}} {GET_WORKSPACE} OK 200 "
        rf"\d+\.\d{{3}}ms request_id=\S+ token={served.token_name} workspaces=workspaces/acme\n",
        ok,
    )
    assert re.fullmatch(
        rf"{TIME.pattern} INFO rest GET /v1beta/\{{name=workspaces/\*\}} {GET_WORKSPACE} "
        r"UNAUTHENTICATED 401 \d+\.\d{3}ms request_id=\S+ token=- workspaces=-\n",
        refused,
    )


async def test_level_warning_leaves_request_lines_out(serve: Serve) -> None:
    served = await serve(log_level="warning")
    async with httpx.AsyncClient(base_url=served.rest) as client:
        assert (await client.get("/v1beta/workspaces", headers=bearer(served.token))).is_success
    assert served.lines == []


async def test_operator_endpoints_are_not_logged_as_calls(serve: Serve) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200
    assert served.lines == []


async def test_a_standalone_gateway_logs_its_own_line_with_the_request_id_it_forwards(
    serve: Serve,
) -> None:
    upstream = await serve()
    lines: list[str] = []
    gateway = ProxyGateway(upstream.grpc_target, "127.0.0.1:0", 1 << 20, log_write=lines.append)
    await gateway.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}") as client:
            reply = await client.get(
                "/v1beta/workspaces/acme",
                headers={**bearer(upstream.token), "X-Request-Id": "through-proxy"},
            )
    finally:
        await gateway.stop()
    assert reply.status_code == 200 and reply.headers["x-request-id"] == "through-proxy"
    [at_gateway] = request_lines(lines)
    [at_server] = request_lines(upstream.lines)
    assert (at_gateway["transport"], at_gateway["route"]) == ("rest", "/v1beta/{name=workspaces/*}")
    assert at_gateway["token"] is None  # the gateway does not authenticate; its upstream does
    assert (at_server["transport"], at_server["token"]) == ("grpc", upstream.token_name)
    assert at_gateway["request_id"] == at_server["request_id"] == "through-proxy"


async def test_a_token_created_over_grpc_is_not_logged(serve: Serve) -> None:
    from segment.config.v1beta import access_tokens_pb2_grpc

    served = await serve()
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        created = await access_tokens_pb2_grpc.AccessTokenServiceStub(channel).CreateAccessToken(
            access_tokens_pb2.CreateAccessTokenRequest(
                access_token=access_tokens_pb2.AccessToken(
                    description="x", scopes="workspace", workspace_names=["workspaces/acme"]
                )
            ),
            metadata=(("authorization", f"Bearer {served.token}"),),
        )
    [line] = request_lines(served.lines)
    assert line["code"] == "OK" and created.token not in "".join(served.lines)
