"""The composition root (DESIGN rule 5): storage → services → policy → gRPC server → gateway.

No module-level state: every `ConfigApiServer` is independent, so tests run many in one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc

from configapi import contract
from configapi.aip.pagination import PageTokens
from configapi.auth.ratelimit import RateLimiter
from configapi.catalog import load_catalog
from configapi.grpc.dispatch import Dispatcher
from configapi.grpc.policy import Policy
from configapi.grpc.server import build_grpc_server, mark_serving
from configapi.grpc.token_cache import TokenCache
from configapi.http_limits import ListenerLimits
from configapi.http_server import HttpServer
from configapi.observability.endpoints import operator_app, operator_routes
from configapi.observability.health import (
    CheckedHealthServicer,
    Readiness,
    UpstreamHealth,
    storage_probe,
)
from configapi.observability.logs import RequestLog
from configapi.observability.metrics import Metrics
from configapi.observability.observer import CallObserver
from configapi.resources import ResourceRegistry
from configapi.services import by_service
from configapi.services.access_tokens import AccessTokenServicer
from configapi.services.catalog import CatalogServicer
from configapi.services.context import ServiceContext
from configapi.services.cpu_lane import CpuLane
from configapi.services.destination_filters import DestinationFilterServicer
from configapi.services.destinations import DestinationServicer
from configapi.services.sources import SourceServicer
from configapi.services.tracking_plans import TrackingPlanServicer
from configapi.services.workspaces import WorkspaceServicer
from configapi.settings import MIB, Settings
from configapi.storage.backends import (
    expected_schema_version,
    make_repository,
    open_repository,
)
from configapi.storage.budgets import Budgets
from configapi.tls import TlsFiles, grpc_channel_credentials

log = logging.getLogger(__name__)


class ConfigApiServer:
    """One running deployment process: the gRPC server and, optionally, the REST gateway."""

    def __init__(
        self, settings: Settings, *, log_write: Callable[[str], object] | None = None
    ) -> None:
        self.settings = settings
        self.metrics = Metrics()
        # request lines go to `log_write` (stderr when None)
        self.calls = CallObserver(
            RequestLog(log_write, log_format=settings.log_format, level=settings.log_level),
            self.metrics,
        )
        self.repository = make_repository(
            settings.database,
            observe=self.metrics.storage_observer("main"),
            read_cache_bytes=settings.read_cache_mib * MIB,
        )
        self._budgets = Budgets(
            settings, self.repository, self.metrics.storage_observer("ratelimit")
        )
        self.readiness = Readiness(
            storage_probe(
                self.repository.schema_version, expected_schema_version(settings.database)
            )
        )
        self.tls = TlsFiles.from_options(settings.tls_cert, settings.tls_key)
        self.grpc_port = 0
        self.http_port = 0
        self.metrics_port = 0
        self._grpc: grpc.aio.Server | None = None
        self._http: HttpServer | None = None
        self._metrics_http: HttpServer | None = None
        self._cpu = CpuLane()

    async def start(self) -> None:
        """Open storage, build everything, and start listening."""
        await open_repository(self.repository, self.settings.database)
        try:
            await self._start_serving()
        except BaseException:
            # storage's aiosqlite threads would keep a failed process alive: close it first
            await self.repository.close()
            await self._budgets.close()
            raise

    async def _start_serving(self) -> None:
        self.dispatcher = await self._build_dispatcher()
        services = contract.SERVICES
        self._grpc, self._health = build_grpc_server(
            self.dispatcher,
            services,
            calls=self.calls,
            health_servicer=CheckedHealthServicer(self.readiness, [s.full_name for s in services]),
            reuse_port=self.settings.reuse_port,
        )
        self.grpc_port = (
            self._grpc.add_insecure_port(self.settings.grpc_address)
            if self.tls is None
            else self._grpc.add_secure_port(self.settings.grpc_address, self.tls.grpc_credentials())
        )
        await self._grpc.start()
        self.readiness.accepting = True
        await mark_serving(self._health, services, True)
        if self.settings.http_address:
            await self._start_gateway()
        if self.settings.metrics_address:
            self._metrics_http = await _start_metrics_listener(
                self.settings.metrics_address,
                self._health.refresh,
                self.metrics,
                self.tls,
                reuse_port=self.settings.reuse_port,
            )
            self.metrics_port = self._metrics_http.port

    async def _build_dispatcher(self) -> Dispatcher:
        settings = self.settings
        catalog = await asyncio.to_thread(load_catalog, settings.catalog_files)
        secret = await self.repository.page_token_secret()
        resources = ResourceRegistry(contract.FILES)
        context = ServiceContext(self.repository, catalog, PageTokens(secret), resources, self._cpu)
        tokens = TokenCache(self.repository.tokens, settings.token_cache_seconds)
        await self._budgets.open(tokens.revoke)

        def on_delete(token_name: str) -> None:
            tokens.revoke(token_name)
            self._budgets.revoked(token_name)

        servicers = by_service(
            WorkspaceServicer(context),
            SourceServicer(context),
            DestinationServicer(context),
            DestinationFilterServicer(context),
            TrackingPlanServicer(context),
            AccessTokenServicer(context, on_delete=on_delete),
            CatalogServicer(context),
        )
        policy = Policy(tokens, RateLimiter(settings.rate_limit, self._budgets.buckets))
        return Dispatcher(contract.methods(), servicers, policy, resources, self._cpu)

    async def _start_gateway(self) -> None:
        # imported here: a gRPC-only process never loads the HTTP stack
        from configapi.gateway import InProcessInvoker, build_gateway

        app = build_gateway(
            InProcessInvoker(self.dispatcher),
            max_body_bytes=self.settings.max_body_bytes,
            operator_routes=operator_routes(
                self._health.refresh,  # the same answer as gRPC health checking
                None if self.settings.metrics_address else self.metrics,
            ),
            calls=self.calls,
        )
        self._http = HttpServer(
            app,
            self.settings.http_address,
            tls=self.tls,
            limits=self.settings.http_limits,
            reuse_port=self.settings.reuse_port,
        )
        await self._http.start()
        self.http_port = self._http.port

    async def stop(self, grace: float | None = None) -> None:
        """Stop accepting, let in-flight calls finish (up to `grace` seconds), close storage."""
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        self.readiness.accepting = False
        if self._grpc is not None:
            await mark_serving(self._health, contract.SERVICES, False)
        # Every listener stops taking calls at once, then all drain together: gRPC must not
        # take new calls while REST finishes its in-flight ones (README "Guarantees").
        stopping = [s.stop() for s in (self._http, self._metrics_http) if s is not None]
        if self._grpc is not None:
            stopping.append(self._grpc.stop(grace))
        await asyncio.gather(*stopping)
        await self.repository.close()
        await self._budgets.close()
        self._cpu.close()
        self.calls.flush()


class ProxyGateway:
    """A standalone REST gateway in front of any server of this API (`configapi gateway`)."""

    def __init__(
        self,
        upstream: str,
        http_address: str,
        max_body_bytes: int,
        *,
        tls: TlsFiles | None = None,
        upstream_ca: Path | None = None,
        metrics_address: str = "",
        log_format: str = "json",
        log_level: str = "info",
        log_write: Callable[[str], object] | None = None,
        limits: ListenerLimits | None = None,
    ) -> None:
        from configapi.gateway import ProxyInvoker, build_gateway

        credentials = grpc_channel_credentials(upstream_ca) if upstream_ca else None
        self._invoker = ProxyInvoker(upstream, credentials=credentials)
        self.metrics = Metrics()
        self._upstream_health = UpstreamHealth(upstream, credentials)
        self._calls = CallObserver(
            RequestLog(log_write, log_format=log_format, level=log_level), self.metrics
        )
        self.readiness = Readiness(self._upstream_health.problem)
        served = build_gateway(
            self._invoker,
            max_body_bytes=max_body_bytes,
            operator_routes=operator_routes(
                self.readiness.problem, None if metrics_address else self.metrics
            ),
            calls=self._calls,
        )
        self._http = HttpServer(served, http_address, tls=tls, limits=limits)
        self._metrics_address = metrics_address
        self._tls = tls
        self._metrics_http: HttpServer | None = None
        self.metrics_port = 0

    @property
    def http_port(self) -> int:
        """The port it listens on."""
        return self._http.port

    async def start(self) -> None:
        """Start serving; the upstream is connected on first use."""
        await self._http.start()
        self.readiness.accepting = True
        if self._metrics_address:
            self._metrics_http = await _start_metrics_listener(
                self._metrics_address, self.readiness.problem, self.metrics, self._tls
            )
            self.metrics_port = self._metrics_http.port

    async def stop(self) -> None:
        """Finish in-flight requests, then close the upstream channel."""
        self.readiness.accepting = False
        await self._http.stop()
        if self._metrics_http is not None:
            await self._metrics_http.stop()
        await self._invoker.close()
        await self._upstream_health.close()
        self._calls.flush()


async def _start_metrics_listener(
    address: str,
    ready: Callable[[], Awaitable[str | None]],
    metrics: Metrics,
    tls: TlsFiles | None,
    *,
    reuse_port: bool = False,
) -> HttpServer:
    """`--metrics-address`: /metrics and the probes on a listener of their own, no API."""
    listener = HttpServer(operator_app(ready, metrics), address, tls=tls, reuse_port=reuse_port)
    await listener.start()
    return listener
