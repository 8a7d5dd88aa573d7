"""One conformance suite for every backend (SPEC §9): each test runs against a real SQLite file
and a real PostgreSQL database, through the repository protocol only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from configapi.storage.backends import AnyRepository, make_repository, open_repository
from tests.services import PostgresServer

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A fresh database of the backend under test: a file path, or a postgresql:// URL."""
    if request.param == "sqlite":
        return tmp_path / "configapi.db"
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return postgres.new_database()


@pytest.fixture
async def repository(database: Path | str) -> AsyncIterator[AnyRepository]:
    """The repository over `database`, opened (migrated); closed at teardown."""
    repository = make_repository(database)
    await open_repository(repository, database)
    yield repository
    await repository.close()
