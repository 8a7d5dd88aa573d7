"""Replicas over one PostgreSQL and one Redis (SPEC §3, §9): the ceiling, revocation within a
second, and what an outage of either looks like. Real servers: `tests/services.py`."""

from __future__ import annotations

import asyncio
import time

import grpc
from google.rpc import error_details_pb2
from segment.config.v1beta import access_tokens_pb2, sources_pb2, workspaces_pb2

from configapi.auth.tokens import SCOPE_WRITE
from tests.integration.harness import (
    Connect,
    RunningServer,
    StartServer,
    attempt,
    create_source_request,
    expect_failure,
    source_name,
)
from tests.services import PostgresServer, RedisServer

LIST_WORKSPACES = ("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())


async def _replicas(
    start_server: StartServer, database: str, count: int, **settings: object
) -> list[RunningServer]:
    servers = [await start_server(database=database, **settings) for _ in range(count)]
    await servers[0].add_workspace("acme")
    return servers


async def test_three_replicas_with_redis_admit_at_most_the_ceiling(
    start_server: StartServer,
    connect_to: Connect,
    postgres: PostgresServer,
    redis_server: RedisServer,
) -> None:
    replicas = await _replicas(
        start_server, postgres.new_database(), 3, rate_limit=60, redis_url=redis_server.url()
    )
    token = await replicas[0].add_token("acme")
    apis = [connect_to(r) for r in replicas]
    started = time.monotonic()
    outcomes = await asyncio.gather(
        *(attempt(apis[n % 3], *LIST_WORKSPACES, token) for n in range(240))
    )
    elapsed = time.monotonic() - started
    refused = [o for o in outcomes if o is not None]
    assert {o.code for o in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    # 60 at once, then one a second: never above the ceiling, and no early refusal with Redis
    assert 60 <= len(outcomes) - len(refused) <= 60 + elapsed + 1


async def test_a_token_deleted_on_one_replica_is_refused_by_the_others_within_a_second(
    start_server: StartServer,
    connect_to: Connect,
    postgres: PostgresServer,
    redis_server: RedisServer,
) -> None:
    # a token cache of 60 s: only the Redis broadcast can make the others refuse it in time
    replicas = await _replicas(
        start_server,
        postgres.new_database(),
        3,
        token_cache_seconds=60,
        redis_url=redis_server.url(),
    )
    one, *others = [connect_to(r) for r in replicas]
    admin = await replicas[0].add_token("acme")
    request = access_tokens_pb2.CreateAccessTokenRequest(
        access_token=access_tokens_pb2.AccessToken(
            description="doomed", scopes=SCOPE_WRITE, workspace_names=["workspaces/acme"]
        )
    )
    doomed = await one.call("CreateAccessToken", request, admin)
    assert isinstance(doomed, access_tokens_pb2.AccessToken)
    for api in others:  # now cached by every replica
        await api.call(*LIST_WORKSPACES, doomed.token)
    await one.call(
        "DeleteAccessToken", access_tokens_pb2.DeleteAccessTokenRequest(name=doomed.name), admin
    )
    deleted = time.monotonic()
    for api in others:
        while (failure := await attempt(api, *LIST_WORKSPACES, doomed.token)) is None:
            assert time.monotonic() - deleted < 1.0, "a replica still accepts a deleted token"
        assert failure.code == grpc.StatusCode.UNAUTHENTICATED


async def test_redis_unreachable_refuses_with_503_and_the_replica_recovers(
    start_server: StartServer, connect_to: Connect, postgres: PostgresServer
) -> None:
    # README "Redis unreachable": the limit fails closed (never admits uncounted calls)
    redis = RedisServer()
    try:
        redis.start()
        (server,) = await _replicas(
            start_server, postgres.new_database(), 1, rate_limit=100, redis_url=redis.url()
        )
        token = await server.add_token("acme")
        api = connect_to(server)
        await api.call(*LIST_WORKSPACES, token)
        redis.kill()
        failure = await expect_failure(
            grpc.StatusCode.UNAVAILABLE, api.call(*LIST_WORKSPACES, token)
        )
        assert failure.detail(error_details_pb2.RetryInfo).retry_delay.seconds == 1
        redis.start()
        await api.call(*LIST_WORKSPACES, token)  # the same process, no restart
    finally:
        redis.stop()


async def test_postgresql_unreachable_is_503_with_a_retry_hint_and_the_replica_recovers(
    start_server: StartServer, connect_to: Connect
) -> None:
    postgres = PostgresServer()
    try:
        postgres.start()
        (server,) = await _replicas(start_server, postgres.new_database(), 1)
        token = await server.add_token("acme")
        api = connect_to(server)
        created = await api.call("CreateSource", create_source_request("js"), token)
        get = ("GetSource", sources_pb2.GetSourceRequest(name=source_name("js")))
        postgres.halt()
        for call in (get, ("CreateSource", create_source_request("css"))):
            failure = await expect_failure(grpc.StatusCode.UNAVAILABLE, api.call(*call, token))
            assert failure.detail(error_details_pb2.RetryInfo).retry_delay.seconds == 1
        postgres.restart()
        # pooled connections broken by the outage are replaced as they are found dead
        outcomes = [await attempt(api, *get, token) for _ in range(12)]
        assert outcomes[-1] is None
        assert {o.code for o in outcomes if o is not None} <= {grpc.StatusCode.UNAVAILABLE}
        assert await api.call(*get, token) == created
    finally:
        postgres.stop()
