"""Servers for operability tests: real `ConfigApiServer`s on port 0 over a SQLite file in
`tmp_path`, each writing its request lines into a list the test reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from segment.config.v1beta.access_tokens_pb2 import AccessToken

from configapi import admin
from configapi.app import ConfigApiServer
from configapi.auth.tokens import SCOPE_WRITE
from configapi.settings import Settings


@dataclass
class Served:
    """A running server, what it logged, and its seeded workspace and write token."""

    server: ConfigApiServer
    lines: list[str] = field(default_factory=list)
    token: str = ""  # a write token for acme: its secret
    token_name: str = ""  # and its resource name

    @property
    def rest(self) -> str:
        scheme = "https" if self.server.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.http_port}"

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.server.grpc_port}"

    async def add_token(self, *workspaces: str, scopes: str = SCOPE_WRITE) -> AccessToken:
        """A new token (`.token` is its secret, `.name` its resource name)."""
        return await admin.create_token(self.server.repository, workspaces, scopes, "test")


Serve = Callable[..., Awaitable[Served]]


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """`await serve(**settings)` → a started server with workspace `acme` and a write token."""
    started: list[ConfigApiServer] = []

    async def start(**overrides: Any) -> Served:
        values: dict[str, Any] = {
            "database": tmp_path / "configapi.db",
            "grpc_address": "127.0.0.1:0",
            "http_address": "127.0.0.1:0",
            "rate_limit": 0,
            **overrides,
        }
        lines: list[str] = []
        served = Served(ConfigApiServer(Settings(**values), log_write=lines.append), lines)
        await served.server.start()
        started.append(served.server)
        if await served.server.repository.workspaces.get("workspaces/acme") is None:
            await admin.create_workspace(served.server.repository, "acme", "Acme")
        token = await served.add_token("acme")
        served.token, served.token_name = token.token, token.name
        return served

    yield start
    for server in reversed(started):
        await server.stop(grace=0)
