"""The command line as an operator uses it: real processes, real files, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import grpc
import httpx
from segment.config.v1beta import workspaces_pb2, workspaces_pb2_grpc

from tests.e2e.conftest import CLI


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_workspaces_create_prints_the_name(database: Path) -> None:
    result = run_cli("workspaces", "create", "acme", "--database", str(database))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "workspaces/acme\n"


def test_duplicate_workspace_is_refused_with_a_message(database: Path) -> None:
    run_cli("workspaces", "create", "acme", "--database", str(database))
    result = run_cli("workspaces", "create", "acme", "--database", str(database))
    assert result.returncode == 1
    assert 'workspace "workspaces/acme" already exists' in result.stderr


def test_tokens_create_prints_the_token_alone(database: Path) -> None:
    run_cli("workspaces", "create", "acme", "--database", str(database))
    result = run_cli(
        "tokens",
        "create",
        "--workspace",
        "acme",
        "--scopes",
        "workspace:read",
        "--database",
        str(database),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("sgp_")


def test_token_for_a_missing_workspace_is_refused(database: Path) -> None:
    result = run_cli(
        "tokens",
        "create",
        "--workspace",
        "nope",
        "--scopes",
        "workspace",
        "--database",
        str(database),
    )
    assert result.returncode == 1
    assert "workspaces/nope" in result.stderr


def test_database_comes_from_the_environment(database: Path) -> None:
    env = {**os.environ, "CONFIGAPI_DATABASE": str(database)}
    assert run_cli("workspaces", "create", "acme", env=env).returncode == 0
    assert database.exists()


def test_an_unknown_event_loop_is_refused_with_a_message(database: Path) -> None:
    env = {**os.environ, "CONFIGAPI_EVENT_LOOP": "trio"}
    result = run_cli("serve", "--database", str(database), "--grpc-address", "127.0.0.1:0", env=env)
    assert result.returncode == 2  # an operator mistake (DESIGN rule 7)
    assert "CONFIGAPI_EVENT_LOOP: must be one of asyncio, uvloop, not 'trio'" in result.stderr


def test_serve_demo_prints_a_working_token_and_curl_line(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, printed = served
    with grpc.insecure_channel(printed["grpc"]) as channel:
        stub = workspaces_pb2_grpc.WorkspaceServiceStub(channel)
        reply = stub.ListWorkspaces(
            workspaces_pb2.ListWorkspacesRequest(),
            metadata=(("authorization", f"Bearer {printed['token']}"),),
        )
    assert [w.name for w in reply.workspaces] == ["workspaces/demo"]
    url = printed["curl"].split()[-1]
    response = httpx.get(url, headers={"Authorization": f"Bearer {printed['token']}"})
    assert response.status_code == 200
    assert response.json()["name"] == "workspaces/demo"


def test_sigterm_shuts_down_cleanly(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    process, _ = served
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_standalone_gateway_proxies_to_a_running_server(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    server, printed = served
    gateway = subprocess.Popen(
        [*CLI, "gateway", "--upstream", printed["grpc"], "--http-address", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert gateway.stdout is not None
        url = gateway.stdout.readline().split()[3]  # "serving REST on URL for UPSTREAM"
        auth = {"Authorization": f"Bearer {printed['token']}"}
        reply = httpx.get(f"{url}/v1beta/workspaces/demo", headers=auth)
        assert reply.status_code == 200 and reply.json()["name"] == "workspaces/demo"
        # a browser's 20 KB cookie: not forwarded as gRPC metadata, so 200 as in-process
        cookie = {**auth, "Cookie": "session=" + "c" * 20_000}
        for base in (url, printed["rest"]):
            assert httpx.get(f"{base}/v1beta/workspaces/demo", headers=cookie).status_code == 200
        missing = httpx.get(f"{url}/v1beta/workspaces/demo/sources/nope", headers=auth)
        assert missing.status_code == 404
        assert missing.json()["details"][0]["reason"] == "RESOURCE_NOT_FOUND"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        down = httpx.get(f"{url}/v1beta/workspaces/demo", headers=auth)
        assert down.status_code == 503
        assert down.text == "upstream connect error or disconnect/reset before headers"
    finally:
        gateway.send_signal(signal.SIGTERM)
        gateway.communicate(timeout=30)
    assert gateway.returncode == 0
