"""The policy layer (DESIGN rule 3): who is calling, may they, and how often (SPEC §3).

Every call from either transport is admitted here, in this order: authenticate the bearer
token (401), spend one request of its rate limit (429), require write scope for Create, Update
and Delete before any look-up (403), validate the target name and check that the token holds its
workspace (400, then 404 exactly as if the resource did not exist). What each method targets is
read from the resource registry: the `google.api.resource_reference` of its request's fields
(`name`, `parent`), or the resource an Update carries (`source.name`), so a method without an
HTTP binding is covered too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from configapi.aip.names import ResourcePattern, parse_name
from configapi.auth.ratelimit import RateLimiter
from configapi.auth.tokens import Caller
from configapi.errors import ApiError, not_found
from configapi.grpc.token_cache import TokenCache
from configapi.observability.calls import note_caller
from configapi.resources import ResourceRegistry, mutates

_BEARER = re.compile(r"\s*bearer\s+(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MethodRules:
    """What the policy needs to know of one method."""

    method: MethodDescriptor
    mutates: bool
    target_field: str
    target: ResourcePattern | None

    @classmethod
    def of(cls, method: MethodDescriptor, resources: ResourceRegistry) -> MethodRules:
        """Derive the rules from the method's name and its request's resource references."""
        target = resources.target_of(method)
        if target is None:
            return cls(method, mutates(method), "", None)
        return cls(method, mutates(method), target.field_path, target.pattern)

    def target_name(self, request: Message) -> str:
        """The value of the target field in `request` (e.g. `source.name`)."""
        value: object = request
        for part in self.target_field.split("."):
            value = getattr(value, part)
        return str(value)


class Policy:
    """Admits calls: authentication, rate limit, scope and tenancy."""

    def __init__(self, tokens: TokenCache, limiter: RateLimiter) -> None:
        self._tokens = tokens
        self._limiter = limiter

    async def admit(
        self, rules: MethodRules, request: Message, metadata: Sequence[tuple[str, object]]
    ) -> Caller:
        """The admitted caller, or the ApiError that refuses the call."""
        caller = await self.admit_caller(rules, metadata)
        self.check_target(rules, request, caller)
        return caller

    async def admit_caller(
        self, rules: MethodRules, metadata: Sequence[tuple[str, object]]
    ) -> Caller:
        """The checks that need no request message: token (401), rate limit (429), scope (403).

        The REST gateway runs them before it reads a body (cheap checks first, SPEC §3), then
        `check_target` once the request is built; a gRPC call runs both through `admit`.
        """
        secret = bearer_secret(metadata)
        caller = self._tokens.cached(secret) or await self._authenticate(secret)
        note_caller(caller)  # the call's log line names its token, even if refused below
        if self._limiter.enabled:  # awaited only when there is a limit: the hot path
            retry_after = await self._limiter.acquire(caller.secret_hash)
            if retry_after is not None:
                raise self._rate_limited(retry_after)
        if rules.mutates and not caller.can_write:
            raise _insufficient_scope()
        return caller

    @staticmethod
    def check_target(rules: MethodRules, request: Message, caller: Caller) -> None:
        """Tenancy: the target name is valid (400) and in the caller's workspaces (else 404)."""
        if rules.target is not None:
            _check_tenancy(rules, rules.target, rules.target_name(request), caller)

    async def _authenticate(self, secret: str) -> Caller:
        caller = await self._tokens.caller_for(secret)
        if caller is None:
            raise _unauthenticated("the access token is invalid", "ACCESS_TOKEN_INVALID")
        return caller

    def _rate_limited(self, retry_after: float) -> ApiError:
        limit = self._limiter.limit_per_minute
        return ApiError(
            code=grpc.StatusCode.RESOURCE_EXHAUSTED,
            message=f"rate limit of {limit} requests per minute exhausted",
            reason="RATE_LIMIT_EXCEEDED",
            metadata={"limit_per_minute": str(limit)},
            retry_after_seconds=retry_after,
        )


def bearer_secret(metadata: Sequence[tuple[str, object]]) -> str:
    """The secret of the `authorization: Bearer <secret>` metadata; 401 without one."""
    header = next((str(v) for k, v in metadata if k == "authorization"), "")
    match = _BEARER.match(header)
    if match is None:
        raise _unauthenticated("the access token is missing", "ACCESS_TOKEN_MISSING")
    return match.group(1)


def _check_tenancy(rules: MethodRules, target: ResourcePattern, name: str, caller: Caller) -> None:
    """A name in a workspace the token does not hold is NOT_FOUND (no existence leak)."""
    variables = parse_name(target, name, rules.target_field)
    workspace = variables.get("workspace")
    if workspace is not None and not caller.holds(f"workspaces/{workspace}"):
        raise not_found(target.resource_type, name)


def _unauthenticated(message: str, reason: str) -> ApiError:
    return ApiError(code=grpc.StatusCode.UNAUTHENTICATED, message=message, reason=reason)


def _insufficient_scope() -> ApiError:
    return ApiError(
        code=grpc.StatusCode.PERMISSION_DENIED,
        message="insufficient scope",
        reason="INSUFFICIENT_SCOPE",
        metadata={"required_scope": "workspace"},
    )
