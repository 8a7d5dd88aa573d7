"""Health: `/healthz` while alive, `/readyz` when the database is reachable and migrated, and
gRPC health checking giving the same answer."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from configapi import contract
from configapi.storage.schema import MIGRATIONS
from tests.operability.conftest import Serve, Served

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


async def grpc_health(served: Served, service: str = "") -> int:
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service)
        )
    status: int = reply.status
    return status


def set_schema_version(served: Served, version: int) -> None:
    """What another process (a newer release) migrating the shared file would leave."""
    with closing(sqlite3.connect(served.server.settings.database, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA user_version = {version}")


async def test_probes_answer_without_a_token(serve: Serve) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        live = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert await grpc_health(served) == SERVING
    assert await grpc_health(served, contract.SERVICES[0].full_name) == SERVING


async def test_readiness_follows_the_database_schema_on_both_transports(serve: Serve) -> None:
    served = await serve()
    set_schema_version(served, len(MIGRATIONS) + 1)
    async with httpx.AsyncClient(base_url=served.rest) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "not ready",
            "reason": f"database schema is version {len(MIGRATIONS) + 1}, "
            f"this server needs {len(MIGRATIONS)}",
        }
        assert (await client.get("/healthz")).status_code == 200  # alive all the same
        assert await grpc_health(served) == NOT_SERVING
        assert await grpc_health(served, contract.SERVICES[0].full_name) == NOT_SERVING
        set_schema_version(served, len(MIGRATIONS))
        assert (await client.get("/readyz")).status_code == 200
        assert await grpc_health(served) == SERVING


async def test_readiness_over_http_updates_grpc_health_watchers(serve: Serve) -> None:
    served = await serve()
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
        assert (await watch.read()).status == SERVING
        set_schema_version(served, len(MIGRATIONS) + 1)
        async with httpx.AsyncClient(base_url=served.rest) as client:
            assert (await client.get("/readyz")).status_code == 503
        assert (await watch.read()).status == NOT_SERVING
        watch.cancel()


async def test_probes_refuse_other_methods(serve: Serve) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        reply = await client.post("/readyz")
    assert reply.status_code == 405 and reply.headers["allow"] == "GET, HEAD"
