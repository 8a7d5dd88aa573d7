"""Message → JSON exactly as SPEC §1 prints it.

- snake_case proto field names (`catalog_name`; `browserUnbundlingSupported` stays as declared);
- scalars, repeated and map fields always emitted, even empty; unset message fields omitted (as
  `MessageToDict` with `preserving_proto_field_name` and `always_print_fields_with_no_presence`);
- enums by name, Timestamp/Duration as RFC 3339 / `"1.5s"` strings, `Empty` as `{}`;
- map and Struct keys sorted, as Go protojson writes them (protobuf maps have no order);
- numbers as Go protojson prints them (grpc-gateway, SPEC §1): an integral double or `Struct`
  number without a fraction (`5`, not Python's `5.0`), `0.00001` not `1e-05`, `1e-7` not `1e-07`,
  `-0` kept, int64 as a string.

Instead of `json_format.MessageToDict` plus a second pass to fix floats, one converter per message
type (field names, presence checks, value converters) is compiled once and reused: on the hot
path this is one walk over the fields and one encode, 2-3x faster than MessageToDict plus a
fix-up walk (measured: ~12 µs vs ~28 µs for a Source, ~135 µs vs ~344 µs for a page of ten).
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, cast

from google.protobuf import json_format, struct_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

from configapi.go_numbers import E_FROM, go_number_text

Json = Any  # a JSON-serialisable Python value
Convert = Callable[[Any], Json]

# Python's repr agrees with that spelling from 1e-4 up to 1e16 (and integers are printed as ints);
# outside that range, and for -0, the text is built here.
_REPR_AGREES_FROM: Final = 1e-4
_EXACT_INTEGERS_BELOW: Final = 2.0**53
_STRING_FORMS: Final = frozenset({"google.protobuf.Duration", "google.protobuf.FieldMask"})
# 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range RFC 3339 (and protobuf) allows
_MIN_SECONDS: Final = -62_135_596_800
_MAX_SECONDS: Final = 253_402_300_799
_INT64: Final = frozenset(
    {FieldDescriptor.CPPTYPE_INT64, FieldDescriptor.CPPTYPE_UINT64},
)


@dataclass(frozen=True, slots=True)
class RawNumber:
    """A JSON number whose text Python's `json` cannot produce (`-0`, `0.00001`, `1e-7`)."""

    text: str


class _RawNumberFound(Exception):
    """Raised by the C encoder's `default` hook: this value needs the slower, exact encoder."""


def _refuse_raw(value: object) -> object:
    if isinstance(value, RawNumber):
        raise _RawNumberFound
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class GoJsonEncoder:
    """Compact JSON text with numbers spelled as Go protojson spells them (SPEC §1).

    The C encoder of `json` does almost all the work; a value holding a `RawNumber` (rare: only
    tiny numbers and -0 need one) is encoded again by a small walk that splices the raw text in.
    """

    def __init__(self) -> None:
        # Built once: `json.dumps` with options builds a new encoder per call (half its cost here).
        self._fast = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), default=_refuse_raw
        )

    def encode(self, value: Json) -> str:
        """The JSON text of a JSON-serialisable value that may hold `RawNumber`s."""
        try:
            return self._fast.encode(value)
        except _RawNumberFound:
            parts: list[str] = []
            self._encode_exact(value, parts)
            return "".join(parts)

    def _encode_exact(self, value: Json, parts: list[str]) -> None:
        if isinstance(value, RawNumber):
            parts.append(value.text)
        elif isinstance(value, dict):
            parts.append("{")
            for index, (key, item) in enumerate(value.items()):
                parts.append("," if index else "")
                parts.append(self._fast.encode(str(key)) + ":")
                self._encode_exact(item, parts)
            parts.append("}")
        elif isinstance(value, list | tuple):
            parts.append("[")
            for index, item in enumerate(value):
                parts.append("," if index else "")
                self._encode_exact(item, parts)
            parts.append("]")
        else:
            parts.append(self._fast.encode(value))


ENCODER: Final = GoJsonEncoder()


def json_number(value: float) -> int | float | str | RawNumber:
    """A double as a JSON value that prints as Go protojson prints it (SPEC §1): `5.0` → `5`;
    NaN and infinities as proto3 strings."""
    magnitude = abs(value)
    if value.is_integer():
        if value == 0 and math.copysign(1.0, value) < 0:
            return RawNumber("-0")
        if magnitude < _EXACT_INTEGERS_BELOW:
            return int(value)
        if magnitude < E_FROM:  # Go prints the shortest digits then zeros, not the exact value
            return int(go_number_text(value))
        return value
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if magnitude < _REPR_AGREES_FROM:
        return RawNumber(go_number_text(value))
    return value


def _float32(value: float) -> int | float | str | RawNumber:
    return json_number(type_checkers.ToShortestFloat(value))


def _bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def value_to_json(value: struct_pb2.Value) -> Json:
    """A `google.protobuf.Value` as plain JSON, numbers printed like Go (SPEC §1)."""
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return json_number(value.number_value)
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return struct_to_json(value.struct_value)
    if kind == "list_value":
        return [value_to_json(item) for item in value.list_value.values]
    return None


def struct_to_json(struct: struct_pb2.Struct) -> dict[str, Json]:
    """A `google.protobuf.Struct` as a plain JSON object, keys sorted like Go protojson's maps
    (protobuf maps have no order; sorting makes the output deterministic)."""
    fields = struct.fields
    return {key: value_to_json(fields[key]) for key in sorted(fields)}


def _list_value_to_json(values: struct_pb2.ListValue) -> list[Json]:
    return [value_to_json(item) for item in values.values]


def timestamp_to_json(timestamp: Any) -> str:
    """RFC 3339 in UTC with `Z`, with 0, 3, 6 or 9 fraction digits as protobuf prints it.

    Formatted here rather than by `Timestamp.ToJsonString`: this runs once per resource on the
    hot path and is about twice as fast; out-of-range values go to protobuf, which refuses them.
    """
    seconds, nanos = timestamp.seconds, timestamp.nanos
    if not (_MIN_SECONDS <= seconds <= _MAX_SECONDS and 0 <= nanos < 1_000_000_000):
        return _as_string(timestamp)
    year, month, day, hour, minute, second = time.gmtime(seconds)[:6]
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    if nanos == 0:
        return text + "Z"
    if nanos % 1_000_000 == 0:
        return f"{text}.{nanos // 1_000_000:03d}Z"
    if nanos % 1_000 == 0:
        return f"{text}.{nanos // 1_000:06d}Z"
    return f"{text}.{nanos:09d}Z"


def _as_string(message: Any) -> str:
    text: str = message.ToJsonString()
    return text


_WELL_KNOWN: Final[dict[str, Convert]] = {
    "google.protobuf.Struct": struct_to_json,
    "google.protobuf.Value": value_to_json,
    "google.protobuf.ListValue": _list_value_to_json,
    **dict.fromkeys(_STRING_FORMS, _as_string),
    "google.protobuf.Timestamp": timestamp_to_json,
}


class JsonMarshaller:
    """Prints messages as SPEC §1 JSON; compiles one converter per message type, on first use."""

    def __init__(self) -> None:
        self._converters: dict[str, Convert] = {}

    def encode(self, message: Message) -> bytes:
        """The JSON body for a response message (`{}` for google.protobuf.Empty)."""
        return ENCODER.encode(self.to_json(message)).encode("utf-8")

    def to_json(self, message: Message) -> Json:
        """The message as a JSON-serialisable value (a dict, except for some well-known types)."""
        convert = self._converters.get(message.DESCRIPTOR.full_name)
        if convert is None:
            convert = self._compile(cast(Descriptor, message.DESCRIPTOR))
        return convert(message)

    def _compile(self, descriptor: Descriptor) -> Convert:
        convert = self._special(descriptor)
        if convert is None:
            plan = tuple(
                (field.name, field.has_presence, self.convert_for(field))
                for field in descriptor.fields
            )
            convert = partial(_print_fields, plan)
        self._converters[descriptor.full_name] = convert
        return convert

    def _special(self, descriptor: Descriptor) -> Convert | None:
        """Well-known types that are not printed as objects, wrappers, and `Any`."""
        if descriptor.full_name in _WELL_KNOWN:
            return _WELL_KNOWN[descriptor.full_name]
        if descriptor.file.name == "google/protobuf/wrappers.proto":
            inner = self._item_converter(descriptor.fields_by_name["value"])
            if inner is None:
                return lambda wrapper: wrapper.value
            return lambda wrapper: inner(wrapper.value)
        if descriptor.full_name == "google.protobuf.Any":
            return _any_to_json
        return None

    def convert_for(self, field: FieldDescriptor) -> Convert | None:
        """The converter of a field's value; None when the Python value is already JSON."""
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            return self._map_converter(field)
        item = self._item_converter(field)
        if not field.is_repeated:
            return item
        if item is None:
            return list
        return lambda values: [item(value) for value in values]

    def _map_converter(self, field: FieldDescriptor) -> Convert:
        entry = field.message_type
        assert entry is not None  # a map field's type is its entry message
        value_field = entry.fields_by_name["value"]
        item = self._item_converter(value_field)
        # proto3 JSON map keys are strings; Python's bool keys would print as "True".
        if entry.fields_by_name["key"].cpp_type == FieldDescriptor.CPPTYPE_BOOL:
            return lambda mapping: {
                ("true" if k else "false"): (v if item is None else item(v))
                for k, v in sorted(mapping.items())
            }
        # sorted like Go protojson: protobuf maps have no order of their own
        if item is None:
            return lambda mapping: {str(k): mapping[k] for k in sorted(mapping)}
        return lambda mapping: {str(k): item(mapping[k]) for k in sorted(mapping)}

    def _item_converter(self, field: FieldDescriptor) -> Convert | None:
        cpp = field.cpp_type
        if cpp == FieldDescriptor.CPPTYPE_MESSAGE:
            return self.to_json
        if cpp == FieldDescriptor.CPPTYPE_ENUM:
            return _enum_converter(field)
        if cpp == FieldDescriptor.CPPTYPE_DOUBLE:
            return json_number
        if cpp == FieldDescriptor.CPPTYPE_FLOAT:
            return _float32
        if cpp in _INT64:
            return str
        if field.type == FieldDescriptor.TYPE_BYTES:
            return _bytes
        return None  # str, bool and 32-bit ints are already JSON


def _print_fields(plan: tuple[tuple[str, bool, Convert | None], ...], message: Any) -> Json:
    """A regular message as a JSON object: every field without presence, the others when set."""
    out: dict[str, Json] = {}
    for name, has_presence, convert in plan:
        if has_presence and not message.HasField(name):
            continue
        value = getattr(message, name)
        out[name] = value if convert is None else convert(value)
    return out


def _enum_converter(field: FieldDescriptor) -> Convert:
    """Enum numbers → names; an unknown number of an open enum prints as the number."""
    enum = field.enum_type
    assert enum is not None  # an ENUM field always has its enum type
    if enum.full_name == "google.protobuf.NullValue":
        return lambda _: None
    names = {value.number: value.name for value in enum.values}
    return lambda number: names.get(number, number)


def _any_to_json(message: Any) -> Json:
    """`Any` with `@type`, through protobuf's own resolver (rare: only error details use it)."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
