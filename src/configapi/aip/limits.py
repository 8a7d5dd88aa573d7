"""What a request may ask us to store (SPEC §1 "JSON-valued limits", SPEC §6 "Size limits").

Every limit exists so that whatever is accepted can be served back: protobuf refuses to parse
messages nested past ~100 levels (a JSON level costs two: Value and Struct/ListValue), gRPC
clients refuse messages over 4 MiB, and Python's JSON, protobuf and jsonschema code recurse.
The checks walk messages with an explicit stack, so no input can make them recurse.

One walk serves both transports: the dispatcher runs `request_violations` on every request
that carries a message (Create, Update), before the servicer sees it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any, Final

from google.protobuf import struct_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from configapi.aip.fieldbehavior import OUTPUT_ONLY, behaviors_of
from configapi.errors import FieldViolation

JSON_MAX_DEPTH: Final = 32
MAX_RESOURCE_BYTES: Final = 1 << 20
TEXT_LIMITS: Final[Mapping[str, int]] = {"display_name": 256, "title": 256, "description": 4096}
MAX_LABELS: Final = 64
MAX_LABEL_KEY: Final = 63
MAX_LABEL_VALUE: Final = 256
JSON_TYPES: Final = frozenset(
    {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
)
JSON_TOO_DEEP: Final = (
    f"nests deeper than {JSON_MAX_DEPTH} levels (objects and arrays together, SPEC §1)"
)
_NOT_FINITE: Final = "holds a number that is not finite (NaN, Infinity or beyond a double)"

# what to do with a field: walk a JSON value, a message, a map, or check a text's length
_JSON, _MESSAGE, _LABELS, _TEXT, _SKIP = range(5)


def request_violations(request: Message) -> list[FieldViolation]:
    """Every limit `request` breaks: resource size, text lengths, labels, JSON depth and numbers."""
    violations = [
        FieldViolation(field.name, resource_size_problem(value))
        for field, value in request.ListFields()
        if _kind(field) == _MESSAGE
        and not field.is_repeated
        and value.ByteSize() > MAX_RESOURCE_BYTES
    ]
    stack: list[tuple[Message, str]] = [(request, "")]
    while stack and len(violations) < 10:
        message, path = stack.pop()
        for field, value in message.ListFields():
            where = f"{path}.{field.name}" if path else field.name
            violations += _field_violations(field, value, where, stack)
    return violations


def resource_size_problem(resource: Message) -> str:
    """Why `resource` is too big to store (SPEC §6: one resource ≤ 1 MiB encoded)."""
    return f"must encode to at most {MAX_RESOURCE_BYTES} bytes (1 MiB), got {resource.ByteSize()}"


def carries_messages(descriptor: Descriptor) -> bool:
    """Whether requests of this type can carry anything `request_violations` checks."""
    return any(_kind(field) != _SKIP for field in descriptor.fields)


def _field_violations(
    field: FieldDescriptor, value: Any, where: str, stack: list[tuple[Message, str]]
) -> list[FieldViolation]:
    kind = _kind(field)
    if kind == _JSON:
        items = _items(field, value, where)
        return [FieldViolation(path, p) for item, path in items if (p := json_problem(item))]
    if kind == _MESSAGE:
        stack.extend(_items(field, value, where))
    elif kind == _LABELS:
        return _label_violations(value, where)
    elif kind == _TEXT and len(value) > TEXT_LIMITS[field.name]:
        limit = TEXT_LIMITS[field.name]
        return [FieldViolation(where, f"must be at most {limit} characters, got {len(value)}")]
    return []


def _items(field: FieldDescriptor, value: Any, where: str) -> Iterator[tuple[Any, str]]:
    """The messages of a singular, repeated or map field, each with its path."""
    if _is_map(field):
        return ((item, f"{where}[{key!r}]") for key, item in value.items())
    if field.is_repeated:
        return ((item, f"{where}[{index}]") for index, item in enumerate(value))
    return iter(((value, where),))


def json_problem(value: Message) -> str | None:
    """Why a Struct, ListValue or Value breaks SPEC §1's JSON limits, or None."""
    stack: list[tuple[Message, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, struct_pb2.Value):
            kind = node.WhichOneof("kind")
            if kind == "number_value" and not math.isfinite(node.number_value):
                return _NOT_FINITE
            if kind in ("struct_value", "list_value"):
                stack.append((getattr(node, kind), depth))
            continue
        if depth >= JSON_MAX_DEPTH:
            return JSON_TOO_DEEP
        children: Iterable[Message] = (
            node.fields.values() if isinstance(node, struct_pb2.Struct) else node.values  # type: ignore[attr-defined]
        )
        stack.extend((child, depth + 1) for child in children)
    return None


def json_depth_problem(value: object) -> str | None:
    """Why a decoded JSON value nests too deeply, or None: REST checks this before building a
    Struct, whose construction recurses. Only containers are stacked (it runs on the loop)."""
    if not isinstance(value, dict | list):
        return None
    stack: list[tuple[dict[str, object] | list[object], int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth >= JSON_MAX_DEPTH:
                    return JSON_TOO_DEEP
                stack.append((child, depth + 1))
    return None


def _label_violations(labels: Mapping[str, str], where: str) -> list[FieldViolation]:
    if len(labels) > MAX_LABELS:
        return [FieldViolation(where, f"must have at most {MAX_LABELS} entries, got {len(labels)}")]
    return [
        FieldViolation(
            f"{where}[{key!r}]",
            f"keys must be at most {MAX_LABEL_KEY} characters and values at most"
            f" {MAX_LABEL_VALUE}, got {len(key)} and {len(value)}",
        )
        for key, value in labels.items()
        if len(key) > MAX_LABEL_KEY or len(value) > MAX_LABEL_VALUE
    ]


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and bool(field.message_type.GetOptions().map_entry)


@cache
def _kind(field: FieldDescriptor) -> int:
    """How the walk treats `field` (fixed per field, so computed once)."""
    message_type = field.message_type
    if message_type is not None and _is_map(field):
        message_type = message_type.fields_by_name["value"].message_type
        if message_type is None:  # map<string, string> and other scalar maps
            return _LABELS if field.name == "labels" else _SKIP
    if message_type is None:
        text = field.name in TEXT_LIMITS and field.type == FieldDescriptor.TYPE_STRING
        return _TEXT if text and OUTPUT_ONLY not in behaviors_of(field) else _SKIP
    if message_type.full_name in JSON_TYPES:
        return _JSON
    if message_type.full_name.startswith("google.protobuf."):
        return _SKIP  # FieldMask, Timestamp...: nothing to limit
    return _MESSAGE
