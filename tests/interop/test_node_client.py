"""A JavaScript client (@grpc/grpc-js, protos loaded at run time by @grpc/proto-loader) runs its
lifecycle against a live server: interop/node/client.mjs."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.interop.conftest import ROOT, LiveServer, proto_include_dirs


def test_the_node_client_creates_reads_updates_and_deletes(live_server: LiveServer) -> None:
    if shutil.which("node") is None:
        pytest.fail("no node on PATH")
    if not (ROOT / "node_modules" / "@grpc" / "grpc-js").is_dir():
        pytest.fail("node_modules/@grpc/grpc-js missing: run `npm ci` (make test does)")
    env = {
        **os.environ,
        "CONFIGAPI_GRPC_ADDRESS": live_server.grpc_address,
        "CONFIGAPI_TOKEN": live_server.token,
        "CONFIGAPI_PROTO_PATH": os.pathsep.join(str(d) for d in proto_include_dirs()),
    }
    result = subprocess.run(
        ["node", str(ROOT / "interop" / "node" / "client.mjs")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok error NOT_FOUND RESOURCE_NOT_FOUND" in result.stdout
    for step in ("UpdateSchemaConfig", "DestinationFilter lifecycle", "SourceConnection lifecycle"):
        assert f"ok {step}" in result.stdout, result.stdout
    assert result.stdout.rstrip().endswith("node client: all checks passed")
