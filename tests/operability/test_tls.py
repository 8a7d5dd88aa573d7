"""TLS served directly: one self-signed certificate for the gRPC, REST and metrics listeners;
plaintext clients are refused; a standalone gateway reaches a TLS upstream through its CA."""

from __future__ import annotations

from pathlib import Path

import grpc
import httpx
import pytest
from segment.config.v1beta import workspaces_pb2, workspaces_pb2_grpc

from configapi.app import ConfigApiServer, ProxyGateway
from configapi.settings import Settings
from configapi.tls import TlsFiles
from tests.operability.conftest import Serve, Served
from tests.operability.support import Certificate, self_signed_certificate


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    return self_signed_certificate(tmp_path)


async def serve_tls(serve: Serve, certificate: Certificate, **settings: object) -> Served:
    return await serve(tls_cert=certificate.cert, tls_key=certificate.key, **settings)


async def get_workspace_over_grpc(target: str, certificate: Certificate, token: str) -> str:
    credentials = grpc.ssl_channel_credentials(root_certificates=certificate.cert.read_bytes())
    async with grpc.aio.secure_channel(target, credentials) as channel:
        reply = await workspaces_pb2_grpc.WorkspaceServiceStub(channel).GetWorkspace(
            workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme"),
            metadata=(("authorization", f"Bearer {token}"),),
        )
    name: str = reply.name
    return name


async def test_every_listener_serves_tls(serve: Serve, certificate: Certificate) -> None:
    served = await serve_tls(serve, certificate, metrics_address="127.0.0.1:0")
    assert served.rest.startswith("https://")
    auth = {"Authorization": f"Bearer {served.token}"}
    async with httpx.AsyncClient(verify=certificate.client_context()) as client:
        reply = await client.get(f"{served.rest}/v1beta/workspaces/acme", headers=auth)
        assert (reply.status_code, reply.json()["name"]) == (200, "workspaces/acme")
        assert (await client.get(f"{served.rest}/readyz")).status_code == 200
        metrics = await client.get(f"https://127.0.0.1:{served.server.metrics_port}/metrics")
        assert "configapi_requests_total" in metrics.text
    assert await get_workspace_over_grpc(served.grpc_target, certificate, served.token) == (
        "workspaces/acme"
    )


async def test_plaintext_clients_are_refused(serve: Serve, certificate: Certificate) -> None:
    served = await serve_tls(serve, certificate)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.TransportError):
            await client.get(f"http://127.0.0.1:{served.server.http_port}/healthz")
    async with grpc.aio.insecure_channel(served.grpc_target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await workspaces_pb2_grpc.WorkspaceServiceStub(channel).GetWorkspace(
                workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme"), timeout=10
            )
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_a_client_that_does_not_trust_the_certificate_is_refused(
    serve: Serve, certificate: Certificate, tmp_path: Path
) -> None:
    served = await serve_tls(serve, certificate)
    (tmp_path / "other").mkdir()
    stranger = self_signed_certificate(tmp_path / "other")
    async with httpx.AsyncClient(verify=stranger.client_context()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{served.rest}/healthz")


async def test_a_standalone_gateway_calls_a_tls_upstream_and_serves_tls(
    serve: Serve, certificate: Certificate
) -> None:
    upstream = await serve_tls(serve, certificate, http_address="")
    gateway = ProxyGateway(
        upstream.grpc_target,
        "127.0.0.1:0",
        1 << 20,
        tls=TlsFiles(certificate.cert, certificate.key),
        upstream_ca=certificate.cert,
        log_write=lambda line: None,
    )
    await gateway.start()
    try:
        base = f"https://127.0.0.1:{gateway.http_port}"
        async with httpx.AsyncClient(base_url=base, verify=certificate.client_context()) as client:
            auth = {"Authorization": f"Bearer {upstream.token}"}
            reply = await client.get("/v1beta/workspaces/acme", headers=auth)
            ready = await client.get("/readyz")  # the upstream's health, asked over TLS
    finally:
        await gateway.stop()
    assert (reply.status_code, reply.json()["name"]) == (200, "workspaces/acme")
    assert ready.status_code == 200


def test_a_certificate_without_its_key_is_refused(tmp_path: Path, certificate: Certificate) -> None:
    with pytest.raises(ValueError, match="--tls-cert and --tls-key go together"):
        ConfigApiServer(Settings(database=tmp_path / "db", tls_cert=certificate.cert))


def test_files_that_are_not_a_certificate_and_key_are_refused_before_binding(
    tmp_path: Path, certificate: Certificate
) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ValueError, match="not a PEM chain and its key"):
        TlsFiles.from_options(garbage, certificate.key)
    with pytest.raises(ValueError, match="does not exist"):
        TlsFiles.from_options(certificate.cert, tmp_path / "missing.key")
