"""The REST gateway as a raw ASGI application.

Per request: route → read the body (only when the route takes one, within the size limit) →
transcode → invoke → marshal → `200` JSON. Every failure, from routing to the upstream, goes
through the one renderer in `gateway/errors.py`; anything unexpected is logged with its traceback
and answered `500` code 13 "internal error" (SPEC §2: internals never reach the caller).
`GET /v1beta/openapi.json` is the OpenAPI document of these routes (`configapi.openapi`), public.

A raw ASGI callable that routes with the precomputed table, rather than a Starlette app, keeps the
per-request overhead to the work transcoding needs.

Body limit: an oversized body is `400` INVALID_ARGUMENT ("request body exceeds N bytes"), through
the one code → HTTP table rather than a special 413: it is what grpc-gateway answers when its
body reader fails, and a client treats it as the bad input it is (a 429/RESOURCE_EXHAUSTED would
invite retries that cannot succeed).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

import grpc

from configapi import openapi
from configapi.contract import methods
from configapi.errors import ApiError, internal
from configapi.gateway.errors import (
    Headers,
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

Scope = MutableMapping[str, Any]
AsgiMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[AsgiMessage]]
Send = Callable[[AsgiMessage], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES: Final = 4 * 1024 * 1024

_log = logging.getLogger(__name__)
_JSON_HEADERS: Final[Headers] = [("content-type", "application/json")]


class ClientDisconnected(Exception):
    """The client went away before its body was read; nothing is answered."""


class Gateway:
    """The ASGI application: one route table, one invoker, one marshaller."""

    def __init__(
        self, routes: RouteTable, invoker: Invoker, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        self.routes = routes
        self._invoker = invoker
        self._marshaller = FragmentEncoder(JsonMarshaller())
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                status, body, headers = await self._respond(scope, receive)
            except ClientDisconnected:
                return
            await _send_response(send, status, body, headers)
        elif scope["type"] == "lifespan":
            await _run_lifespan(receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> tuple[int, bytes, Headers]:
        try:
            return await self._handle(scope, receive)
        except ApiError as error:
            note_code(error.code)  # the request log's canonical code (not recoverable from HTTP)
            return render_error(error.status())
        except UpstreamUnavailable:
            note_code(grpc.StatusCode.UNAVAILABLE)
            return render_upstream_unavailable()
        except ClientDisconnected:
            raise
        except Exception:
            _log.exception("unexpected error serving %s %s", scope["method"], scope["path"])
            note_code(grpc.StatusCode.INTERNAL)
            return render_error(internal().status())

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, bytes, Headers]:
        if scope["method"] == "GET" and scope["path"] == openapi.SERVED_AT:
            return 200, openapi.contract_document(), _JSON_HEADERS  # public: no token needed
        route, bindings = self.routes.lookup(scope["method"], _raw_path(scope))
        note_route(route)
        body = await _read_body(scope, receive, self._max_body_bytes) if route.body else b""
        request = build_request(route, bindings, body, scope.get("query_string", b""))
        metadata = metadata_from_headers(scope["headers"], scope.get("client"))
        response = await self._invoker.invoke(route.method, request, metadata)
        return 200, self._marshaller.encode(response), _JSON_HEADERS


def build_gateway(invoker: Invoker, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Gateway:
    """The REST gateway for every method of the contract, calling the API through `invoker`."""
    return Gateway(build_route_table(methods()), invoker, max_body_bytes=max_body_bytes)


def _raw_path(scope: Scope) -> str:
    """The still-encoded path, so `%2F` stays inside its segment (ASGI `raw_path`).

    Some clients' ASGI transports leave the query string on `raw_path`; it is cut off here.
    """
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        return str(scope["path"])
    return raw.partition(b"?")[0].decode("latin-1")


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole body, refusing one over `limit` bytes before buffering it if it says so."""
    for key, value in scope["headers"]:
        if key == b"content-length" and value.isdigit() and int(value) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return malformed_request(f"request body exceeds {limit} bytes")


async def _send_response(send: Send, status: int, body: bytes, headers: Headers) -> None:
    raw_headers = [(b"content-length", str(len(body)).encode("ascii"))]
    raw_headers.extend((key.encode("latin-1"), value.encode("latin-1")) for key, value in headers)
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def _run_lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown: the gateway holds nothing to open or close."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
