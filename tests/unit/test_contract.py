"""The wire contract, read back from the descriptors (SPEC §6, §7).

Each table below is transcribed from SPEC.md; the descriptors (through `configapi.contract`) must
agree with it. A change that breaks one of these tests changes what clients see on the wire.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from google.api import annotations_pb2, field_behavior_pb2, http_pb2, resource_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor

from configapi import contract

ROOT = Path(__file__).resolve().parents[2]


# --- descriptor reading -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One REST binding: verb, path template, body (`"*"` or `""`)."""

    verb: str
    path: str
    body: str = ""


def method_id(method: MethodDescriptor) -> str:
    return f"{method.containing_service.name}.{method.name}"


def routes_of(method: MethodDescriptor) -> tuple[Route, ...]:
    """The method's `google.api.http` binding followed by its additional bindings."""
    rule = method.GetOptions().Extensions[annotations_pb2.http]
    return tuple(_route(r) for r in (rule, *rule.additional_bindings))


def _route(rule: http_pb2.HttpRule) -> Route:
    verb = rule.WhichOneof("pattern") or ""
    return Route(verb.upper(), getattr(rule, verb) if verb else "", rule.body)


def messages() -> Iterator[Descriptor]:
    """Every top-level message of the package, file by file."""
    for service in contract.SERVICES:
        yield from service.file.message_types_by_name.values()


def resources() -> dict[str, Descriptor]:
    """Messages carrying `google.api.resource`, by message name."""
    return {m.name: m for m in messages() if m.GetOptions().HasExtension(resource_pb2.resource)}


def resource_of(message: Descriptor) -> resource_pb2.ResourceDescriptor:
    return message.GetOptions().Extensions[resource_pb2.resource]


def behaviors_of(field: FieldDescriptor) -> list[int]:
    return list(field.GetOptions().Extensions[field_behavior_pb2.field_behavior])


def message_named(name: str) -> Descriptor:
    """A message of the package by short name, nested ones included."""
    pool = contract.SERVICES[0].file.pool
    return pool.FindMessageTypeByName(f"{contract.PACKAGE}.{name}")


# --- SPEC §6: REST routes ---------------------------------------------------------------------

# SPEC §6, one row per method; `{field=...}` names the request field the segment fills.
ROUTES: dict[str, tuple[Route, ...]] = {
    "WorkspaceService.ListWorkspaces": (Route("GET", "/v1beta/workspaces"),),
    "WorkspaceService.GetWorkspace": (Route("GET", "/v1beta/{name=workspaces/*}"),),
    "SourceService.ListSources": (Route("GET", "/v1beta/{parent=workspaces/*}/sources"),),
    "SourceService.GetSource": (Route("GET", "/v1beta/{name=workspaces/*/sources/*}"),),
    "SourceService.CreateSource": (Route("POST", "/v1beta/{parent=workspaces/*}/sources", "*"),),
    "SourceService.UpdateSource": (
        Route("PATCH", "/v1beta/{source.name=workspaces/*/sources/*}", "*"),
    ),
    "SourceService.DeleteSource": (Route("DELETE", "/v1beta/{name=workspaces/*/sources/*}"),),
    "DestinationService.ListDestinations": (
        Route("GET", "/v1beta/{parent=workspaces/*/sources/*}/destinations"),
    ),
    "DestinationService.GetDestination": (
        Route("GET", "/v1beta/{name=workspaces/*/sources/*/destinations/*}"),
    ),
    "DestinationService.CreateDestination": (
        Route("POST", "/v1beta/{parent=workspaces/*/sources/*}/destinations", "*"),
    ),
    "DestinationService.UpdateDestination": (
        Route("PATCH", "/v1beta/{destination.name=workspaces/*/sources/*/destinations/*}", "*"),
    ),
    "DestinationService.DeleteDestination": (
        Route("DELETE", "/v1beta/{name=workspaces/*/sources/*/destinations/*}"),
    ),
    "TrackingPlanService.ListTrackingPlans": (
        Route("GET", "/v1beta/{parent=workspaces/*}/tracking-plans"),
    ),
    "TrackingPlanService.GetTrackingPlan": (
        Route("GET", "/v1beta/{name=workspaces/*/tracking-plans/*}"),
    ),
    "TrackingPlanService.CreateTrackingPlan": (
        Route("POST", "/v1beta/{parent=workspaces/*}/tracking-plans", "*"),
    ),
    # SPEC §6.4: every client updates tracking plans with PUT; PATCH is accepted too.
    "TrackingPlanService.UpdateTrackingPlan": (
        Route("PUT", "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}", "*"),
        Route("PATCH", "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}", "*"),
    ),
    "TrackingPlanService.DeleteTrackingPlan": (
        Route("DELETE", "/v1beta/{name=workspaces/*/tracking-plans/*}"),
    ),
    "AccessTokenService.ListAccessTokens": (Route("GET", "/v1beta/access-tokens"),),
    "AccessTokenService.GetAccessToken": (Route("GET", "/v1beta/{name=access-tokens/*}"),),
    "AccessTokenService.CreateAccessToken": (Route("POST", "/v1beta/access-tokens", "*"),),
    "AccessTokenService.DeleteAccessToken": (Route("DELETE", "/v1beta/{name=access-tokens/*}"),),
    "CatalogService.ListCatalogSources": (Route("GET", "/v1beta/catalog/sources"),),
    "CatalogService.GetCatalogSource": (Route("GET", "/v1beta/{name=catalog/sources/*}"),),
    "CatalogService.ListCatalogDestinations": (Route("GET", "/v1beta/catalog/destinations"),),
    "CatalogService.GetCatalogDestination": (
        Route("GET", "/v1beta/{name=catalog/destinations/*}"),
    ),
    # SPEC §6.7
    "SourceService.GetSchemaConfig": (
        Route("GET", "/v1beta/{name=workspaces/*/sources/*/schema-config}"),
    ),
    "SourceService.UpdateSchemaConfig": (
        Route("PATCH", "/v1beta/{schema_config.name=workspaces/*/sources/*/schema-config}", "*"),
    ),
    # SPEC §6.8
    "DestinationFilterService.ListDestinationFilters": (
        Route("GET", "/v1beta/{parent=workspaces/*/sources/*/destinations/*}/filters"),
    ),
    "DestinationFilterService.GetDestinationFilter": (
        Route("GET", "/v1beta/{name=workspaces/*/sources/*/destinations/*/filters/*}"),
    ),
    "DestinationFilterService.CreateDestinationFilter": (
        Route("POST", "/v1beta/{parent=workspaces/*/sources/*/destinations/*}/filters", "*"),
    ),
    "DestinationFilterService.UpdateDestinationFilter": (
        Route(
            "PATCH", "/v1beta/{filter.name=workspaces/*/sources/*/destinations/*/filters/*}", "*"
        ),
    ),
    "DestinationFilterService.DeleteDestinationFilter": (
        Route("DELETE", "/v1beta/{name=workspaces/*/sources/*/destinations/*/filters/*}"),
    ),
    "DestinationFilterService.PreviewDestinationFilter": (
        Route("POST", "/v1beta/filters/preview", "*"),
    ),
    # SPEC §6.9
    "TrackingPlanService.ListSourceConnections": (
        Route("GET", "/v1beta/{parent=workspaces/*/tracking-plans/*}/source-connections"),
    ),
    "TrackingPlanService.CreateSourceConnection": (
        Route("POST", "/v1beta/{parent=workspaces/*/tracking-plans/*}/source-connections", "*"),
    ),
    "TrackingPlanService.BatchCreateSourceConnections": (
        Route(
            "POST",
            "/v1beta/{parent=workspaces/*/tracking-plans/*}/source-connections"
            ":batchCreateConnections",
            "*",
        ),
    ),
    "TrackingPlanService.DeleteSourceConnection": (
        Route("DELETE", "/v1beta/{name=workspaces/*/tracking-plans/*/source-connections/*}"),
    ),
}

METHODS = {method_id(m): m for m in contract.methods()}


def test_the_services_have_exactly_the_methods_of_spec() -> None:
    assert sorted(METHODS) == sorted(ROUTES)


@pytest.mark.parametrize("method", METHODS.values(), ids=METHODS.keys())
def test_every_method_has_an_http_binding(method: MethodDescriptor) -> None:
    assert method.GetOptions().HasExtension(annotations_pb2.http)
    assert all(route.verb and route.path.startswith("/v1beta/") for route in routes_of(method))


@pytest.mark.parametrize(("name", "routes"), ROUTES.items(), ids=ROUTES.keys())
def test_rest_route_is_the_one_in_spec(name: str, routes: tuple[Route, ...]) -> None:
    assert routes_of(METHODS[name]) == routes


@pytest.mark.parametrize("method", METHODS.values(), ids=METHODS.keys())
def test_body_is_the_whole_request_for_create_and_update_and_absent_otherwise(
    method: MethodDescriptor,
) -> None:
    # SPEC §1: `{"source": {...}}` and `{"source": ..., "update_mask": ...}` are request messages.
    writes = method.name.startswith(("Create", "Update", "BatchCreate", "Preview"))
    assert {route.body for route in routes_of(method)} == ({"*"} if writes else {""})


# --- SPEC §6: resource names ------------------------------------------------------------------

# SPEC §6 headings, with the variable names the protos use.
RESOURCE_PATTERNS: dict[str, str] = {
    "Workspace": "workspaces/{workspace}",
    "Source": "workspaces/{workspace}/sources/{source}",
    "Destination": "workspaces/{workspace}/sources/{source}/destinations/{destination}",
    "TrackingPlan": "workspaces/{workspace}/tracking-plans/{tracking_plan}",
    "AccessToken": "access-tokens/{access_token}",
    "CatalogSource": "catalog/sources/{catalog_source}",
    "CatalogDestination": "catalog/destinations/{catalog_destination}",
    "SchemaConfig": "workspaces/{workspace}/sources/{source}/schema-config",
    "DestinationFilter": (
        "workspaces/{workspace}/sources/{source}/destinations/{destination}/filters/{filter}"
    ),
}
# SPEC §6.9: a connection has no name field, so its type is a file-level resource definition.
RESOURCE_DEFINITIONS: dict[str, str] = {
    "SourceConnection": (
        "workspaces/{workspace}/tracking-plans/{tracking_plan}/source-connections/{source}"
    ),
}

LITERAL = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # a collection id: `tracking-plans`
VARIABLE = re.compile(r"\{([a-z][a-z0-9]*(?:_[a-z0-9]+)*)\}")  # a snake_case id: `{tracking_plan}`


@dataclass(frozen=True)
class Segment:
    text: str
    is_variable: bool


def parse_pattern(pattern: str) -> list[Segment]:
    """Split a resource pattern into literal and `{snake_case}` segments, or raise ValueError."""
    segments: list[Segment] = []
    for part in pattern.split("/"):
        if match := VARIABLE.fullmatch(part):
            segments.append(Segment(match[1], is_variable=True))
        elif LITERAL.fullmatch(part):
            segments.append(Segment(part, is_variable=False))
        else:
            raise ValueError(f"{pattern!r}: {part!r} is neither a collection nor a snake_case id")
    return segments


def test_the_resources_are_exactly_those_of_spec() -> None:
    assert set(resources()) == set(RESOURCE_PATTERNS)


@pytest.mark.parametrize(("name", "pattern"), RESOURCE_PATTERNS.items(), ids=RESOURCE_PATTERNS)
def test_resource_pattern_is_the_one_in_spec(name: str, pattern: str) -> None:
    resource = resource_of(resources()[name])
    assert list(resource.pattern) == [pattern]
    assert resource.type == f"config.segmentapis.com/{name}"


DECLARED_PATTERNS = {
    f"{name}:{pattern}": pattern
    for name, message in resources().items()
    for pattern in resource_of(message).pattern
}


@pytest.mark.parametrize("pattern", DECLARED_PATTERNS.values(), ids=DECLARED_PATTERNS)
def test_resource_pattern_parses_into_literals_and_snake_case_variables(pattern: str) -> None:
    segments = parse_pattern(pattern)
    variables = [s.text for s in segments if s.is_variable]
    singleton = pattern.endswith("/schema-config")  # AIP-156 singleton: ends in a literal
    assert segments[-1].is_variable or singleton, "a name ends in the resource's own id"
    assert len(variables) == len(set(variables))


def test_the_file_level_resource_definitions_are_those_of_spec() -> None:
    declared = {
        definition.type.rsplit("/", 1)[1]: list(definition.pattern)
        for file in contract.FILES
        for definition in file.GetOptions().Extensions[resource_pb2.resource_definition]
    }
    assert declared == {name: [pattern] for name, pattern in RESOURCE_DEFINITIONS.items()}


def test_a_bad_pattern_does_not_parse() -> None:
    with pytest.raises(ValueError, match="trackingPlan"):
        parse_pattern("workspaces/{workspace}/tracking-plans/{trackingPlan}")


def message_type_of(field: FieldDescriptor) -> Descriptor:
    assert field.message_type is not None, f"{field.full_name} is not a message field"
    return field.message_type


# Methods that are not AIP-131..135 standard methods of a named resource message, each with
# its SPEC section; the standard-shape tests below do not apply to them.
NON_STANDARD: dict[str, str] = {
    "TrackingPlanService.ListSourceConnections": "§6.9: connections have no name field",
    "TrackingPlanService.CreateSourceConnection": "§6.9: body {source_name}, bare response",
    "TrackingPlanService.BatchCreateSourceConnections": "§6.9: custom :batchCreateConnections",
    "TrackingPlanService.DeleteSourceConnection": "§6.9: names a connection, not a message",
    "DestinationFilterService.PreviewDestinationFilter": "§6.8: POST /v1beta/filters/preview",
}
STANDARD = {k: m for k, m in METHODS.items() if k not in NON_STANDARD}


def resource_served_by(method: MethodDescriptor) -> Descriptor:
    """The resource a standard method reads or writes (AIP-131..135)."""
    if method.name.startswith("List"):
        return message_type_of(method.output_type.fields[0])
    if method.name.startswith("Delete"):
        name = method.input_type.fields_by_name["name"]
        reference = name.GetOptions().Extensions[resource_pb2.resource_reference]
        return resources()[reference.type.rsplit("/", 1)[1]]
    return method.output_type


def path_as_name_template(method: MethodDescriptor, route: Route) -> str:
    """The route's path as a resource name with `*` ids: `workspaces/*/sources/*`."""
    path = re.sub(r"\{[a-z_.]+=([^}]*)\}", r"\1", route.path.removeprefix("/v1beta/"))
    return path + "/*" if method.name.startswith(("List", "Create")) else path


@pytest.mark.parametrize("method", STANDARD.values(), ids=STANDARD.keys())
def test_route_path_is_the_resource_pattern(method: MethodDescriptor) -> None:
    # The gateway turns path segments into resource names; the two must be the same shape.
    pattern = resource_of(resource_served_by(method)).pattern[0]
    expected = re.sub(r"\{[a-z_]+\}", "*", pattern)
    if pattern.endswith("/schema-config"):  # a singleton has no List or Create
        expected = expected.removesuffix("/*")
        assert not method.name.startswith(("List", "Create"))
    assert {path_as_name_template(method, route) for route in routes_of(method)} == {expected}


def test_every_non_standard_method_is_in_the_contract() -> None:
    assert set(NON_STANDARD) <= set(METHODS)


# --- SPEC §7: field behaviour -----------------------------------------------------------------

# Resource fields allowed to carry no `google.api.field_behavior`, each with its reason.
# None today; an entry needs a SPEC reason, and the test below fails if it goes stale.
FIELD_BEHAVIOR_EXEMPT: dict[str, str] = {}

RESOURCE_FIELDS = {f"{m.name}.{f.name}": f for m in resources().values() for f in m.fields}


@pytest.mark.parametrize(("name", "field"), RESOURCE_FIELDS.items(), ids=RESOURCE_FIELDS)
def test_every_resource_field_has_a_field_behavior(name: str, field: FieldDescriptor) -> None:
    if name in FIELD_BEHAVIOR_EXEMPT:
        assert not behaviors_of(field), "stale exemption: the field has a behavior now"
    else:
        assert behaviors_of(field)


def is_our_message(message: Descriptor) -> bool:
    """A message of this package (not a well-known type, not a map entry)."""
    is_ours = message.full_name.startswith(f"{contract.PACKAGE}.")
    return is_ours and not message.GetOptions().map_entry


def fields_reachable_from_requests() -> dict[str, FieldDescriptor]:
    """Fields of our messages reachable from a request message (what api-linter's
    core::0203::field-behavior-required checks)."""
    found: dict[str, FieldDescriptor] = {}
    pending = [m.input_type for m in contract.methods()]
    while pending:
        message = pending.pop()
        for field in message.fields:
            key = f"{message.name}.{field.name}"
            if key in found:
                continue
            found[key] = field
            child = field.message_type
            if child is not None and is_our_message(child):
                pending.append(child)
    return dict(sorted(found.items()))


REQUEST_FIELDS = fields_reachable_from_requests()


@pytest.mark.parametrize("field", REQUEST_FIELDS.values(), ids=REQUEST_FIELDS.keys())
def test_every_field_a_request_can_carry_has_a_field_behavior(field: FieldDescriptor) -> None:
    assert behaviors_of(field)


# --- SPEC §7: standard method shapes (AIP-131..135) -------------------------------------------

# SPEC §7: "no parent for workspaces, access tokens and the catalog"; tokens are created bare.
TOP_LEVEL_LISTS = {
    "ListWorkspaces",
    "ListAccessTokens",
    "ListCatalogSources",
    "ListCatalogDestinations",
}
TOP_LEVEL_CREATES = {"CreateAccessToken"}


def field_names(message: Descriptor) -> list[str]:
    return [f.name for f in message.fields]


# The original API's request keys where they are not the resource's name in snake_case.
REQUEST_KEYS = {"DestinationFilter": "filter"}  # SPEC §6.8: `{"filter": {...}}`


def singular_field(resource: Descriptor) -> str:
    """The request/response key of a resource: `TrackingPlan` → `tracking_plan`."""
    default = re.sub(r"(?<!^)([A-Z])", r"_\1", resource.name).lower()
    return REQUEST_KEYS.get(resource.name, default)


def expected_request_fields(method: MethodDescriptor) -> list[str]:
    resource = singular_field(resource_served_by(method))
    verb = re.match(r"[A-Z][a-z]+", method.name)
    match verb[0] if verb else "":
        case "Get" | "Delete":
            return ["name"]
        case "List":
            paging = ["page_size", "page_token"]
            return paging if method.name in TOP_LEVEL_LISTS else ["parent", *paging]
        case "Create":
            return [resource] if method.name in TOP_LEVEL_CREATES else ["parent", resource]
        case "Update":
            return [resource, "update_mask"]
    raise AssertionError(f"{method.name} is not a standard method")


@pytest.mark.parametrize("method", STANDARD.values(), ids=STANDARD.keys())
def test_request_message_has_the_standard_fields(method: MethodDescriptor) -> None:
    assert method.input_type.name == f"{method.name}Request"
    assert field_names(method.input_type) == expected_request_fields(method)


@pytest.mark.parametrize("method", STANDARD.values(), ids=STANDARD.keys())
def test_response_is_the_resource_a_page_or_empty(method: MethodDescriptor) -> None:
    output = method.output_type
    if method.name.startswith("List"):
        assert output.name == f"{method.name}Response"
        assert field_names(output)[1:] == ["next_page_token"]
        assert output.fields[0].is_repeated
    elif method.name.startswith("Delete"):
        assert output.full_name == "google.protobuf.Empty"
    else:
        assert output.name in RESOURCE_PATTERNS


UPDATES = {k: m for k, m in METHODS.items() if m.name.startswith("Update")}


@pytest.mark.parametrize("method", UPDATES.values(), ids=UPDATES.keys())
def test_update_mask_is_a_field_mask(method: MethodDescriptor) -> None:
    mask = method.input_type.fields_by_name["update_mask"]
    assert message_type_of(mask).full_name == "google.protobuf.FieldMask"


# --- SPEC §1, §6: names on the wire -----------------------------------------------------------

# Field names SPEC.md spells out, per message. Output JSON uses these names as they are (SPEC
# §1: snake_case proto names); new fields may be added (SPEC §8), so each is a subset.
WIRE_FIELDS: dict[str, tuple[str, ...]] = {
    "Workspace": ("name", "display_name", "id", "create_time"),
    "Source": (
        "name",
        "parent",
        "catalog_name",
        "display_name",
        "write_keys",
        "library_config",
        "labels",
        "create_time",
    ),
    "LibraryConfig": ("metrics_enabled", "retry_queue", "cross_domain_id_enabled", "api_host"),
    "Destination": (
        "name",
        "parent",
        "display_name",
        "enabled",
        "connection_mode",
        "config",
        "create_time",
        "update_time",
    ),
    "DestinationConfig": ("name", "display_name", "value", "type"),
    "TrackingPlan": ("name", "display_name", "rules", "create_time", "update_time"),
    "TrackingPlanRules": (
        "global",
        "identify",
        "group",
        "events",
        "identify_traits",
        "group_traits",
    ),
    "TrackingPlanEvent": ("name", "description", "version", "rules"),
    "AccessToken": (
        "name",
        "description",
        "scopes",
        "workspace_names",
        "create_time",
        "token",
    ),
    "CatalogSource": ("name", "display_name", "description", "categories", "logos"),
    "Logos": ("logo", "mark"),
    "CatalogDestination": (
        "name",
        "display_name",
        "description",
        "type",
        "website",
        "status",
        "logos",
        "categories",
        "components",
        "platforms",
        "methods",
        "settings",
        "browserUnbundlingSupported",
        "browserUnbundlingPublic",
    ),
    "DestinationCategories": ("primary", "secondary", "additional"),
    "DestinationComponent": ("type",),
    "DestinationPlatforms": ("browser", "server", "mobile"),
    "DestinationMethods": ("alias", "group", "identify", "page_view", "track"),
    "DestinationSetting": (
        "name",
        "display_name",
        "type",
        "deprecated",
        "required",
        "description",
        "settings",
    ),
    "ListWorkspacesResponse": ("workspaces", "next_page_token"),
    "ListSourcesResponse": ("sources", "next_page_token"),
    "ListDestinationsResponse": ("destinations", "next_page_token"),
    "ListTrackingPlansResponse": ("tracking_plans", "next_page_token"),
    "ListAccessTokensResponse": ("access_tokens", "next_page_token"),
    "ListCatalogSourcesResponse": ("sources", "next_page_token"),
    "ListCatalogDestinationsResponse": ("destinations", "next_page_token"),
    "CreateSourceRequest": ("parent", "source"),
    "CreateDestinationRequest": ("parent", "destination"),
    "CreateTrackingPlanRequest": ("parent", "tracking_plan"),
    "CreateAccessTokenRequest": ("access_token",),
    "UpdateSourceRequest": ("source", "update_mask"),
    "UpdateDestinationRequest": ("destination", "update_mask"),
    "UpdateTrackingPlanRequest": ("tracking_plan", "update_mask"),
    # SPEC §6.7 (reference §5.5)
    "SchemaConfig": (
        "name",
        "parent",
        "allow_unplanned_track_events",
        "allow_unplanned_identify_traits",
        "allow_unplanned_group_traits",
        "allow_unplanned_track_event_properties",
        "allow_track_event_on_violations",
        "allow_identify_traits_on_violations",
        "allow_group_traits_on_violations",
        "allow_track_properties_on_violations",
        "forwarding_blocked_events_to",
        "forwarding_violations_to",
        "common_track_event_on_violations",
        "common_identify_event_on_violations",
        "common_group_event_on_violations",
    ),
    "UpdateSchemaConfigRequest": ("schema_config", "update_mask"),
    # SPEC §6.8 (reference §5.8)
    "DestinationFilter": (
        "name",
        "title",
        "description",
        "if",
        "actions",
        "enabled",
        "create_time",
        "update_time",
    ),
    "DestinationFilterAction": ("type", "percent", "path", "fields"),
    "DestinationFilterFields": ("context", "properties", "traits"),
    "DestinationFilterFieldList": ("fields",),
    "ListDestinationFiltersResponse": ("filters", "next_page_token"),
    "CreateDestinationFilterRequest": ("parent", "filter"),
    "UpdateDestinationFilterRequest": ("filter", "update_mask"),
    "PreviewDestinationFilterRequest": ("filter", "input"),
    "PreviewDestinationFilterResponse": ("input", "output", "diff"),
    # SPEC §6.9 (reference §5.10)
    "SourceConnection": ("source_name", "tracking_plan_id"),
    "ListSourceConnectionsResponse": ("connections", "next_page_token"),
    "CreateSourceConnectionRequest": ("parent", "source_name"),
    "BatchCreateSourceConnectionsRequest": ("parent", "source_names"),
    "BatchCreateSourceConnectionsResponse": ("connections",),
}


@pytest.mark.parametrize(("message", "names"), WIRE_FIELDS.items(), ids=WIRE_FIELDS)
def test_fields_named_in_spec_have_those_names(message: str, names: tuple[str, ...]) -> None:
    missing = set(names) - set(field_names(message_named(message)))
    assert not missing


# SPEC §6.6: the original API's camelCase keys, the only names that are not snake_case.
CAMEL_CASE_FIELDS = {
    "CatalogDestination.browserUnbundlingSupported",
    "CatalogDestination.browserUnbundlingPublic",
}


def all_fields() -> dict[str, FieldDescriptor]:
    found: dict[str, FieldDescriptor] = {}
    pending = list(messages())
    while pending:
        message = pending.pop()
        pending.extend(m for m in message.nested_types if not m.GetOptions().map_entry)
        found |= {f"{message.name}.{f.name}": f for f in message.fields}
    return found


def test_every_field_is_snake_case_but_the_original_camel_case_keys() -> None:
    snake = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
    not_snake = {name for name, f in all_fields().items() if not snake.fullmatch(f.name)}
    assert not_snake == CAMEL_CASE_FIELDS


def test_violation_action_values_are_the_original_names() -> None:
    # SPEC §6.7: by name on the wire; ALLOW is the zero value because it is the default.
    action = message_named("SchemaConfig").enum_types_by_name["ViolationAction"]
    assert [(v.name, v.number) for v in action.values] == [
        ("ALLOW", 0),
        ("OMIT_PROPERTIES", 1),
        ("OMIT_TRAITS", 2),
        ("BLOCK", 3),
    ]


def test_connection_mode_values_are_the_original_names() -> None:
    # SPEC §6.3: enums travel by name, so these exact names are the contract.
    mode = message_named("Destination").enum_types_by_name["ConnectionMode"]
    assert [(v.name, v.number) for v in mode.values] == [
        ("UNSPECIFIED", 0),
        ("CLOUD", 1),
        ("DEVICE", 2),
    ]


# --- lint exceptions stay counted -------------------------------------------------------------

EXCEPTIONS_DOC = ROOT / "docs" / "lint-exceptions.md"
DISABLE = re.compile(r"\(-- api-linter: (\S+)=disabled\s+//\s+aip\.dev/not-precedent: (\S.*)")


def api_linter_disables() -> list[str]:
    """The rule of each `(-- api-linter: RULE=disabled ... --)` comment in proto/, each of
    which must give its `aip.dev/not-precedent:` reason."""
    rules = []
    for path in sorted((ROOT / "proto").rglob("*.proto")):
        text = path.read_text()
        assert text.count("api-linter:") == len(DISABLE.findall(text)), f"{path}: no reason"
        rules += [rule for rule, _reason in DISABLE.findall(text)]
    return rules


def buf_exceptions() -> list[str]:
    """Rules buf.yaml switches off (`except`) or ignores for some paths (`ignore_only`)."""
    config = yaml.safe_load((ROOT / "buf.yaml").read_text())
    lint = next(m["lint"] for m in config["modules"] if m["path"] == "proto")
    return [*lint.get("except", []), *lint.get("ignore_only", {})]


def documented(section: str) -> list[str]:
    """First backticked word of each table row in one section of docs/lint-exceptions.md."""
    text = EXCEPTIONS_DOC.read_text().split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\|\s*\d+\s*\|\s*`([^`]+)`", text, flags=re.MULTILINE)


def test_every_api_linter_exception_is_documented() -> None:
    assert Counter(documented("api-linter")) == Counter(api_linter_disables())


def test_every_buf_exception_is_documented() -> None:
    assert sorted(documented("buf")) == sorted(buf_exceptions())


def test_documented_total_is_the_count_of_exceptions() -> None:
    total = re.search(r"\*\*(\d+) exceptions\*\*", EXCEPTIONS_DOC.read_text())
    assert total is not None
    assert int(total[1]) == len(api_linter_disables()) + len(buf_exceptions())
