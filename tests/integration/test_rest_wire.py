"""REST wire conventions (SPEC §1) as existing clients of the original API exercise them, against
a real server: hand-written JSON and URLs, not requests built from the protos."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.harness import StartServer

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z")


@dataclass
class RestClient:
    """An HTTP client with a write token for acme, as a REST client of the API holds one."""

    http: httpx.AsyncClient
    token: str

    async def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """A request with the bearer token; JSON `{}` unless a body is given, like real clients."""
        return await self.http.request(
            method,
            path,
            json={} if body is None else body,
            headers={"authorization": f"Bearer {self.token}"},
        )

    async def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.send(method, path, body)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def rest(start_server: StartServer) -> AsyncIterator[RestClient]:
    server = await start_server()
    await server.add_workspace("acme")
    token = await server.add_token("acme")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
        yield RestClient(http, token)


SOURCE = {
    "source": {"name": "workspaces/acme/sources/js", "catalog_name": "catalog/sources/javascript"}
}


async def test_a_source_round_trip_as_existing_clients_send_it(rest: RestClient) -> None:
    created = await rest.ok("POST", "/v1beta/workspaces/acme/sources/", SOURCE)
    # snake_case names, every scalar, list and map emitted, library_config with its four fields
    assert created["name"] == "workspaces/acme/sources/js"
    assert created["catalog_name"] == "catalog/sources/javascript"
    assert created["labels"] == {}
    assert len(created["write_keys"]) == 1
    assert created["library_config"] == {
        "metrics_enabled": False,
        "retry_queue": False,
        "cross_domain_id_enabled": False,
        "api_host": "",
    }
    assert TIMESTAMP.fullmatch(created["create_time"]), created["create_time"]

    got = await rest.ok("GET", "/v1beta/workspaces/acme/sources/js/")  # trailing slash, `{}` body
    assert got == created
    listed = await rest.ok("GET", "/v1beta//workspaces/acme/sources")  # a doubled slash
    assert listed == {"sources": [created], "next_page_token": ""}
    assert await rest.ok("DELETE", "/v1beta/workspaces/acme/sources/js") == {}


async def test_input_accepts_camel_case_unknown_fields_and_enum_numbers(rest: RestClient) -> None:
    await rest.ok("POST", "/v1beta/workspaces/acme/sources", SOURCE)
    body = {
        "destination": {
            "name": "workspaces/acme/sources/js/destinations/heap",
            "connectionMode": 2,
            "enabled": True,
            "someFieldFromTheFuture": {"x": 1},
        },
        "unknownTopLevel": True,
    }
    created = await rest.ok("POST", "/v1beta/workspaces/acme/sources/js/destinations", body)
    assert (created["connection_mode"], created["enabled"]) == ("DEVICE", True)
    assert created["config"] == []


@pytest.mark.parametrize(
    "mask", [{"paths": ["destination.enabled"]}, "destination.enabled"], ids=["object", "string"]
)
async def test_update_mask_is_a_sibling_in_either_json_form(rest: RestClient, mask: Any) -> None:
    await rest.ok("POST", "/v1beta/workspaces/acme/sources", SOURCE)
    path = "/v1beta/workspaces/acme/sources/js/destinations"
    await rest.ok("POST", path, {"destination": {"name": f"{path[8:]}/heap", "enabled": True}})
    updated = await rest.ok(
        "PATCH", f"{path}/heap", {"destination": {"enabled": False}, "update_mask": mask}
    )
    assert updated["enabled"] is False


async def test_a_tracking_plan_is_updated_with_put(rest: RestClient) -> None:
    created = await rest.ok(
        "POST",
        "/v1beta/workspaces/acme/tracking-plans",
        {"tracking_plan": {"display_name": "Plan", "rules": {"global": {"maxLength": 5}}}},
    )
    assert created["rules"] == {
        "global": {"maxLength": 5},
        "events": [],
        "identify_traits": [],
        "group_traits": [],
    }
    updated = await rest.ok(
        "PUT",
        f"/v1beta/{created['name']}",
        {
            "tracking_plan": {"display_name": "Renamed"},
            "update_mask": {"paths": ["tracking_plan.display_name"]},
        },
    )
    assert updated["display_name"] == "Renamed"


NOT_ROUTES = {
    "unknown-path": ("GET", "/v1beta/nothing-here"),
    "known-path-wrong-method": ("PUT", "/v1beta/workspaces/acme/sources"),
    "delete-a-workspace": ("DELETE", "/v1beta/workspaces/acme"),
    "outside-the-base-path": ("GET", "/v2/workspaces"),
}


@pytest.mark.parametrize("method, path", NOT_ROUTES.values(), ids=NOT_ROUTES.keys())
async def test_routing_misses_are_404_not_found(rest: RestClient, method: str, path: str) -> None:
    response = await rest.send(method, path)
    assert response.status_code == 404
    body = response.json()
    assert (body["code"], body["error"], body["message"]) == (5, "Not Found", "Not Found")


async def test_an_empty_segment_never_matches_a_variable(rest: RestClient) -> None:
    # `//` collapses to `/` (SPEC §1), so this is GetWorkspace("workspaces/sources"), never
    # ListSources with parent "workspaces/": not found either way, never a 400 about the parent
    response = await rest.send("GET", "/v1beta/workspaces//sources")
    assert response.status_code == 404
    assert response.json()["code"] == 5


async def test_invalid_json_is_400_code_3(rest: RestClient) -> None:
    response = await rest.http.post(
        "/v1beta/workspaces/acme/sources",
        content=b'{"source": ',
        headers={"authorization": f"Bearer {rest.token}", "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == 3


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer nope"],
    ids=["none", "empty", "basic", "unknown"],
)
async def test_a_bad_authorization_header_is_401_with_www_authenticate(
    rest: RestClient, header: str | None
) -> None:
    headers = {} if header is None else {"authorization": header}
    response = await rest.http.get("/v1beta/workspaces", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == 16
    assert body["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert body["details"][0]["domain"] == "config.segmentapis.com"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1beta/workspaces/acme/tracking-plans/rs_123abc/"),
        ("PUT", "/v1beta/workspaces/acme/tracking-plans/rs_123abc"),
        ("DELETE", "/v1beta/workspaces/acme/tracking-plans/rs_123abc"),
        ("GET", "/v1beta/access-tokens/rs_123abc"),
        ("DELETE", "/v1beta/access-tokens/abc"),
    ],
    ids=["get-plan", "update-plan", "delete-plan", "get-token", "delete-token"],
)
async def test_a_made_up_generated_id_is_404_like_a_missing_one(
    rest: RestClient, method: str, path: str
) -> None:
    # SPEC §6: clients' tests and mistyped `terraform import`s probe with ids like rs_123abc
    response = await rest.send(method, path)
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["code"] == 5
    assert body["details"][0]["reason"] == "RESOURCE_NOT_FOUND"


async def test_a_bad_name_is_400_stating_the_rule_the_segment_breaks(rest: RestClient) -> None:
    response = await rest.send("GET", "/v1beta/workspaces/acme/tracking-plans/rs_1!")
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert 'tracking_plan "rs_1!" must match ^rs_[0-9A-Za-z]{27}$' in message
    assert "[a-z0-9][a-z0-9_.-]" not in message  # not the slug rule, which it does not break
