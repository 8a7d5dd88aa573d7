"""Three replicas (real `configapi serve` processes) on one PostgreSQL and one Redis (SPEC §9):
one rate-limit ceiling, stable page walks while the others write, revocation within a second,
and a replica killed with SIGKILL under write load loses nothing it acknowledged."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator

import grpc
import pytest
from segment.config.v1beta import access_tokens_pb2, sources_pb2, workspaces_pb2

from configapi.auth.tokens import SCOPE_WRITE
from tests.integration.harness import attempt, create_source_request, source_name
from tests.reliability.load import Expected, Load, observe, worker_script
from tests.reliability.process import ServerProcess, run_cli, start_server, stop
from tests.services import PostgresServer, RedisServer

LIST_WORKSPACES = ("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())


@pytest.fixture
def replicas(
    postgres: PostgresServer, redis_server: RedisServer, request: pytest.FixtureRequest
) -> Iterator[tuple[list[ServerProcess], str]]:
    """Three replicas on a fresh database with workspace acme, and a write token. The rate
    limit is the indirect parameter (`parametrize("replicas", [N], indirect=True)`), else off;
    a token cache of 60 s, so only Redis can spread a revocation within a second."""
    database = postgres.new_database()
    run_cli("workspaces", "create", "acme", "--database", database)
    token = run_cli(
        "tokens", "create", "--workspace", "acme", "--scopes", SCOPE_WRITE, "--database", database
    )
    limit = getattr(request, "param", 0)
    flags = ("--redis", redis_server.url(), "--token-cache-seconds", "60")
    servers: list[ServerProcess] = []
    try:
        for _ in range(3):
            servers.append(start_server(database, *flags, rate_limit=limit))  # type: ignore[arg-type]
        yield servers, token
    finally:
        for server in servers:
            stop(server)


@pytest.mark.parametrize("replicas", [60], indirect=True)
async def test_the_ceiling_holds_across_replicas(
    replicas: tuple[list[ServerProcess], str],
) -> None:
    servers, token = replicas
    apis = [s.client(t) for s in servers for t in ("grpc", "rest")]
    started = time.monotonic()
    outcomes = await asyncio.gather(
        *(attempt(apis[n % len(apis)], *LIST_WORKSPACES, token) for n in range(300))
    )
    elapsed = time.monotonic() - started
    for server in servers:
        await server.close_clients()
    refused = [o for o in outcomes if o is not None]
    assert {o.code for o in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert 60 <= len(outcomes) - len(refused) <= 60 + elapsed + 1


async def test_a_page_walk_is_stable_while_other_replicas_write(
    replicas: tuple[list[ServerProcess], str],
) -> None:
    (walker, *writers), token = replicas
    walk = walker.client("grpc")
    for n in range(60):
        await walk.call("CreateSource", create_source_request(f"old{n:02d}"), token)
    old = {source_name(f"old{n:02d}") for n in range(60)}
    stop_writing = asyncio.Event()

    async def write(api_index: int) -> None:
        api = writers[api_index].client(("grpc", "rest")[api_index])
        n = 0
        while not stop_writing.is_set():
            slug = f"new{api_index}-{n}"
            await api.call("CreateSource", create_source_request(slug), token)
            if n % 2:
                await api.call(
                    "DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name(slug)), token
                )
            n += 1

    writing = [asyncio.create_task(write(i)) for i in range(2)]
    seen: list[str] = []
    page_token = ""
    while True:
        request = sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_size=7)
        request.page_token = page_token
        page = await walk.call("ListSources", request, token)
        assert isinstance(page, sources_pb2.ListSourcesResponse)
        seen += [s.name for s in page.sources]
        page_token = page.next_page_token
        if not page_token:
            break
    stop_writing.set()
    await asyncio.gather(*writing)
    for server in (walker, *writers):
        await server.close_clients()
    assert len(seen) == len(set(seen)), "no item twice"
    assert old <= set(seen), "nothing that existed throughout is skipped"


async def test_a_token_deleted_on_one_replica_is_refused_by_the_others_within_a_second(
    replicas: tuple[list[ServerProcess], str],
) -> None:
    (one, *others), token = replicas
    api = one.client("grpc")
    request = access_tokens_pb2.CreateAccessTokenRequest(
        access_token=access_tokens_pb2.AccessToken(
            description="doomed", scopes=SCOPE_WRITE, workspace_names=["workspaces/acme"]
        )
    )
    doomed = await api.call("CreateAccessToken", request, token)
    assert isinstance(doomed, access_tokens_pb2.AccessToken)
    clients = [s.client(t) for s, t in zip(others, ("grpc", "rest"), strict=True)]
    for client in clients:  # cached there for 60 s from now on
        await client.call(*LIST_WORKSPACES, doomed.token)
    delete = access_tokens_pb2.DeleteAccessTokenRequest(name=doomed.name)
    await api.call("DeleteAccessToken", delete, token)
    deleted = time.monotonic()
    for client in clients:
        while (failure := await attempt(client, *LIST_WORKSPACES, doomed.token)) is None:
            assert time.monotonic() - deleted < 1.0, "a replica still accepts a deleted token"
        assert failure.code == grpc.StatusCode.UNAUTHENTICATED
    for server in (one, *others):
        await server.close_clients()


async def test_a_replica_killed_under_write_load_loses_nothing_acknowledged(
    replicas: tuple[list[ServerProcess], str],
) -> None:
    (victim, survivor, _), token = replicas
    expected = Expected()
    load = Load(stop_after=40, on_threshold=victim.kill)
    transports = ("grpc", "rest")
    await asyncio.gather(
        *(
            load.run_worker(victim.client(transports[w % 2]), token, worker_script(f"k{w}"))
            for w in range(8)
        )
    )
    assert victim.wait() == -signal.SIGKILL
    await victim.close_clients()
    assert load.acknowledged >= 40
    expected.record(load.outcomes)
    expected.settle(await observe(survivor.client("grpc"), token))  # asserts: nothing lost
    await survivor.close_clients()
