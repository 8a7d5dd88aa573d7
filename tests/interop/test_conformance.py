"""Every operation of the OpenAPI document, called on a live server with valid input, answers a
body its document describes; so do the errors (SPEC §2), with their documented headers.

Fuzzing (test_fuzz.py) mostly reaches validation errors and the seeded reads; this scenario
makes every create, update and delete succeed once too. Validation here is stricter than the
document: our messages may carry no property it does not list (`additionalProperties: false`),
so a field printed under the wrong name fails.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.interop.conftest import ROOT, LiveServer, StartServer

DOCUMENT: dict[str, Any] = json.loads((ROOT / "gen" / "openapi" / "openapi.json").read_text())


def strict_components() -> dict[str, Any]:
    """The components, with our messages closed to undocumented properties."""
    components = copy.deepcopy(DOCUMENT["components"])
    for name, schema in components["schemas"].items():
        if not name.startswith("google.") and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return components


COMPONENTS = strict_components()


def response_for(path: str, verb: str, status: int) -> dict[str, Any]:
    """The documented response of an operation for a status (its own, else `default`)."""
    responses = DOCUMENT["paths"][path][verb]["responses"]
    response: dict[str, Any] = responses.get(str(status), responses["default"])
    if "$ref" in response:
        response = DOCUMENT["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


class Conformance:
    """Calls operations by their OpenAPI path and checks each answer against the document."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.succeeded: set[str] = set()

    def call(
        self, verb: str, path: str, token: str | None = None, body: Any = None, **params: str
    ) -> httpx.Response:
        token = self.server.token if token is None else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.request(
            verb.upper(), self.server.rest_url + path.format(**params), json=body, headers=headers
        )
        self.check(verb, path, response)
        return response

    def check(self, verb: str, path: str, response: httpx.Response) -> None:
        documented = response_for(path, verb, response.status_code)
        assert response.headers["content-type"] == "application/json"
        for header, spec in documented.get("headers", {}).items():
            assert not spec.get("required") or header in response.headers, header
        schema = {**documented["content"]["application/json"]["schema"], "components": COMPONENTS}
        Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
            response.json()
        )
        if response.status_code == 200:
            self.succeeded.add(DOCUMENT["paths"][path][verb]["operationId"])


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[Conformance]:
    yield Conformance(live_server)


WS = "/v1beta/workspaces/{workspace}"
SOURCES = WS + "/sources"
SOURCE = SOURCES + "/{source}"
DESTINATIONS = SOURCE + "/destinations"
DESTINATION = DESTINATIONS + "/{destination}"
PLANS = WS + "/tracking-plans"
PLAN = PLANS + "/{tracking_plan}"
FILTERS = DESTINATION + "/filters"
FILTER = FILTERS + "/{filter}"
SCHEMA_CONFIG = SOURCE + "/schema-config"
CONNECTIONS = PLAN + "/source-connections"
IDS = {"workspace": "demo", "source": "web", "destination": "webhooks"}
NAME = "workspaces/demo/sources/web"


def walk_sources_and_destinations(api: Conformance) -> None:
    ids = IDS
    source = {"name": NAME, "catalog_name": "catalog/sources/javascript", "labels": {"team": "a"}}
    api.call("post", SOURCES, body={"source": source}, **ids)
    api.call("get", SOURCE, **ids)
    api.call("get", SOURCES, **ids)
    mask = {"paths": ["source.display_name", "source.library_config.api_host"]}
    update = {"display_name": "Web", "library_config": {"api_host": "api.example.com"}}
    api.call("patch", SOURCE, body={"source": update, "update_mask": mask}, **ids)
    hooks = {"name": f"{NAME}/destinations/webhooks/config/hooks", "value": ["https://a.test"]}
    destination = {"name": f"{NAME}/destinations/webhooks", "config": [hooks]}
    api.call("post", DESTINATIONS, body={"destination": destination}, **ids)
    api.call("get", DESTINATION, **ids)
    api.call("get", DESTINATIONS, **ids)
    change = {"destination": {"enabled": True}, "update_mask": "destination.enabled"}
    api.call("patch", DESTINATION, body=change, **ids)


def walk_tracking_plans(api: Conformance) -> str:
    rules = {"global": {"type": "object"}, "events": [{"name": "Signed Up", "rules": {}}]}
    plan = {"display_name": "Checkout", "rules": rules}
    created = api.call("post", PLANS, body={"tracking_plan": plan}, workspace="demo")
    plan_id = created.json()["name"].rsplit("/", 1)[1]
    ids = {"workspace": "demo", "tracking_plan": plan_id}
    api.call("get", PLAN, **ids)
    api.call("get", PLANS, workspace="demo")
    mask = {"paths": ["tracking_plan.display_name"]}
    for verb in ("put", "patch"):
        body = {"tracking_plan": {"display_name": verb}, "update_mask": mask}
        api.call(verb, PLAN, body=body, **ids)
    return plan_id


def walk_schema_config(api: Conformance) -> None:
    api.call("get", SCHEMA_CONFIG, **IDS)
    config = {"allow_unplanned_track_events": False, "common_track_event_on_violations": "BLOCK"}
    paths = [f"schema_config.{field}" for field in config]
    body = {"schema_config": config, "update_mask": {"paths": paths}}
    api.call("patch", SCHEMA_CONFIG, body=body, **IDS)


def walk_destination_filters(api: Conformance) -> None:
    """As the Go client sends them: an ignored mask on create, unprefixed paths on update."""
    sample = {"type": "sample_event", "percent": 0.5, "path": "userId"}
    trim = {"type": "blacklist_fields", "fields": {"properties": {"fields": ["email"]}}}
    new = {"title": "t", "if": "type = 'track'", "actions": [sample, trim], "enabled": True}
    created = api.call(
        "post", FILTERS, body={"filter": new, "update_mask": {"paths": ["if"]}}, **IDS
    )
    ids = {**IDS, "filter": created.json()["name"].rsplit("/", 1)[1]}
    api.call("get", FILTER, **ids)
    api.call("get", FILTERS, **IDS)
    change = {"filter": {"if": "all", "actions": []}, "update_mask": {"paths": ["if", "actions"]}}
    api.call("patch", FILTER, body=change, **ids)
    event = json.dumps({"type": "track", "userId": "u1", "properties": {"email": "a@b.c"}})
    preview = {"filter": {"if": "all", "actions": [trim], "enabled": True}, "input": event}
    api.call("post", "/v1beta/filters/preview", body=preview)
    api.call("delete", FILTER, **ids)


def walk_source_connections(api: Conformance, plan_id: str) -> None:
    ids = {"workspace": "demo", "tracking_plan": plan_id}
    api.call("post", CONNECTIONS, body={"source_name": NAME}, **ids)
    api.call("get", CONNECTIONS, **ids)
    api.call("delete", CONNECTIONS + "/{source}", source="web", **ids)
    batch = {"source_names": [NAME]}
    api.call("post", CONNECTIONS + ":batchCreateConnections", body=batch, **ids)


def walk_access_tokens(api: Conformance) -> None:
    token = {"description": "d", "scopes": "workspace:read", "workspace_names": ["workspaces/demo"]}
    created = api.call("post", "/v1beta/access-tokens", body={"access_token": token})
    token_id = created.json()["name"].rsplit("/", 1)[1]
    api.call("get", "/v1beta/access-tokens/{access_token}", access_token=token_id)
    api.call("get", "/v1beta/access-tokens")
    api.call("delete", "/v1beta/access-tokens/{access_token}", access_token=token_id)


def walk_reads(api: Conformance) -> None:
    api.call("get", "/v1beta/workspaces")
    api.call("get", WS, workspace="demo")
    api.call("get", "/v1beta/catalog/sources")
    api.call("get", "/v1beta/catalog/sources/{catalog_source}", catalog_source="javascript")
    api.call("get", "/v1beta/catalog/destinations")
    api.call(
        "get", "/v1beta/catalog/destinations/{catalog_destination}", catalog_destination="webhooks"
    )


def test_every_operation_answers_as_documented(api: Conformance) -> None:
    walk_reads(api)
    walk_sources_and_destinations(api)
    walk_schema_config(api)
    walk_destination_filters(api)
    plan_id = walk_tracking_plans(api)
    walk_source_connections(api, plan_id)
    walk_access_tokens(api)
    api.call("delete", PLAN, workspace="demo", tracking_plan=plan_id)
    api.call("delete", DESTINATION, **IDS)
    api.call("delete", SOURCE, **IDS)
    every = {op["operationId"] for item in DOCUMENT["paths"].values() for op in item.values()}
    assert api.succeeded == every


def test_errors_answer_as_documented(api: Conformance) -> None:
    assert api.call("get", SOURCE, token="", **IDS).status_code == 401
    assert api.call("get", SOURCE, token="sgp_unknown", **IDS).status_code == 401
    assert api.call("get", SOURCE, **IDS).status_code == 404
    bad = {"source": {"name": NAME, "catalog_name": "catalog/sources/nope"}}
    assert api.call("post", SOURCES, body=bad, **IDS).status_code == 400
    good = {"source": {"name": NAME, "catalog_name": "catalog/sources/javascript"}}
    assert api.call("post", SOURCES, body=good, **IDS).status_code == 200
    assert api.call("post", SOURCES, body=good, **IDS).status_code == 409
    token = {"description": "d", "scopes": "workspace:read", "workspace_names": ["workspaces/demo"]}
    reader = api.call("post", "/v1beta/access-tokens", body={"access_token": token}).json()["token"]
    assert api.call("delete", SOURCE, token=reader, **IDS).status_code == 403


def test_errors_of_filters_and_connections_answer_as_documented(api: Conformance) -> None:
    source = {"source": {"name": NAME, "catalog_name": "catalog/sources/javascript"}}
    api.call("post", SOURCES, body=source, **IDS)
    invalid = {"filter": {"title": "t", "if": "type = "}}  # FQL error: 400 with its position
    assert api.call("post", FILTERS, body=invalid, **IDS).status_code == 400
    valid = {"filter": {"title": "t", "if": "all"}}  # the destination does not exist
    assert api.call("post", FILTERS, body=valid, **IDS).status_code == 404
    assert api.call("get", FILTER, filter="df_123abc", **IDS).status_code == 404
    plans = [
        api.call("post", PLANS, body={"tracking_plan": {"display_name": "p"}}, workspace="demo")
        for _ in range(2)
    ]
    first, second = ({"tracking_plan": p.json()["name"].rsplit("/", 1)[1]} for p in plans)
    assert api.call("post", CONNECTIONS, body={"source_name": NAME}, **IDS, **first).is_success
    assert (
        api.call("post", CONNECTIONS, body={"source_name": NAME}, **IDS, **second).status_code
        == 409
    )


def test_the_rate_limit_answer_is_documented(start_server: StartServer) -> None:
    api = Conformance(start_server(rate_limit=2))
    statuses = [api.call("get", "/v1beta/workspaces").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
