"""The OpenAPI 3.1 document of the REST surface, generated from the descriptors (DESIGN rule 1).

One generator for both uses: `make gen` writes it to `gen/openapi/openapi.json`
(`python -m configapi.openapi`), and the gateway serves the same bytes at `/v1beta/openapi.json`.
Paths and verbs come from the `google.api.http` bindings through the gateway's own route table,
schemas from the messages (`schemas.py`), errors and security from SPEC §2 and §3
(`operations.py`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from google.protobuf.descriptor import MethodDescriptor

from configapi import contract
from configapi.gateway.routes import routes_for
from configapi.openapi.operations import (
    ERROR_COMPONENT,
    SECURITY_SCHEME,
    error_responses,
    error_schema,
    openapi_path,
    operation,
)
from configapi.openapi.schemas import SchemaRegistry
from configapi.resources import ResourceRegistry

OPENAPI_VERSION: Final = "3.1.0"
SERVED_AT: Final = "/v1beta/openapi.json"  # where the gateway serves it
_INFO: Final = {
    "title": "Segment Config API",
    "version": "v1beta",
    "description": (
        "Workspaces, sources, destinations, tracking plans and access tokens as code. "
        "Generated from the protos of package segment.config.v1beta; every call is also a gRPC "
        "method. JSON uses the snake_case proto field names and always prints scalar, repeated "
        "and map fields; errors are google.rpc.Status as {error, code, message, details}."
    ),
}


def build_document(methods: Sequence[MethodDescriptor]) -> dict[str, Any]:
    """The OpenAPI document for every HTTP binding of `methods`."""
    registry = SchemaRegistry()
    patterns = ResourceRegistry(method.containing_service.file for method in methods).patterns
    paths: dict[str, dict[str, Any]] = {}
    for method in methods:
        for binding, route in enumerate(routes_for(method)):
            path, parameters = openapi_path(route.template, patterns)
            operations = paths.setdefault(path, {})
            operations[route.http_method.lower()] = operation(route, binding, parameters, registry)
    registry.components[ERROR_COMPONENT] = error_schema(registry)
    services = dict.fromkeys(method.containing_service.name for method in methods)
    return {
        "openapi": OPENAPI_VERSION,
        "info": _INFO,
        "tags": [{"name": name} for name in services],
        "security": [{SECURITY_SCHEME: []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(registry.components.items())),
            "responses": error_responses(),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an access token: `Authorization: Bearer <token>` (SPEC §3)",
                }
            },
        },
    }


def render_document(document: dict[str, Any]) -> bytes:
    """The document as stable, diffable JSON (two-space indent, newline at the end)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@cache
def contract_document() -> bytes:
    """The rendered document of the whole contract, built once per process."""
    return render_document(build_document(contract.methods()))
