"""Session-wide fixtures: PostgreSQL and Redis servers, started once, only when a test asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services import PostgresServer, RedisServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session; `postgres.new_database()` per test."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server for the session."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
