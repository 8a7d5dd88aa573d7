"""What the REST listener allows a connection: time, header bytes, and how many at once.

uvicorn has no request-header timeout, no body timeout and (with httptools, its fast parser)
no header-size limit, and its `limit_concurrency` still accepts every connection (issue #13
item 4: 110 idle or half-sent connections exhausted a 128-fd limit; an 80 MB unfinished header
slowed every other client). `ListenerLimits` are the production defaults we ship, each from a
server that ships it:

| limit | default | from |
|---|---|---|
| whole request header within | 60 s | nginx `client_header_timeout` |
| between two reads of a body | 60 s | nginx `client_body_timeout` |
| idle keep-alive connection | 5 s | uvicorn `timeout_keep_alive` |
| request line + headers | 60 KiB | Envoy `max_request_headers_kb` (the original API's proxy) |
| open connections | 1024 | the usual soft `ulimit -n` (nginx: 512 `worker_connections` a worker) |

A connection beyond the cap is answered `503` and closed at once, before anything is read, so it
holds no descriptor and stalls nobody. A header over the limit is `431` (a request line alone over
it `400`, as httptools answered it) and a header not sent in time `408`, both closing the
connection; an idle or stalled-body connection is closed.

`guarded_protocol(limits)` is uvicorn's httptools protocol with these limits added. It
subclasses `uvicorn.protocols.http.httptools_impl.HttpToolsProtocol`, an internal of uvicorn's:
this is why uvicorn is pinned to one exact version (pyproject.toml), and
tests/operability/test_listener_limits.py proves each limit with real sockets.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HEADERS, _BODY, _IDLE = 0, 1, 2


@dataclass(frozen=True)
class ListenerLimits:
    """The REST listener's limits (see the module docstring for where each default comes from)."""

    header_timeout_seconds: float = 60.0
    body_timeout_seconds: float = 60.0
    keep_alive_seconds: int = 5
    max_header_bytes: int = 60 * 1024
    max_connections: int = 1024

    def __post_init__(self) -> None:
        _check_range("header_timeout_seconds", self.header_timeout_seconds, 0.01, 3600)
        _check_range("body_timeout_seconds", self.body_timeout_seconds, 0.01, 3600)
        _check_range("keep_alive_seconds", self.keep_alive_seconds, 1, 3600)
        _check_range("max_header_bytes", self.max_header_bytes, 1024, 16 * 1024 * 1024)
        _check_range("max_connections", self.max_connections, 1, 1_000_000)


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")


def _canned(status: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


_REFUSED: Final = _canned(b"503 Service Unavailable")
_TOO_LARGE: Final = _canned(b"431 Request Header Fields Too Large")
_BAD_REQUEST: Final = _canned(b"400 Bad Request")
_TIMED_OUT: Final = _canned(b"408 Request Timeout")


class _OpenConnections:
    """How many connections one listener holds (shared by its protocol instances)."""

    def __init__(self) -> None:
        self.count = 0


def guarded_protocol(limits: ListenerLimits) -> type[asyncio.Protocol]:
    """A uvicorn HTTP protocol class for one listener, enforcing `limits`."""
    open_connections = _OpenConnections()

    class GuardedHttpToolsProtocol(_Guarded):
        _limits = limits
        _open = open_connections

    return GuardedHttpToolsProtocol


class _Guarded(HttpToolsProtocol):
    """httptools' protocol plus a deadline per phase, a header-size limit and a connection cap.

    One timer per connection: arming a phase only moves `_deadline` (a float), so the hot path
    of a keep-alive connection schedules nothing; the timer re-checks when it fires.
    """

    _limits: ListenerLimits
    _open: _OpenConnections
    _refused = False
    _phase = _IDLE
    _deadline: float | None = None
    _timer: asyncio.TimerHandle | None = None
    _header_bytes = 0
    _line_done = False  # the request line has ended

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._open.count >= self._limits.max_connections:
            self._refused = True
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(_REFUSED)
            transport.close()
            return
        self._open.count += 1
        super().connection_made(transport)  # type: ignore[arg-type]
        self._enter(_HEADERS, self._limits.header_timeout_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._refused:
            return
        self._leave()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._leave()  # the WebSocket protocol owns the connection from here
        super().handle_websocket_upgrade()

    def data_received(self, data: bytes) -> None:
        if self._phase == _BODY:
            self._enter(_BODY, self._limits.body_timeout_seconds)  # the gap between two reads
        elif self._header_too_large(data):
            self._refuse(self._refusal(data))
            return
        elif not self._line_done:
            self._line_done = b"\n" in data
        super().data_received(data)

    def _header_too_large(self, data: bytes) -> bool:
        """Counts `data` as header bytes; True if the header passes the limit. The terminator is
        looked for only when the count passes it: one comparison on the hot path."""
        room = self._limits.max_header_bytes - self._header_bytes
        self._header_bytes += len(data)
        return len(data) > room and data.find(b"\r\n\r\n", 0, max(room, 0)) == -1

    def _refusal(self, data: bytes) -> bytes:
        """431; but a request line alone over the limit is the malformed request httptools
        called it (400)."""
        room = self._limits.max_header_bytes - (self._header_bytes - len(data))
        if self._line_done or data.find(b"\n", 0, max(room, 0)) != -1:
            return _TOO_LARGE
        return _BAD_REQUEST

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._phase == _IDLE:  # a keep-alive connection's next request
            self._enter(_HEADERS, self._limits.header_timeout_seconds)

    def on_headers_complete(self) -> None:
        self._enter(_BODY, self._limits.body_timeout_seconds)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # uvicorn's keep-alive timeout takes over until the next request begins
        self._phase, self._deadline, self._header_bytes, self._line_done = _IDLE, None, 0, False
        super().on_message_complete()

    def _enter(self, phase: int, seconds: float) -> None:
        self._phase = phase
        self._deadline = self.loop.time() + seconds
        if self._timer is None:
            self._timer = self.loop.call_later(seconds, self._check_deadline)

    def _leave(self) -> None:
        self._open.count -= 1
        self._phase, self._deadline = _IDLE, None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_deadline(self) -> None:
        self._timer = None
        if self._deadline is None:
            return
        remaining = self._deadline - self.loop.time()
        if remaining > 0:
            self._timer = self.loop.call_later(remaining, self._check_deadline)
        elif self._phase == _HEADERS and self._header_bytes == 0:
            self.transport.close()  # an idle connection: nothing to answer
        elif self._phase == _HEADERS:
            self._refuse(_TIMED_OUT)
        else:
            self.transport.close()  # a stalled body: the app sees the client go away

    def _refuse(self, answer: bytes) -> None:
        self._phase, self._deadline = _IDLE, None
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()
