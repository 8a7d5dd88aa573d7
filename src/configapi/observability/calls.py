"""One API call as the operator sees it: a record that each layer annotates, found in a context
variable rather than passed down as a parameter.

The transport edge (the gRPC handler, or the HTTP wrapper around the REST gateway) starts a
`Call` and makes it current; deeper layers add what only they know:
- the gateway notes the route it matched and the canonical code of an error it rendered;
- the policy layer notes the caller as soon as the bearer token is authenticated, so a call
  refused later (rate limit, scope, tenancy) still names its token.
The edge then finishes the call (`observer.CallObserver`): one log line and its metrics.

A context variable holds one value per asyncio task, and grpc.aio and uvicorn both run each call
in a task of its own, so concurrent calls never see each other's record. Outside a call (a
unit test driving the dispatcher directly) the notes do nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar, Token
from typing import Final, Protocol

import grpc
from google.protobuf.descriptor import MethodDescriptor

from configapi.auth.tokens import Caller

GRPC: Final = "grpc"
REST: Final = "rest"
REQUEST_ID_KEY: Final = "x-request-id"  # REST header `X-Request-Id`, gRPC metadata in and out

# What we accept as a caller's request id: it is echoed and logged verbatim, so printable,
# quote-free and short. Anything else is replaced by an id of our own.
_VALID_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


class Template(Protocol):
    """A parsed path template (`gateway.httprule.PathTemplate`)."""

    @property
    def source(self) -> str: ...


class RestRoute(Protocol):
    """What a log line takes from a gateway route (`gateway.routes.Route`)."""

    @property
    def method(self) -> MethodDescriptor: ...

    @property
    def template(self) -> Template: ...


class Call:
    """What is known of one call so far. Filled by the layers, read once when it finishes."""

    __slots__ = (
        "caller",
        "code",
        "http_method",
        "http_status",
        "method",
        "request_id",
        "route",
        "started",
        "token",
        "transport",
    )

    def __init__(self, transport: str, request_id: str, started: float) -> None:
        self.transport = transport
        self.request_id = request_id
        self.started = started
        self.method: MethodDescriptor | None = None
        self.http_method = ""
        self.route: RestRoute | None = None
        self.code: grpc.StatusCode | None = None
        self.http_status = 0
        self.caller: Caller | None = None
        self.token: Token[Call | None] | None = None


_CURRENT: ContextVar[Call | None] = ContextVar("configapi_call", default=None)


def begin(call: Call) -> None:
    """Make `call` the current task's call."""
    call.token = _CURRENT.set(call)


def end(call: Call) -> None:
    """Stop `call` being current (it was made current by `begin` in this task)."""
    if call.token is not None:
        _CURRENT.reset(call.token)
        call.token = None


def current() -> Call | None:
    """The call this task is serving, if any."""
    return _CURRENT.get()


def note_caller(caller: Caller) -> None:
    """The policy layer authenticated the call's token."""
    call = _CURRENT.get()
    if call is not None:
        call.caller = caller


def note_route(route: RestRoute) -> None:
    """The gateway matched a route: its method and path template name the call."""
    call = _CURRENT.get()
    if call is not None:
        call.route = route
        call.method = route.method


def note_code(code: grpc.StatusCode) -> None:
    """The call failed with `code` (the gateway renders the error; the code is not in HTTP)."""
    call = _CURRENT.get()
    if call is not None:
        call.code = code


def with_request_id(metadata: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """`metadata` plus the current call's request id, for a call made upstream on its behalf."""
    call = _CURRENT.get()
    if call is None:
        return tuple(metadata)
    return (*metadata, (REQUEST_ID_KEY, call.request_id))


def valid_request_id(value: str) -> bool:
    """Whether a caller's request id may be used as is."""
    return _VALID_REQUEST_ID.fullmatch(value) is not None
