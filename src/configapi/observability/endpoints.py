"""The operator's HTTP endpoints as Starlette routes, and the observation of every API request.

- `GET /healthz`: 200 while the process runs (liveness);
- `GET /readyz`: 200 when ready, else 503 with the reason (`health.Readiness`);
- `GET /metrics`: the Prometheus exposition, unless metrics have a listener of their own.
Another method on them is 405 with `Allow: GET, HEAD`. None needs a token, and none is logged or
counted as an API call: probes and scrapes every few seconds would drown the calls.

`ObservedCalls` is the ASGI middleware that makes every other request one observed call: its
`X-Request-Id` is read or made, returned on the response, and the call is logged and counted.
A plain ASGI middleware rather than Starlette's `BaseHTTPMiddleware`: that one runs the app in
a task of its own per request and streams the response through a queue.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from configapi.observability.calls import REQUEST_ID_KEY
from configapi.observability.metrics import CONTENT_TYPE, Metrics
from configapi.observability.observer import CallObserver

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
ReadyCheck = Callable[[], Awaitable[str | None]]

HEALTHZ: Final = "/healthz"
READYZ: Final = "/readyz"
METRICS: Final = "/metrics"
# every method reaches the endpoint, which answers 405 itself: a Starlette `methods=` list would
# let the gateway's catch-all route take (and 404) a POST /healthz
_ALL_METHODS: Final = None
_REQUEST_ID_HEADER: Final = REQUEST_ID_KEY.encode()
_NO_STORE: Final = {"cache-control": "no-store"}


def operator_routes(ready: ReadyCheck, metrics: Metrics | None) -> list[BaseRoute]:
    """`/healthz`, `/readyz` and, with `metrics`, `/metrics`."""
    routes: list[BaseRoute] = [
        Route(HEALTHZ, _OperatorEndpoint(_healthz), methods=_ALL_METHODS),
        Route(READYZ, _OperatorEndpoint(_readiness(ready)), methods=_ALL_METHODS),
    ]
    if metrics is not None:
        routes.append(Route(METRICS, _OperatorEndpoint(_exposition(metrics)), methods=_ALL_METHODS))
    return routes


def operator_app(ready: ReadyCheck, metrics: Metrics) -> Starlette:
    """The separate metrics listener (`--metrics-address`): the probes and /metrics, no API."""
    return Starlette(routes=operator_routes(ready, metrics))


class _OperatorEndpoint:
    """An ASGI endpoint for GET and HEAD; 405 for anything else."""

    def __init__(self, respond: Callable[[], Awaitable[Response]]) -> None:
        self._respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in ("GET", "HEAD"):
            response = await self._respond()
        else:
            response = Response(b"", 405, headers={"allow": "GET, HEAD", **_NO_STORE})
        await response(scope, receive, send)


async def _healthz() -> Response:
    return _json(200, b'{"status":"ok"}')


def _readiness(ready: ReadyCheck) -> Callable[[], Awaitable[Response]]:
    async def respond() -> Response:
        problem = await ready()
        if problem is None:
            return _json(200, b'{"status":"ready"}')
        return _json(503, b'{"status":"not ready","reason":' + json.dumps(problem).encode() + b"}")

    return respond


def _exposition(metrics: Metrics) -> Callable[[], Awaitable[Response]]:
    async def respond() -> Response:
        return Response(metrics.exposition(), 200, headers=_NO_STORE, media_type=CONTENT_TYPE)

    return respond


def _json(status: int, body: bytes) -> Response:
    return Response(body, status, headers=_NO_STORE, media_type="application/json")


class ObservedCalls:
    """ASGI middleware: each HTTP request outside `unobserved` paths is one observed call."""

    def __init__(self, app: ASGIApp, *, calls: CallObserver, unobserved: frozenset[str]) -> None:
        self._app = app
        self._calls = calls
        self._unobserved = unobserved

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._unobserved:
            await self._app(scope, receive, send)
            return
        observer = self._calls
        call = observer.start_rest(scope["method"], scope["headers"])
        request_id = call.request_id.encode("ascii")

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                call.http_status = message["status"]
                headers = [*message.get("headers", ()), (_REQUEST_ID_HEADER, request_id)]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._app(scope, receive, send_with_request_id)
        finally:
            observer.finish(call)
