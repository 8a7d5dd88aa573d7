"""The proto3 JSON forms of the well-known types, for input (JSON → message).

- FieldMask: `{"paths": ["a", "b"]}` (the message form every client of this API sends) or the
  proto3 string form `"a,b"` (SPEC §1; see `parse_field_mask` for camelCase);
- Timestamp (RFC 3339) and Duration (`"1.5s"`) as strings;
- Struct, ListValue and Value as plain JSON; Empty as `{}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from google.protobuf import struct_pb2

from configapi.gateway.errors import wrong_type

Json = Any
_CAMEL_HUMP: Final = re.compile(r"[A-Z]")


def parse_field_mask(text: str) -> list[str]:
    """The proto3 JSON string form of a FieldMask, `"a,b.c"`, as a list of paths.

    Paths already in snake_case are kept as given (what clients of this API write). A segment with
    an upper-case letter and no `_` is the lowerCamelCase JSON form the proto3 spec prescribes
    and becomes snake_case (`displayName` → `display_name`). The `{"paths": [...]}` form is the
    message itself and is taken verbatim.
    """
    paths = (path.strip() for path in text.split(","))
    return [".".join(_snake_case(part) for part in path.split(".")) for path in paths if path]


def _snake_case(segment: str) -> str:
    if "_" in segment or segment.islower():
        return segment
    return _CAMEL_HUMP.sub(lambda hump: "_" + hump.group().lower(), segment)


def _parse_field_mask(message: Any, value: Json, path: str) -> None:
    if isinstance(value, str):
        message.SetInParent()
        message.paths.extend(parse_field_mask(value))
        return
    # `{"paths": null}` means no paths, exactly like `"update_mask": null` (proto3 JSON: null is
    # the default); with no paths an update changes nothing (SPEC §5 rule 1)
    paths = (value.get("paths") or []) if isinstance(value, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise wrong_type(path, 'a field mask ("a,b" or {"paths": ["a", "b"]})', value)
    message.SetInParent()
    message.paths.extend(paths)


def _parse_time_string(message: Any, value: Json, path: str) -> None:
    """Timestamp (RFC 3339) and Duration (`"1.5s"`) are JSON strings."""
    if not isinstance(value, str):
        raise wrong_type(path, "a string", value)
    message.FromJsonString(value)


def _parse_struct(message: Any, value: Json, path: str) -> None:
    if not isinstance(value, dict):
        raise wrong_type(path, "a JSON object", value)
    message.SetInParent()
    message.update(value)


def _parse_list_value(message: Any, value: Json, path: str) -> None:
    if not isinstance(value, list):
        raise wrong_type(path, "a JSON array", value)
    message.SetInParent()
    message.extend(value)


def set_value(message: struct_pb2.Value, value: Json, path: str = "") -> None:
    """Any JSON value into a `google.protobuf.Value`."""
    if value is None:
        message.null_value = struct_pb2.NULL_VALUE
    elif isinstance(value, bool):
        message.bool_value = value
    elif isinstance(value, str):
        message.string_value = value
    elif isinstance(value, int | float):
        message.number_value = value
    elif isinstance(value, dict):
        _parse_struct(message.struct_value, value, path)
    else:
        _parse_list_value(message.list_value, value, path)


def _parse_empty(message: Any, value: Json, path: str) -> None:
    if not isinstance(value, dict):
        raise wrong_type(path, "a JSON object", value)
    message.SetInParent()


WELL_KNOWN_PARSERS: Final[dict[str, Callable[[Any, Json, str], None]]] = {
    "google.protobuf.FieldMask": _parse_field_mask,
    "google.protobuf.Timestamp": _parse_time_string,
    "google.protobuf.Duration": _parse_time_string,
    "google.protobuf.Struct": _parse_struct,
    "google.protobuf.ListValue": _parse_list_value,
    "google.protobuf.Value": set_value,
    "google.protobuf.Empty": _parse_empty,
}
