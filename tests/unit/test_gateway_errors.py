"""THE code → HTTP table and the REST error body of SPEC §2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import status_pb2

from configapi.errors import ApiError, internal, invalid_argument, not_found
from configapi.gateway.errors import (
    UPSTREAM_UNAVAILABLE_BODY,
    http_status_for,
    render_error,
    render_upstream_unavailable,
)

# Every grpc.StatusCode, its HTTP status: SPEC §2's rows, then grpc-gateway's for the rest.
TABLE = [
    (grpc.StatusCode.OK, 200),
    (grpc.StatusCode.CANCELLED, 499),
    (grpc.StatusCode.UNKNOWN, 500),
    (grpc.StatusCode.INVALID_ARGUMENT, 400),
    (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    (grpc.StatusCode.NOT_FOUND, 404),
    (grpc.StatusCode.ALREADY_EXISTS, 409),
    (grpc.StatusCode.PERMISSION_DENIED, 403),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    (grpc.StatusCode.FAILED_PRECONDITION, 400),
    (grpc.StatusCode.ABORTED, 409),
    (grpc.StatusCode.OUT_OF_RANGE, 400),
    (grpc.StatusCode.UNIMPLEMENTED, 501),
    (grpc.StatusCode.INTERNAL, 500),
    (grpc.StatusCode.UNAVAILABLE, 503),
    (grpc.StatusCode.DATA_LOSS, 500),
    (grpc.StatusCode.UNAUTHENTICATED, 401),
]


def test_the_table_covers_every_status_code() -> None:
    assert {code for code, _ in TABLE} == set(grpc.StatusCode)


@pytest.mark.parametrize(("code", "http"), TABLE, ids=[code.name for code, _ in TABLE])
def test_http_status_for_every_code(code: grpc.StatusCode, http: int) -> None:
    assert http_status_for(code) == http
    assert http_status_for(code.value[0]) == http
    status, _, _ = render_error(status_pb2.Status(code=code.value[0], message="m"))
    assert status == http


def test_a_code_outside_the_canonical_range_is_500() -> None:
    assert http_status_for(99) == 500


def body_of(error: ApiError) -> dict[str, object]:
    _, body, _ = render_error(error.status())
    decoded: dict[str, object] = json.loads(body)
    return decoded


def test_error_body_has_the_original_and_the_grpc_gateway_keys() -> None:
    error = ApiError(
        code=grpc.StatusCode.PERMISSION_DENIED,
        message="insufficient scope",
        reason="INSUFFICIENT_SCOPE",
        metadata={"required_scope": "workspace"},
    )
    assert body_of(error) == {
        "error": "insufficient scope",
        "code": 7,
        "message": "insufficient scope",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "INSUFFICIENT_SCOPE",
                "domain": "config.segmentapis.com",
                "metadata": {"required_scope": "workspace"},
            }
        ],
    }


def test_bad_request_and_resource_info_details_render_with_snake_case_names() -> None:
    details = body_of(invalid_argument("source.name", "bad slug"))["details"]
    assert isinstance(details, list)
    assert details[0] == {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "INVALID_ARGUMENT",
        "domain": "config.segmentapis.com",
        "metadata": {"field": "source.name"},
    }
    assert details[1]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    violation = details[1]["field_violations"][0]
    assert (violation["field"], violation["description"]) == ("source.name", "bad slug")
    resource = body_of(not_found("config.segmentapis.com/Source", "workspaces/a/sources/b"))
    assert isinstance(resource["details"], list)
    assert resource["details"][1]["resource_name"] == "workspaces/a/sources/b"


@pytest.mark.parametrize(
    ("seconds", "header"),
    [(30.0, "30"), (0.2, "1"), (59.001, "60")],
    ids=["30s", "0.2s", "59.001s"],
)
def test_resource_exhausted_sends_retry_after_in_whole_seconds(seconds: float, header: str) -> None:
    error = ApiError(
        code=grpc.StatusCode.RESOURCE_EXHAUSTED,
        message="rate limit exceeded",
        reason="RATE_LIMITED",
        retry_after_seconds=seconds,
    )
    status, body, headers = render_error(error.status())
    assert status == 429
    assert ("retry-after", header) in headers
    retry = json.loads(body)["details"][-1]
    assert retry["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
    assert retry["retry_delay"].endswith("s")


def test_unauthenticated_asks_for_a_bearer_token() -> None:
    error = ApiError(code=grpc.StatusCode.UNAUTHENTICATED, message="no token", reason="NO_TOKEN")
    status, _, headers = render_error(error.status())
    assert status == 401
    assert ("www-authenticate", "Bearer") in headers


def test_every_error_body_is_json() -> None:
    _, _, headers = render_error(internal().status())
    assert ("content-type", "application/json") in headers


def test_an_unknown_detail_type_keeps_its_type_and_bytes() -> None:
    private = any_pb2.Any(type_url="type.googleapis.com/acme.Private", value=b"\x01")
    status = status_pb2.Status(code=13, message="m", details=[private])
    _, body, _ = render_error(status)
    assert json.loads(body)["details"] == [
        {"@type": "type.googleapis.com/acme.Private", "value": "AQ=="}
    ]


def test_upstream_unavailable_is_the_original_proxys_plain_text() -> None:
    status, body, headers = render_upstream_unavailable()
    assert (status, body) == (503, b"upstream connect error or disconnect/reset before headers")
    assert body == UPSTREAM_UNAVAILABLE_BODY
    assert ("content-type", "text/plain") in headers


# Renders one error with a 40-key ErrorInfo.metadata: its REST body, then its gRPC details bytes.
_RENDER_IN_A_FRESH_PROCESS = """
import base64, grpc, sys
from configapi.errors import ApiError
from configapi.gateway.errors import render_error
keys = [f"k{index:02}" for index in range(40)]
error = ApiError(grpc.StatusCode.INVALID_ARGUMENT, "m", "R", {k: k.upper() for k in keys[::-1]})
status = error.to_status()
sys.stdout.write(render_error(status)[1].decode() + "\\n")
sys.stdout.write(base64.b64encode(status.SerializeToString()).decode() + "\\n")
"""


def test_error_metadata_prints_in_sorted_order_in_every_process() -> None:
    # protobuf maps iterate in an order that changes with each process's hash seed
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", _RENDER_IN_A_FRESH_PROCESS]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs
    rest_body = json.loads(outputs.pop().splitlines()[0])
    metadata = rest_body["details"][0]["metadata"]
    assert list(metadata) == sorted(metadata) and len(metadata) == 40
