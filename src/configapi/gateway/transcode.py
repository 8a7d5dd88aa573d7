"""HTTP request → request message for a route (google/api/http.proto transcoding rules).

1. The body, per the rule: `*` is the whole request message, a field name is that field, no body
   means the body is ignored (SPEC §1: clients send `{}` on GET and DELETE too). An empty body
   where one is expected is `{}`.
2. Query parameters fill what neither the path nor the body binds; with `body: "*"` nothing is
   left for them (http.proto), so they are ignored.
3. Path variables last, so they win over a body value for the same field, as in grpc-gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from configapi.gateway.query import populate_query_parameters, set_from_text
from configapi.gateway.routes import Route
from configapi.gateway.unmarshal import decode_json, merge_field, merge_object


def build_request(
    route: Route, bindings: Mapping[str, str], body: bytes, query_string: bytes
) -> Message:
    """The request message for `route` from the path bindings, body and query string."""
    request = route.request_class()
    if route.body:
        _merge_body(request, route, body)
    if route.body != "*" and query_string:
        populate_query_parameters(request, query_string, route.query_excluded)
    for field_path, chain in route.path_fields:
        parent: Any = request
        for field in chain[:-1]:
            parent = getattr(parent, field.name)
        leaf, value = chain[-1], bindings[field_path]
        if _is_plain_string(leaf):
            setattr(parent, leaf.name, value)  # resource names: no conversion to do
        else:
            set_from_text(parent, leaf, value, field_path)
    return request


def _is_plain_string(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated


def _merge_body(request: Message, route: Route, body: bytes) -> None:
    value = decode_json(body) if body.strip() else {}
    if route.body_field is None:
        merge_object(value, request)
    else:
        merge_field(request, route.body_field, value, route.body_field.name)
