"""Routes → OpenAPI paths and operations: google/api/http.proto transcoding, read backwards.

The routes are the gateway's own (`gateway.routes.routes_for`), so the document describes what is
served. A path variable spans whole segments (`{name=workspaces/*/sources/*}`) but an OpenAPI path
parameter cannot hold a `/`, so each `*` of a variable becomes its own parameter, named after the
resource pattern the variable matches (`/v1beta/workspaces/{workspace}/sources/{source}`), with
that id's rule from SPEC §6 as its `pattern`. Fields neither the path nor the body binds are query
parameters; with `body: "*"` the body is the request message less its path-bound fields.
"""

from __future__ import annotations

from typing import Any, Final

from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.rpc import error_details_pb2, status_pb2

from configapi.aip.names import IdRule, PatternRegistry
from configapi.gateway.httprule import ANY, DEEP, PathTemplate, Variable
from configapi.gateway.routes import Route
from configapi.openapi.schemas import WELL_KNOWN, Schema, SchemaRegistry

ERROR_COMPONENT: Final = "Error"
SECURITY_SCHEME: Final = "bearer"
_HTTP_METHODS: Final = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"})
# SPEC §2: the rich details this API sends.
_ERROR_DETAILS: Final[tuple[Descriptor, ...]] = (
    error_details_pb2.ErrorInfo.DESCRIPTOR,
    error_details_pb2.BadRequest.DESCRIPTOR,
    error_details_pb2.ResourceInfo.DESCRIPTOR,
    error_details_pb2.RetryInfo.DESCRIPTOR,
)
_QUERY_DEPTH: Final = 3  # how deep query parameters reach into nested request messages
_QUERY_TEXT_TYPES: Final = frozenset(
    {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
)
Parameter = dict[str, Any]


def openapi_path(template: PathTemplate, patterns: PatternRegistry) -> tuple[str, list[Parameter]]:
    """`/v1beta/{name=workspaces/*/sources/*}` → `/v1beta/workspaces/{workspace}/sources/{source}`
    and its path parameters."""
    names = list(template.segments)
    ids: dict[str, IdRule] = {}  # names taken from resource patterns: their id rules are known
    for variable in template.variables:
        ids.update(_name_wildcards(names, variable, template, patterns))
    for index, segment in enumerate(names):  # a wildcard outside any variable binds nothing
        if segment in (ANY, DEEP):
            names[index] = f"{{_{index}}}"
    parameters = [
        _path_parameter(segment[1:-1], ids.get(segment[1:-1]))
        for segment in names
        if segment.startswith("{")
    ]
    verb = f":{template.verb}" if template.verb else ""
    return "/" + "/".join(names) + verb, parameters


def _name_wildcards(
    names: list[str], variable: Variable, template: PathTemplate, patterns: PatternRegistry
) -> dict[str, IdRule]:
    """Replace the wildcards of one variable by `{id}` names from its resource pattern (or, for
    a variable no pattern matches, from its field); the names that came from a pattern."""
    segments = template.segments[variable.start : variable.end]
    pattern = patterns.by_template("/".join(segments))
    fallback = variable.field_path.replace(".", "_")
    wildcards = [i for i, s in enumerate(segments) if s in (ANY, DEEP)]
    for count, offset in enumerate(wildcards):
        if pattern is not None:
            name = pattern.segments[offset][1:-1]
        else:
            name = fallback if len(wildcards) == 1 else f"{fallback}_{count + 1}"
        names[variable.start + offset] = f"{{{name}}}"
    if pattern is None:
        return {}
    return dict(zip(pattern.variables, pattern.id_rules, strict=True))


def _path_parameter(name: str, id_rule: IdRule | None) -> Parameter:
    schema: Schema = {"type": "string"}
    if id_rule is not None:  # SPEC §6: the id rule of this resource pattern's variable
        schema["pattern"] = f"^{id_rule.pattern}$"
    return {"name": name, "in": "path", "required": True, "schema": schema}


def operation(
    route: Route, binding: int, parameters: list[Parameter], registry: SchemaRegistry
) -> dict[str, Any]:
    """The OpenAPI operation of one binding (`binding` 0 is the rule, then additional ones)."""
    method = route.method
    if route.http_method not in _HTTP_METHODS:
        raise ValueError(f"{route}: OpenAPI has no {route.http_method} operations")
    suffix = str(binding + 1) if binding else ""  # grpc-gateway's naming of extra bindings
    result: dict[str, Any] = {
        "tags": [method.containing_service.name],
        "operationId": f"{method.containing_service.name}_{method.name}{suffix}",
        "description": f"gRPC: `{method.containing_service.full_name}/{method.name}`",
        "parameters": parameters + _query_parameters(route, registry),
    }
    if route.body:
        result["requestBody"] = _request_body(route, registry)
    result["responses"] = _responses(method, registry)
    return result


def _query_parameters(route: Route, registry: SchemaRegistry) -> list[Parameter]:
    """Fields that neither the path nor the body binds (none when the body is `*`)."""
    if route.body == "*":
        return []
    return _fields_as_query(route.method.input_type, "", route.query_excluded, registry, 0)


def _fields_as_query(
    message: Descriptor, prefix: str, excluded: frozenset[str], registry: SchemaRegistry, depth: int
) -> list[Parameter]:
    """Scalars, enums and their lists by dotted path (`source.display_name`), as
    gateway/query.py reads them; a message field is walked into, up to `_QUERY_DEPTH`."""
    parameters: list[Parameter] = []
    for field in message.fields:
        path = prefix + field.name
        child = field.message_type
        if path in excluded:
            continue
        if child is None or child.file.name == "google/protobuf/wrappers.proto":
            schema = registry.field_schema(field)
        elif child.full_name in _QUERY_TEXT_TYPES and not field.is_repeated:
            schema = {"type": "string"}  # Timestamp, Duration, FieldMask: their JSON strings
        else:  # a map (`labels[key]=value`) or a list of messages has no OpenAPI query form
            if _walks_into(field) and depth < _QUERY_DEPTH:
                parameters += _fields_as_query(child, path + ".", excluded, registry, depth + 1)
            continue
        parameters.append({"name": path, "in": "query", "schema": schema})
    return parameters


def _walks_into(field: FieldDescriptor) -> bool:
    """A singular field of one of our messages (not a well-known type, not a map)."""
    child = field.message_type
    return child is not None and not field.is_repeated and child.full_name not in WELL_KNOWN


def _request_body(route: Route, registry: SchemaRegistry) -> dict[str, Any]:
    request = route.method.input_type
    if route.body_field is not None:
        schema = registry.field_schema(route.body_field)
    else:  # "*": the request message, less what the path binds
        bound = {path for path, _ in route.path_fields if "." not in path}
        fields: list[FieldDescriptor] = [f for f in request.fields if f.name not in bound]
        schema = registry.object_schema(request, fields)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _responses(method: MethodDescriptor, registry: SchemaRegistry) -> dict[str, Any]:
    """200 with the response message (SPEC §1), and the error body for everything else (§2)."""
    output = registry.message_ref(method.output_type)
    return {
        "200": {"description": "OK", "content": {"application/json": {"schema": output}}},
        "401": {"$ref": "#/components/responses/Unauthenticated"},
        "429": {"$ref": "#/components/responses/RateLimited"},
        "default": {"$ref": f"#/components/responses/{ERROR_COMPONENT}"},
    }


def error_responses() -> dict[str, Any]:
    """The shared error responses: every one has the SPEC §2 body; 401 and 429 add headers."""
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    retry_after = {"type": "string", "pattern": "^[0-9]+$"}
    return {
        "Unauthenticated": {
            "description": "UNAUTHENTICATED: the access token is missing or invalid",
            "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
            "content": body,
        },
        "RateLimited": {
            "description": "RESOURCE_EXHAUSTED: the token's requests per minute are spent",
            "headers": {
                "Retry-After": {"description": "whole seconds to wait", "schema": retry_after}
            },
            "content": body,
        },
        ERROR_COMPONENT: {
            "description": "a google.rpc.Status, with the HTTP status of its code (SPEC §2)",
            "content": body,
        },
    }


def error_schema(registry: SchemaRegistry) -> Schema:
    """SPEC §2's body: `google.rpc.Status` plus `error` (the original API's key), with the
    details this API sends, each an `Any` rendered with its `@type`."""
    status = status_pb2.Status.DESCRIPTOR
    properties: dict[str, Schema] = {
        "error": {"type": "string", "description": "the message again, as the original API"}
    }
    properties.update((field.name, registry.field_schema(field)) for field in status.fields)
    properties["details"] = {
        "type": "array",
        "items": {"oneOf": [_detail_schema(detail, registry) for detail in _ERROR_DETAILS]},
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


def _detail_schema(detail: Descriptor, registry: SchemaRegistry) -> Schema:
    type_url = {"const": f"type.googleapis.com/{detail.full_name}"}
    return {
        "allOf": [
            registry.message_ref(detail),
            {"type": "object", "properties": {"@type": type_url}, "required": ["@type"]},
        ]
    }
