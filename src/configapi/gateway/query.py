"""Fields from text: query parameters and path variables (grpc-gateway runtime/query.go).

A query parameter names a field by its dotted path, in proto or JSON names (`page_size`,
`pageSize`, `source.display_name`); a repeated field takes repeated keys (`a=1&a=2`), a map field
takes `labels[key]=value`. Values are text: enums by name or number, booleans as Go's
`strconv.ParseBool` reads them, well-known types in their JSON string forms (Timestamp, Duration,
FieldMask `a,b`), Struct/ListValue/Value as JSON text. Unknown parameters are ignored (SPEC §1);
parameters naming a field bound by the path or the body are ignored too, as grpc-gateway does.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final
from urllib.parse import parse_qsl

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from configapi.errors import invalid_argument
from configapi.gateway.errors import malformed_request
from configapi.gateway.unmarshal import Json, descriptor_of, find_field, merge_field

_TRUE: Final = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE: Final = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_ENUM_NUMBER: Final = re.compile(r"-?[0-9]+")
_MAP_KEY: Final = re.compile(r"(?P<field>[^\[\]]+)\[(?P<key>[^\[\]]*)\]")
_MALFORMED_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_JSON_TEXT_TYPES: Final = frozenset({"google.protobuf.Struct", "google.protobuf.ListValue"})


def parse_query(query_string: bytes) -> dict[str, list[str]]:
    """`a=1&b=x&a=2` → {"a": ["1", "2"], "b": ["x"]}; bad escapes or UTF-8 are INVALID_ARGUMENT."""
    text = query_string.decode("latin-1")
    if _MALFORMED_ESCAPE.search(text):
        raise malformed_request("malformed percent-escape in query string")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise malformed_request("query string is not valid UTF-8") from None
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value)
    return values


def populate_query_parameters(
    message: Message, query_string: bytes, excluded: frozenset[str]
) -> None:
    """Set the fields named by query parameters, skipping `excluded` paths and their children."""
    for key, values in parse_query(query_string).items():
        match = _MAP_KEY.fullmatch(key)
        field_path = match.group("field") if match else key
        resolved = _resolve(message, field_path)
        if resolved is None:
            continue  # SPEC §1: unknown query parameters are ignored
        parent, field, proto_path = resolved
        if _is_excluded(proto_path, excluded):
            continue
        if match is not None:
            _set_map_entries(parent, field, match.group("key"), values, proto_path)
        else:
            _set_values(parent, field, values, proto_path)


def set_from_text(message: Message, field: FieldDescriptor, text: str, path: str) -> None:
    """Set one field from its textual form (a path variable or a single query value)."""
    value = json_from_text(field, text, path)
    merge_field(message, field, [value] if field.is_repeated else value, path)


def json_from_text(field: FieldDescriptor, text: str, path: str) -> Json:
    """The JSON value the unmarshaller expects for a field given as text."""
    if field.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        if text not in _TRUE and text not in _FALSE:
            raise invalid_argument(path, f"expected a boolean, got {text!r}")
        return text in _TRUE
    if field.cpp_type == FieldDescriptor.CPPTYPE_ENUM and _ENUM_NUMBER.fullmatch(text):
        return int(text)
    message_type = field.message_type
    if message_type is None:
        return text  # strings, numbers and bytes: the unmarshaller accepts their text forms
    if message_type.file.name == "google/protobuf/wrappers.proto":
        return json_from_text(message_type.fields_by_name["value"], text, path)
    if message_type.full_name in _JSON_TEXT_TYPES:
        return _json_text(text, path)
    if message_type.full_name == "google.protobuf.Value":
        return _json_or_text(text)
    return text  # Timestamp, Duration, FieldMask: JSON string forms; others fail as non-objects


def _resolve(message: Message, field_path: str) -> tuple[Message, FieldDescriptor, str] | None:
    """The message holding the named field, the field and its proto-name path; None if unknown.

    Walking into a sub-message does not mark it present; only setting the value will.
    """
    parent: Any = message
    names: list[str] = []
    parts = field_path.split(".")
    for index, part in enumerate(parts):
        field = find_field(descriptor_of(parent), part)
        if field is None:
            return None
        names.append(field.name)
        if index == len(parts) - 1:
            return parent, field, ".".join(names)
        if field.is_repeated or field.message_type is None:
            return None
        parent = getattr(parent, field.name)
    return None


def _is_excluded(proto_path: str, excluded: frozenset[str]) -> bool:
    if proto_path in excluded:
        return True
    prefixes = proto_path.split(".")
    return any(".".join(prefixes[:n]) in excluded for n in range(1, len(prefixes)))


def _set_values(message: Message, field: FieldDescriptor, values: list[str], path: str) -> None:
    if field.cpp_type != FieldDescriptor.CPPTYPE_STRING:
        # `?page_size=` from a client filling a URL template: a blank number, boolean, enum or
        # message means "not given", not a parse error.
        values = [value for value in values if value]
        if not values:
            return
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        raise invalid_argument(path, f"set a map entry as {path}[key]=value")
    if field.is_repeated:
        items = [json_from_text(field, value, f"{path}[{i}]") for i, value in enumerate(values)]
        merge_field(message, field, items, path)
    elif len(values) > 1:
        raise invalid_argument(path, f"expected one value, got {len(values)}")
    else:
        set_from_text(message, field, values[0], path)


def _set_map_entries(
    message: Message, field: FieldDescriptor, key: str, values: list[str], path: str
) -> None:
    entry = field.message_type
    if entry is None or not entry.GetOptions().map_entry:
        raise invalid_argument(path, "only map fields take a [key]")
    value_field = entry.fields_by_name["value"]
    item = json_from_text(value_field, values[-1], f"{path}[{key!r}]")
    merge_field(message, field, {key: item}, path)


def _json_text(text: str, path: str) -> Json:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise invalid_argument(path, "expected JSON text") from None


def _json_or_text(text: str) -> Json:
    """A Value from a query: JSON text when it parses (`5`, `true`, `{...}`), else the string."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text
