"""`--database` takes a SQLite file or a postgresql:// URL in every command that has it (SPEC §9):
a bad URL or a server that does not answer is one line on stderr and exit status 2, and no file
or folder named like the URL is ever created."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import CLI
from tests.services import PostgresServer, free_port

COMMANDS = (
    ("serve", "--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"),
    ("workspaces", "create", "acme"),
    ("tokens", "create", "--workspace", "acme", "--scopes", "workspace"),
)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(
    "url",
    [
        "postgresql:/nohost/db",
        "mysql://127.0.0.1/db",
        "postgresql://u@127.0.0.1:notaport/db",
        "postgresql://u:secret@127.0.0.1:{free}/db",  # nothing listens there
    ],
)
def test_a_bad_or_unreachable_url_is_one_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...], url: str
) -> None:
    url = url.replace("{free}", str(free_port()))
    done = _run(tmp_path, *command, "--database", url)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("configapi: ")
    assert "secret" not in done.stderr  # the password is never printed
    assert list(tmp_path.iterdir()) == []  # no `postgresql:` file or folder


def test_workspaces_and_tokens_are_created_on_postgresql(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database()
    assert _run(tmp_path, "workspaces", "create", "acme", "--database", url).returncode == 0
    made = _run(tmp_path, *COMMANDS[2], "--database", url)
    assert made.returncode == 0 and made.stdout.startswith("sgp_")
    assert postgres.psql("SELECT count(*) FROM access_tokens", url.rsplit("/", 1)[1]).strip() == "1"
    assert list(tmp_path.iterdir()) == []
