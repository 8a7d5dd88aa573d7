"""One client interface over both transports, so every scenario runs through gRPC and REST.

`Api.call(method_name, request, token)` sends one request message and returns the response
message, or raises `ApiFailure` carrying the canonical code, the message and the unpacked rich
details (SPEC §2). Both implementations are generic over the contract's descriptors:

- `GrpcApi` calls the generated stubs (`<Service>Stub` of `segment.config.v1beta.*_pb2_grpc`)
  over a real `grpc.aio` channel and reads the details from `grpc-status-details-bin`;
- `RestApi` builds the HTTP request from the method's `google.api.http` binding as a REST client
  would (path variables from the request, the rest as body or query string, snake_case JSON)
  over a real HTTP connection, and checks the HTTP status against SPEC §2's one table.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import grpc
import httpx
from google.api import annotations_pb2, http_pb2
from google.protobuf import any_pb2, descriptor_pool, json_format
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from google.rpc import error_details_pb2, status_pb2

from configapi import contract

# registers google.rpc's detail types in the default pool, so `Any`s of them unpack
ERROR_DETAIL_TYPES = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.ResourceInfo,
    error_details_pb2.RetryInfo,
)

# SPEC §2: THE code → HTTP table (its rows, then grpc-gateway's for the other codes).
HTTP_STATUS: Mapping[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.DATA_LOSS: 500,
}

M = TypeVar("M", bound=Message)
QueryParam = tuple[str, str | int | float | bool | None]
_DETAILS_KEY = "grpc-status-details-bin"
_CODES_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}
_PATH_VARIABLE = re.compile(r"\{([a-z_.]+)(?:=[^}]*)?\}")


class ApiFailure(Exception):
    """A call that ended in an error: its canonical code, message and unpacked rich details.

    `headers` holds the REST response's headers (empty for gRPC).
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        details: Sequence[Message],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.details = list(details)
        self.headers: Mapping[str, str] = headers or {}

    def details_of(self, kind: type[M]) -> list[M]:
        """Every detail of one type, e.g. `details_of(ErrorInfo)`."""
        return [detail for detail in self.details if isinstance(detail, kind)]

    def detail(self, kind: type[M]) -> M:
        """The one detail of a type; fails the test unless there is exactly one."""
        found = self.details_of(kind)
        assert len(found) == 1, f"expected one {kind.__name__} in {self.details}"
        return found[0]


class Api(Protocol):
    """What every scenario talks to; one implementation per transport."""

    transport: str

    async def call(self, method_name: str, request: Message, token: str | None) -> Message:
        """Send `request` to the method named `method_name` with a bearer token (None: none)."""
        ...

    async def close(self) -> None:
        """Release the connection."""
        ...


_METHODS: Mapping[str, MethodDescriptor] = {m.name: m for m in contract.methods()}


def method_named(name: str) -> MethodDescriptor:
    """The contract method called `name` (method names are unique across our services)."""
    return _METHODS[name]


def unpack(packed: any_pb2.Any) -> Message:
    """An `Any` as the message it holds (its type must be in the default pool)."""
    descriptor = descriptor_pool.Default().FindMessageTypeByName(packed.TypeName())
    message = GetMessageClass(descriptor)()
    assert packed.Unpack(message), f"cannot unpack {packed.type_url}"
    return message


def _code_for(number: int) -> grpc.StatusCode:
    return _CODES_BY_NUMBER[number]


# ---- gRPC ------------------------------------------------------------------------------------


class GrpcApi:
    """The contract over a real grpc.aio channel, through the generated stubs."""

    transport = "grpc"

    def __init__(self, target: str) -> None:
        self._channel = grpc.aio.insecure_channel(target)
        self._stubs: dict[str, Any] = {}

    async def call(self, method_name: str, request: Message, token: str | None) -> Message:
        method = method_named(method_name)
        rpc = getattr(self._stub(method), method.name)
        metadata = () if token is None else (("authorization", f"Bearer {token}"),)
        try:
            response: Message = await rpc(request, metadata=metadata)
        except grpc.aio.AioRpcError as error:
            raise _grpc_failure(error) from None
        return response

    def _stub(self, method: MethodDescriptor) -> Any:
        service = method.containing_service
        if service.full_name not in self._stubs:
            module_name = service.file.name.removesuffix(".proto").replace("/", ".") + "_pb2_grpc"
            stub_class = getattr(importlib.import_module(module_name), f"{service.name}Stub")
            self._stubs[service.full_name] = stub_class(self._channel)
        return self._stubs[service.full_name]

    async def close(self) -> None:
        await self._channel.close()


def _grpc_failure(error: grpc.aio.AioRpcError) -> ApiFailure:
    """The failure a gRPC error carries; the Status in the trailers must agree with the call's."""
    code, message = error.code(), error.details() or ""
    trailers = error.trailing_metadata() or ()
    raw = next((value for key, value in trailers if key == _DETAILS_KEY), None)
    if raw is None:
        return ApiFailure(code, message, [])
    status = status_pb2.Status.FromString(raw if isinstance(raw, bytes) else raw.encode())
    assert status.code == code.value[0], f"grpc-status {code} but details carry {status.code}"
    assert status.message == message, f"grpc-message {message!r} vs {status.message!r}"
    return ApiFailure(code, message, [unpack(detail) for detail in status.details])


# ---- REST ------------------------------------------------------------------------------------


class RestApi:
    """The contract over real HTTP/1.1 JSON, requests built from the `google.api.http` bindings."""

    transport = "rest"

    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=30.0)
        self.last_json: Any = None  # the decoded body of the last successful response

    async def call(
        self, method_name: str, request: Message, token: str | None, binding: int = 0
    ) -> Message:
        """`binding` picks an additional binding (1, 2, ...) instead of the main one (0)."""
        method = method_named(method_name)
        rule = _binding(method, binding)
        verb = rule.WhichOneof("pattern")
        assert verb is not None and verb != "custom", f"{method.name} has no plain HTTP binding"
        template: str = getattr(rule, verb)
        path, path_fields = _expand_path(template, request)
        headers = {} if token is None else {"authorization": f"Bearer {token}"}
        content, params = _body_and_query(request, rule.body, path_fields)
        if content is not None:
            headers["content-type"] = "application/json"
        response = await self._http.request(
            verb.upper(), path, params=params, content=content, headers=headers
        )
        return self._response(method, response)

    def _response(self, method: MethodDescriptor, response: httpx.Response) -> Message:
        body = response.json()
        if response.status_code != 200:
            raise _rest_failure(response, body)
        self.last_json = body
        return json_format.ParseDict(
            body, contract.output_class(method)(), ignore_unknown_fields=True
        )

    async def close(self) -> None:
        await self._http.aclose()


def _binding(method: MethodDescriptor, index: int) -> http_pb2.HttpRule:
    rule: http_pb2.HttpRule = method.GetOptions().Extensions[annotations_pb2.http]
    return rule if index == 0 else rule.additional_bindings[index - 1]


def _field_value(message: Message, path: str) -> Any:
    value: Any = message
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _expand_path(template: str, request: Message) -> tuple[str, list[str]]:
    """The URL path with each `{field=pattern}` replaced by the request's value of `field`."""
    fields: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        fields.append(match.group(1))
        return quote(str(_field_value(request, match.group(1))), safe="/")

    return _PATH_VARIABLE.sub(substitute, template), fields


def _request_json(request: Message) -> dict[str, Any]:
    """The request as snake_case JSON, field masks as `{"paths": [...]}` like real clients send."""
    document: dict[str, Any] = json_format.MessageToDict(request, preserving_proto_field_name=True)
    for field in request.DESCRIPTOR.fields:
        kind = field.message_type
        is_mask = kind is not None and kind.full_name == "google.protobuf.FieldMask"
        if is_mask and request.HasField(field.name):
            document[field.name] = {"paths": list(getattr(request, field.name).paths)}
    return document


def _remove(document: dict[str, Any], path: str) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        document = document.get(part, {})
    document.pop(leaf, None)


def _body_and_query(
    request: Message, body: str, path_fields: Sequence[str]
) -> tuple[bytes | None, list[QueryParam]]:
    """The JSON body (per the binding's `body`) and the remaining fields as query parameters."""
    document = _request_json(request)
    for path in path_fields:
        _remove(document, path)
    if body == "*":
        return json.dumps(document).encode(), []
    content = None
    if body:
        content = json.dumps(document.pop(body, {})).encode()
    return content, _query_params(document)


def _query_params(document: Mapping[str, Any], prefix: str = "") -> list[QueryParam]:
    """Fields as grpc-gateway reads query parameters: `a.b=value`, repeated ones repeated."""
    params: list[QueryParam] = []
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            params += _query_params(value, f"{name}.")
        elif isinstance(value, list):
            params += [(name, _scalar(item)) for item in value]
        else:
            params.append((name, _scalar(value)))
    return params


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rest_failure(response: httpx.Response, body: Any) -> ApiFailure:
    """The failure in a SPEC §2 error body; the HTTP status must be the table's for its code."""
    assert isinstance(body, dict), f"error body is not a JSON object: {response.text!r}"
    assert set(body) >= {"error", "code", "message", "details"}, f"error body {body}"
    assert isinstance(body["error"], str) and body["error"], f"error body {body}"
    code = _code_for(body["code"])
    assert response.status_code == HTTP_STATUS[code], (
        f"HTTP {response.status_code} for {code.name}, SPEC §2 says {HTTP_STATUS[code]}"
    )
    details = [unpack(json_format.ParseDict(d, any_pb2.Any())) for d in body["details"]]
    headers = {key.lower(): value for key, value in response.headers.items()}
    return ApiFailure(code, body["message"], details, headers)


def connect(transport: str, grpc_port: int, http_port: int) -> Api:
    """A client of a running server over one transport."""
    if transport == "grpc":
        return GrpcApi(f"127.0.0.1:{grpc_port}")
    if transport == "rest":
        return RestApi(f"http://127.0.0.1:{http_port}")
    raise ValueError(f"unknown transport {transport!r}")
