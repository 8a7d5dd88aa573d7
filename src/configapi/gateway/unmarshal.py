"""JSON → request message, as SPEC §1 accepts it.

- field names in proto (snake_case) or JSON (lowerCamelCase) form; unknown fields are ignored
  (grpc-gateway's `DiscardUnknown`);
- enums by name or number; int64 as number or string; bytes as base64; `null` leaves a field unset
  (a `google.protobuf.Value` becomes JSON null);
- well-known types in their JSON forms (`wellknown.py`), FieldMask in both `{"paths": [...]}` and
  `"a,b"` forms;
- anything malformed (bad UTF-8 or JSON, a wrong type, an out-of-range number, an unknown enum name)
  is INVALID_ARGUMENT naming the field, never a 500.

Why not `json_format.Parse`: it rejects the `{"paths": [...]}` form of FieldMask and any `_` in the
string form, and its errors do not name fields as AIP-193 `BadRequest` paths.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any, Final, cast

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from configapi.aip.limits import JSON_TYPES, json_depth_problem
from configapi.errors import ApiError, invalid_argument
from configapi.gateway.errors import malformed_request, wrong_type
from configapi.gateway.wellknown import WELL_KNOWN_PARSERS

Json = Any

_INT_RANGES: Final = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}
_FLOAT32_MAX: Final = 3.4028234663852886e38
_INTEGER_TEXT: Final = re.compile(r"-?[0-9]+")
_NUMBER_TEXT: Final = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_SPECIAL_FLOATS: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
# Errors protobuf's setters raise on values they refuse (e.g. a lone surrogate in a string).
_REFUSED: Final = (
    json_format.ParseError,
    ValueError,
    TypeError,
    OverflowError,
    UnicodeError,
    RecursionError,
)


def decode_json(body: bytes) -> Json:
    """Parse a request body: strict UTF-8, strict JSON (no NaN/Infinity literals)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise malformed_request(f"request body is not valid UTF-8: {error.reason}") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_integer_literal)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise malformed_request(f"invalid JSON in request body: {error}") from None


def _integer_literal(text: str) -> int | float:
    """An integer literal; `-0` stays the double -0.0, as Go protojson reads and prints it back
    (SPEC §1: `-0` kept), where Python's int would lose its sign."""
    return -0.0 if text == "-0" else int(text)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def merge_object(value: Json, message: Message, path: str = "") -> None:
    """Merge a JSON object into `message`; `path` prefixes field names in errors."""
    if not isinstance(value, dict):
        raise wrong_type(path or "body", "a JSON object", value)
    descriptor = descriptor_of(message)
    for key, item in value.items():
        field = find_field(descriptor, key)
        if field is not None:  # SPEC §1: unknown fields are ignored
            merge_field(message, field, item, f"{path}.{field.name}" if path else field.name)


def descriptor_of(message: Message) -> Descriptor:
    """The message's descriptor (the stubs type it as a union of the Python and upb classes)."""
    return cast(Descriptor, message.DESCRIPTOR)


def find_field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    """A field by proto name or JSON name (lowerCamelCase or an explicit `json_name`)."""
    field = descriptor.fields_by_name.get(name) or descriptor.fields_by_camelcase_name.get(name)
    if field is None:
        field = next((f for f in descriptor.fields if f.json_name == name), None)
    return field


def merge_field(message: Message, field: FieldDescriptor, value: Json, path: str) -> None:
    """Set one field of `message` from a JSON value."""
    if value is None and not _is_value_type(field):
        return  # proto3 JSON: null means the default, i.e. leave the field unset
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        _merge_map(getattr(message, field.name), field.message_type, value, path)
    elif field.is_repeated:
        _merge_list(getattr(message, field.name), field, value, path)
    elif field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        merge_message(getattr(message, field.name), value, path)
    else:
        _set(message, field.name, parse_scalar(field, value, path), path)


def merge_message(message: Message, value: Json, path: str) -> None:
    """Merge a JSON value into a (sub-)message, honouring well-known types' JSON forms."""
    descriptor = descriptor_of(message)
    parse = WELL_KNOWN_PARSERS.get(descriptor.full_name)
    if descriptor.full_name in JSON_TYPES and (problem := json_depth_problem(value)):
        raise invalid_argument(path, problem)  # before protobuf's Struct code recurses into it
    if parse is not None:
        with _RefusedValue(path):
            parse(message, value, path)
    elif descriptor.file.name == "google/protobuf/wrappers.proto":
        inner: FieldDescriptor = descriptor.fields_by_name["value"]
        _set(message, "value", parse_scalar(inner, value, path), path)
    elif descriptor.full_name == "google.protobuf.Any":
        with _RefusedValue(path):
            json_format.ParseDict(value, message)
    else:
        message.SetInParent()  # `{}` still marks the message as present
        merge_object(value, message, path)


def _merge_list(container: Any, field: FieldDescriptor, value: Json, path: str) -> None:
    if not isinstance(value, list):
        raise wrong_type(path, "a JSON array", value)
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if item is None and not _is_value_type(field):
            raise wrong_type(item_path, "a value (null is not allowed in a list)", item)
        if field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
            merge_message(container.add(), item, item_path)
        else:
            scalar = parse_scalar(field, item, item_path)
            with _RefusedValue(item_path):
                container.append(scalar)


def _merge_map(container: Any, entry: Descriptor, value: Json, path: str) -> None:
    if not isinstance(value, dict):
        raise wrong_type(path, "a JSON object", value)
    key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
    for text, item in value.items():
        item_path = f"{path}[{text!r}]"
        key = _map_key(key_field, text, item_path)
        if item is None and not _is_value_type(value_field):
            raise wrong_type(item_path, "a value (null is not allowed in a map)", item)
        if value_field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
            merge_message(container[key], item, item_path)
        else:
            scalar = parse_scalar(value_field, item, item_path)
            with _RefusedValue(item_path):
                container[key] = scalar


def _map_key(field: FieldDescriptor, text: str, path: str) -> Any:
    """Map keys are always JSON strings; convert to the key type."""
    if field.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        if text not in ("true", "false"):
            raise invalid_argument(path, "map key must be true or false")
        return text == "true"
    return parse_scalar(field, text, path)


def parse_scalar(field: FieldDescriptor, value: Json, path: str) -> Any:
    """A scalar (or enum) field value from JSON, type- and range-checked."""
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        if field.type == FieldDescriptor.TYPE_BYTES:
            return _bytes(value, path)
        if not isinstance(value, str):
            raise wrong_type(path, "a string", value)
        return value
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        if not isinstance(value, bool):
            raise wrong_type(path, "a boolean", value)
        return value
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return _enum(field, value, path)
    if cpp in _INT_RANGES:
        return _integer(value, _INT_RANGES[cpp], path)
    return _float(value, cpp == FieldDescriptor.CPPTYPE_FLOAT, path)


def _integer(value: Json, bounds: tuple[int, int], path: str) -> int:
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        number: Any = int(value)
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise wrong_type(path, "an integer", value)
    if not bounds[0] <= number <= bounds[1]:
        raise invalid_argument(path, f"{number} is out of range [{bounds[0]}, {bounds[1]}]")
    return int(number)


def _float(value: Json, single: bool, path: str) -> float:
    if isinstance(value, str) and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise wrong_type(path, "a number", value)
    try:
        number = float(value)
    except OverflowError:
        raise invalid_argument(path, "number is out of range") from None
    if math.isinf(number) or (single and abs(number) > _FLOAT32_MAX):
        raise invalid_argument(path, "number is out of range")
    return number


def _enum(field: FieldDescriptor, value: Json, path: str) -> int:
    """SPEC §1: enums by name; the number is accepted too. An unknown name is an error
    (grpc-gateway would ignore it and leave the default; a typo should not pass silently)."""
    enum = field.enum_type
    assert enum is not None  # an ENUM field always has its enum type
    if isinstance(value, str):
        known = enum.values_by_name.get(value)
        if known is None:
            raise invalid_argument(path, f"unknown {enum.name} value {value!r}")
        return int(known.number)
    if isinstance(value, int) and not isinstance(value, bool):
        if enum.is_closed and value not in enum.values_by_number:
            raise invalid_argument(path, f"unknown {enum.name} number {value}")
        return _integer(value, _INT_RANGES[FieldDescriptor.CPPTYPE_INT32], path)
    raise wrong_type(path, f"a {enum.name} name or number", value)


def _bytes(value: Json, path: str) -> bytes:
    """proto3 JSON bytes: standard or URL-safe base64, padding optional."""
    if not isinstance(value, str):
        raise wrong_type(path, "a base64 string", value)
    text = value.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise invalid_argument(path, "not valid base64") from None


def _is_value_type(field: FieldDescriptor) -> bool:
    message_type = field.message_type
    return message_type is not None and message_type.full_name == "google.protobuf.Value"


def _set(message: Message, name: str, value: Any, path: str) -> None:
    with _RefusedValue(path):
        setattr(message, name, value)


class _RefusedValue:
    """Context: a value protobuf refuses (a lone surrogate, a bad timestamp...) becomes the
    caller's INVALID_ARGUMENT naming `path`, instead of escaping as a 500."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if isinstance(error, ApiError) or not isinstance(error, _REFUSED):
            return
        if isinstance(error, UnicodeError):
            raise invalid_argument(self.path, "not valid UTF-8 text") from None
        raise invalid_argument(self.path, str(error) or type(error).__name__) from None
