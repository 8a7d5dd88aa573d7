"""Hypothesis strategies for request messages, derived from the contract's descriptors.

Every field of every request may be set or not; strings lean towards the shapes the API parses
(resource names, catalog names, scopes, schema keywords) and their near misses, so that generated
requests get past the first check often enough to reach the deeper ones. Values stay within what
both transports can carry (finite numbers, valid timestamps, field-mask paths JSON can print), so
a failure is the server's, never the client's.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from configapi import contract

NAMES = (
    "workspaces/acme",
    "workspaces/globex",
    "workspaces/acme/sources/web",
    "workspaces/acme/sources/new",
    "workspaces/globex/sources/web",
    "workspaces/acme/sources/web/destinations/heap",
    "workspaces/acme/sources/web/destinations/hotjar",
    "workspaces/acme/sources/new/destinations/webhooks",
    "workspaces/acme/tracking-plans/rs_1N9oTnc5O8cv1peY65iXsSPnzGP",
    "access-tokens/0123456789abcdef01234567",
    "catalog/sources/javascript",
    "catalog/destinations/heap",
    "catalog/destinations/.net",
    "workspaces/acme/sources/web/destinations/heap/config/appId",
    "workspaces/acme/sources/web/destinations/webhooks/config/hooks",
)
ODD_TEXT = (
    "",
    "..",
    ".",
    "/",
    "//",
    "a\x00b",
    "%zz",
    "%2F",
    "x" * 64,
    "-",
    "_",
    "\u00e9",
    "\U0001f600",
)
SCOPES = ("workspace", "workspace:read", "workspace:write", "WORKSPACE", "")
SCHEMA_KEYS = ("type", "properties", "required", "items", "enum", "$schema", "$ref", "minimum")
SCHEMA_WORDS = (
    "object",
    "string",
    "integer",
    "http://json-schema.org/draft-04/schema#",
    "http://json-schema.org/draft-07/schema#",
    "http://example.com/not-a-draft",
)
MASK_PATHS = (
    "display_name",
    "labels",
    "library_config",
    "library_config.api_host",
    "enabled",
    "connection_mode",
    "config",
    "rules",
    "rules.global",
    "rules.events",
    "name",
    "create_time",
    "write_keys",
    "no_such_field",
)


def _near_misses(base: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The strings in `base`, alone or with text added, cut, or upper-cased."""
    picked = st.sampled_from(base)
    return st.one_of(
        picked,
        st.builds(lambda a, b: a + b, picked, st.sampled_from(ODD_TEXT)),
        st.builds(lambda a, n: a[:n], picked, st.integers(0, 40)),
        picked.map(str.upper),
    )


def _text_for(field: FieldDescriptor) -> st.SearchStrategy[str]:
    names = {
        "name": NAMES,
        "parent": NAMES,
        "catalog_name": NAMES,
        "workspace_names": NAMES,
        "scopes": SCOPES,
        "type": ("string", "boolean", "number", "list", "map", "STRING", "nope"),
    }.get(field.name)
    plain = st.one_of(st.text(max_size=30), st.sampled_from(ODD_TEXT))
    return plain if names is None else st.one_of(_near_misses(names), plain)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON values that lean towards JSON Schema (finite numbers only: JSON has no NaN)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        st.sampled_from(SCHEMA_WORDS),
    )
    keys = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=10))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(value, struct_pb2.Struct())


def _well_known(descriptor: Descriptor) -> st.SearchStrategy[Message] | None:
    name = descriptor.full_name
    if name == "google.protobuf.Struct":
        keys = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=10))
        return st.dictionaries(keys, json_values(), max_size=5).map(_struct)
    if name == "google.protobuf.Value":
        return json_values().map(lambda v: json_format.ParseDict(v, struct_pb2.Value()))
    if name == "google.protobuf.Timestamp":
        return st.builds(
            timestamp_pb2.Timestamp,
            seconds=st.integers(-62_135_596_800, 253_402_300_799),
            nanos=st.integers(0, 999_999_999),
        )
    if name == "google.protobuf.FieldMask":
        resource_paths = st.sampled_from(MASK_PATHS)
        prefixed = st.builds(
            lambda prefix, path: f"{prefix}.{path}",
            st.sampled_from(("source", "destination", "tracking_plan")),
            resource_paths,
        )
        # JSON prints a mask's paths in lowerCamelCase, which only snake_case paths survive
        invented = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}", fullmatch=True)
        paths = st.lists(st.one_of(resource_paths, prefixed, invented), max_size=4)
        mask_class = GetMessageClass(descriptor)
        return paths.map(lambda p: mask_class(paths=p))
    return None


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        if field.type == FieldDescriptor.TYPE_BYTES:
            return st.binary(max_size=20)
        return _text_for(field)
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return st.booleans()
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return st.integers(-3, 8)  # declared numbers and undeclared ones
    if cpp == FieldDescriptor.CPPTYPE_INT32:
        edges = st.sampled_from((0, 1, -1, 100, 101, 2**31 - 1, -(2**31)))
        return st.one_of(edges, st.integers(-(2**31), 2**31 - 1))
    if cpp == FieldDescriptor.CPPTYPE_DOUBLE:  # e.g. a filter's sample `percent` (0.0 to 1.0)
        edges = st.sampled_from((0.0, 0.5, 1.0, -0.0, 1.5, -0.1))
        return st.one_of(edges, st.floats(allow_nan=False, allow_infinity=False))
    raise AssertionError(f"no strategy for {field.full_name}")


def _value(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    if field.message_type is not None:
        if field.message_type.GetOptions().map_entry:
            key, value = field.message_type.fields
            return st.dictionaries(_scalar(key), _scalar(value), max_size=3)
        single = messages(field.message_type, depth + 1)
        return st.lists(single, max_size=3) if field.is_repeated else single
    if field.is_repeated:
        return st.lists(_scalar(field), max_size=3)
    return _scalar(field)


_UNSET = object()


def messages(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """Messages of `descriptor`'s type with any subset of fields set to generated values."""
    special = _well_known(descriptor)
    if special is not None:
        return special
    message_class = GetMessageClass(descriptor)
    if depth > 4:
        return st.just(message_class())
    fields = {
        field.name: st.one_of(st.just(_UNSET), _value(field, depth)) for field in descriptor.fields
    }

    def build(values: dict[str, Any]) -> Message:
        message = message_class()
        for name, value in values.items():
            if value is _UNSET:
                continue
            field = descriptor.fields_by_name[name]
            target = getattr(message, name)
            if field.message_type is not None and field.message_type.GetOptions().map_entry:
                target.update(value)
            elif field.is_repeated and field.message_type is not None:
                for item in value:
                    target.add().CopyFrom(item)
            elif field.is_repeated:
                target.extend(value)
            elif field.message_type is not None:
                target.CopyFrom(value)
            else:
                setattr(message, name, value)
        return message

    return st.fixed_dictionaries(fields).map(build)


METHOD_NAMES = tuple(sorted(method.name for method in contract.methods()))
_INPUTS = {method.name: method.input_type for method in contract.methods()}


def requests() -> st.SearchStrategy[tuple[str, Message]]:
    """(method name, request) for any method of the contract."""
    return st.sampled_from(METHOD_NAMES).flatmap(
        lambda name: messages(_INPUTS[name]).map(lambda request: (name, request))
    )
