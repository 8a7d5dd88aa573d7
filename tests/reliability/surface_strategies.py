"""Well-formed writes of the filter, schema-config and connection surface (SPEC §6.7-§6.9)
carrying values at and past their limits, so that many succeed and what they store is read back
(README "Guarantees", issue 12's property extended to issue 15's methods)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from hypothesis import strategies as st
from segment.config.v1beta import destination_filters_pb2, sources_pb2, tracking_plans_pb2

from configapi.aip.limits import TEXT_LIMITS
from configapi.fql.grammar import MAX_DEPTH, MAX_STATEMENT_LENGTH
from tests.reliability.fql_strategies import PATHS, field_paths, fql_statements

FILTER_PATHS = ("title", "description", "if", "actions", "enabled")
ALLOW_FIELDS = tuple(
    f.name for f in sources_pb2.SchemaConfig.DESCRIPTOR.fields if f.name.startswith("allow_")
)
ACTION_FIELDS = (
    "common_track_event_on_violations",
    "common_identify_event_on_violations",
    "common_group_event_on_violations",
)


@dataclass(frozen=True)
class Targets:
    """Existing resources the writes go to."""

    destination: str  # filters are created under it
    filter: str  # an existing filter to update
    source: str  # its schema config is updated, and it is connected to `plan`
    other_source: str  # a second source of the same workspace
    plan: str


def _around(limit: int) -> st.SearchStrategy[int]:
    return st.sampled_from((limit - 1, limit, limit + 1))


def _mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` three times in four: a document has five fields, and each odd value may refuse
    it, so most documents must be storable for the served-back property to see many."""
    return st.one_of(usual, usual, usual, odd)


def _long_valid_statement(length: int) -> str:
    core = "(" * MAX_DEPTH + "type = 'track'" + ")" * MAX_DEPTH + " or b = '"
    return core + "x" * (length - len(core) - 1) + "'"


def _statements() -> st.SearchStrategy[str]:
    longest = st.sampled_from((MAX_STATEMENT_LENGTH, MAX_STATEMENT_LENGTH + 1))
    return _mostly(fql_statements(), longest.map(_long_valid_statement))


def _actions() -> st.SearchStrategy[list[dict[str, Any]]]:
    names = _mostly(
        st.lists(st.sampled_from(("order", "age", "é", "a b")), max_size=3),
        st.integers(1000, 11_000).map(lambda n: [f"{i:0>100}" for i in range(n)]),  # ~1 MiB
    )
    selection = st.fixed_dictionaries({}, optional={"properties": names, "traits": names})
    listing = st.builds(
        _listing, st.sampled_from(("whitelist_fields", "blacklist_fields")), selection
    )
    sample = st.builds(
        lambda percent, path: {"type": "sample_event", "percent": percent, "path": path},
        _mostly(st.sampled_from((0.0, 0.25, 1.0)), st.sampled_from((1.5, -0.1))),
        _mostly(st.sampled_from(PATHS), field_paths()),
    )
    return st.lists(st.one_of(st.just({"type": "drop_event"}), sample, listing), max_size=3)


def _listing(kind: str, selection: dict[str, list[str]]) -> dict[str, Any]:
    return {"type": kind, "fields": {key: {"fields": names} for key, names in selection.items()}}


def _filter_document() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "title": _mostly(st.just("t"), _around(TEXT_LIMITS["title"]).map(lambda n: "t" * n)),
            "description": _mostly(
                st.just("d"), _around(TEXT_LIMITS["description"]).map(lambda n: "d" * n)
            ),
            "if": _statements(),
            "actions": _actions(),
            "enabled": st.booleans(),
        }
    )


def _filter(document: dict[str, Any]) -> destination_filters_pb2.DestinationFilter:
    return json_format.ParseDict(document, destination_filters_pb2.DestinationFilter())


def _schema_config(targets: Targets, values: dict[str, Any]) -> sources_pb2.SchemaConfig:
    config = sources_pb2.SchemaConfig(name=f"{targets.source}/schema-config")
    for field, value in values.items():
        setattr(config, field, value)
    return config


def _schema_values() -> st.SearchStrategy[dict[str, Any]]:
    slugs = st.sampled_from(("", "surface", "surface2", "nope", "SURFACE", "x" * 100))
    fields: dict[str, st.SearchStrategy[Any]] = {f: st.booleans() for f in ALLOW_FIELDS}
    fields |= {f: st.integers(0, 4) for f in ACTION_FIELDS}
    fields |= {"forwarding_blocked_events_to": slugs, "forwarding_violations_to": slugs}
    return st.fixed_dictionaries({}, optional=fields)


def surface_requests(targets: Targets) -> st.SearchStrategy[tuple[str, Message]]:
    """(method, request) writes of filters, the schema config and source connections."""
    filters = destination_filters_pb2

    def create_filter(document: dict[str, Any]) -> tuple[str, Message]:
        request = filters.CreateDestinationFilterRequest(parent=targets.destination)
        request.filter.CopyFrom(_filter(document))
        return "CreateDestinationFilter", request

    def update_filter(document: dict[str, Any], paths: list[str]) -> tuple[str, Message]:
        request = filters.UpdateDestinationFilterRequest(filter=_filter(document))
        request.filter.name = targets.filter
        request.update_mask.paths.extend(paths)
        return "UpdateDestinationFilter", request

    def update_schema(values: dict[str, Any]) -> tuple[str, Message]:
        request = sources_pb2.UpdateSchemaConfigRequest()
        request.schema_config.CopyFrom(_schema_config(targets, values))
        request.update_mask.paths.extend(f"schema_config.{field}" for field in values)
        return "UpdateSchemaConfig", request

    def connect_one(source: str) -> tuple[str, Message]:
        one = tracking_plans_pb2.CreateSourceConnectionRequest(source_name=source)
        one.parent = targets.plan
        return "CreateSourceConnection", one

    def connect_many(sources: list[str]) -> tuple[str, Message]:
        batch = tracking_plans_pb2.BatchCreateSourceConnectionsRequest(parent=targets.plan)
        batch.source_names.extend(sources)
        return "BatchCreateSourceConnections", batch

    paths = st.lists(st.sampled_from(FILTER_PATHS), min_size=1, max_size=3, unique=True)
    prefixed = paths.map(lambda ps: [f"filter.{p}" for p in ps])
    both = (targets.source, targets.other_source)
    connects = st.one_of(
        st.sampled_from(both).map(connect_one),
        _mostly(st.permutations(both), st.just([*both, both[0]])).map(connect_many),
    )
    creates = st.builds(create_filter, _filter_document())
    return st.one_of(
        creates,
        creates,  # twice: the one write whose every success adds a resource to serve back
        st.builds(update_filter, _filter_document(), st.one_of(paths, prefixed)),
        st.builds(update_schema, _schema_values()),
        connects,
    )
