"""The operator's HTTP endpoints, and the observation of every other HTTP request.

`OperatorEndpoints` is the ASGI application an HTTP listener serves:
- `GET /healthz`: 200 while the process runs (liveness);
- `GET /readyz`: 200 when ready, else 503 with the reason (`health.Readiness`);
- `GET /metrics`: the Prometheus exposition, unless metrics have a listener of their own;
- anything else goes to the wrapped application (the REST gateway), as one observed call: its
  `X-Request-Id` is read or made, returned on the response, and the call is logged and counted.
None of the three needs a token, and none is logged or counted as an API call: probes and
scrapes every few seconds would drown the calls. Without a wrapped application (the separate
metrics listener), other paths are a plain 404.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

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
_REQUEST_ID_HEADER: Final = REQUEST_ID_KEY.encode()
_JSON: Final = (b"content-type", b"application/json")


class OperatorEndpoints:
    """ASGI: the operator's endpoints in front of an optional, observed application."""

    def __init__(
        self,
        app: ASGIApp | None,
        *,
        ready: ReadyCheck,
        metrics: Metrics | None,
        calls: CallObserver | None = None,
    ) -> None:
        self._app = app
        self._ready = ready
        self._metrics = metrics
        self._calls = calls
        self._own = frozenset({HEALTHZ, READYZ} | ({METRICS} if metrics else set()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app, observer = self._app, self._calls
        if scope["type"] != "http":
            if app is not None:
                await app(scope, receive, send)
            return
        if scope["path"] in self._own:
            await self._serve_own(scope, send)
            return
        if app is None:
            await _respond(send, 404, b"Not Found", (b"content-type", b"text/plain"))
            return
        if observer is None:
            await app(scope, receive, send)
            return
        # the observed call, inline: one coroutine less per request on the hot path
        call = observer.start_rest(scope["method"], scope["headers"])
        request_id = call.request_id.encode("ascii")

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                call.http_status = message["status"]
                headers = [*message.get("headers", ()), (_REQUEST_ID_HEADER, request_id)]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_request_id)
        finally:
            observer.finish(call)

    async def _serve_own(self, scope: Scope, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, b"", (b"allow", b"GET, HEAD"))
            return
        path = scope["path"]
        if path == HEALTHZ:
            await _respond(send, 200, b'{"status":"ok"}', _JSON)
        elif path == READYZ:
            await self._serve_readiness(send)
        elif self._metrics is not None:
            body = self._metrics.exposition()
            await _respond(send, 200, body, (b"content-type", CONTENT_TYPE.encode()))

    async def _serve_readiness(self, send: Send) -> None:
        problem = await self._ready()
        if problem is None:
            await _respond(send, 200, b'{"status":"ready"}', _JSON)
        else:
            body = b'{"status":"not ready","reason":' + _json_string(problem) + b"}"
            await _respond(send, 503, body, _JSON)


def _json_string(text: str) -> bytes:
    return json.dumps(text).encode()


async def _respond(send: Send, status: int, body: bytes, *headers: tuple[bytes, bytes]) -> None:
    raw = [(b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store"), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
