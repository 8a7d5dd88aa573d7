"""Messages → OpenAPI 3.1 schemas (JSON Schema 2020-12), as the gateway prints and reads them.

One component per message and enum, reached through `$ref`, named by full name with our package
left off (`Source`, `Destination.ConnectionMode`, `google.rpc.ErrorInfo`). What each schema says
is SPEC §1's wire form, not protobuf's defaults:

- properties are the snake_case proto names (`catalog_name`; `browserUnbundlingSupported` as
  declared), the names the gateway prints;
- `readOnly` for OUTPUT_ONLY fields (clients must not send them; the server ignores them) and
  `required` for REQUIRED ones (AIP-203), read from `google.api.field_behavior`;
- enums by name; int64 as a string (Go protojson); doubles as numbers or `"NaN"`/`"Infinity"`;
- well-known types in their JSON forms: Timestamp an RFC 3339 string, Struct any object, Value any
  JSON, FieldMask `"a,b"` or `{"paths": [...]}` (both accepted, SPEC §1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

Schema = dict[str, Any]

OUR_PACKAGE: Final = "segment.config.v1beta."
_INT32_RANGE: Final = {"minimum": -(2**31), "maximum": 2**31 - 1}
_SPECIAL_FLOATS: Final = ["NaN", "Infinity", "-Infinity"]
_FIELD_MASK_PATHS: Final[Schema] = {"type": "array", "items": {"type": "string"}}
_FLOAT: Final[Schema] = {"type": "number", "format": "float"}

# The well-known types, by their JSON forms (google/protobuf/*.proto "JSON Mapping").
WELL_KNOWN: Final[dict[str, Schema]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?s$"},
    "google.protobuf.FieldMask": {
        "oneOf": [
            {"type": "string", "description": 'comma-separated paths, "a,b.c"'},
            {"type": "object", "properties": {"paths": _FIELD_MASK_PATHS}},
        ]
    },
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {"description": "any JSON value"},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.Empty": {"type": "object", "properties": {}},
    "google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "required": ["@type"],
        "additionalProperties": True,
    },
}

_T = FieldDescriptor
_INT32: Final = (_T.TYPE_INT32, _T.TYPE_SINT32, _T.TYPE_SFIXED32)
_UINT32: Final = (_T.TYPE_UINT32, _T.TYPE_FIXED32)
_INT64: Final = (_T.TYPE_INT64, _T.TYPE_SINT64, _T.TYPE_SFIXED64)
_UINT64: Final = (_T.TYPE_UINT64, _T.TYPE_FIXED64)


def _scalar_schema(field_type: int) -> Schema:
    """The JSON form of a scalar field type (proto3 JSON mapping, as Go protojson prints it)."""
    if field_type in _INT32:
        return {"type": "integer", "format": "int32", **_INT32_RANGE}
    if field_type in _UINT32:
        return {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**32 - 1}
    # 64-bit integers print as strings (proto3 JSON; JavaScript numbers cannot hold them).
    if field_type in _INT64:
        return {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}
    if field_type in _UINT64:
        return {"type": "string", "format": "uint64", "pattern": "^[0-9]+$"}
    if field_type in (_T.TYPE_DOUBLE, _T.TYPE_FLOAT):
        number: Schema = {"type": "number"} if field_type == _T.TYPE_DOUBLE else _FLOAT
        return {"oneOf": [number, {"type": "string", "enum": _SPECIAL_FLOATS}]}
    if field_type == _T.TYPE_BOOL:
        return {"type": "boolean"}
    if field_type == _T.TYPE_BYTES:
        return {"type": "string", "contentEncoding": "base64"}
    return {"type": "string"}


def component_name(full_name: str) -> str:
    """`segment.config.v1beta.Source` → `Source`; other packages keep their full name."""
    return full_name.removeprefix(OUR_PACKAGE)


def ref(full_name: str) -> Schema:
    """A `$ref` to the component of a message or enum."""
    return {"$ref": f"#/components/schemas/{component_name(full_name)}"}


def behaviors(field: FieldDescriptor) -> set[int]:
    """The field's `google.api.field_behavior` values."""
    return set(field.GetOptions().Extensions[field_behavior_pb2.field_behavior])


def is_required(field: FieldDescriptor) -> bool:
    """REQUIRED (AIP-203): the caller must set it."""
    return field_behavior_pb2.REQUIRED in behaviors(field)


class SchemaRegistry:
    """Builds each message's and enum's component once, following references as it goes."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

    def message_ref(self, message: Descriptor) -> Schema:
        """A reference to the message's schema (the schema itself for well-known types)."""
        if message.full_name in WELL_KNOWN:
            return dict(WELL_KNOWN[message.full_name])
        if message.file.name == "google/protobuf/wrappers.proto":
            return self.field_schema(message.fields_by_name["value"])
        name = component_name(message.full_name)
        if name not in self.components:
            self.components[name] = {}  # reserve first: messages may be recursive
            self.components[name] = self.object_schema(message, message.fields)
        return ref(message.full_name)

    def object_schema(self, message: Descriptor, fields: Sequence[FieldDescriptor]) -> Schema:
        """An object with `fields` of `message` as properties (a request body may omit some)."""
        schema: Schema = {
            "type": "object",
            "properties": {field.name: self.property_schema(field) for field in fields},
        }
        required = [field.name for field in fields if is_required(field)]
        if required:
            schema["required"] = required
        return schema

    def property_schema(self, field: FieldDescriptor) -> Schema:
        """A field as a property: its value schema plus `readOnly`/`deprecated`."""
        schema = self.field_schema(field)
        if field_behavior_pb2.OUTPUT_ONLY in behaviors(field):
            schema["readOnly"] = True
        if field.GetOptions().deprecated:
            schema["deprecated"] = True
        return schema

    def field_schema(self, field: FieldDescriptor) -> Schema:
        """A field's value: a map is an object, a repeated field an array of its items."""
        entry = field.message_type
        if entry is not None and entry.GetOptions().map_entry:
            values = self.field_schema(entry.fields_by_name["value"])
            return {"type": "object", "additionalProperties": values}
        item = self._item_schema(field)
        if field.is_repeated:
            return {"type": "array", "items": item}
        return item

    def _item_schema(self, field: FieldDescriptor) -> Schema:
        if field.message_type is not None:
            return self.message_ref(field.message_type)
        if field.enum_type is not None:
            return self.enum_ref(field.enum_type)
        return _scalar_schema(field.type)

    def enum_ref(self, enum: EnumDescriptor) -> Schema:
        """A reference to an enum's schema: its value names (SPEC §1: enums print by name)."""
        if enum.full_name == "google.protobuf.NullValue":
            return {"type": "null"}
        name = component_name(enum.full_name)
        self.components[name] = {"type": "string", "enum": [v.name for v in enum.values]}
        return ref(enum.full_name)
