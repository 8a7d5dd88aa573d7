"""Metrics: a Prometheus scrape of `/metrics` after a few calls counts exactly those calls."""

from __future__ import annotations

import grpc
import httpx
from segment.config.v1beta import workspaces_pb2, workspaces_pb2_grpc

from tests.operability.conftest import Serve, Served
from tests.operability.support import sample, samples

GET = "segment.config.v1beta.WorkspaceService.GetWorkspace"
LIST = "segment.config.v1beta.WorkspaceService.ListWorkspaces"


async def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    async with httpx.AsyncClient() as client:
        reply = await client.get(url)  # no token: scrapers carry none
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    return samples(reply.text)


async def grpc_calls(served: Served, names: list[str]) -> None:
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        stub = workspaces_pb2_grpc.WorkspaceServiceStub(channel)
        for name in names:
            try:
                await stub.GetWorkspace(
                    workspaces_pb2.GetWorkspaceRequest(name=name),
                    metadata=(("authorization", f"Bearer {served.token}"),),
                )
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_a_scrape_counts_calls_by_transport_method_and_code(serve: Serve) -> None:
    served = await serve()
    auth = {"Authorization": f"Bearer {served.token}"}
    async with httpx.AsyncClient(base_url=served.rest) as client:
        for _ in range(3):
            assert (await client.get("/v1beta/workspaces/acme", headers=auth)).status_code == 200
        assert (await client.get("/v1beta/workspaces")).status_code == 401
        assert (await client.get("/v1beta/nowhere", headers=auth)).status_code == 404
    await grpc_calls(served, ["workspaces/acme", "workspaces/acme", "workspaces/nope"])
    metrics = await scrape(f"{served.rest}/metrics")
    requests = "configapi_requests_total"
    assert sample(metrics, requests, transport="rest", method=GET, code="OK") == 3
    assert sample(metrics, requests, transport="rest", method=LIST, code="UNAUTHENTICATED") == 1
    assert sample(metrics, requests, transport="rest", method="-", code="NOT_FOUND") == 1
    assert sample(metrics, requests, transport="grpc", method=GET, code="OK") == 2
    assert sample(metrics, requests, transport="grpc", method=GET, code="NOT_FOUND") == 1
    assert sum(v for (name, _), v in metrics.items() if name == requests) == 8
    latency = "configapi_request_duration_seconds"
    assert sample(metrics, f"{latency}_count", transport="rest", method=GET) == 3
    assert sample(metrics, f"{latency}_count", transport="grpc", method=GET) == 3
    assert sample(metrics, f"{latency}_bucket", transport="rest", method=GET, le="+Inf") == 3
    assert 0 < sample(metrics, f"{latency}_sum", transport="grpc", method=GET) < 60
    for transport in ("rest", "grpc"):
        assert sample(metrics, "configapi_requests_in_flight", transport=transport) == 0
    storage = "configapi_storage_duration_seconds_count"
    assert sample(metrics, storage, store="main", operation="read") > 0
    assert sample(metrics, storage, store="main", operation="write") > 0  # the seeded token
    assert sample(metrics, "configapi_build_info", version="0.1.0") == 1
    assert sample(metrics, "process_resident_memory_bytes") > 0


async def test_rate_limit_rejections_are_counted(serve: Serve) -> None:
    # the shared bucket store (`--workers N`): its spends show in the storage histogram
    served = await serve(rate_limit=2, rate_limit_store="database")
    auth = {"Authorization": f"Bearer {served.token}"}
    writes = "configapi_storage_duration_seconds_count"
    before = sample(
        await scrape(f"{served.rest}/metrics"), writes, store="ratelimit", operation="write"
    )
    async with httpx.AsyncClient(base_url=served.rest) as client:
        statuses = [
            (await client.get("/v1beta/workspaces", headers=auth)).status_code for _ in range(5)
        ]
    assert statuses == [200, 200, 429, 429, 429]
    metrics = await scrape(f"{served.rest}/metrics")
    assert sample(metrics, "configapi_rate_limited_total", transport="rest") == 3
    assert sample(metrics, "configapi_rate_limited_total", transport="grpc") == 0
    # every call, admitted or refused, spends from the shared bucket store: one write each
    assert sample(metrics, writes, store="ratelimit", operation="write") == before + 5


async def test_metrics_can_have_a_listener_of_their_own(serve: Serve) -> None:
    served = await serve(metrics_address="127.0.0.1:0")
    port = served.server.metrics_port
    assert port not in (0, served.server.http_port)
    async with httpx.AsyncClient(base_url=served.rest) as client:
        auth = {"Authorization": f"Bearer {served.token}"}
        assert (await client.get("/v1beta/workspaces", headers=auth)).status_code == 200
        # not on the API listener any more: there it is an unknown API path
        assert (await client.get("/metrics")).status_code == 404
    metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
    assert (
        sample(metrics, "configapi_requests_total", transport="rest", method=LIST, code="OK") == 1
    )
    assert (
        sample(metrics, "configapi_requests_total", transport="rest", method="-", code="NOT_FOUND")
        == 1
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/v1beta/workspaces")).status_code == 404  # no API here


async def test_a_grpc_only_server_can_still_be_scraped(serve: Serve) -> None:
    served = await serve(http_address="", metrics_address="127.0.0.1:0")
    await grpc_calls(served, ["workspaces/acme"])
    metrics = await scrape(f"http://127.0.0.1:{served.server.metrics_port}/metrics")
    assert sample(metrics, "configapi_requests_total", transport="grpc", method=GET, code="OK") == 1
