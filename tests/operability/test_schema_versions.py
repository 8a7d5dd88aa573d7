"""Schema versions (README "Guarantees", issue 13 item 3), with real processes.

A database whose schema (`user_version`) is newer than this release's is refused at start by
every command that opens it: one line on stderr, exit status 2, no traceback, nothing written
or created. An older one is migrated. While a server runs, `/readyz` and writes agree: when
another process has moved the schema past this server's, both refuse, with the same reason.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import grpc
import httpx
import pytest

from configapi.storage.schema import MIGRATIONS
from tests.integration.api import ApiFailure
from tests.integration.harness import check_failure, create_source_request
from tests.reliability.process import (
    clean_env,
    database_files,
    database_problems,
    fingerprint,
    seed,
    start_server,
    stop,
)

NEWER = len(MIGRATIONS) + 6
REFUSAL = f"has schema version {NEWER}, newer than this configapi's {len(MIGRATIONS)}"
COMMANDS = {
    "serve": ("serve", "--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"),
    "workspaces create": ("workspaces", "create", "other"),
    "tokens create": ("tokens", "create", "--workspace", "acme", "--scopes", "workspace"),
}


def set_user_version(database: Path, version: int) -> None:
    """What a newer release migrating the shared file (or an operator's mistake) leaves."""
    with closing(sqlite3.connect(database, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA user_version = {version}")


def configapi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "configapi", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
        check=False,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_newer_schema_is_refused_at_start(tmp_path: Path, command: str) -> None:
    database = tmp_path / "c.db"
    seed(database)
    set_user_version(database, NEWER)
    before = (fingerprint(database), database_files(database))

    result = configapi(*COMMANDS[command], "--database", str(database))

    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and REFUSAL in lines[0], lines
    assert (fingerprint(database), database_files(database)) == before  # nothing written
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (NEWER,)


async def test_an_older_schema_is_migrated_and_served(tmp_path: Path) -> None:
    """Every older version this release knows (a file at version v holds migrations 1..v)."""
    for version in range(len(MIGRATIONS)):
        database = tmp_path / f"v{version}.db"
        with closing(sqlite3.connect(database, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            for script in MIGRATIONS[:version]:
                conn.executescript(script)
            conn.execute(f"PRAGMA user_version = {version}")
        server = start_server(database)  # serve itself migrates, before anything else
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
                assert (await http.get("/readyz")).status_code == 200
            token = seed(database)
            await server.client("grpc").call("CreateSource", create_source_request("web"), token)
        finally:
            await server.close_clients()
            stop(server)
        with closing(sqlite3.connect(database)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        assert database_problems(database) == []


async def test_readiness_and_writes_agree_when_the_schema_moves_under_a_server(
    tmp_path: Path,
) -> None:
    """Issue 13: with `user_version=7`, /readyz said not ready, yet POST …/sources returned 200."""
    database = tmp_path / "c.db"
    token = seed(database)
    server = start_server(database)
    reason = f"database schema is version {NEWER}, this server needs {len(MIGRATIONS)}"
    try:
        apis = [server.client("grpc"), server.client("rest")]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
            set_user_version(database, NEWER)
            before = fingerprint(database)
            ready = await http.get("/readyz")
            assert (ready.status_code, ready.json()["reason"]) == (503, reason)
            for api in apis:
                with pytest.raises(ApiFailure) as refused:
                    await api.call("CreateSource", create_source_request(api.transport), token)
                check_failure(refused.value, grpc.StatusCode.UNAVAILABLE)
                assert refused.value.message == f"service unavailable: {reason}"
            assert fingerprint(database) == before

            set_user_version(database, len(MIGRATIONS))
            assert (await http.get("/readyz")).status_code == 200
            for api in apis:
                await api.call("CreateSource", create_source_request(api.transport), token)
    finally:
        await server.close_clients()
        stop(server)
    assert "Traceback" not in server.output
    assert database_problems(database) == []
