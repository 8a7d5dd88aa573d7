"""The REST gateway: JSON transcoding driven by the `google.api.http` annotations (SPEC §1, §2).

`build_gateway(invoker)` is the ASGI application; the invoker decides whether calls go to the
in-process gRPC dispatcher or to an upstream server.
"""

from configapi.gateway.app import Gateway, build_gateway
from configapi.gateway.errors import http_status_for, render_error
from configapi.gateway.invoker import (
    Dispatcher,
    InProcessInvoker,
    Invoker,
    ProxyInvoker,
    UpstreamUnavailable,
)

__all__ = [
    "Dispatcher",
    "Gateway",
    "InProcessInvoker",
    "Invoker",
    "ProxyInvoker",
    "UpstreamUnavailable",
    "build_gateway",
    "http_status_for",
    "render_error",
]
