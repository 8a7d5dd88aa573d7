"""Liveness and readiness, one answer for HTTP (`/healthz`, `/readyz`) and gRPC health checking.

- Live: the process answers at all (`/healthz` is 200 whenever it is served).
- Ready: the process has started, is not shutting down, and its dependency answers: for a
  server, the database is reachable and carries exactly the schema this version migrates to;
  for a standalone gateway, its upstream's gRPC health check says SERVING.

`/readyz` and the gRPC health service's `Check` both run the same probe when asked, so they
never disagree; the gRPC statuses (overall and per service) are set from its answer, which
also wakes `Watch` streams.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[str | None]]  # None when fine, else what is wrong


class Readiness:
    """Whether this process should receive traffic, and if not, why."""

    def __init__(self, probe: Probe) -> None:
        self._probe = probe
        self.accepting = False  # set by the composition root once started, cleared on stop

    async def problem(self) -> str | None:
        """None when ready, else a short reason (safe to show: no paths, no internals)."""
        if not self.accepting:
            return "not serving: starting or shutting down"
        try:
            return await self._probe()
        except Exception as error:  # a probe that fails is a negative answer, not a crash
            log.warning("readiness probe failed: %s", error)
            return "dependency check failed"


def storage_probe(schema_version: Callable[[], Awaitable[int]], expected: int) -> Probe:
    """Ready when the database answers with schema version `expected` (migrations done)."""

    async def probe() -> str | None:
        try:
            version = await schema_version()
        except Exception:
            return "database unreachable"
        if version != expected:
            return f"database schema is version {version}, this server needs {expected}"
        return None

    return probe


class CheckedHealthServicer(health.aio.HealthServicer):  # type: ignore[misc]  # untyped base
    """gRPC health checking whose `Check` asks `Readiness` first, like `/readyz`."""

    def __init__(self, readiness: Readiness, service_names: Sequence[str]) -> None:
        super().__init__()
        self._readiness = readiness
        self._names = ("", *service_names)

    async def Check(self, request: health_pb2.HealthCheckRequest, context: Any) -> Any:
        await self.refresh()
        return await super().Check(request, context)

    async def refresh(self) -> str | None:
        """Set every status from a fresh readiness answer; returns its reason, if any."""
        problem = await self._readiness.problem()
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if problem is None
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in self._names:
            await self.set(name, status)
        return problem


class UpstreamHealth:
    """A standalone gateway's readiness probe: its upstream's gRPC health check, over a channel
    of its own (opened on first use, in the serving loop)."""

    def __init__(
        self, target: str, credentials: grpc.ChannelCredentials | None, timeout: float = 2.0
    ) -> None:
        self._target = target
        self._credentials = credentials
        self._timeout = timeout
        self._channel: grpc.aio.Channel | None = None

    async def problem(self) -> str | None:
        """None when the upstream says SERVING, else why not."""
        if self._channel is None:
            self._channel = (
                grpc.aio.insecure_channel(self._target)
                if self._credentials is None
                else grpc.aio.secure_channel(self._target, self._credentials)
            )
        stub = health_pb2_grpc.HealthStub(self._channel)
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            return f"upstream unreachable ({error.code().name})"
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            return "upstream not serving"
        return None

    async def close(self) -> None:
        """Close the channel."""
        channel, self._channel = self._channel, None
        if channel is not None:
            await channel.close()
