"""Serve a baseline ASGI app as `configapi serve` serves its gateway: the project's own
`HttpServer` (uvicorn, same options, same socket set-up). The target's baseline runs on the
standard asyncio loop; `--event-loop uvloop` puts it on the loop `configapi serve` uses by
default, for the informational ratio beside it."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from configapi import event_loop
from configapi.http_server import HttpServer


async def serve_asgi(app: Any, host: str = "127.0.0.1") -> None:
    """Serve on a free port, print "serving REST on URL", and serve until cancelled."""
    server = HttpServer(app, f"{host}:0")
    await server.start()
    print(f"serving REST on http://{host}:{server.port}", flush=True)
    await asyncio.Event().wait()


def run_forever(app: Any) -> None:
    """`serve_asgi` on the loop `--event-loop` names (the standard asyncio loop by default)."""
    loop = sys.argv[sys.argv.index("--event-loop") + 1] if "--event-loop" in sys.argv else "asyncio"
    event_loop.run(serve_asgi(app), loop)
