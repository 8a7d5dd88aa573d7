"""The composition root (DESIGN rule 5): storage → services → policy → gRPC server → gateway.

No module-level state: every `ConfigApiServer` is independent, so tests run many in one process.
"""

from __future__ import annotations

import asyncio
import logging

import grpc

from configapi import contract
from configapi.aip.names import PatternRegistry
from configapi.aip.pagination import PageTokens
from configapi.auth.ratelimit import RateLimiter
from configapi.catalog import load_catalog
from configapi.grpc.dispatch import Dispatcher
from configapi.grpc.policy import Policy
from configapi.grpc.server import build_grpc_server, mark_serving
from configapi.grpc.token_cache import TokenCache
from configapi.http_server import HttpServer
from configapi.services.access_tokens import AccessTokenServicer
from configapi.services.catalog import CatalogServicer
from configapi.services.context import ServiceContext
from configapi.services.destinations import DestinationServicer
from configapi.services.sources import SourceServicer
from configapi.services.tracking_plans import TrackingPlanServicer
from configapi.services.workspaces import WorkspaceServicer
from configapi.settings import Settings
from configapi.storage.sqlite_buckets import SqliteBuckets
from configapi.storage.sqlite_repository import SqliteRepository

log = logging.getLogger(__name__)


class ConfigApiServer:
    """One running deployment process: the gRPC server and, optionally, the REST gateway."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.repository = SqliteRepository(settings.database)
        # shared by every process on this database: one rate-limit budget per token (SPEC §3)
        self._buckets = SqliteBuckets(settings.database)
        self.grpc_port = 0
        self.http_port = 0
        self._grpc: grpc.aio.Server | None = None
        self._http: HttpServer | None = None

    async def start(self) -> None:
        """Open storage, build everything, and start listening."""
        await self.repository.open()
        await self._buckets.open()
        self.dispatcher = await self._build_dispatcher()
        services = contract.SERVICES
        self._grpc, self._health = build_grpc_server(self.dispatcher, services)
        self.grpc_port = self._grpc.add_insecure_port(self.settings.grpc_address)
        await self._grpc.start()
        await mark_serving(self._health, services, True)
        if self.settings.http_address:
            await self._start_gateway()

    async def _build_dispatcher(self) -> Dispatcher:
        settings = self.settings
        catalog = await asyncio.to_thread(load_catalog, settings.catalog_files)
        secret = await self.repository.page_token_secret()
        context = ServiceContext(self.repository, catalog, PageTokens(secret))
        tokens = TokenCache(self.repository.tokens, settings.token_cache_seconds)
        servicers: list[object] = [
            WorkspaceServicer(context),
            SourceServicer(context),
            DestinationServicer(context),
            TrackingPlanServicer(context),
            AccessTokenServicer(context, on_delete=tokens.revoke),
            CatalogServicer(context),
        ]
        by_service = dict(zip((s.full_name for s in contract.SERVICES), servicers, strict=True))
        policy = Policy(tokens, RateLimiter(settings.rate_limit, self._buckets))
        patterns = PatternRegistry(
            m for f in contract.FILES for m in f.message_types_by_name.values()
        )
        return Dispatcher(contract.methods(), by_service, policy, patterns)

    async def _start_gateway(self) -> None:
        # imported here: a gRPC-only process never loads the HTTP stack
        from configapi.gateway import InProcessInvoker, build_gateway

        app = build_gateway(
            InProcessInvoker(self.dispatcher), max_body_bytes=self.settings.max_body_bytes
        )
        self._http = HttpServer(app, self.settings.http_address)
        await self._http.start()
        self.http_port = self._http.port

    async def stop(self, grace: float | None = None) -> None:
        """Stop accepting, let in-flight calls finish (up to `grace` seconds), close storage."""
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        if self._grpc is not None:
            await mark_serving(self._health, contract.SERVICES, False)
        if self._http is not None:
            await self._http.stop()
        if self._grpc is not None:
            await self._grpc.stop(grace)
        await self.repository.close()
        await self._buckets.close()


class ProxyGateway:
    """A standalone REST gateway in front of any server of this API (`configapi gateway`)."""

    def __init__(self, upstream: str, http_address: str, max_body_bytes: int) -> None:
        from configapi.gateway import ProxyInvoker, build_gateway

        self._invoker = ProxyInvoker(upstream)
        self._http = HttpServer(
            build_gateway(self._invoker, max_body_bytes=max_body_bytes), http_address
        )

    @property
    def http_port(self) -> int:
        """The port it listens on."""
        return self._http.port

    async def start(self) -> None:
        """Start serving; the upstream is connected on first use."""
        await self._http.start()

    async def stop(self) -> None:
        """Finish in-flight requests, then close the upstream channel."""
        await self._http.stop()
        await self._invoker.close()
