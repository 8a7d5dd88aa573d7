"""Micro-benchmark: what logging and counting one call costs (`configapi.observability`).

    .venv/bin/python -m bench.call_observation

Times, per call, the work the transports add for operability: start a call (request id,
context variable, in-flight gauge), the notes the gateway and the policy layer add, and finish
it (metrics, one JSON or text line). The line goes to a list (formatting only)
and to a real file: one write(2) per line (a call alone in its 20 ms batch: what `LineBatcher`,
the stderr writer, does at low load) or one per 16 lines (calls ending close together).
Best of 5 runs of 50,000 calls each; machine-dependent, so a bare function call is timed
alongside as the unit to compare with.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import timeit
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import grpc

from configapi import contract
from configapi.auth.tokens import Caller
from configapi.gateway import InProcessInvoker, build_gateway
from configapi.gateway.routes import build_route_table
from configapi.http_server import ASGIApp
from configapi.observability import calls
from configapi.observability.logs import LineBatcher, RequestLog
from configapi.observability.metrics import Metrics
from configapi.observability.observer import CallObserver

CALLS = 50_000
HEADERS = [
    (b"host", b"127.0.0.1:8080"),
    (b"user-agent", b"python-httpx/0.28"),
    (b"accept", b"*/*"),
    (b"authorization", b"Bearer sgp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
]
CALLER = Caller("access-tokens/0123456789abcdef01234567", b"k" * 32, "workspace",
                frozenset({"workspaces/acme"}))  # fmt: skip


def one_rest_call(observer: CallObserver, route: object) -> Callable[[], None]:
    def call() -> None:
        record = observer.start_rest("GET", HEADERS)
        calls.note_route(route)  # type: ignore[arg-type]
        calls.note_caller(CALLER)
        record.http_status = 200
        observer.finish(record)

    return call


def one_grpc_call(observer: CallObserver) -> Callable[[], None]:
    method = contract.methods()[1]
    metadata = (("authorization", "Bearer sgp_x"), ("user-agent", "grpc-python/1.78"))

    def call() -> None:
        record = observer.start_grpc(method, metadata)
        calls.note_caller(CALLER)
        record.code = grpc.StatusCode.OK
        observer.finish(record)

    return call


def microseconds(work: Callable[[], None]) -> float:
    return min(timeit.repeat(work, number=CALLS, repeat=5)) / CALLS * 1e6


def asgi_request_microseconds(app: ASGIApp) -> float:
    """One `GET /v1beta/openapi.json` (a cached document: little else to time) through `app`."""
    scope = {
        "type": "http", "method": "GET", "path": "/v1beta/openapi.json",
        "raw_path": b"/v1beta/openapi.json", "query_string": b"", "headers": HEADERS,
    }  # fmt: skip

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        return None

    async def requests() -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(CALLS // 5):
                await app(scope, receive, send)
            best = min(best, time.perf_counter() - started)
        return best / (CALLS // 5) * 1e6

    return asyncio.run(requests())


class NoDispatcher:
    """The openapi.json route never reaches the dispatcher."""

    async def admit(self, method: object, metadata: object) -> Any:
        raise AssertionError("not called")

    async def call(
        self, method: object, request: object, metadata: object, caller: object = None
    ) -> Any:
        raise AssertionError("not called")


def main() -> None:
    route = next(r for r in build_route_table(contract.methods()).routes if r.http_method == "GET")
    sink: list[str] = []
    scratch = tempfile.TemporaryDirectory()
    real = (Path(scratch.name) / "requests.log").open("w", buffering=1)
    batcher = LineBatcher(real)  # outside a loop it writes at once: one write(2) per line

    def observer(write: Callable[[str], object] | None, log_format: str = "json") -> CallObserver:
        log = None if write is None else RequestLog(write, log_format=log_format)
        return CallObserver(log, Metrics())

    def batched(calls_per_write: int) -> Callable[[], None]:
        """Lines held as when `calls_per_write` calls end in one event-loop iteration."""
        pending: list[str] = []
        one = one_rest_call(observer(pending.append), route)

        def call() -> None:
            one()
            if len(pending) == calls_per_write:
                real.write("".join(pending))
                real.flush()
                pending.clear()

        return call

    storage = Metrics().storage_observer("main")
    rows = [
        ("a bare Python function call (the unit)", lambda: None),
        ("REST call: metrics only", one_rest_call(observer(None), route)),
        ("REST call: metrics + JSON line formatted", one_rest_call(observer(sink.append), route)),
        ("REST call: metrics + text line formatted",
         one_rest_call(observer(sink.append, "text"), route)),
        ("gRPC call: metrics + JSON line formatted", one_grpc_call(observer(sink.append))),
        ("REST call: metrics + JSON line, one write(2) per line (a file)",
         one_rest_call(observer(batcher), route)),
        ("REST call: metrics + JSON line, 16 lines per write(2) (a file)", batched(16)),
        ("storage operation timed (observer callback)", lambda: storage("read", 0.0003)),
    ]  # fmt: skip
    print(f"per call, best of 5 x {CALLS:,} (microseconds)")
    for name, work in rows:
        print(f"  {microseconds(work):7.2f}  {name}")
        sink.clear()
    gateway = build_gateway(InProcessInvoker(NoDispatcher()))
    wrapped = build_gateway(InProcessInvoker(NoDispatcher()), calls=observer(sink.append))
    bare, observed = asgi_request_microseconds(gateway), asgi_request_microseconds(wrapped)
    print(f"  {bare:7.2f}  ASGI request through the bare gateway (best of 5 x {CALLS // 5:,})")
    print(f"  {observed:7.2f}  the same, observed (X-Request-Id, metrics, JSON line)")
    real.close()
    scratch.cleanup()


if __name__ == "__main__":
    main()
