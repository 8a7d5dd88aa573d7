"""The REST gateway as a Starlette application (SPEC §1, §2).

Starlette routes the operator's endpoints (`/healthz`, `/readyz`, `/metrics`), the OpenAPI
document (`GET /v1beta/openapi.json`, public) and everything else to `ApiRoute`, the API. The
API's routes are not Starlette path-regex routes: they come from the `google.api.http`
annotations (`gateway.routes`), whose SPEC §1 rules (duplicate and trailing slashes, `%2F`
inside a segment, a wrong method being 404) a path-regex router does not follow. `ApiRoute` is
first in Starlette's list and matches with one set look-up, so an API request costs Starlette's
router one `matches` call instead of one regex per operator route (measured: the regexes and
their scope copies were a quarter of the gateway's own time per GET).

Per API request, cheapest check first (SPEC §3, issue #12 item 8):
route → refuse a body that says it is over the limit → admit the caller (token, rate limit,
scope: the policy layer's own code, through the invoker) → read the body (only when the route
takes one, within the limit) → transcode → invoke (tenancy, then the servicer) → marshal → 200.
A caller without a token never has its body read or parsed.

Errors are exceptions turned into responses by Starlette exception handlers, all through the one
renderer in `gateway/errors.py`; anything unexpected is logged with its traceback and answered
`500` code 13 "internal error" (SPEC §2: internals never reach the caller).

Body limit: an oversized body is `400` INVALID_ARGUMENT ("request body exceeds N bytes"), through
the one code → HTTP table rather than a special 413: it is what grpc-gateway answers when its
body reader fails, and a client treats it as the bad input it is (a 429/RESOURCE_EXHAUSTED would
invite retries that cannot succeed).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Final

import grpc
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route

from configapi import openapi
from configapi.contract import methods
from configapi.errors import ApiError, internal
from configapi.gateway.errors import (
    error_for_http_status,
    malformed_request,
    render_error,
    render_upstream_unavailable,
)
from configapi.gateway.fragments import FragmentEncoder
from configapi.gateway.headers import metadata_from_headers
from configapi.gateway.invoker import Invoker, UpstreamUnavailable
from configapi.gateway.marshal import JsonMarshaller
from configapi.gateway.routes import RouteTable, build_route_table
from configapi.gateway.transcode import build_request
from configapi.observability.calls import note_code, note_route
from configapi.observability.endpoints import ObservedCalls
from configapi.observability.observer import CallObserver

Scope = MutableMapping[str, Any]
AsgiMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[AsgiMessage]]
Send = Callable[[AsgiMessage], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES: Final = 4 * 1024 * 1024
JSON: Final = "application/json"

_log = logging.getLogger(__name__)


class Gateway(Starlette):
    """The Starlette application of the REST gateway; `route_table` is the API's routes."""

    route_table: RouteTable


def build_gateway(
    invoker: Invoker,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    operator_routes: Sequence[BaseRoute] = (),
    calls: CallObserver | None = None,
) -> Gateway:
    """The REST gateway for every method of the contract, calling the API through `invoker`.

    `operator_routes` (the probes and /metrics) keep their paths from the API and are not
    observed; with `calls`, every other request is one observed call (request id, log line,
    metrics).
    """
    table = build_route_table(methods())
    api = ApiEndpoint(table, invoker, max_body_bytes)
    unobserved = frozenset(r.path for r in operator_routes if isinstance(r, Route))
    own_routes = [*operator_routes, Route(openapi.SERVED_AT, _openapi_document, methods=["GET"])]
    middleware = (
        [] if calls is None else [Middleware(ObservedCalls, calls=calls, unobserved=unobserved)]
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await invoker.close()  # the standalone gateway's upstream channel

    app = Gateway(
        routes=[ApiRoute(api, frozenset({openapi.SERVED_AT}), own_routes), *own_routes],
        middleware=middleware,
        exception_handlers={
            ApiError: _api_error,
            UpstreamUnavailable: _upstream_unavailable,
            HTTPException: _http_exception,
        },
        lifespan=lifespan,
    )
    app.route_table = table
    return app


class ApiRoute(BaseRoute):
    """Every HTTP request but those of `others` goes to the API, whatever its method: a method
    the API lacks is the matcher's 404 (SPEC §2), never Starlette's 405."""

    def __init__(self, app: ApiEndpoint, get_only: frozenset[str], others: Sequence[BaseRoute]):
        self._app = app
        self._get_only = get_only  # paths that are another route's for GET only
        self._others = frozenset(r.path for r in others if isinstance(r, Route)) - get_only

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path = scope["path"]
        if path in self._others or (path in self._get_only and scope["method"] in ("GET", "HEAD")):
            return Match.NONE, {}
        return Match.FULL, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


class ApiEndpoint:
    """The ASGI endpoint of `ApiRoute`: the descriptor-driven matcher and transcoder."""

    def __init__(self, table: RouteTable, invoker: Invoker, max_body_bytes: int) -> None:
        self._table = table
        self._invoker = invoker
        self._marshaller = FragmentEncoder(JsonMarshaller())
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self._respond(Request(scope, receive))
        except ClientDisconnect:
            return  # the client went away before its body was read: nothing to answer
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        scope = request.scope
        try:
            route, bindings = self._table.lookup(scope["method"], _raw_path(scope))
            note_route(route)
            metadata = metadata_from_headers(scope["headers"], scope.get("client"))
            if route.body:
                _refuse_declared_oversize(scope, self._max_body_bytes)
            admission = await self._invoker.admit(route.method, metadata)
            body = await _read_body(request, self._max_body_bytes) if route.body else b""
            message = build_request(route, bindings, body, scope.get("query_string", b""))
            response = await self._invoker.invoke(route.method, message, metadata, admission)
        except (ApiError, UpstreamUnavailable, ClientDisconnect):
            raise
        except Exception:
            _log.exception("unexpected error serving %s %s", scope["method"], scope["path"])
            raise internal() from None
        return Response(self._marshaller.encode(response), media_type=JSON)


async def _openapi_document(_: Request) -> Response:
    return Response(openapi.contract_document(), media_type=JSON)  # public: no token needed


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    note_code(exc.code)  # the request log's canonical code (not recoverable from HTTP)
    status, body, headers = render_error(exc.status())
    return Response(body, status, headers=dict(headers))


async def _upstream_unavailable(_: Request, exc: Exception) -> Response:
    note_code(grpc.StatusCode.UNAVAILABLE)
    status, body, headers = render_upstream_unavailable()
    return Response(body, status, headers=dict(headers))


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no route, wrong method) in the API's error body."""
    assert isinstance(exc, HTTPException)
    return await _api_error(
        request, error_for_http_status(exc.status_code, request.method, request.url.path)
    )


def _raw_path(scope: Scope) -> str:
    """The still-encoded path, so `%2F` stays inside its segment (ASGI `raw_path`).

    Some clients' ASGI transports leave the query string on `raw_path`; it is cut off here.
    """
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        return str(scope["path"])
    return raw.partition(b"?")[0].decode("latin-1")


def _refuse_declared_oversize(scope: Scope, limit: int) -> None:
    """A body whose Content-Length is over `limit` is refused before anything else is done."""
    for key, value in scope["headers"]:
        if key == b"content-length" and value.isdigit() and int(value) > limit:
            raise _too_large(limit)


async def _read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing it as soon as it passes `limit` bytes (chunked uploads)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return malformed_request(f"request body exceeds {limit} bytes")
