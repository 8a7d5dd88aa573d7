"""Baseline: a bare Starlette app on the same ASGI server, answering GET source with constant
JSON (the JSON the real server returned for the benchmarked source).

    python -m bench.baseline_starlette SOURCE.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.asgi_serving import run_forever


def build_app(document: dict[str, object]) -> Starlette:
    """One route, the REST path of GetSource, returning `document`."""

    async def get_source(request: Request) -> JSONResponse:
        return JSONResponse(document)

    return Starlette(routes=[Route("/v1beta/workspaces/{workspace}/sources/{source}", get_source)])


if __name__ == "__main__":
    run_forever(build_app(json.loads(Path(sys.argv[1]).read_text())))
