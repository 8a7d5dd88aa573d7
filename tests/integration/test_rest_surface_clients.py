"""Schema config, destination filters and source connections as the original API's REST
clients send them (reference §5.5, §5.8, §5.10): hand-written JSON and URLs, a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.harness import StartServer
from tests.integration.test_rest_wire import SOURCE as JS
from tests.integration.test_rest_wire import RestClient

W = "/v1beta/workspaces/acme"


@pytest.fixture
async def rest(start_server: StartServer) -> AsyncIterator[RestClient]:
    server = await start_server()
    await server.add_workspace("acme")
    token = await server.add_token("acme")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as http:
        client = RestClient(http, token)
        await client.ok("POST", f"{W}/sources", JS)
        yield client


async def test_uswitch_reads_sources_through_plans_and_their_connections(rest: RestClient) -> None:
    plan = await rest.ok("POST", f"{W}/tracking-plans", {"tracking_plan": {"display_name": "P"}})
    plan_id = plan["name"].rsplit("/", 1)[1]
    connection = await rest.ok(
        "POST",
        f"/v1beta/{plan['name']}/source-connections",
        {"source_name": "workspaces/acme/sources/js"},
    )
    assert connection == {"source_name": "workspaces/acme/sources/js", "tracking_plan_id": plan_id}
    plans = await rest.ok("GET", f"{W}/tracking-plans/")
    for each in plans["tracking_plans"]:  # the provider's read of every segment_source
        listed = await rest.ok("GET", f"/v1beta/{each['name']}/source-connections/")
        assert listed == {"connections": [connection], "next_page_token": ""}
    gone = await rest.ok("DELETE", f"/v1beta/{plan['name']}/source-connections/js")
    assert gone == {}


async def test_batch_create_connections_with_the_custom_verb(rest: RestClient) -> None:
    plan = await rest.ok("POST", f"{W}/tracking-plans", {"tracking_plan": {"display_name": "P"}})
    made = await rest.ok(
        "POST",
        f"/v1beta/{plan['name']}/source-connections:batchCreateConnections",
        {"source_names": ["workspaces/acme/sources/js"]},
    )
    assert [c["source_name"] for c in made["connections"]] == ["workspaces/acme/sources/js"]


async def test_ajbosco_filter_calls(rest: RestClient) -> None:
    destination = "workspaces/acme/sources/js/destinations/heap"
    await rest.ok("POST", f"{W}/sources/js/destinations", {"destination": {"name": destination}})
    mask = {"paths": ["if", "actions", "title", "description", "enabled"]}
    body = {
        "filter": {
            "if": "type = 'identify'",
            "actions": [{"type": "drop_event"}],
            "title": "No identify",
            "enabled": True,
        },
        "update_mask": mask,  # sent on create too: ignored
    }
    created = await rest.ok("POST", f"/v1beta/{destination}/filters", body)
    assert created["if"] == "type = 'identify'" and created["enabled"] is True
    body["filter"]["title"] = "Renamed"
    updated = await rest.ok("PATCH", f"/v1beta/{created['name']}", body)
    assert updated["title"] == "Renamed" and updated["description"] == ""
    listed = await rest.ok("GET", f"/v1beta/{destination}/filters")
    assert [f["name"] for f in listed["filters"]] == [created["name"]]
    bad = await rest.send(
        "POST", f"/v1beta/{destination}/filters", {"filter": {"if": "((", "title": "x"}}
    )
    assert bad.status_code == 400
    assert bad.json()["details"][1]["field_violations"][0]["field"] == "filter.if"
    assert await rest.ok("DELETE", f"/v1beta/{created['name']}") == {}


async def test_filter_preview_as_documented(rest: RestClient) -> None:
    event = '{"type":"track","userId":"6592","properties":{"order":"129","age":"40"}}'
    body = {
        "filter": {
            "if": "all",
            "actions": [
                {"type": "blacklist_fields", "fields": {"properties": {"fields": ["age"]}}}
            ],
            "enabled": True,
        },
        "input": event,
    }
    answer = await rest.ok("POST", "/v1beta/filters/preview", body)
    assert answer["input"] == event
    assert "age" not in answer["output"] and "order" in answer["output"]


async def test_schema_config_get_and_patch(rest: RestClient) -> None:
    path = f"{W}/sources/js/schema-config"
    config = await rest.ok("GET", path)
    assert config["common_track_event_on_violations"] == "ALLOW"
    patched = await rest.ok(
        "PATCH",
        path,
        {
            "schema_config": {
                "allow_unplanned_track_events": False,
                "common_group_event_on_violations": "BLOCK",
            },
            "update_mask": {
                "paths": [
                    "schema_config.allow_unplanned_track_events",
                    "schema_config.common_group_event_on_violations",
                ]
            },
        },
    )
    assert patched["allow_unplanned_track_events"] is False
    assert patched["common_group_event_on_violations"] == "BLOCK"
    assert patched["parent"] == "workspaces/acme/sources/js"
