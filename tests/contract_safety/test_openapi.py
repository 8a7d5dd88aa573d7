"""The OpenAPI document: valid OpenAPI 3.1, up to date in gen/openapi, and faithful to the
descriptors it is generated from (every binding an operation; REQUIRED → `required`,
OUTPUT_ONLY → `readOnly`; snake_case proto names). Live responses are checked against it in
tests/interop (schemathesis and the conformance scenario).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from openapi_spec_validator import validate

from configapi import contract
from configapi.gateway.routes import routes_for
from configapi.openapi import build_document, contract_document
from configapi.openapi.schemas import component_name
from tests.contract_safety.route_table import ROOT

GENERATED = ROOT / "gen" / "openapi" / "openapi.json"
DOCUMENT: dict[str, Any] = json.loads(contract_document())
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]


def test_the_generated_file_is_up_to_date() -> None:
    # DESIGN rule 6: gen/ is what `make gen` writes from proto/, never edited by hand.
    assert GENERATED.read_bytes() == contract_document(), "stale: run `make gen`"


def test_the_document_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    validate(DOCUMENT)  # raises OpenAPIValidationError naming the first problem


def test_building_twice_gives_the_same_bytes() -> None:
    assert json.loads(contract_document()) == build_document(contract.methods())


def operations() -> dict[str, tuple[str, str]]:
    """operationId → (verb, OpenAPI path)."""
    found: dict[str, tuple[str, str]] = {}
    for path, item in DOCUMENT["paths"].items():
        for verb, operation in item.items():
            found[operation["operationId"]] = (verb.upper(), path)
    return found


def openapi_path_of(template: str) -> str:
    """`/v1beta/{name=workspaces/*/sources/*}` → `/v1beta/workspaces/*/sources/*`, the shape
    both a path template and an OpenAPI path reduce to."""
    return re.sub(r"\{[a-z_.]+=([^}]*)\}", r"\1", template)


def test_every_http_binding_is_one_operation() -> None:
    expected = {}
    for method in contract.methods():
        for index, route in enumerate(routes_for(method)):
            suffix = str(index + 1) if index else ""
            operation_id = f"{method.containing_service.name}_{method.name}{suffix}"
            expected[operation_id] = (route.http_method, openapi_path_of(route.template.source))
    shapes = {k: (verb, re.sub(r"\{[a-z_]+\}", "*", p)) for k, (verb, p) in operations().items()}
    assert shapes == expected


def test_path_parameters_are_named_after_the_resource_patterns() -> None:
    item = DOCUMENT["paths"][
        "/v1beta/workspaces/{workspace}/sources/{source}/destinations/{destination}"
    ]
    assert [p["name"] for p in item["get"]["parameters"]] == ["workspace", "source", "destination"]
    assert set(item) == {"get", "patch", "delete"}


def test_the_body_of_create_and_update_is_the_request_less_its_path_fields() -> None:
    create = DOCUMENT["paths"]["/v1beta/workspaces/{workspace}/sources"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"] == {"source": {"$ref": "#/components/schemas/Source"}}
    assert body["required"] == ["source"]
    update = DOCUMENT["paths"]["/v1beta/workspaces/{workspace}/tracking-plans/{tracking_plan}"]
    for verb in ("put", "patch"):  # SPEC §6.4: PUT, and PATCH too
        schema = update[verb]["requestBody"]["content"]["application/json"]["schema"]
        assert set(schema["properties"]) == {"tracking_plan", "update_mask"}


def test_list_methods_take_their_paging_fields_as_query_parameters() -> None:
    operation = DOCUMENT["paths"]["/v1beta/workspaces/{workspace}/sources"]["get"]
    query = {p["name"]: p["schema"]["type"] for p in operation["parameters"] if p["in"] == "query"}
    assert query == {"page_size": "integer", "page_token": "string"}


def resource_messages() -> dict[str, Descriptor]:
    """Every message of our package that has a component, by component name."""
    found: dict[str, Descriptor] = {}
    for file in contract.FILES:
        pending = list(file.message_types_by_name.values())
        while pending:
            message = pending.pop()
            pending.extend(message.nested_types)
            if component_name(message.full_name) in SCHEMAS:
                found[component_name(message.full_name)] = message
    return found


MESSAGES = resource_messages()


def behaviors(field: FieldDescriptor) -> set[int]:
    return set(field.GetOptions().Extensions[field_behavior_pb2.field_behavior])


@pytest.mark.parametrize("name", MESSAGES, ids=MESSAGES)
def test_properties_are_the_snake_case_proto_names(name: str) -> None:
    assert list(SCHEMAS[name]["properties"]) == [f.name for f in MESSAGES[name].fields]


@pytest.mark.parametrize("name", MESSAGES, ids=MESSAGES)
def test_required_and_read_only_come_from_field_behavior(name: str) -> None:
    fields = MESSAGES[name].fields
    required = [f.name for f in fields if field_behavior_pb2.REQUIRED in behaviors(f)]
    read_only = [f.name for f in fields if field_behavior_pb2.OUTPUT_ONLY in behaviors(f)]
    schema = SCHEMAS[name]
    assert schema.get("required", []) == required
    assert [k for k, v in schema["properties"].items() if v.get("readOnly")] == read_only


def test_the_resources_the_api_serves_all_have_schemas() -> None:
    expected = {"Workspace", "Source", "Destination", "TrackingPlan", "AccessToken"}
    assert expected | {"CatalogSource", "CatalogDestination"} <= set(SCHEMAS)


def test_wire_forms_follow_spec_1() -> None:
    destination = SCHEMAS["Destination"]["properties"]
    assert destination["connection_mode"] == {
        "$ref": "#/components/schemas/Destination.ConnectionMode"
    }
    assert SCHEMAS["Destination.ConnectionMode"]["enum"] == ["UNSPECIFIED", "CLOUD", "DEVICE"]
    assert destination["create_time"] == {"type": "string", "format": "date-time", "readOnly": True}
    assert SCHEMAS["Source"]["properties"]["labels"]["additionalProperties"] == {"type": "string"}
    assert "browserUnbundlingSupported" in SCHEMAS["CatalogDestination"]["properties"]


def test_errors_are_the_spec_2_body_with_its_details() -> None:
    error = SCHEMAS["Error"]
    assert error["required"] == ["error", "code", "message", "details"]
    kinds = [
        v["allOf"][1]["properties"]["@type"]["const"]
        for v in error["properties"]["details"]["items"]["oneOf"]
    ]
    assert [k.rsplit(".", 1)[1] for k in kinds] == [
        "ErrorInfo",
        "BadRequest",
        "ResourceInfo",
        "RetryInfo",
    ]
    for item in DOCUMENT["paths"].values():
        for operation in item.values():
            assert operation["responses"]["default"] == {"$ref": "#/components/responses/Error"}


def test_every_operation_needs_a_bearer_token() -> None:
    assert DOCUMENT["security"] == [{"bearer": []}]
    assert DOCUMENT["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
