"""Fixtures for end-to-end tests: the real `configapi` command in real processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "configapi"]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "config.db"


@pytest.fixture(params=["asyncio", "uvloop"])
def served(
    database: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """`configapi serve --demo` on port 0, on the standard loop and on uvloop; yields the
    process and what it printed."""
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
            "--demo",
            "--event-loop",
            request.param,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    printed: dict[str, str] = {}
    for line in process.stdout:  # blocks until the server prints: no sleeping
        if line.startswith("serving gRPC on "):
            printed["grpc"] = line.split()[-1]
        elif line.startswith("serving REST on "):
            printed["rest"] = line.split()[-1]
        elif line.startswith("  sgp_"):
            printed["token"] = line.strip()
        elif line.strip().startswith("curl "):
            printed["curl"] = line.strip()
            break
    yield process, printed
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)  # drains and closes both pipes
