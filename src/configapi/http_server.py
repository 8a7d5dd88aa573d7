"""Hosting an ASGI app on uvicorn inside an already running event loop, on a bound socket.

Binding the socket ourselves gives the real port when asked for port 0, and lets us set
TCP_NODELAY (see `_listen`). The app's lifespan runs (Starlette's startup and shutdown).

uvicorn is pinned to one exact version (pyproject.toml) because this module uses more than its
documented `Server.serve()`: `startup`/`main_loop` and its connection state, to serve inside
the event loop the gRPC server shares without uvicorn's signal handlers (which would take
SIGTERM from `cli.py`, which stops gRPC and REST together) and to stop without its fixed
0.1 s sleeps; and `http_limits`, which adds the listener's timeouts, header limit and
connection cap to uvicorn's httptools protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

from configapi.http_limits import ListenerLimits, guarded_protocol
from configapi.settings import split_address
from configapi.tls import TlsFiles

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


class HttpServer:
    """One uvicorn server for `app` on `address` (`HOST:PORT`; port 0 picks a free one)."""

    def __init__(
        self,
        app: ASGIApp,
        address: str,
        *,
        tls: TlsFiles | None = None,
        limits: ListenerLimits | None = None,
        reuse_port: bool = False,
    ) -> None:
        limits = limits or ListenerLimits()
        # log_config=None: uvicorn's records go to the process's handler and format (cli.py)
        # instead of handlers of uvicorn's own; its access log is off, ours is per call.
        self._config = uvicorn.Config(
            app,
            http=guarded_protocol(limits),
            timeout_keep_alive=limits.keep_alive_seconds,
            lifespan="on",
            log_level="warning",
            access_log=False,
            loop="none",
            log_config=None,
            ssl_certfile=str(tls.cert) if tls else None,
            ssl_keyfile=str(tls.key) if tls else None,
        )
        self.scheme = "https" if tls else "http"
        self._address = address
        self._reuse_port = reuse_port  # `serve --workers N`: the kernel spreads connections
        self._server = uvicorn.Server(self._config)
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> None:
        """Bind and start serving."""
        sock = _listen(self._address, self._reuse_port)
        self.port = sock.getsockname()[1]
        self._config.load()
        self._server.lifespan = self._config.lifespan_class(self._config)
        await self._server.startup(sockets=[sock])
        self._task = asyncio.create_task(self._server.main_loop())

    async def stop(self, grace: float = 10.0) -> None:
        """Stop accepting, let in-flight requests finish (up to `grace` s), close connections.

        Does what uvicorn's `shutdown()` does without its fixed 0.1 s sleeps (they made every
        stop cost 0.2 s): idle keep-alive connections close at once, busy ones after their
        response.
        """
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        for server in self._server.servers:
            server.close()
        state = self._server.server_state
        for connection in list(state.connections):
            connection.shutdown()
        deadline = asyncio.get_running_loop().time() + grace
        while (state.connections or state.tasks) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)
        for task in list(state.tasks):
            task.cancel()
        await self._server.lifespan.shutdown()


def _listen(address: str, reuse_port: bool = False) -> socket.socket:
    host, port = split_address(address)
    # Without TCP_NODELAY, Nagle + delayed ACK hold a response written in two parts (uvicorn
    # writes head and body apart) for 40 ms or more. IPPROTO_TCP explicitly: the asyncio loop
    # sets it only on sockets made with it; set on the listener too, for uvloop, whose
    # accepted sockets inherit it.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock
