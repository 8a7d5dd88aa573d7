"""The gateway serves the generated OpenAPI document at /v1beta/openapi.json, without a token."""

from __future__ import annotations

import httpx

from tests.interop.conftest import ROOT, LiveServer


def test_the_served_document_is_the_generated_file(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.rest_url}/v1beta/openapi.json", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == (ROOT / "gen" / "openapi" / "openapi.json").read_bytes()


def test_only_get_serves_it(live_server: LiveServer) -> None:
    response = httpx.post(f"{live_server.rest_url}/v1beta/openapi.json", timeout=30)
    assert response.status_code == 404
    assert response.json()["code"] == 5
