"""The grpc.aio server: one generic handler per contract method, plus health and reflection.

Handlers are built from the descriptors (DESIGN rule 1) and do nothing but hand the call to the
dispatcher and turn an ApiError into a Status with its details in `grpc-status-details-bin`.
A request whose bytes are not a valid message is INVALID_ARGUMENT, not grpc's INTERNAL.
Given a `CallObserver`, each call is also logged and counted, and its request id is returned in
the trailing metadata `x-request-id` (README "Logs").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import DecodeError, Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from configapi.contract import input_class
from configapi.errors import ApiError, invalid_argument
from configapi.grpc.dispatch import Dispatcher
from configapi.observability.calls import REQUEST_ID_KEY
from configapi.observability.observer import CallObserver

_DETAILS_KEY = "grpc-status-details-bin"


class MalformedRequest:
    """Stands in for a request whose bytes did not parse, so the handler can answer 400."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _deserializer(message: type[Message]) -> Callable[[bytes], Message | MalformedRequest]:
    def parse(data: bytes) -> Message | MalformedRequest:
        try:
            return message.FromString(data)
        except (DecodeError, RuntimeError, ValueError) as error:
            return MalformedRequest(error)

    return parse


def _behavior(
    dispatcher: Dispatcher, method: MethodDescriptor
) -> Callable[[Message | MalformedRequest, grpc.aio.ServicerContext], Awaitable[Message]]:
    async def behavior(
        request: Message | MalformedRequest, context: grpc.aio.ServicerContext
    ) -> Message:
        try:
            if isinstance(request, MalformedRequest):
                raise invalid_argument("request", "the request bytes are not a valid message")
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
                raise invalid_argument("request", "the request bytes are not a valid message")
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
    """End the call with the error's Status, its details in `grpc-status-details-bin`."""
    status = error.status()
    await context.abort(
        error.code,
        status.message,
        trailing_metadata=((_DETAILS_KEY, status.SerializeToString()), *trailer),
    )


def _method_handlers(
    dispatcher: Dispatcher, service: ServiceDescriptor, calls: CallObserver | None = None
) -> dict[str, grpc.RpcMethodHandler]:
    return {
        method.name: grpc.unary_unary_rpc_method_handler(
            _behavior(dispatcher, method)
            if calls is None
            else _observed_behavior(dispatcher, method, calls),
            request_deserializer=_deserializer(input_class(method)),
            response_serializer=_serialize,
        )
        for method in service.methods
    }


def _serialize(response: Message) -> bytes:
    return response.SerializeToString()


def build_grpc_server(
    dispatcher: Dispatcher,
    services: Sequence[ServiceDescriptor],
    *,
    calls: CallObserver | None = None,
    health_servicer: health.aio.HealthServicer | None = None,
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """A server with every contract service, gRPC health checking and server reflection.

    With `calls`, every call is logged and counted (`configapi.observability`); a given
    `health_servicer` replaces the plain one (readiness-checked health, `observability.health`).
    """
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    for service in services:
        handlers = _method_handlers(dispatcher, service, calls)
        server.add_generic_rpc_handlers(
            [grpc.method_handlers_generic_handler(service.full_name, handlers)]
        )
        # grpc's registered-method fast path, as generated code registers servicers: the method
        # is resolved in the C core instead of by a Python look-up per call
        server.add_registered_method_handlers(service.full_name, handlers)
    health_servicer = health_servicer or health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [s.full_name for s in services]
    reflection.enable_server_reflection(
        [*names, reflection.SERVICE_NAME, health.SERVICE_NAME], server
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
