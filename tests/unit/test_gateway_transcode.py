"""Building request messages from path, body and query, over a synthetic proto that has every
field kind and body rule (our own contract only has string path variables and `body: "*"`)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, json_format
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.message import Message
from grpc_tools import protoc

from configapi.errors import ApiError
from configapi.gateway.routes import RouteError, RouteTable, build_route_table
from configapi.gateway.transcode import build_request

THINGS_PROTO = """
syntax = "proto3";
package gwtest;
import "google/api/annotations.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }
message Inner { string name = 1; int32 count = 2; }
message Thing {
  string name = 1; int32 page_size = 2; bool flag = 3; Color color = 4; repeated string tags = 5;
  map<string, string> labels = 6; Inner inner = 7; google.protobuf.Timestamp after = 8;
  google.protobuf.FieldMask mask = 9; int64 big = 10; double ratio = 11;
  google.protobuf.Struct filter = 12; google.protobuf.Int32Value limit = 13; bytes blob = 14;
  repeated Color colors = 15; google.protobuf.Duration wait = 16; google.protobuf.Value any = 17;
  map<int32, bool> flags = 18;
}
service Things {
  rpc GetThing(Thing) returns (Thing) { option (google.api.http) = {get: "/v1/{name=things/*}"}; }
  rpc ReplaceInner(Thing) returns (Thing) {
    option (google.api.http) = {put: "/v1/{name=things/*}/inner" body: "inner"};
  }
  rpc RunThing(Thing) returns (Thing) {
    option (google.api.http) = {
      post: "/v1/{inner.name=things/*}:run" body: "*"
      additional_bindings { post: "/v1/{inner.name=things/*}:start" body: "*" }
    };
  }
  rpc FindFiles(Thing) returns (Thing) { option (google.api.http) = {get: "/v1/{name=files/**}/meta"}; }
  rpc LinkThing(Thing) returns (Thing) {
    option (google.api.http) = {custom: {kind: "LINK" path: "/v1/{name=things/*}/color"} body: "color"};
  }
  rpc TagThing(Thing) returns (Thing) {
    option (google.api.http) = {post: "/v1/{name=things/*}/tags" body: "tags"};
  }
}
"""  # noqa: E501

CompileProto = Callable[[str], FileDescriptor]


@pytest.fixture(scope="module")
def compile_proto(tmp_path_factory: pytest.TempPathFactory) -> CompileProto:
    """`compile_proto(source)` → its FileDescriptor, in a fresh pool, via the real protoc."""
    include = [Path(protoc.__file__).parent / "_proto", Path(json_format.__file__).parents[2]]
    counter = itertools.count()

    def compile_source(source: str) -> FileDescriptor:
        folder = tmp_path_factory.mktemp("proto")
        name = f"gwtest{next(counter)}.proto"
        (folder / name).write_text(source)
        out = folder / "set.pb"
        args = ["protoc", f"-I{folder}", *(f"-I{p}" for p in include), "--include_imports"]
        assert protoc.main([*args, f"--descriptor_set_out={out}", name]) == 0
        pool = descriptor_pool.DescriptorPool()
        for file in descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file:
            pool.Add(file)
        return pool.FindFileByName(name)

    return compile_source


@pytest.fixture(scope="module")
def table(compile_proto: CompileProto) -> RouteTable:
    return build_route_table(compile_proto(THINGS_PROTO).services_by_name["Things"].methods)


def transcode(
    table: RouteTable, verb: str, path: str, body: bytes = b"", query: str = ""
) -> dict[str, Any]:
    route, bindings = table.lookup(verb, path)
    request = build_request(route, bindings, body, query.encode())
    return as_json(request)


def as_json(message: Message) -> dict[str, Any]:
    printed: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return printed


# ---- query parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        pytest.param("page_size=5", {"page_size": 5}, id="proto-name"),
        pytest.param("pageSize=5", {"page_size": 5}, id="json-name"),
        pytest.param("flag=true", {"flag": True}, id="bool"),
        pytest.param("flag=1", {"flag": True}, id="bool-as-go-parsebool"),
        pytest.param("flag=False", {}, id="bool-false"),
        pytest.param("color=RED", {"color": "RED"}, id="enum-by-name"),
        pytest.param("color=2", {"color": "GREEN"}, id="enum-by-number"),
        pytest.param("tags=a&tags=b", {"tags": ["a", "b"]}, id="repeated-keys"),
        pytest.param("colors=RED&colors=2", {"colors": ["RED", "GREEN"]}, id="repeated-enums"),
        pytest.param("labels[env]=prod", {"labels": {"env": "prod"}}, id="map-entry"),
        pytest.param("flags[3]=true", {"flags": {"3": True}}, id="map-with-int-keys"),
        pytest.param("inner.count=3", {"inner": {"count": 3}}, id="nested-dotted"),
        pytest.param(
            "after=2018-08-08T13:24:02Z", {"after": "2018-08-08T13:24:02Z"}, id="timestamp"
        ),
        pytest.param("wait=1.5s", {"wait": "1.500s"}, id="duration"),
        pytest.param("mask=inner.name,labels", {"mask": "inner.name,labels"}, id="field-mask"),
        pytest.param("big=9007199254740993", {"big": "9007199254740993"}, id="int64-exact"),
        pytest.param("ratio=0.25", {"ratio": 0.25}, id="double"),
        pytest.param("filter=%7B%22a%22%3A1%7D", {"filter": {"a": 1.0}}, id="struct-as-json"),
        pytest.param("limit=7", {"limit": 7}, id="wrapper"),
        pytest.param("blob=aGk", {"blob": "aGk="}, id="bytes-unpadded-base64"),
        pytest.param("any=5", {"any": 5.0}, id="value-json"),
        pytest.param("any=abc", {"any": "abc"}, id="value-plain-text"),
        pytest.param("bogus=1&inner.bogus=2&page_size.x=1", {}, id="unknown-ignored"),
        pytest.param("name=other", {}, id="path-bound-field-ignored"),
        pytest.param("page_size=", {}, id="blank-value-is-zero"),
    ],
)
def test_query_parameters_fill_the_remaining_fields(
    table: RouteTable, query: str, fields: dict[str, Any]
) -> None:
    request = transcode(table, "GET", "/v1/things/t1", query=query)
    assert request == {"name": "things/t1", **fields}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("page_size=abc", "page_size", id="not-a-number"),
        pytest.param("page_size=99999999999", "page_size", id="out-of-range"),
        pytest.param("page_size=1&page_size=2", "page_size", id="two-values-for-one-field"),
        pytest.param("flag=yes", "flag", id="not-a-bool"),
        pytest.param("color=PURPLE", "color", id="unknown-enum"),
        pytest.param("after=yesterday", "after", id="bad-timestamp"),
        pytest.param("filter=%7B", "filter", id="bad-json-struct"),
        pytest.param("labels=x", "labels", id="map-without-key"),
        pytest.param("inner=x", "inner", id="message-from-text"),
        pytest.param("blob=*", "blob", id="bad-base64"),
    ],
)
def test_bad_query_values_are_invalid_argument(table: RouteTable, query: str, field: str) -> None:
    with pytest.raises(ApiError) as raised:
        transcode(table, "GET", "/v1/things/t1", query=query)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in raised.value.violations] == [field]


@pytest.mark.parametrize("query", ["a=%zz", "name=%ff"], ids=["bad-escape", "bad-utf8"])
def test_malformed_query_strings_are_invalid_argument(table: RouteTable, query: str) -> None:
    with pytest.raises(ApiError) as raised:
        transcode(table, "GET", "/v1/things/t1", query=query)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT


# ---- body and path -----------------------------------------------------------------------------


def test_body_star_is_the_whole_request_and_the_path_wins(table: RouteTable) -> None:
    body = json.dumps({"inner": {"name": "from-body", "count": 2}, "flag": True}).encode()
    request = transcode(table, "POST", "/v1/things/t1:run", body, query="page_size=4")
    # the path variable overrides the body; with body "*" query parameters have nothing to fill
    assert request == {"inner": {"name": "things/t1", "count": 2}, "flag": True}


def test_additional_bindings_route_to_the_same_method(table: RouteTable) -> None:
    route, bindings = table.lookup("POST", "/v1/things/t1:start")
    assert (route.method.name, bindings) == ("RunThing", {"inner.name": "things/t1"})


def test_body_field_takes_the_body_and_query_fills_the_rest(table: RouteTable) -> None:
    body = b'{"name": "n", "count": 2}'
    query = "page_size=3&inner.count=9"  # inner.* is the body's: ignored in the query
    request = transcode(table, "PUT", "/v1/things/t1/inner", body, query)
    assert request == {"name": "things/t1", "inner": {"name": "n", "count": 2}, "page_size": 3}


@pytest.mark.parametrize(
    ("verb", "path", "body", "expected"),
    [
        pytest.param(
            "LINK",
            "/v1/things/t1/color",
            b'"RED"',
            {"name": "things/t1", "color": "RED"},
            id="scalar-body",
        ),
        pytest.param(
            "POST",
            "/v1/things/t1/tags",
            b'["a", "b"]',
            {"name": "things/t1", "tags": ["a", "b"]},
            id="list-body",
        ),
        pytest.param(
            "POST",
            "/v1/things/t1:run",
            b"",
            {"inner": {"name": "things/t1"}},
            id="empty-post-is-{}",
        ),
        pytest.param(
            "POST",
            "/v1/things/t1:run",
            b" \n",
            {"inner": {"name": "things/t1"}},
            id="blank-post-is-{}",
        ),
        pytest.param(
            "GET", "/v1/things/t1", b"not json at all", {"name": "things/t1"}, id="get-body-ignored"
        ),
    ],
)
def test_body_rules(
    table: RouteTable, verb: str, path: str, body: bytes, expected: dict[str, Any]
) -> None:
    assert transcode(table, verb, path, body) == expected


def test_deep_wildcard_routes_with_a_literal_tail(table: RouteTable) -> None:
    assert transcode(table, "GET", "/v1/files/a/b%2Fc/meta") == {"name": "files/a/b%2Fc"}


def test_a_bad_body_is_invalid_argument(table: RouteTable) -> None:
    with pytest.raises(ApiError) as raised:
        transcode(table, "POST", "/v1/things/t1:run", b'{"flag": "yes"}')
    assert [v.field for v in raised.value.violations] == ["flag"]


# ---- the route table refuses rules it cannot serve ---------------------------------------------


def rpc(rule: str) -> str:
    return f"rpc A(M) returns (M) {{ option (google.api.http) = {{{rule}}}; }}"


BROKEN_RULES = {
    "unknown-path-field": rpc('get: "/v1/{nope=x/*}"'),
    "unknown-body-field": rpc('post: "/v1/x" body: "nope"'),
    "path-through-scalar": rpc('get: "/v1/{name.x=x/*}"'),
    "duplicate-route": rpc('get: "/v1/{name=x/*}"')
    + rpc('get: "/v1/{other=x/*}"').replace("rpc A", "rpc B"),
}


@pytest.mark.parametrize("rpcs", BROKEN_RULES.values(), ids=BROKEN_RULES.keys())
def test_route_table_rejects_unservable_rules(compile_proto: CompileProto, rpcs: str) -> None:
    source = (
        'syntax = "proto3"; package gwbad; import "google/api/annotations.proto";\n'
        "message M { string name = 1; string other = 2; }\n"
        f"service S {{ {rpcs} }}"
    )
    methods = compile_proto(source).services_by_name["S"].methods
    with pytest.raises(RouteError):
        build_route_table(methods)
