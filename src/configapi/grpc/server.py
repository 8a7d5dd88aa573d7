"""The grpc.aio server: one generic handler per contract method, plus health and reflection.

Handlers are built from the descriptors (DESIGN rule 1) and do nothing but hand the call to the
dispatcher and turn an ApiError into a Status with its details in `grpc-status-details-bin`.
A request whose bytes are not a valid message is INVALID_ARGUMENT, not grpc's INTERNAL.
Given a `CallObserver`, each call is also logged and counted, and its request id is returned in
the trailing metadata `x-request-id` (README "Logs").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import cast

import grpc
from google.protobuf.descriptor import Descriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import DecodeError, Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2_grpc
from grpc_status import rpc_status

from configapi.aip.limits import JSON_TOO_DEEP
from configapi.contract import input_class, output_class
from configapi.errors import ApiError, invalid_argument
from configapi.grpc.deep_fields import too_deep_field
from configapi.grpc.dispatch import Dispatcher
from configapi.observability.calls import REQUEST_ID_KEY
from configapi.observability.observer import CallObserver


class MalformedRequest:
    """Stands in for a request whose bytes did not parse, so the handler can answer 400."""

    def __init__(self, error: Exception, too_deep: str | None = None) -> None:
        self.error = error
        self.too_deep = too_deep  # the JSON-valued field nested past protobuf's limit, if any

    def problem(self) -> ApiError:
        """The 400 to answer: naming the too-deep field when there is one (SPEC §1)."""
        if self.too_deep is not None:
            return invalid_argument(self.too_deep, JSON_TOO_DEEP)
        return invalid_argument("request", "the request bytes are not a valid message")


def _deserializer(message: type[Message]) -> Callable[[bytes], Message | MalformedRequest]:
    descriptor = cast(Descriptor, message.DESCRIPTOR)

    def parse(data: bytes) -> Message | MalformedRequest:
        try:
            request = message.FromString(data)
        except (DecodeError, RuntimeError, ValueError) as error:
            return MalformedRequest(error, too_deep_field(descriptor, data))
        # unknown fields are dropped, never stored nor echoed (SPEC §1, as REST ignores them)
        request.DiscardUnknownFields()
        return request

    return parse


def _behavior(
    dispatcher: Dispatcher, method: MethodDescriptor
) -> Callable[[Message | MalformedRequest, grpc.aio.ServicerContext], Awaitable[Message]]:
    async def behavior(
        request: Message | MalformedRequest, context: grpc.aio.ServicerContext
    ) -> Message:
        try:
            if isinstance(request, MalformedRequest):
                raise request.problem()
            return await dispatcher.call(method, request, context.invocation_metadata() or ())
        except ApiError as error:
            await _abort(context, error)
            raise  # abort() raises; this line only satisfies the type checker

    return behavior


def _observed_behavior(
    dispatcher: Dispatcher, method: MethodDescriptor, calls: CallObserver
) -> Callable[[Message | MalformedRequest, grpc.aio.ServicerContext], Awaitable[Message]]:
    """`_behavior`, with the call logged and counted, and its request id in the trailers."""

    async def behavior(
        request: Message | MalformedRequest, context: grpc.aio.ServicerContext
    ) -> Message:
        metadata = context.invocation_metadata() or ()
        call = calls.start_grpc(method, metadata)
        trailer = ((REQUEST_ID_KEY, call.request_id),)
        try:
            if isinstance(request, MalformedRequest):
                raise request.problem()
            response = await dispatcher.call(method, request, metadata)
        except ApiError as error:
            call.code = error.code
            await _abort(context, error, trailer)
            raise  # abort() raises; this line only satisfies the type checker
        else:
            call.code = grpc.StatusCode.OK
            context.set_trailing_metadata(trailer)
            return response
        finally:
            calls.finish(call)

    return behavior


async def _abort(
    context: grpc.aio.ServicerContext,
    error: ApiError,
    trailer: tuple[tuple[str, str], ...] = (),
) -> None:
    """End the call with the error's Status, its details in `grpc-status-details-bin`
    (grpcio-status's encoding, which every gRPC client's status library reads)."""
    status = rpc_status.to_status(error.status())
    await context.abort(
        status.code, status.details, trailing_metadata=(*status.trailing_metadata, *trailer)
    )


def _method_handlers(
    dispatcher: Dispatcher, service: ServiceDescriptor, calls: CallObserver | None = None
) -> dict[str, grpc.RpcMethodHandler]:
    return {
        f"/{service.full_name}/{method.name}": grpc.unary_unary_rpc_method_handler(
            _behavior(dispatcher, method)
            if calls is None
            else _observed_behavior(dispatcher, method, calls),
            request_deserializer=_deserializer(input_class(method)),
            # the message class's own C method, as generated code passes it: no Python frame
            response_serializer=output_class(method).SerializeToString,
        )
        for method in service.methods
    }


class _MethodTable(grpc.GenericRpcHandler):  # type: ignore[misc]  # grpc is untyped
    """Every contract method in one dict, found by its path with one look-up per call.

    Deliberately not grpc's registered-method path (`add_registered_method_handlers`): the
    grpc.aio server (1.85) keeps one pending request per registered method and runs
    `asyncio.wait` over all of them for every call it accepts, so with our 30-odd methods
    each call paid for 30 futures' callbacks (counted: 620 Python calls per GetSource with it,
    369 without; the bare baseline, one registered method, makes 273).
    """

    def __init__(self, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        self._handlers = handlers

    def service(
        self, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        return self._handlers.get(handler_call_details.method)


class _GenericOnly:
    """Stands in for the server when generated `add_*Servicer_to_server` functions (health,
    reflection) register: their generic handlers reach the server, their registered-method
    copies are dropped (see `_MethodTable`)."""

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(
        self, service: str, handlers: dict[str, grpc.RpcMethodHandler]
    ) -> None:
        del service, handlers


def build_grpc_server(
    dispatcher: Dispatcher,
    services: Sequence[ServiceDescriptor],
    *,
    calls: CallObserver | None = None,
    health_servicer: health.aio.HealthServicer | None = None,
    reuse_port: bool = False,
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """A server with every contract service, gRPC health checking and server reflection.

    With `calls`, every call is logged and counted (`configapi.observability`); a given
    `health_servicer` replaces the plain one (readiness-checked health, `observability.health`).
    """
    # SO_REUSEPORT only for `serve --workers N` (SPEC §9): otherwise a second server on a taken
    # port must fail rather than share it
    server = grpc.aio.server(options=[("grpc.so_reuseport", int(reuse_port))])
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for service in services:
        handlers.update(_method_handlers(dispatcher, service, calls))
    server.add_generic_rpc_handlers([_MethodTable(handlers)])  # first: the API's calls
    generic_only = _GenericOnly(server)
    health_servicer = health_servicer or health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, generic_only)
    names = [s.full_name for s in services]
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(
        reflection.aio.ReflectionServicer([*names, reflection.SERVICE_NAME, health.SERVICE_NAME]),
        generic_only,
    )
    return server, health_servicer


async def mark_serving(
    health_servicer: health.aio.HealthServicer, services: Sequence[ServiceDescriptor], serving: bool
) -> None:
    """Set the overall and per-service health status."""
    status = (
        health_pb2.HealthCheckResponse.SERVING
        if serving
        else health_pb2.HealthCheckResponse.NOT_SERVING
    )
    for name in ["", *(s.full_name for s in services)]:
        await health_servicer.set(name, status)
