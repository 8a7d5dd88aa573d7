"""Factories for integration tests: real servers on port 0 over a real SQLite file in `tmp_path`,
seeded through `configapi.admin`, and real clients over the transport under test.

Every scenario test takes the `transport` fixture (directly, or through `connect_to` or
`make_world`), so it runs once over gRPC and once over REST: one scenario list, two transports.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from configapi.app import ConfigApiServer
from configapi.auth.tokens import SCOPE_READ, SCOPE_WRITE
from configapi.settings import Settings
from tests.integration.api import Api, connect
from tests.integration.harness import (
    Connect,
    MakeWorld,
    RunningServer,
    StartServer,
    World,
)
from tests.services import PostgresServer

TRANSPORTS = ("grpc", "rest")
# The one switch (SPEC §9 "same tests"): CONFIGAPI_TEST_BACKEND=postgresql runs every scenario
# against a server on a PostgreSQL database of its own instead of a SQLite file (`make test`
# runs tests/integration both ways).
BACKEND = os.environ.get("CONFIGAPI_TEST_BACKEND", "sqlite")


@pytest.fixture
def default_database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The database a test's servers share unless told otherwise: a SQLite file in `tmp_path`,
    or a fresh PostgreSQL database when CONFIGAPI_TEST_BACKEND=postgresql."""
    if BACKEND == "postgresql":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        return postgres.new_database()
    if BACKEND != "sqlite":
        raise ValueError(f"CONFIGAPI_TEST_BACKEND={BACKEND!r}: sqlite or postgresql")
    return tmp_path / "configapi.db"


@pytest.fixture
async def start_server(default_database: Path | str) -> AsyncIterator[StartServer]:
    """`await start_server(database=..., rate_limit=..., ...)` → a running server.

    The database defaults to one file per test, so a second server started without `database`
    opens the first one's data (restart). `serve_rest=False` leaves the gateway out (gRPC-only
    scenarios skip its start and stop). Every server is stopped at teardown.
    """
    started: list[RunningServer] = []

    async def start(
        *,
        database: Path | str | None = None,
        rate_limit: int = 0,
        catalog_files: Sequence[Path] = (),
        serve_rest: bool = True,
        token_cache_seconds: float = 1.0,
        rate_limit_store: str = "memory",
        redis_url: str = "",
    ) -> RunningServer:
        settings = Settings(
            database=database or default_database,
            grpc_address="127.0.0.1:0",
            http_address="127.0.0.1:0" if serve_rest else "",
            rate_limit=rate_limit,
            catalog_files=tuple(catalog_files),
            token_cache_seconds=token_cache_seconds,
            rate_limit_store=rate_limit_store,
            redis_url=redis_url,
        )
        server = ConfigApiServer(settings)
        await server.start()
        running = RunningServer(settings, server)
        started.append(running)
        return running

    yield start
    for running in reversed(started):
        await running.stop()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """The transport a scenario runs over: each test runs once per transport."""
    return str(request.param)


@pytest.fixture
async def connect_to(transport: str) -> AsyncIterator[Connect]:
    """`connect_to(server)` → a client of `server` over the transport under test."""
    clients: list[Api] = []

    def open_client(server: RunningServer) -> Api:
        client = connect(transport, server.grpc_port, server.http_port)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.close()


@pytest.fixture
def make_world(start_server: StartServer, connect_to: Connect, transport: str) -> MakeWorld:
    """`await make_world(rate_limit=..., catalog_files=...)` → a seeded `World`."""

    async def make(*, rate_limit: int = 0, catalog_files: Sequence[Path] = ()) -> World:
        server = await start_server(
            rate_limit=rate_limit, catalog_files=catalog_files, serve_rest=transport == "rest"
        )
        await server.add_workspace("acme", "Acme Inc")
        await server.add_workspace("globex", "Globex")
        return World(
            server=server,
            api=connect_to(server),
            write=await server.add_token("acme", scopes=SCOPE_WRITE),
            read=await server.add_token("acme", scopes=SCOPE_READ),
            globex=await server.add_token("globex", scopes=SCOPE_WRITE),
        )

    return make


@pytest.fixture
async def world(make_world: MakeWorld) -> World:
    """The default seeded world: acme and globex, rate limit off, starter catalog."""
    return await make_world()
