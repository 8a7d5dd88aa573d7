"""grpcurl explores the API over server reflection, as a user would: list the services, describe
one, call a method with a token, and see a canonical error with its details without one."""

from __future__ import annotations

import json
import subprocess

from tests.interop.conftest import LiveServer, tool

SERVICES = [
    "grpc.health.v1.Health",
    "segment.config.v1beta.AccessTokenService",
    "segment.config.v1beta.CatalogService",
    "segment.config.v1beta.DestinationService",
    "segment.config.v1beta.SourceService",
    "segment.config.v1beta.TrackingPlanService",
    "segment.config.v1beta.WorkspaceService",
]


def grpcurl(
    server: LiveServer, *command: str, flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`grpcurl -plaintext [flags] ADDRESS command...` (`list`, `describe X`, or a method)."""
    arguments = [str(tool("grpcurl")), "-plaintext", *flags, server.grpc_address, *command]
    return subprocess.run(arguments, capture_output=True, text=True, timeout=60)


def test_grpcurl_lists_the_services(live_server: LiveServer) -> None:
    result = grpcurl(live_server, "list")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split()
    assert set(SERVICES) <= set(listed)
    assert any(name.startswith("grpc.reflection.") for name in listed)


def test_grpcurl_describes_a_service_with_its_http_bindings(live_server: LiveServer) -> None:
    result = grpcurl(live_server, "describe", "segment.config.v1beta.SourceService")
    assert result.returncode == 0, result.stderr
    assert "rpc CreateSource ( .segment.config.v1beta.CreateSourceRequest )" in result.stdout
    assert 'post: "/v1beta/{parent=workspaces/*}/sources"' in result.stdout


def test_grpcurl_calls_a_method(live_server: LiveServer) -> None:
    token = f"authorization: Bearer {live_server.token}"
    flags = ("-H", token, "-d", '{"name": "workspaces/demo"}')
    result = grpcurl(
        live_server, "segment.config.v1beta.WorkspaceService/GetWorkspace", flags=flags
    )
    assert result.returncode == 0, result.stderr
    workspace = json.loads(result.stdout)
    assert workspace["name"] == "workspaces/demo"
    assert workspace["display_name"] == "Demo"


def test_grpcurl_shows_a_canonical_error_with_its_reason(live_server: LiveServer) -> None:
    flags = ("-d", '{"name": "workspaces/demo"}')  # no token
    result = grpcurl(
        live_server, "segment.config.v1beta.WorkspaceService/GetWorkspace", flags=flags
    )
    assert result.returncode != 0
    assert "Code: Unauthenticated" in result.stderr
    assert '"reason": "ACCESS_TOKEN_MISSING"' in result.stderr
