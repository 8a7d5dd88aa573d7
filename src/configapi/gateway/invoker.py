"""The seam between HTTP and the API: call one method with a request and metadata.

- `InProcessInvoker` hands the call to the gRPC server's dispatcher in this process, which runs
  the same policy layer (auth, scope, tenancy, rate limit) as a gRPC call (DESIGN rule 3);
- `ProxyInvoker` makes a real gRPC call to an upstream server (the standalone gateway).

Both raise `ApiError` for a failed call; `ProxyInvoker` raises `UpstreamUnavailable` when it
cannot reach its upstream at all (SPEC §2: the original proxy's plain-text 503).

`admit` runs before the gateway reads a request body (cheap checks first, SPEC §3): in process it
is the policy layer's token, rate-limit and scope checks; the standalone gateway, whose policy
is its upstream's, refuses only a call without a bearer token, with the policy's own function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import DecodeError, Message
from google.rpc import status_pb2

from configapi.auth.tokens import Caller
from configapi.contract import method_path, output_class
from configapi.errors import ApiError
from configapi.gateway.errors import malformed_request
from configapi.gateway.headers import upstream_metadata
from configapi.grpc.policy import bearer_secret
from configapi.observability.calls import with_request_id

STATUS_DETAILS_KEY = "grpc-status-details-bin"
# The standalone gateway's gRPC message limit, both ways: gRPC's default receive limit, which
# upstream servers keep. SPEC §6 keeps every answer under it (a resource is at most 1 MiB, a
# List page stops before 3 MiB); a request over it is refused as the bad input it is.
MAX_MESSAGE_BYTES: Final = 4 * 1024 * 1024
MESSAGE_SIZE_OPTIONS: Final = (
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
)


class Invoker(Protocol):
    """Calls one API method; raises `ApiError` (or `UpstreamUnavailable`) on failure."""

    async def admit(
        self, method: MethodDescriptor, metadata: Sequence[tuple[str, str]]
    ) -> Caller | None:
        """The checks that need no request message; what it returns goes to `invoke`."""
        ...

    async def invoke(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, str]],
        admitted: Caller | None = None,
    ) -> Message: ...

    async def close(self) -> None:
        """Release what the invoker holds (the upstream channel)."""
        ...


class Dispatcher(Protocol):
    """The gRPC server's in-process entry point (`configapi.grpc.dispatch`): policy, then the
    servicer. Raises `ApiError`."""

    async def admit(
        self, method: MethodDescriptor, metadata: Sequence[tuple[str, object]]
    ) -> Caller: ...

    async def call(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, object]],
        caller: Caller | None = None,
    ) -> Message: ...


class UpstreamUnavailable(Exception):
    """The standalone gateway could not reach its gRPC upstream (connection failed or reset)."""


class InProcessInvoker:
    """Invokes methods through the in-process dispatcher, so REST meets the gRPC policy layer."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher

    async def admit(
        self, method: MethodDescriptor, metadata: Sequence[tuple[str, str]]
    ) -> Caller | None:
        return await self._dispatcher.admit(method, metadata)

    async def invoke(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, str]],
        admitted: Caller | None = None,
    ) -> Message:
        return await self._dispatcher.call(method, request, metadata, admitted)

    async def close(self) -> None:
        """Nothing to release: the dispatcher belongs to the gRPC server."""


class ProxyInvoker:
    """Invokes methods on an upstream gRPC server over one `grpc.aio` channel.

    The channel is opened on first use (inside the serving event loop); `close()` ends it.
    """

    def __init__(
        self,
        target: str,
        *,
        timeout: float | None = None,
        options: Sequence[tuple[str, Any]] = (),
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self._target = target
        self._timeout = timeout
        self._options = (*MESSAGE_SIZE_OPTIONS, *options)
        self._credentials = credentials  # a TLS upstream; None for plaintext
        self._channel: grpc.aio.Channel | None = None
        self._calls: dict[str, Callable[..., Any]] = {}

    async def admit(
        self, method: MethodDescriptor, metadata: Sequence[tuple[str, str]]
    ) -> Caller | None:
        """A call without a bearer token is refused (401) before its body is read; the rest of
        the policy is the upstream's."""
        bearer_secret(metadata)
        return None

    async def invoke(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, str]],
        admitted: Caller | None = None,
    ) -> Message:
        call = self._calls.get(method.full_name) or self._open_call(method)
        forwarded = with_request_id(upstream_metadata(metadata))
        try:
            response: Message = await call(request, metadata=forwarded, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            raise api_error_from_rpc_error(error) from None
        return response

    async def close(self) -> None:
        """Close the channel; a later call opens a new one."""
        channel, self._channel = self._channel, None
        self._calls.clear()
        if channel is not None:
            await channel.close()

    def _open_call(self, method: MethodDescriptor) -> Callable[..., Any]:
        if self._channel is None:
            self._channel = (
                grpc.aio.insecure_channel(self._target, options=self._options)
                if self._credentials is None
                else grpc.aio.secure_channel(self._target, self._credentials, self._options)
            )
        call: Callable[..., Any] = self._channel.unary_unary(
            method_path(method),
            request_serializer=_serialize,
            response_deserializer=output_class(method).FromString,
        )
        self._calls[method.full_name] = call
        return call


def api_error_from_rpc_error(error: grpc.aio.AioRpcError) -> ApiError | UpstreamUnavailable:
    """The error a failed upstream call stands for.

    The upstream's `google.rpc.Status` (trailer `grpc-status-details-bin`) passes through
    verbatim. UNAVAILABLE without one never came from our server, which always sends details: it
    is the channel failing to connect or being reset, so `UpstreamUnavailable`.
    RESOURCE_EXHAUSTED without one is gRPC's message- or metadata-size limit (issue #12 item 4):
    400, never a 429 to retry. Any other code without details (e.g. DEADLINE_EXCEEDED raised by
    the client) gets an ErrorInfo named after the code, so every error still carries one
    (SPEC §2). gRPC's own text never reaches the caller: it can carry internals.
    """
    status = _status_details(error.trailing_metadata())
    if status is not None:
        return ApiError.from_status(status)
    code: grpc.StatusCode = error.code()
    if code == grpc.StatusCode.UNAVAILABLE:
        return UpstreamUnavailable(error.details() or "upstream unavailable")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        # Our rate limit always carries details, so this is gRPC's own message-size (or
        # metadata-size) limit: bad input, never a 429 to retry, and never gRPC's text.
        return malformed_request(
            f"the request or its response exceeds {MAX_MESSAGE_BYTES} bytes as a gRPC message"
        )
    # gRPC's own text (e.g. a parse failure) stays in the gateway: the code's name is enough
    return ApiError(code=code, message=code.name.lower().replace("_", " "), reason=code.name)


def _status_details(trailing_metadata: Any) -> status_pb2.Status | None:
    for key, value in trailing_metadata or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            try:
                return status_pb2.Status.FromString(value)
            except DecodeError:  # a corrupt trailer must not hide the call's own code
                return None
    return None


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()
