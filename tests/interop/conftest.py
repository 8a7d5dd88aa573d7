"""Fixtures for interop tests: a real `configapi serve` process on port 0, and the tools that
talk to it from outside (schemathesis, a Go and a Node client, grpcurl).

The Go tools are built by `make interop-tools` (tools/interop-tools.sh) into .tools/bin and the
Node packages installed by `npm ci`; `make test` does both first. A missing tool fails the test
with the command that provides it rather than skipping: CI must run every one of them.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc_tools
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = ROOT / ".tools" / "bin"


@dataclass
class LiveServer:
    """A running `configapi serve --demo`: its addresses and the demo workspace's write token."""

    grpc_address: str
    rest_url: str
    token: str

    def rest(self) -> httpx.Client:
        """An HTTP client of its REST gateway, authenticated with the write token."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.rest_url, headers=headers, timeout=30)


StartServer = Callable[..., LiveServer]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """`start_server(rate_limit=N)` → a `LiveServer` on a fresh database; killed at teardown."""
    processes: list[subprocess.Popen[str]] = []

    def start(*, rate_limit: int = 200) -> LiveServer:
        database = tmp_path / f"server{len(processes)}.db"
        command = [sys.executable, "-m", "configapi", "serve", "--database", str(database)]
        command += ["--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"]
        command += ["--rate-limit", str(rate_limit), "--demo"]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        processes.append(process)
        return _read_banner(process)

    yield start
    for process in processes:
        process.kill()
        process.communicate(timeout=30)


def _read_banner(process: subprocess.Popen[str]) -> LiveServer:
    """What `serve --demo` prints: the addresses, then the token (blocks until printed)."""
    assert process.stdout is not None
    printed: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("serving gRPC on "):
            printed["grpc"] = line.split()[-1]
        elif line.startswith("serving REST on "):
            printed["rest"] = line.split()[-1]
        elif line.startswith("  sgp_"):
            printed["token"] = line.strip()
            break
    assert set(printed) == {"grpc", "rest", "token"}, f"server printed only {printed}"
    return LiveServer(printed["grpc"], printed["rest"], printed["token"])


@pytest.fixture
def live_server(start_server: StartServer) -> LiveServer:
    """One server with the default settings."""
    return start_server()


def tool(name: str) -> Path:
    """A Go tool from .tools/bin; fails with the command that builds it when missing."""
    path = TOOLS_BIN / name
    if not path.exists():
        pytest.fail(f"{path} missing: run `make interop-tools` (make test does)")
    return path


def proto_include_dirs() -> list[Path]:
    """proto/, then google/api and google/rpc (googleapis-common-protos), then google/protobuf."""
    site = Path(sysconfig.get_paths()["purelib"])
    return [ROOT / "proto", site, Path(grpc_tools.__file__).parent / "_proto"]
