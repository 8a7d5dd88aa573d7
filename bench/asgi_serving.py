"""Serve a baseline ASGI app exactly as `configapi serve` serves its gateway: the project's own
`HttpServer` (uvicorn, same options, same socket set-up) under `asyncio.run`, so the baseline
differs from the real server only in the app."""

from __future__ import annotations

import asyncio
from typing import Any

from configapi.http_server import HttpServer


async def serve_asgi(app: Any, host: str = "127.0.0.1") -> None:
    """Serve on a free port, print "serving REST on URL", and serve until cancelled."""
    server = HttpServer(app, f"{host}:0")
    await server.start()
    print(f"serving REST on http://{host}:{server.port}", flush=True)
    await asyncio.Event().wait()


def run_forever(app: Any) -> None:
    """`serve_asgi` under `asyncio.run`, as `configapi serve` runs."""
    asyncio.run(serve_asgi(app))
