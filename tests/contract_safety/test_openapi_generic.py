"""The OpenAPI generator on a made-up API that uses what ours does not (yet): 64-bit integers,
doubles, bytes, wrappers, maps, nested query parameters, a custom verb, a body field, a path
variable no resource pattern matches. The document must stay valid OpenAPI 3.1 and follow the
proto3 JSON mapping (SPEC §1: what the gateway prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from configapi.openapi import build_document
from tests.contract_safety.protoc import compiled_methods

PROTO = """
syntax = "proto3";
package example.v1;

import "google/api/annotations.proto";
import "google/api/field_behavior.proto";
import "google/api/resource.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

service ShelfService {
  rpc GetBook(GetBookRequest) returns (Book) {
    option (google.api.http) = {get: "/v1/{name=shelves/*/books/*}"};
  }
  rpc MoveBook(MoveBookRequest) returns (Book) {
    option (google.api.http) = {post: "/v1/{name=shelves/*/books/*}:move" body: "target"};
  }
  rpc ListLoans(ListLoansRequest) returns (Book) {
    option (google.api.http) = {get: "/v1/{parent=libraries/*/desks/*}/loans"};
  }
}

message Book {
  option (google.api.resource) = {type: "example/Book" pattern: "shelves/{shelf}/books/{book}"};
  string name = 1 [(google.api.field_behavior) = IDENTIFIER];
  int64 pages = 2 [(google.api.field_behavior) = REQUIRED];
  uint64 copies = 3;
  double price = 4;
  bytes cover = 5 [(google.api.field_behavior) = OUTPUT_ONLY];
  google.protobuf.StringValue subtitle = 6;
  map<string, int64> ratings = 7;
  google.protobuf.Struct extra = 8;
  Kind kind = 9;
  enum Kind { KIND_UNSPECIFIED = 0; NOVEL = 1; }
  repeated Book sequels = 10;
}

message GetBookRequest {
  string name = 1;
  Filter filter = 2;
  google.protobuf.Timestamp as_of = 3;
  repeated string fields = 4;
  map<string, string> labels = 5;
  repeated Filter filters = 6;
}

message Filter { string kind = 1; bool deep = 2; }

message MoveBookRequest { string name = 1; Target target = 2; }
message Target { string shelf = 1 [(google.api.field_behavior) = REQUIRED]; }
message ListLoansRequest { string parent = 1; }
"""


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("example")
    (root / "proto" / "example" / "v1").mkdir(parents=True)
    (root / "proto" / "example" / "v1" / "shelf.proto").write_text(PROTO)
    return build_document(compiled_methods(root / "proto", root))


def test_it_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_paths_split_variables_and_keep_verbs(document: dict[str, Any]) -> None:
    assert list(document["paths"]) == [
        "/v1/shelves/{shelf}/books/{book}",
        "/v1/shelves/{shelf}/books/{book}:move",
        "/v1/libraries/{parent_1}/desks/{parent_2}/loans",  # no resource pattern: named by field
    ]
    loans = document["paths"]["/v1/libraries/{parent_1}/desks/{parent_2}/loans"]["get"]
    assert loans["parameters"][0]["schema"] == {"type": "string"}  # no id rule to cite


def test_query_parameters_follow_the_gateway(document: dict[str, Any]) -> None:
    get = document["paths"]["/v1/shelves/{shelf}/books/{book}"]["get"]
    query = {p["name"]: p["schema"] for p in get["parameters"] if p["in"] == "query"}
    assert query == {
        "filter.kind": {"type": "string"},
        "filter.deep": {"type": "boolean"},
        "as_of": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "string"}},
    }


def test_a_body_field_is_the_body(document: dict[str, Any]) -> None:
    move = document["paths"]["/v1/shelves/{shelf}/books/{book}:move"]["post"]
    assert move["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/example.v1.Target"
    }
    target = document["components"]["schemas"]["example.v1.Target"]
    assert target["required"] == ["shelf"]


def test_scalars_print_as_proto3_json(document: dict[str, Any]) -> None:
    book = document["components"]["schemas"]["example.v1.Book"]
    fields = book["properties"]
    assert fields["pages"]["type"] == "string"  # int64 as a string
    assert fields["copies"]["format"] == "uint64"
    assert {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]} in fields["price"]["oneOf"]
    assert fields["cover"] == {"type": "string", "contentEncoding": "base64", "readOnly": True}
    assert fields["subtitle"] == {"type": "string"}
    assert fields["ratings"]["additionalProperties"]["type"] == "string"
    assert fields["extra"] == {"type": "object", "additionalProperties": True}
    assert fields["kind"] == {"$ref": "#/components/schemas/example.v1.Book.Kind"}
    assert fields["sequels"]["items"] == {"$ref": "#/components/schemas/example.v1.Book"}
    assert book["required"] == ["pages"]


def test_it_is_deterministic(tmp_path: Path, document: dict[str, Any]) -> None:
    (tmp_path / "proto" / "example" / "v1").mkdir(parents=True)
    (tmp_path / "proto" / "example" / "v1" / "shelf.proto").write_text(PROTO)
    assert build_document(compiled_methods(tmp_path / "proto", tmp_path)) == document
