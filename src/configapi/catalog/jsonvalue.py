"""JSON values as plain Python objects, and the names of their JSON types.

Destination config values (SPEC §6.3) arrive as `google.protobuf.Value`; the catalog loader
(SPEC §6.6) reads YAML/JSON documents. Both describe what they found with the same words
("string", "number", "object", ...) so that error messages read alike.
"""

from __future__ import annotations

from typing import TypeAlias

from google.protobuf import struct_pb2

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"


def json_type_of(value: object) -> str:
    """The JSON name of a value's type: `null`, `boolean`, `number`, `string`, `array`, `object`.

    Anything else (YAML dates, for one) is named by its Python type.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_value_of(value: struct_pb2.Value) -> JsonValue:
    """A `google.protobuf.Value` as a plain JSON value; an unset Value is `None`, like null."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return {key: json_value_of(item) for key, item in value.struct_value.fields.items()}
    if kind == "list_value":
        return [json_value_of(item) for item in value.list_value.values]
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        return value.number_value
    return None
