"""A real `configapi serve` process on port 0, seeded and inspected from outside.

The server runs as an operator runs it: `python -m configapi serve` on a SQLite file, seeded with
`configapi workspaces create` and `configapi tokens create`. Both of its output streams are
drained by threads into line lists, so a chatty server can never block on a full pipe, and a test
can wait for a line (an event, not a sleep).
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.integration.api import Api, connect

CLI = (sys.executable, "-m", "configapi")
START_TIMEOUT = 60.0


def clean_env() -> dict[str, str]:
    """This environment without CONFIGAPI_* settings, so only the flags given apply."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CONFIGAPI_")}


def run_cli(*args: str) -> str:
    """Run one `configapi` command; its stdout, stripped. Fails the test on a non-zero exit."""
    result = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env=clean_env(), check=False
    )
    assert result.returncode == 0, f"configapi {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def seed(database: Path, workspace: str = "acme", scopes: str = "workspace") -> str:
    """Create `workspace` (if new) and a token for it with the command line; the token."""
    existing = database.exists() and workspace in _workspaces(database)
    if not existing:
        run_cli("workspaces", "create", workspace, "--database", str(database))
    return run_cli(
        "tokens",
        "create",
        "--workspace",
        workspace,
        "--scopes",
        scopes,
        "--database",
        str(database),
    )


def _workspaces(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT name FROM resources WHERE kind = 'workspace'").fetchall()
    conn.close()
    return {name.rsplit("/", 1)[1] for (name,) in rows}


class _Lines:
    """The lines of one output stream, read by a thread; `wait_for` blocks until one matches."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                with self._changed:
                    self.lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = START_TIMEOUT) -> str:
        """The first line `wanted` accepts, waiting for it to be printed (or the stream to end)."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(map(wanted, self.lines)) or self._closed, timeout
            )
            match = next((line for line in self.lines if wanted(line)), None)
        assert found and match is not None, f"line not printed; got {self.lines}"
        return match

    def join(self) -> None:
        self._thread.join(timeout=30)

    @property
    def text(self) -> str:
        with self._changed:
            return "\n".join(self.lines)


@dataclass
class ServerProcess:
    """A running `configapi serve` and what it printed."""

    database: Path
    process: subprocess.Popen[str]
    stdout: _Lines
    stderr: _Lines
    grpc_port: int = 0
    http_port: int = 0
    clients: list[Api] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self, transport: str) -> Api:
        """A new client over `transport` ("grpc" or "rest"); closed by `close_clients`."""
        api = connect(transport, self.grpc_port, self.http_port)
        self.clients.append(api)
        return api

    async def close_clients(self) -> None:
        for api in self.clients:
            await api.close()
        self.clients.clear()

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or closed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM: the server's graceful shutdown."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 60) -> int:
        """Wait for the process to end; its exit status (negative: killed by that signal)."""
        code = self.process.wait(timeout=timeout)
        self.stdout.join()
        self.stderr.join()
        return code

    @property
    def output(self) -> str:
        """Everything it printed on stdout and stderr."""
        return self.stdout.text + "\n" + self.stderr.text


def start_server(
    database: Path,
    *flags: str,
    rate_limit: int = 0,
    preexec_fn: Callable[[], None] | None = None,
) -> ServerProcess:
    """`configapi serve` on 127.0.0.1 port 0 (gRPC and REST); returns once both listen."""
    process = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--database",
            str(database),
            "--grpc-address",
            "127.0.0.1:0",
            "--http-address",
            "127.0.0.1:0",
            "--rate-limit",
            str(rate_limit),
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
        preexec_fn=preexec_fn,
    )
    assert process.stdout is not None and process.stderr is not None
    server = ServerProcess(database, process, _Lines(process.stdout), _Lines(process.stderr))
    try:
        grpc_line = server.stdout.wait_for(lambda line: line.startswith("serving gRPC on "))
        rest_line = server.stdout.wait_for(lambda line: line.startswith("serving REST on "))
    except AssertionError:
        server.kill()
        server.wait()
        raise AssertionError(f"the server did not start:\n{server.output}") from None
    server.grpc_port = int(grpc_line.rsplit(":", 1)[1])
    server.http_port = int(rest_line.rsplit(":", 1)[1])
    return server


def stop(server: ServerProcess) -> None:
    """Make sure the process is gone (teardown)."""
    server.kill()
    server.wait()


# ---- the database file, inspected from outside ------------------------------------------------


def open_database(database: Path) -> sqlite3.Connection:
    """A plain connection to the file (recovers a hot WAL left by a crash, as SQLite does)."""
    return sqlite3.connect(database, isolation_level=None)


def database_problems(database: Path) -> list[str]:
    """Everything wrong with the file's consistency; empty when it is sound.

    SQLite's own integrity and foreign-key checks, then our invariants: every resource's parent
    exists (no orphans), and every token has its workspace rows (a token is written whole).
    """
    conn = open_database(database)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        orphans = conn.execute(
            "SELECT name FROM resources r WHERE parent != ''"
            " AND NOT EXISTS (SELECT 1 FROM resources p WHERE p.name = r.parent)"
        ).fetchall()
        problems += [f"orphan {name}" for (name,) in orphans]
        bare = conn.execute(
            "SELECT name FROM access_tokens t"
            " WHERE NOT EXISTS (SELECT 1 FROM token_workspaces w WHERE w.token = t.name)"
        ).fetchall()
        problems += [f"token without workspaces {name}" for (name,) in bare]
    finally:
        conn.close()
    return problems


def fingerprint(database: Path) -> str:
    """A digest of every stored row: equal before and after means nothing was written."""
    digest = hashlib.sha256()
    conn = open_database(database)
    try:
        for query in (
            "SELECT seq, kind, name, parent, data FROM resources ORDER BY seq",
            "SELECT seq, name, secret_hash, data FROM access_tokens ORDER BY seq",
            "SELECT token, workspace FROM token_workspaces ORDER BY token, workspace",
        ):
            for row in conn.execute(query):
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def database_files(database: Path) -> Sequence[Path]:
    """The file and its siblings (`-wal`, `-shm`, the rate-limit file and its own)."""
    return sorted(p for p in database.parent.iterdir() if p.name.startswith(database.name))
