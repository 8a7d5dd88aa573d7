"""The dispatcher: the one path every call takes, from gRPC or from the in-process gateway.

It admits the call through the policy layer, checks the request against SPEC §1/§6's limits
(`aip.limits`, off the event loop when the request is large), runs the servicer method named
like the RPC, and is the error boundary: an ApiError passes through; anything else is logged
with its traceback and becomes INTERNAL "internal error" (SPEC §2: no internals reach the caller).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from configapi.aip.limits import carries_messages, request_violations
from configapi.auth.tokens import Caller
from configapi.errors import ApiError, internal, invalid_arguments
from configapi.grpc.policy import MethodRules, Policy
from configapi.resources import ResourceRegistry
from configapi.services.cpu_lane import CpuLane

log = logging.getLogger(__name__)

Handler = Callable[[Message, Caller], Awaitable[Message]]


@dataclass(frozen=True)
class Route:
    """A method, its policy rules and the servicer method that serves it."""

    rules: MethodRules
    handler: Handler | None
    checked: bool  # its requests carry something SPEC §1/§6 limit (Create, Update)


class Dispatcher:
    """Runs calls through the policy layer and the servicers."""

    def __init__(
        self,
        methods: Sequence[MethodDescriptor],
        servicers: Mapping[str, object],
        policy: Policy,
        resources: ResourceRegistry,
        cpu: CpuLane,
    ) -> None:
        """`servicers` maps a service's full name to its servicer (never matched by position)."""
        known = {method.containing_service.full_name for method in methods}
        unknown = sorted(set(servicers) - known)
        if unknown:
            raise ValueError(f"servicers for services not in the contract: {unknown}")
        self._policy = policy
        self._cpu = cpu
        self._routes = {
            method.full_name: Route(
                MethodRules.of(method, resources),
                getattr(servicers.get(method.containing_service.full_name), method.name, None),
                carries_messages(method.input_type),
            )
            for method in methods
        }

    def unserved(self) -> list[str]:
        """Methods of the contract that no servicer implements (answered UNIMPLEMENTED)."""
        return sorted(name for name, route in self._routes.items() if route.handler is None)

    async def admit(
        self, method: MethodDescriptor, metadata: Sequence[tuple[str, object]]
    ) -> Caller:
        """The policy's checks that need no request (token, rate limit, scope); raises ApiError.

        For the REST gateway, which runs them before reading a body; pass the caller to `call`.
        """
        route = self._routes.get(method.full_name)
        try:
            if route is None or route.handler is None:
                raise _unimplemented(method)
            return await self._policy.admit_caller(route.rules, metadata)
        except ApiError:
            raise
        except Exception:
            log.exception("unexpected error admitting %s", method.full_name)
            raise internal() from None

    async def call(
        self,
        method: MethodDescriptor,
        request: Message,
        metadata: Sequence[tuple[str, object]],
        caller: Caller | None = None,
    ) -> Message:
        """Admit and serve one call; raises ApiError and nothing else.

        With `caller` (already admitted by `admit`), only the tenancy check is left to do.
        """
        route = self._routes.get(method.full_name)
        try:
            if route is None or route.handler is None:
                raise _unimplemented(method)
            if caller is None:
                caller = await self._policy.admit(route.rules, request, metadata)
            else:
                self._policy.check_target(route.rules, request, caller)
            if route.checked:
                await self._check_limits(request)
            return await route.handler(request, caller)
        except ApiError:
            raise
        except Exception:
            log.exception("unexpected error in %s", method.full_name)
            raise internal() from None

    async def _check_limits(self, request: Message) -> None:
        """SPEC §1 and §6 limits, the same for both transports, before any servicer code."""
        size = request.ByteSize()
        violations = await self._cpu.run(size, lambda: request_violations(request))
        if violations:
            raise invalid_arguments(violations)


def _unimplemented(method: MethodDescriptor) -> ApiError:
    return ApiError(
        code=grpc.StatusCode.UNIMPLEMENTED,
        message=f"method {method.full_name} is not supported",
        reason="METHOD_NOT_SUPPORTED",
        metadata={"method": method.full_name},
    )
