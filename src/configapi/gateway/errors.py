"""THE one code → HTTP table, and the REST rendering of a `google.rpc.Status` (SPEC §2).

Every error the gateway answers, whether it comes from routing, JSON decoding, the API itself
or an upstream server, goes through `render_error`, like grpc-gateway's single error handler
(runtime/errors.go). Only the standalone-proxy answer for an unreachable upstream differs: it is
the plain-text body the original API's proxy sent.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any, Final

import grpc
from google.protobuf import any_pb2, json_format
from google.rpc import error_details_pb2, status_pb2

from configapi.errors import ApiError, internal, invalid_argument

# HTTP status for each canonical code. SPEC §2 fixes the first rows; the rest are grpc-gateway's
# runtime.HTTPStatusFromCode.
_HTTP_STATUS: Final[dict[grpc.StatusCode, int]] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    # 499 "Client Closed Request" is nginx's non-standard status; grpc-gateway uses it too.
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    # Deliberately 400, not the similarly named 412 Precondition Failed: 412 is about HTTP
    # conditional headers (If-Match), which this API does not use (grpc-gateway, AIP-193).
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.DATA_LOSS: 500,
}
_HTTP_STATUS_BY_NUMBER: Final = {code.value[0]: http for code, http in _HTTP_STATUS.items()}

UPSTREAM_UNAVAILABLE_BODY: Final = b"upstream connect error or disconnect/reset before headers"

_JSON: Final = ("content-type", "application/json")
_RETRY_INFO_URL: Final = "type.googleapis.com/" + error_details_pb2.RetryInfo.DESCRIPTOR.full_name

Headers = list[tuple[str, str]]


def http_status_for(code: grpc.StatusCode | int) -> int:
    """The HTTP status for a canonical code (a `grpc.StatusCode` or its number).

    Numbers outside the canonical range are 500, as grpc-gateway does for unknown codes.
    """
    if isinstance(code, grpc.StatusCode):
        return _HTTP_STATUS[code]
    return _HTTP_STATUS_BY_NUMBER.get(code, 500)


def malformed_request(description: str) -> ApiError:
    """INVALID_ARGUMENT for a request broken as a whole (bad path escape, bad JSON, oversized
    body), as opposed to one field holding a bad value (`configapi.errors.invalid_argument`)."""
    return ApiError(
        code=grpc.StatusCode.INVALID_ARGUMENT,
        message=description,
        reason="INVALID_ARGUMENT",
        metadata={"description": description},
    )


def route_not_found(http_method: str, path: str) -> ApiError:
    """SPEC §2: an unknown path, or a known path with a method it lacks, is 404 "Not Found".

    Deliberately not grpc-gateway's 501 (nor HTTP's 405) for a wrong method: the original API
    documents a wrong method as Not Found, and clients rely on it.
    """
    return ApiError(
        code=grpc.StatusCode.NOT_FOUND,
        message="Not Found",
        reason="ROUTE_NOT_FOUND",
        metadata={"method": http_method, "path": path[:256]},
    )


def error_for_http_status(status: int, http_method: str, path: str) -> ApiError:
    """The API error for a refusal the HTTP layer (Starlette) made on its own.

    A missing route or a wrong method is SPEC §2's 404 "Not Found"; any other client error is
    INVALID_ARGUMENT and a server error INTERNAL, so every answer has the one error body.
    """
    if status in (404, 405):
        return route_not_found(http_method, path)
    if 400 <= status < 500:
        return malformed_request(f"the request was refused (HTTP {status})")
    return internal()


def wrong_type(path: str, expected: str, value: Any) -> ApiError:
    """INVALID_ARGUMENT for a JSON value of the wrong type: `expected a string, got a number`."""
    return invalid_argument(path, f"expected {expected}, got {json_kind(value)}")


def json_kind(value: Any) -> str:
    """How a JSON value is named in error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def render_error(status: status_pb2.Status) -> tuple[int, bytes, Headers]:
    """HTTP status, JSON body and extra headers for a `google.rpc.Status` (SPEC §2).

    The body is `{"error", "code", "message", "details"}`: `error` and `code` are what the
    original API sent, `message` and `details` grpc-gateway v2's shape.
    """
    body = {
        "error": status.message,
        "code": status.code,
        "message": status.message,
        "details": [_keys_sorted(_detail_json(detail)) for detail in status.details],
    }
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return http_status_for(status.code), encoded, [_JSON, *_extra_headers(status)]


def render_upstream_unavailable() -> tuple[int, bytes, Headers]:
    """SPEC §2: the standalone gateway cannot reach its upstream; the original proxy's answer."""
    return 503, UPSTREAM_UNAVAILABLE_BODY, [("content-type", "text/plain")]


def _extra_headers(status: status_pb2.Status) -> Headers:
    """`WWW-Authenticate` on 401 (RFC 6750) and `Retry-After` on 429 (SPEC §2)."""
    if status.code == grpc.StatusCode.UNAUTHENTICATED.value[0]:
        return [("www-authenticate", "Bearer")]
    if status.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]:
        seconds = retry_after_seconds(status)
        return [] if seconds is None else [("retry-after", str(seconds))]
    return []


def retry_after_seconds(status: status_pb2.Status) -> int | None:
    """Whole seconds (rounded up) of the first `RetryInfo.retry_delay`, or None without one."""
    for detail in status.details:
        if detail.type_url == _RETRY_INFO_URL:
            info = error_details_pb2.RetryInfo.FromString(detail.value)
            delay = info.retry_delay
            seconds: int = math.ceil(delay.seconds + delay.nanos / 1e9)
            return max(0, seconds)
    return None


def _keys_sorted(value: Any) -> Any:
    """Every object's keys in sorted order: protobuf maps (ErrorInfo.metadata) have no order of
    their own, and their iteration order changes from one process to the next."""
    if isinstance(value, dict):
        return {key: _keys_sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_keys_sorted(item) for item in value]
    return value


def _detail_json(detail: any_pb2.Any) -> dict[str, Any]:
    """An `Any` as proto3 JSON with `@type` and snake_case names (SPEC §1 and §2).

    A type this process does not know (an upstream's private detail) keeps its `@type` and
    carries its bytes base64-encoded, rather than failing the whole error response.
    """
    try:
        rendered: dict[str, Any] = json_format.MessageToDict(
            detail,
            preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
        )
    except (TypeError, KeyError, json_format.Error):
        return {"@type": detail.type_url, "value": base64.b64encode(detail.value).decode()}
    return rendered
