"""A Go client, generated from proto/ at test time, runs its lifecycle against a live server.

interop/go is copied to a temporary directory, tools/gen-go-client.sh writes the generated
package into the copy (protoc-gen-go and protoc-gen-go-grpc from .tools/bin), and `go run`
builds it with the module versions pinned in interop/go/go.mod and go.sum.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.interop.conftest import ROOT, LiveServer, tool


@pytest.fixture
def go_module(tmp_path: Path) -> Path:
    """A copy of interop/go with freshly generated code in it."""
    tool("protoc-gen-go")
    tool("protoc-gen-go-grpc")
    if shutil.which("go") is None:
        pytest.fail("no Go toolchain on PATH")
    module = tmp_path / "go"
    shutil.copytree(ROOT / "interop" / "go", module, ignore=shutil.ignore_patterns("configv1beta"))
    subprocess.run(
        ["bash", str(ROOT / "tools" / "gen-go-client.sh"), str(module)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return module


def test_the_go_client_creates_reads_updates_and_deletes(
    go_module: Path, live_server: LiveServer
) -> None:
    env = {
        **os.environ,
        "CONFIGAPI_GRPC_ADDRESS": live_server.grpc_address,
        "CONFIGAPI_TOKEN": live_server.token,
        "GOTOOLCHAIN": "local",  # the machine's Go; never fetch another toolchain
        "GOFLAGS": "-mod=readonly",  # go.mod and go.sum as committed
    }
    result = subprocess.run(
        ["go", "run", "."], cwd=go_module, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok error NotFound RESOURCE_NOT_FOUND" in result.stdout
    for step in ("UpdateSchemaConfig", "DestinationFilter lifecycle", "SourceConnection lifecycle"):
        assert f"ok {step}" in result.stdout, result.stdout
    assert "ok error InvalidArgument INVALID_ARGUMENT" in result.stdout  # an FQL syntax error
    assert "ok error AlreadyExists RESOURCE_ALREADY_EXISTS" in result.stdout  # connected twice
    assert result.stdout.rstrip().endswith("go client: all checks passed")
