"""Hostile input over REST and gRPC: each request gets a clear 4xx with its canonical code, the
server keeps serving, and nothing is written (README "Guarantees").

Requests are sent byte for byte (raw HTTP/1.1 on a socket, raw message bytes over gRPC), so no
client library tidies them up first. After each one the database's fingerprint must be unchanged
and a well-formed call must still succeed on both transports.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import grpc
import pytest
import pytest_asyncio
from google.rpc import error_details_pb2
from segment.config.v1beta import (
    access_tokens_pb2,
    destination_filters_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
)

from tests.integration.api import unpack
from tests.reliability.hostile import (
    GrpcFailure,
    Target,
    exchange,
    grpc_call,
    open_target,
    raw_http,
    rest_error,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

SOURCES = "/v1beta/workspaces/acme/sources"
PLANS = "/v1beta/workspaces/acme/tracking-plans"
DESTINATIONS = "/v1beta/workspaces/acme/sources/web/destinations"
HEAP = DESTINATIONS + "/heap"
FILTERS = HEAP + "/filters"
PREVIEW = "/v1beta/filters/preview"
BATCH = PLANS + "/rs_1N9oTnc5O8cv1peY65iXsSPnzGP/source-connections:batchCreateConnections"
SCHEMA = SOURCES + "/web/schema-config"
INVALID, UNAUTHENTICATED, NOT_FOUND = 3, 16, 5
S = "/segment.config.v1beta.SourceService/"
D = "/segment.config.v1beta.DestinationService/"
T = "/segment.config.v1beta.TrackingPlanService/"
W = "/segment.config.v1beta.WorkspaceService/"
F = "/segment.config.v1beta.DestinationFilterService/"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def target(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Target]:
    async for running in open_target(tmp_path_factory.mktemp("hostile") / "config.db"):
        yield running


# big payloads are built when their test runs, not when the module is collected
Payload = bytes | Callable[[], bytes]


def built(payload: Payload) -> bytes:
    return payload() if callable(payload) else payload


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _source(**fields: object) -> bytes:
    source = {"name": "workspaces/acme/sources/x", "catalog_name": "catalog/sources/javascript"}
    return _json({"source": {**source, **fields}})


def _filter(**fields: object) -> bytes:
    return _json({"filter": {"title": "t", "if": "all", **fields}})


def _preview(statement: str = "all", event: object = "{}", **fields: object) -> bytes:
    return _json({"filter": {"if": statement, "enabled": True, **fields}, "input": event})


def _schema(**fields: object) -> bytes:
    mask = {"paths": [f"schema_config.{name}" for name in fields]}
    return _json({"schema_config": fields, "update_mask": mask})


def _nested(depth: int, open_: bytes, close: bytes, inner: bytes = b"1") -> bytes:
    return open_ * depth + inner + close * depth


@dataclass(frozen=True)
class RestCase:
    """One hostile HTTP request and the canonical code it must get (HTTP status from SPEC §2)."""

    id: str
    method: str
    path: str | bytes
    body: Payload = b""
    headers: dict[str, bytes] = field(default_factory=dict)
    code: int = INVALID


_HTTP_FOR = {INVALID: 400, UNAUTHENTICATED: 401, NOT_FOUND: 404}

REST_CASES = [
    # the body as a whole
    RestCase("invalid-utf8-body", "POST", SOURCES, b'{"source": {"display_name": "\xff\xfe"}}'),
    RestCase("invalid-utf8-in-key", "POST", SOURCES, b'{"sou\xc3\x28rce": {}}'),
    RestCase("truncated-json", "POST", SOURCES, b'{"source": {"name": "workspaces/ac'),
    RestCase("nested-arrays-100k", "POST", SOURCES, lambda: _nested(100_000, b"[", b"]")),
    RestCase("nested-objects-100k", "POST", SOURCES, lambda: _nested(100_000, b'{"a":', b"}")),
    RestCase(
        "nested-struct-500-in-rules",
        "POST",
        PLANS,
        b'{"tracking_plan": {"display_name": "p", "rules": {"global": '
        + _nested(500, b'{"a":', b"}", b"{}")
        + b"}}}",
    ),
    RestCase(
        "body-over-limit", "POST", SOURCES, lambda: _source(display_name="x" * (4 * 1024 * 1024))
    ),
    RestCase("nan-literal", "POST", SOURCES, b'{"source": {"labels": NaN}}'),
    # wrong JSON types
    RestCase("body-is-array", "POST", SOURCES, b"[]"),
    RestCase("body-is-string", "POST", SOURCES, b'"source"'),
    RestCase("body-is-null", "POST", SOURCES, b"null"),
    RestCase("resource-is-string", "POST", SOURCES, _json({"source": "x"})),
    RestCase("string-field-is-number", "POST", SOURCES, _source(display_name=5)),
    RestCase("map-is-list", "POST", SOURCES, _source(labels=["a"])),
    RestCase("map-value-is-object", "POST", SOURCES, _source(labels={"a": {}})),
    RestCase("bool-is-string", "POST", SOURCES, _source(library_config={"retry_queue": "yes"})),
    RestCase(
        "mask-is-number",
        "PATCH",
        SOURCES + "/web",
        _json({"source": {"display_name": "x"}, "update_mask": 5}),
    ),
    RestCase(
        "mask-paths-hold-numbers",
        "PATCH",
        SOURCES + "/web",
        _json({"source": {}, "update_mask": {"paths": [1, 2]}}),
    ),
    RestCase("timestamp-garbage", "POST", SOURCES, _source(create_time="yesterday at noon")),
    # names: NUL bytes, `..`, huge strings
    RestCase("nul-in-path", "GET", SOURCES + "/a%00b"),
    RestCase("nul-in-body-name", "POST", SOURCES, _source(name="workspaces/acme/sources/a\x00b")),
    RestCase("dotdot-segment", "GET", SOURCES + "/.."),
    RestCase("dotdot-escaped", "GET", SOURCES + "/%2e%2e"),
    RestCase("dotdot-in-body-name", "POST", SOURCES, _source(name="workspaces/acme/sources/..")),
    RestCase(
        "traversal-in-body-name", "POST", SOURCES, _source(name="workspaces/acme/../globex/x")
    ),
    RestCase(
        "dotdot-destination",
        "POST",
        DESTINATIONS,
        _json({"destination": {"name": "workspaces/acme/sources/web/destinations/.."}}),
    ),
    RestCase(
        "huge-name-in-body",
        "POST",
        SOURCES,
        _source(name="workspaces/acme/sources/" + "a" * 1_000_000),
    ),
    RestCase("huge-catalog-name", "POST", SOURCES, _source(catalog_name="c" * 1_000_000)),
    RestCase("long-path-60k", "GET", SOURCES + "/" + "a" * 60_000),
    # percent escapes
    RestCase("escape-not-hex", "GET", SOURCES + "/%zz"),
    RestCase("escape-cut-short", "GET", SOURCES + "/web%"),
    RestCase("escape-invalid-utf8", "GET", SOURCES + "/%e2%82"),
    RestCase("escape-in-query", "GET", SOURCES + "?page_token=%g0"),
    # page sizes and tokens
    RestCase("page-size-over-int32", "GET", SOURCES + "?page_size=99999999999"),
    RestCase("page-size-negative", "GET", SOURCES + "?page_size=-1"),
    RestCase("page-size-text", "GET", SOURCES + "?page_size=ten"),
    RestCase("page-size-fraction", "GET", SOURCES + "?page_size=1.5"),
    RestCase("page-token-garbage", "GET", SOURCES + "?page_token=garbage!!"),
    RestCase("page-token-not-base64", "GET", SOURCES + "?page_token=%E2%98%83"),
    RestCase(
        "page-token-json-inside",
        "GET",
        SOURCES + "?page_token=" + base64.urlsafe_b64encode(b"\0" * 16 + b'{"p": 1}').decode(),
    ),
    RestCase("page-token-huge", "GET", SOURCES + "?page_token=" + "A" * 60_000),
    # Authorization
    RestCase("auth-empty", "GET", SOURCES, headers={"authorization": b""}, code=UNAUTHENTICATED),
    RestCase(
        "auth-basic", "GET", SOURCES, headers={"authorization": b"Basic YTpi"}, code=UNAUTHENTICATED
    ),
    RestCase(
        "auth-bearer-alone",
        "GET",
        SOURCES,
        headers={"authorization": b"Bearer"},
        code=UNAUTHENTICATED,
    ),
    RestCase(
        "auth-two-words",
        "GET",
        SOURCES,
        headers={"authorization": b"Bearer a b"},
        code=UNAUTHENTICATED,
    ),
    RestCase(
        "auth-not-ascii",
        "GET",
        SOURCES,
        headers={"authorization": b"Bearer \xff\xfe"},
        code=UNAUTHENTICATED,
    ),
    RestCase(
        "auth-huge",
        "GET",
        SOURCES,
        headers={"authorization": b"Bearer " + b"x" * 60_000},
        code=UNAUTHENTICATED,
    ),
    RestCase(
        "auth-on-write",
        "POST",
        SOURCES,
        _source(),
        headers={"authorization": b"Bearer nope"},
        code=UNAUTHENTICATED,
    ),
    # enums
    RestCase(
        "enum-unknown-name",
        "PATCH",
        HEAP,
        _json(
            {
                "destination": {"connection_mode": "SATELLITE"},
                "update_mask": "destination.connection_mode",
            }
        ),
    ),
    RestCase(
        "enum-unknown-number",
        "PATCH",
        HEAP,
        _json(
            {"destination": {"connection_mode": 99}, "update_mask": "destination.connection_mode"}
        ),
    ),
    RestCase(
        "enum-unknown-number-on-create",
        "POST",
        "/v1beta/workspaces/acme/sources/web/destinations",
        _json(
            {
                "destination": {
                    "name": "workspaces/acme/sources/web/destinations/hotjar",
                    "connection_mode": 7,
                }
            }
        ),
    ),
    RestCase(
        "enum-is-bool",
        "PATCH",
        HEAP,
        _json(
            {"destination": {"connection_mode": True}, "update_mask": "destination.connection_mode"}
        ),
    ),
    RestCase(
        "enum-is-fraction",
        "PATCH",
        HEAP,
        _json(
            {"destination": {"connection_mode": 1.5}, "update_mask": "destination.connection_mode"}
        ),
    ),
    # destination filters, preview, schema config, connections (SPEC §6.7-§6.9)
    RestCase("filter-if-is-number", "POST", FILTERS, _filter(**{"if": 5})),
    RestCase("filter-if-10000-parens", "POST", FILTERS, _filter(**{"if": "(" * 10_000})),
    RestCase("filter-if-1mb", "POST", FILTERS, lambda: _filter(**{"if": "a = 1 or " * 111_000})),
    RestCase("filter-if-1e400", "POST", FILTERS, _filter(**{"if": "a = 1e400"})),
    RestCase("filter-if-lone-surrogate", "POST", FILTERS, b'{"filter": {"if": "\\ud800"}}'),
    RestCase("filter-actions-is-object", "POST", FILTERS, _filter(actions={"type": "drop_event"})),
    RestCase(
        "filter-percent-1e400",
        "POST",
        FILTERS,
        b'{"filter": {"title": "t", "if": "all", "actions": [{"type": "sample_event",'
        b' "percent": 1e400}]}}',
    ),
    RestCase(
        "filter-percent-nan",
        "POST",
        FILTERS,
        _filter(actions=[{"type": "sample_event", "percent": "NaN"}]),
    ),
    RestCase(
        "filter-fields-hold-numbers",
        "POST",
        FILTERS,
        _filter(actions=[{"type": "whitelist_fields", "fields": {"traits": {"fields": [1]}}}]),
    ),
    RestCase(
        "filter-path-100k-dots",
        "POST",
        FILTERS,
        _filter(actions=[{"type": "sample_event", "percent": 0.5, "path": "." * 100_000}]),
    ),
    RestCase("filter-title-over-limit", "POST", FILTERS, _filter(title="t" * 257)),
    RestCase("preview-input-is-object", "POST", PREVIEW, _preview(event={"a": 1})),
    RestCase("preview-input-nested-100k", "POST", PREVIEW, _preview(event="[" * 100_000)),
    RestCase("preview-input-nan", "POST", PREVIEW, _preview(event='{"a": NaN}')),
    RestCase("preview-input-1e400", "POST", PREVIEW, _preview(event='{"a": 1e400}')),
    RestCase("preview-input-over-32kb", "POST", PREVIEW, _preview(event="x" * 40_000)),
    RestCase(
        "preview-over-step-budget",
        "POST",
        PREVIEW,
        lambda: _preview(
            " and ".join(["properties.a = properties.a"] * 500),
            json.dumps({"properties": {"a": [0] * 7000}}),
        ),
    ),
    RestCase("batch-names-is-string", "POST", BATCH, _json({"source_names": "web"})),
    RestCase(
        "batch-5000-duplicates",
        "POST",
        BATCH,
        _json({"source_names": ["workspaces/acme/sources/web"] * 5000}),
    ),
    RestCase(
        "batch-60000",
        "POST",
        BATCH,
        lambda: _json({"source_names": [f"workspaces/acme/sources/s{i}" for i in range(60_000)]}),
    ),
    RestCase("schema-enum-huge", "PATCH", SCHEMA, _schema(common_track_event_on_violations=2**40)),
    RestCase("schema-forwarding-number", "PATCH", SCHEMA, _schema(forwarding_violations_to=5)),
    RestCase("schema-allow-is-string", "PATCH", SCHEMA, _schema(allow_unplanned_track_events="y")),
    RestCase(
        "schema-forwarding-2mb",
        "PATCH",
        SCHEMA,
        lambda: _schema(forwarding_violations_to="x" * 2_000_000),
    ),
    # routing
    RestCase("unknown-route", "GET", "/v1beta/nothing/here", code=NOT_FOUND),
    RestCase("wrong-method", "DELETE", "/v1beta/workspaces/acme", code=NOT_FOUND),
]


@pytest.mark.parametrize("case", REST_CASES, ids=lambda case: case.id)
async def test_hostile_rest_request_gets_a_canonical_4xx_and_changes_nothing(
    target: Target, case: RestCase
) -> None:
    before = target.written()
    status, headers, body = await raw_http(
        target.http_port, case.method, case.path, target, built(case.body), case.headers
    )
    error = rest_error(status, headers, body)
    assert (status, error["code"]) == (_HTTP_FOR[case.code], case.code), error
    assert target.written() == before
    await target.assert_serving()


# Requests that are not valid HTTP/1.1 never reach the API: the HTTP server's parser refuses them
# with its own plain-text 400, before any route or JSON exists.
_GET = b"GET " + SOURCES.encode()
_POST = b"POST " + SOURCES.encode()
PROTOCOL_CASES = {
    "request-line-over-64k": _GET + b"/" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    "nul-in-header": _GET + b" HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer a\x00b\r\n\r\n",
    "negative-content-length": _POST + b" HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
    "bad-chunk-size": _POST
    + b" HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
    "not-http": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS hello
}


@pytest.mark.parametrize("request_bytes", PROTOCOL_CASES.values(), ids=PROTOCOL_CASES.keys())
async def test_malformed_http_is_refused_by_the_http_server(
    target: Target, request_bytes: bytes
) -> None:
    before = target.written()
    status, _, _ = await exchange(target.http_port, request_bytes)
    assert status == 400
    assert target.written() == before
    await target.assert_serving()


async def test_oversized_page_size_is_coerced_not_refused(target: Target) -> None:
    """SPEC §4: above 100 is coerced to 100 (not an error), on both transports."""
    status, _, body = await raw_http(
        target.http_port, "GET", SOURCES + "?page_size=2147483647", target
    )
    assert status == 200, body
    request = sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_size=2**31 - 1)
    response = await grpc_call(
        target, "/segment.config.v1beta.SourceService/ListSources", request.SerializeToString()
    )
    assert len(sources_pb2.ListSourcesResponse.FromString(response).sources) <= 100


async def test_truncated_and_transplanted_page_tokens_are_refused(target: Target) -> None:
    """A real token cut short, altered, or reused for another parent is 400 on both transports."""
    for slug in ("p1", "p2", "p3"):
        await raw_http(
            target.http_port,
            "POST",
            SOURCES,
            target,
            _source(name=f"workspaces/acme/sources/{slug}"),
        )
    status, _, body = await raw_http(target.http_port, "GET", SOURCES + "?page_size=1", target)
    token = json.loads(body)["next_page_token"]
    assert status == 200 and token
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    sources = sources_pb2.ListSourcesRequest(parent="workspaces/acme")
    destinations = destinations_pb2.ListDestinationsRequest(parent="workspaces/acme/sources/web")
    before = target.written()
    for bad, path, request, method in [
        (token[: len(token) // 2], SOURCES, sources, S + "ListSources"),
        (token[:-1], SOURCES, sources, S + "ListSources"),
        (flipped, SOURCES, sources, S + "ListSources"),
        (token, DESTINATIONS, destinations, D + "ListDestinations"),  # issued for another request
    ]:
        status, headers, body = await raw_http(
            target.http_port, "GET", f"{path}?page_token={bad}", target
        )
        assert (status, rest_error(status, headers, body)["code"]) == (400, INVALID)
        request.page_token = bad
        with pytest.raises(GrpcFailure) as caught:
            await grpc_call(target, method, request.SerializeToString())
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
        caught.value.error_info()
    assert target.written() == before


# ---- gRPC --------------------------------------------------------------------------------------

_GET_ACME = b"\x0a\x0fworkspaces/acme"  # GetWorkspaceRequest{name: "workspaces/acme"}


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _deep_struct_rules(depth: int) -> bytes:
    """CreateTrackingPlanRequest bytes whose `rules.global` Struct nests `depth` levels, built by
    hand (protobuf refuses to serialize past its recursion limit). Each level is a Value holding
    a Struct with one field "a"; lengths are computed inside out, bytes written outside in."""
    prefixes = []
    inner = 0  # length of the Value nested in this level (the innermost is empty)
    for _ in range(depth):
        entry = b"\x0a\x01a\x12" + _varint(inner)  # MapEntry{key: "a", value: <inner>}
        entry_length = len(entry) + inner
        struct = b"\x0a" + _varint(entry_length)  # Struct{fields: <entry>}
        struct_length = len(struct) + entry_length
        value = b"\x2a" + _varint(struct_length)  # Value{struct_value: <struct>}
        prefixes.append(value + struct + entry)
        inner = len(value) + struct_length
    value = b"".join(reversed(prefixes))
    struct_bytes = _strip_tag(value)  # rules.global is the outermost Value's Struct
    rules_field = _field_number(tracking_plans_pb2.TrackingPlanRules, "global")
    rules = _tag(rules_field, 2) + _varint(len(struct_bytes)) + struct_bytes
    plan = b"\x12\x04deep"  # display_name
    plan_field = _field_number(tracking_plans_pb2.TrackingPlan, "rules")
    plan += _tag(plan_field, 2) + _varint(len(rules)) + rules
    request = tracking_plans_pb2.CreateTrackingPlanRequest(parent="workspaces/acme")
    outer_field = _field_number(tracking_plans_pb2.CreateTrackingPlanRequest, "tracking_plan")
    return request.SerializeToString() + _tag(outer_field, 2) + _varint(len(plan)) + plan


def _strip_tag(value: bytes) -> bytes:
    """The payload of one length-delimited field (its tag byte and length removed)."""
    index = 1
    while value[index] & 0x80:
        index += 1
    return value[index + 1 :]


def _tag(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _field_number(message: type, name: str) -> int:
    return int(message.DESCRIPTOR.fields_by_name[name].number)  # type: ignore[attr-defined]


def _destination_update(mode: int) -> bytes:
    request = destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(
            name="workspaces/acme/sources/web/destinations/heap",
            connection_mode=mode,  # type: ignore[arg-type]
        )
    )
    request.update_mask.paths.append("destination.connection_mode")
    return request.SerializeToString()


def _destination_create(mode: int) -> bytes:
    return destinations_pb2.CreateDestinationRequest(
        parent="workspaces/acme/sources/web",
        destination=destinations_pb2.Destination(
            name="workspaces/acme/sources/web/destinations/hotjar",
            connection_mode=mode,  # type: ignore[arg-type]
        ),
    ).SerializeToString()


def _get_source(name: str) -> bytes:
    return sources_pb2.GetSourceRequest(name=name).SerializeToString()


def _create_source(name: str, **fields: str) -> bytes:
    return sources_pb2.CreateSourceRequest(
        parent="workspaces/acme",
        source=sources_pb2.Source(name=name, catalog_name="catalog/sources/javascript", **fields),
    ).SerializeToString()


def _preview_bytes(event: bytes, statement: str = "all") -> bytes:
    """PreviewDestinationFilterRequest bytes with `event` as the raw bytes of `input`."""
    request = destination_filters_pb2.PreviewDestinationFilterRequest()
    setattr(request.filter, "if", statement)  # `if` is a Python keyword
    request.filter.enabled = True
    field = _field_number(destination_filters_pb2.PreviewDestinationFilterRequest, "input")
    return request.SerializeToString() + _tag(field, 2) + _varint(len(event)) + event


def _filter_create(**fields: object) -> bytes:
    created = destination_filters_pb2.DestinationFilter(title="t")
    setattr(created, "if", fields.pop("statement", "all"))
    for action in fields.pop("actions", []):
        created.actions.add(**action)  # type: ignore[arg-type]
    return destination_filters_pb2.CreateDestinationFilterRequest(
        parent=HEAP.removeprefix("/v1beta/"), filter=created
    ).SerializeToString()


def _batch(names: list[str]) -> bytes:
    return tracking_plans_pb2.BatchCreateSourceConnectionsRequest(
        parent=BATCH.removeprefix("/v1beta/").split("/source-connections")[0], source_names=names
    ).SerializeToString()


@dataclass(frozen=True)
class GrpcCase:
    id: str
    method: str
    payload: Payload
    code: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT
    authorization: object = None  # None: the target's token
    # transport-level refusals come from grpc itself, without our google.rpc.Status
    ours: bool = True


GRPC_CASES = [
    # destination filters, preview, connections (SPEC §6.8, §6.9)
    GrpcCase("preview-input-invalid-utf8", F + "PreviewDestinationFilter", _preview_bytes(b"\xff")),
    GrpcCase("preview-input-nan", F + "PreviewDestinationFilter", _preview_bytes(b'{"a": NaN}')),
    GrpcCase(
        "preview-input-nested-100k", F + "PreviewDestinationFilter", _preview_bytes(b"[" * 100_000)
    ),
    GrpcCase(
        "preview-input-309-digits",
        F + "PreviewDestinationFilter",
        _preview_bytes(b'{"a": ' + b"9" * 309 + b"}"),
    ),
    GrpcCase(
        "preview-over-step-budget",
        F + "PreviewDestinationFilter",
        lambda: _preview_bytes(
            json.dumps({"properties": {"a": [0] * 7000}}).encode(),
            " and ".join(["properties.a = properties.a"] * 500),
        ),
    ),
    GrpcCase(
        "filter-percent-nan",
        F + "CreateDestinationFilter",
        _filter_create(actions=[{"type": "sample_event", "percent": float("nan")}]),
    ),
    GrpcCase(
        "filter-percent-infinity",
        F + "CreateDestinationFilter",
        _filter_create(actions=[{"type": "sample_event", "percent": float("inf")}]),
    ),
    GrpcCase(
        "filter-if-nested-10000",
        F + "CreateDestinationFilter",
        _filter_create(statement="(" * 10_000 + "a" + ")" * 10_000),
    ),
    GrpcCase(
        "batch-60000",
        T + "BatchCreateSourceConnections",
        lambda: _batch([f"workspaces/acme/sources/s{i}" for i in range(60_000)]),
    ),
    GrpcCase("garbage-bytes", W + "GetWorkspace", b"\xff\xff\xff\xff\xff"),
    GrpcCase("truncated-message", W + "GetWorkspace", _GET_ACME[:-3]),
    GrpcCase("length-past-the-end", W + "GetWorkspace", b"\x0a\xff\xff\x03abc"),
    GrpcCase("invalid-utf8-string", S + "GetSource", b"\x0a\x04\xff\xfe\xfd\xfc"),
    GrpcCase("wrong-wire-type", W + "GetWorkspace", b"\x08\x01"),
    GrpcCase("struct-nested-200", T + "CreateTrackingPlan", lambda: _deep_struct_rules(200)),
    GrpcCase("struct-nested-100k", T + "CreateTrackingPlan", lambda: _deep_struct_rules(100_000)),
    GrpcCase("nul-in-name", S + "GetSource", _get_source("workspaces/acme/sources/a\x00b")),
    GrpcCase("dotdot-name", S + "GetSource", _get_source("workspaces/acme/sources/..")),
    GrpcCase("traversal-name", S + "GetSource", _get_source("workspaces/acme/../globex/sources/x")),
    GrpcCase(
        "huge-name-1mb", S + "GetSource", _get_source("workspaces/acme/sources/" + "a" * 1_000_000)
    ),
    GrpcCase(
        "nul-in-created-name", S + "CreateSource", _create_source("workspaces/acme/sources/\x00")
    ),
    GrpcCase(
        "thousands-of-bad-fields",
        "/segment.config.v1beta.AccessTokenService/CreateAccessToken",
        access_tokens_pb2.CreateAccessTokenRequest(
            access_token=access_tokens_pb2.AccessToken(
                description="d", scopes="workspace", workspace_names=["bad name"] * 5_000
            )
        ).SerializeToString(),
    ),
    GrpcCase(
        "thousands-of-bad-mask-paths",
        S + "UpdateSource",
        sources_pb2.UpdateSourceRequest(
            source=sources_pb2.Source(name="workspaces/acme/sources/web"),
            update_mask={"paths": [f"no_such_field_{i}" for i in range(5_000)]},
        ).SerializeToString(),
    ),
    GrpcCase(
        "message-over-4mb",
        S + "CreateSource",
        lambda: _create_source("workspaces/acme/sources/big", display_name="x" * 5_000_000),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        ours=False,
    ),
    GrpcCase(
        "negative-page-size",
        S + "ListSources",
        sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_size=-1).SerializeToString(),
    ),
    GrpcCase(
        "garbage-page-token",
        S + "ListSources",
        sources_pb2.ListSourcesRequest(
            parent="workspaces/acme", page_token="garbage"
        ).SerializeToString(),
    ),
    GrpcCase(
        "nul-page-token",
        S + "ListSources",
        sources_pb2.ListSourcesRequest(
            parent="workspaces/acme", page_token="\x00" * 64
        ).SerializeToString(),
    ),
    GrpcCase("unknown-enum-on-update", D + "UpdateDestination", _destination_update(99)),
    GrpcCase("negative-enum-on-update", D + "UpdateDestination", _destination_update(-1)),
    GrpcCase("unknown-enum-on-create", D + "CreateDestination", _destination_create(7)),
    GrpcCase(
        "no-authorization", W + "GetWorkspace", _GET_ACME, grpc.StatusCode.UNAUTHENTICATED, ""
    ),
    GrpcCase(
        "basic-authorization",
        W + "GetWorkspace",
        _GET_ACME,
        grpc.StatusCode.UNAUTHENTICATED,
        "Basic YTpi",
    ),
    GrpcCase(
        "bearer-alone", W + "GetWorkspace", _GET_ACME, grpc.StatusCode.UNAUTHENTICATED, "Bearer"
    ),
    GrpcCase(
        "bearer-two-words",
        W + "GetWorkspace",
        _GET_ACME,
        grpc.StatusCode.UNAUTHENTICATED,
        "Bearer a b",
    ),
    # 7,000 and not 8,000: gRPC refuses metadata between its soft limit (8 KiB, all headers
    # together) and its hard limit (16 KiB) at random, so an 8 KB token was refused by the
    # transport (RESOURCE_EXHAUSTED) in about one run in five, before the API saw it
    GrpcCase(
        "bearer-7k",
        W + "GetWorkspace",
        _GET_ACME,
        grpc.StatusCode.UNAUTHENTICATED,
        "Bearer " + "x" * 7_000,
    ),
    GrpcCase(
        "bearer-over-metadata-limit",
        W + "GetWorkspace",
        _GET_ACME,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "Bearer " + "x" * 100_000,
        ours=False,
    ),
]


@pytest.mark.parametrize("case", GRPC_CASES, ids=lambda case: case.id)
async def test_hostile_grpc_request_gets_a_canonical_code_and_changes_nothing(
    target: Target, case: GrpcCase
) -> None:
    before = target.written()
    authorization = case.authorization
    if authorization == "":
        authorization = None
    elif authorization is None:
        authorization = f"Bearer {target.token}"
    with pytest.raises(GrpcFailure) as caught:
        await grpc_call(target, case.method, built(case.payload), authorization)
    assert caught.value.code == case.code, caught.value
    if case.ours:
        caught.value.error_info()  # one ErrorInfo of our domain: the error came from the API
    assert target.written() == before
    await target.assert_serving()


@pytest.mark.parametrize("depth", [33, 45, 200, 100_000])
async def test_a_grpc_struct_nested_too_deep_is_400_naming_its_field(
    target: Target, depth: int
) -> None:
    """SPEC §1: past 32 levels is 400 naming the field, also where protobuf itself refuses to
    parse the message (past ~45 levels), found by walking the wire format without recursion."""
    with pytest.raises(GrpcFailure) as caught:
        await grpc_call(target, T + "CreateTrackingPlan", _deep_struct_rules(depth))
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.status is not None
    bad_requests = [
        detail
        for detail in map(unpack, caught.value.status.details)
        if isinstance(detail, error_details_pb2.BadRequest)
    ]
    fields = [v.field for v in bad_requests[0].field_violations]
    assert fields == ["tracking_plan.rules.global"], caught.value
    assert "32 levels" in caught.value.message
