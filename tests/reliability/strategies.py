"""Hypothesis strategies for request messages, derived from the contract's descriptors.

Every field of every request may be set or not; strings lean towards the shapes the API parses
(resource names, catalog names, scopes, schema keywords) and their near misses, so that generated
requests get past the first check often enough to reach the deeper ones.

Hostile values (issue 12): JSON-valued fields (Struct, Value) are also deep (up to 60 levels of
objects and arrays, past SPEC §1's 32 and protobuf's parse limit), wide (thousands of keys), huge
(strings up to just past the 1 MiB resource limit) and non-finite (NaN, ±Infinity, which REST
clients cannot send: `json_format` refuses them, and the property tests count that as the
client's refusal); texts with a SPEC §6 limit sit at, just under and just over it. Timestamps
stay valid and field-mask paths printable, so a failure is the server's, never the client's.
Destination filters get FQL statements, events and action fields of their own
(`fql_strategies`), and batches of source names go past their 1,000 and repeat names.
"""

from __future__ import annotations

import math
from typing import Any

from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from configapi import contract
from configapi.aip.limits import (
    JSON_MAX_DEPTH,
    MAX_LABEL_KEY,
    MAX_LABEL_VALUE,
    MAX_LABELS,
    MAX_RESOURCE_BYTES,
    TEXT_LIMITS,
)
from configapi.services.source_connections import MAX_BATCH
from tests.reliability.fql_strategies import ACTION_TYPES, events, field_paths, fql_statements

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


_FILTER_TEXTS = {"if": fql_statements, "input": events, "path": field_paths}


def _text_for(field: FieldDescriptor) -> st.SearchStrategy[str]:
    if field.name in _FILTER_TEXTS:
        return _FILTER_TEXTS[field.name]()
    names = {
        "name": NAMES,
        "parent": NAMES,
        "catalog_name": NAMES,
        "workspace_names": NAMES,
        "source_name": NAMES,
        "source_names": NAMES,
        "forwarding_blocked_events_to": ("web", "new", "", "WEB", "globex"),
        "forwarding_violations_to": ("web", "new", "", "WEB", "globex"),
        "scopes": SCOPES,
        "type": ("string", "boolean", "number", "list", "map", "STRING", "nope", *ACTION_TYPES),
    }.get(field.name)
    plain = st.one_of(st.text(max_size=30), st.sampled_from(ODD_TEXT))
    if field.name in TEXT_LIMITS:
        plain = st.one_of(plain, _around(TEXT_LIMITS[field.name]).map(lambda n: "x" * n))
    return plain if names is None else st.one_of(_near_misses(names), plain)


def _around(limit: int) -> st.SearchStrategy[int]:
    """Lengths at a limit, one under and one over it."""
    return st.sampled_from((limit - 1, limit, limit + 1))


def near_limit_labels() -> st.SearchStrategy[dict[str, str]]:
    """Label maps at SPEC §6's limits: 63-65 entries, keys of 62-64 and values of 255-257."""
    return st.builds(
        lambda count, key, value: {f"{i:0>{key}}": "v" * value for i in range(count)},
        _around(MAX_LABELS),
        _around(MAX_LABEL_KEY),
        _around(MAX_LABEL_VALUE),
    )


def _deep(depth: int, shape: str, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        arrays = shape == "arrays" or (shape == "mixed" and level % 2)
        value = [value] if arrays else {"a": value}
    return value


def hostile_json_values() -> st.SearchStrategy[Any]:
    """Deep, wide, huge and non-finite JSON values (issue 12, items 1-4)."""
    non_finite = st.sampled_from((math.nan, math.inf, -math.inf))
    deep = st.builds(
        _deep,
        st.one_of(_around(JSON_MAX_DEPTH), st.integers(JSON_MAX_DEPTH - 4, 60)),
        st.sampled_from(("objects", "arrays", "mixed")),
        st.one_of(st.just(1), non_finite),
    )
    wide = st.integers(100, 5000).map(lambda n: {f"k{i}": i for i in range(n)})
    huge = st.one_of(
        st.integers(MAX_RESOURCE_BYTES - 2048, MAX_RESOURCE_BYTES + 2048),
        st.integers(1000, 300_000),
    ).map(lambda n: "h" * n)
    return st.one_of(deep, wide, huge, non_finite, non_finite.map(lambda x: {"maximum": x}))


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
    struct = struct_pb2.Struct()
    struct.update(value)  # unlike ParseDict, keeps NaN and Infinity
    return struct


def _json_value(value: Any) -> struct_pb2.Value:
    return _struct({"v": value}).fields["v"]


def structs() -> st.SearchStrategy[struct_pb2.Struct]:
    """Structs that lean towards JSON Schema, or hold a hostile value under a keyword that
    takes any value (`default`), so the schema stays valid and the value reaches storage."""
    keys = st.one_of(st.sampled_from(SCHEMA_KEYS), st.text(max_size=10))
    return st.one_of(
        st.dictionaries(keys, json_values(), max_size=5),
        hostile_json_values().map(lambda value: {"default": value}),
    ).map(_struct)


def _well_known(descriptor: Descriptor) -> st.SearchStrategy[Message] | None:
    name = descriptor.full_name
    if name == "google.protobuf.Struct":
        return structs()
    if name == "google.protobuf.Value":
        return st.one_of(json_values(), hostile_json_values()).map(_json_value)
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
            small = st.dictionaries(_scalar(key), _scalar(value), max_size=3)
            return st.one_of(small, near_limit_labels()) if field.name == "labels" else small
        single = messages(field.message_type, depth + 1)
        return st.lists(single, max_size=3) if field.is_repeated else single
    if field.is_repeated:
        return st.one_of(st.lists(_scalar(field), max_size=3), _many(field))
    return _scalar(field)


def _many(field: FieldDescriptor) -> st.SearchStrategy[list[Any]]:
    """Long lists where a list has a limit or a cost: batches past MAX_BATCH or repeating one
    name, filter field lists of thousands of names."""
    if field.name == "source_names":
        sources = st.integers(MAX_BATCH - 1, MAX_BATCH + 1).map(
            lambda n: [f"workspaces/acme/sources/s{i}" for i in range(n)]
        )
        return st.one_of(sources, st.just(["workspaces/acme/sources/web"] * 5000))
    if field.name == "fields":
        return st.integers(1000, 20_000).map(lambda n: [f"f{i}" for i in range(n)])
    return st.nothing()


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


# ---- writes that reach storage (the "served back" property) ---------------------------------

SLUGS = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
STORABLE_PLAN_PATHS = ("display_name", "rules", "rules.global", "rules.events", "rules.identify")


def _plan_fields() -> st.SearchStrategy[dict[str, Any]]:
    event = st.fixed_dictionaries(
        {
            "name": st.just("Order Completed"),
            "description": _around(TEXT_LIMITS["description"]).map(lambda n: "d" * n),
            "rules": structs(),
        }
    )
    return st.fixed_dictionaries(
        {
            "display_name": st.one_of(st.just("plan"), _around(256).map(lambda n: "p" * n)),
            "global": structs(),
            "identify": structs(),
            "events": st.lists(event, max_size=2),
        }
    )


def _plan(fields: dict[str, Any], message: Any) -> Any:
    message.display_name = fields["display_name"]
    getattr(message.rules, "global").CopyFrom(fields["global"])
    message.rules.identify.CopyFrom(fields["identify"])
    for event in fields["events"]:
        added = message.rules.events.add(name=event["name"], description=event["description"])
        added.rules.CopyFrom(event["rules"])
    return message


def storable_requests(
    plan: str, webhooks: str, source: str
) -> st.SearchStrategy[tuple[str, Message]]:
    """Well-formed Create/Update calls of workspace acme carrying hostile values, so that many
    of them succeed and what they store can be read back; `plan`, `webhooks` (a webhooks
    destination) and `source` name existing resources to update."""
    classes = {m.name: GetMessageClass(m.input_type) for m in contract.methods()}

    def create_plan(fields: dict[str, Any]) -> tuple[str, Message]:
        request = classes["CreateTrackingPlan"](parent="workspaces/acme")
        _plan(fields, request.tracking_plan)
        return "CreateTrackingPlan", request

    def update_plan(fields: dict[str, Any], paths: list[str]) -> tuple[str, Message]:
        request = classes["UpdateTrackingPlan"]()
        _plan(fields, request.tracking_plan).name = plan
        request.update_mask.paths.extend(f"tracking_plan.{p}" for p in paths)
        return "UpdateTrackingPlan", request

    def create_source(slug: str, name: str, labels: dict[str, str]) -> tuple[str, Message]:
        request = classes["CreateSource"](parent="workspaces/acme")
        request.source.name = f"workspaces/acme/sources/{slug}"
        request.source.catalog_name = "catalog/sources/javascript"
        request.source.display_name = name
        request.source.labels.update(labels)
        return "CreateSource", request

    def update_source(name: str, labels: dict[str, str]) -> tuple[str, Message]:
        request = classes["UpdateSource"]()
        request.source.name, request.source.display_name = source, name
        request.source.labels.update(labels)
        request.update_mask.paths.extend(["source.display_name", "source.labels"])
        return "UpdateSource", request

    def update_hooks(value: Any) -> tuple[str, Message]:
        request = classes["UpdateDestination"]()
        request.destination.name = webhooks
        entry = request.destination.config.add(name=f"{webhooks}/config/hooks")
        entry.value.CopyFrom(_json_value(value))
        request.update_mask.paths.append("destination.config")
        return "UpdateDestination", request

    texts = st.one_of(st.just("n"), _around(256).map(lambda n: "n" * n))
    labels = st.one_of(st.just({"team": "data"}), near_limit_labels())
    paths = st.lists(st.sampled_from(STORABLE_PLAN_PATHS), min_size=1, max_size=3, unique=True)
    return st.one_of(
        st.builds(create_plan, _plan_fields()),
        st.builds(update_plan, _plan_fields(), paths),
        st.builds(create_source, SLUGS, texts, labels),
        st.builds(update_source, texts, labels),
        st.builds(update_hooks, st.one_of(json_values(), hostile_json_values())),
    )
