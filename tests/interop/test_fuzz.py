"""Schemathesis fuzzes the REST API from its own OpenAPI document, served by a live server.

Reproducible and bounded (tests/interop/schemathesis.toml: a fixed seed; CONFIGAPI_FUZZ_EXAMPLES
cases per operation, 100 by default, about a minute): no response may be a 5xx, and every
response must conform to the document (status, content type, headers, body schema). The demo
workspace is seeded with one resource of each kind first, so that reads return real bodies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.interop.conftest import LiveServer, StartServer

CONFIG = Path(__file__).with_name("schemathesis.toml")
SOURCE = "workspaces/demo/sources/web"
WEBHOOKS = f"{SOURCE}/destinations/webhooks"
DROP = {"type": "drop_event"}


def seed(server: LiveServer) -> dict[str, str]:
    """One source, destination, tracking plan, access token, source connection and filter; the
    ids the fuzzer's reads use."""
    with server.rest() as api:
        created = [
            api.post(
                "/v1beta/workspaces/demo/sources",
                json={"source": {"name": SOURCE, "catalog_name": "catalog/sources/javascript"}},
            ),
            api.post(
                f"/v1beta/{SOURCE}/destinations",
                json={
                    "destination": {
                        "name": WEBHOOKS,
                        "connection_mode": "CLOUD",
                        "config": [
                            {"name": f"{WEBHOOKS}/config/hooks", "value": ["https://a.test"]}
                        ],
                    }
                },
            ),
            plan := api.post(
                "/v1beta/workspaces/demo/tracking-plans",
                json={"tracking_plan": {"display_name": "Checkout", "rules": {"global": {}}}},
            ),
            token := api.post(
                "/v1beta/access-tokens",
                json={
                    "access_token": {
                        "description": "reader",
                        "scopes": "workspace:read",
                        "workspace_names": ["workspaces/demo"],
                    }
                },
            ),
        ]
        plan_name = plan.json()["name"]
        created += [
            connection := api.post(
                f"/v1beta/{plan_name}/source-connections", json={"source_name": SOURCE}
            ),
            flt := api.post(
                f"/v1beta/{WEBHOOKS}/filters",
                json={"filter": {"title": "t", "if": "type = 'track'", "actions": [DROP]}},
            ),
        ]
    assert [response.status_code for response in created] == [200] * 6, connection.text
    return {
        "CONFIGAPI_TRACKING_PLAN": plan_name.rsplit("/", 1)[1],
        "CONFIGAPI_ACCESS_TOKEN": token.json()["name"].rsplit("/", 1)[1],
        "CONFIGAPI_FILTER": flt.json()["name"].rsplit("/", 1)[1],
    }


def test_fuzzing_finds_no_server_error_and_no_undocumented_response(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(rate_limit=0)  # thousands of requests in a minute
    env = {**os.environ, **seed(server), "CONFIGAPI_TOKEN": server.token}
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run"]
    command += [f"{server.rest_url}/v1beta/openapi.json", "--url", server.rest_url]
    command += ["--max-examples", os.environ.get("CONFIGAPI_FUZZ_EXAMPLES", "100")]
    command += ["--no-color"]
    result = subprocess.run(  # in tmp_path: hypothesis and schemathesis write dot-dirs to cwd
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "generated" in result.stdout  # it ran cases, and all of them passed
