"""The policy layer (SPEC §3) over each backend's token store and shared buckets: the same
answers on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.message import Message
from segment.config.v1beta import sources_pb2

from configapi import admin, contract
from configapi.auth.ratelimit import RateLimiter
from configapi.auth.tokens import SCOPE_READ, SCOPE_WRITE
from configapi.errors import ApiError
from configapi.grpc.policy import MethodRules, Policy
from configapi.grpc.token_cache import TokenCache
from configapi.resources import ResourceRegistry
from configapi.settings import Settings
from configapi.storage.backends import AnyRepository
from configapi.storage.budgets import Budgets

RESOURCES = ResourceRegistry(contract.FILES)


def _rules(name: str) -> MethodRules:
    method = next(m for m in contract.methods() if m.name == name)
    return MethodRules.of(method, RESOURCES)


async def _admit(policy: Policy, method: str, request: Message, secret: str) -> object:
    try:
        return await policy.admit(_rules(method), request, [("authorization", f"Bearer {secret}")])
    except ApiError as error:
        return error.code


@pytest.fixture
async def budgets(repository: AnyRepository, database: object) -> Budgets:
    """The backend's shared bucket store (what `serve --workers N` uses without Redis)."""
    settings = Settings(database=database, rate_limit_store="database")  # type: ignore[arg-type]
    budgets = Budgets(settings, repository)
    await budgets.open(lambda name: None)
    return budgets


async def test_authentication_scope_tenancy_and_the_limit(
    repository: AnyRepository, budgets: Budgets
) -> None:
    for slug in ("acme", "globex"):
        await admin.create_workspace(repository, slug)
    write = (await admin.create_token(repository, ["acme"], SCOPE_WRITE, "w")).token
    read = (await admin.create_token(repository, ["acme"], SCOPE_READ, "r")).token
    policy = Policy(TokenCache(repository.tokens, 2.0), RateLimiter(5, budgets.buckets))
    mine = sources_pb2.GetSourceRequest(name="workspaces/acme/sources/web")
    theirs = sources_pb2.GetSourceRequest(name="workspaces/globex/sources/web")
    create = sources_pb2.CreateSourceRequest(parent="workspaces/acme")
    assert await _admit(policy, "GetSource", mine, "sgp_unknown") == grpc.StatusCode.UNAUTHENTICATED
    assert await _admit(policy, "CreateSource", create, read) == grpc.StatusCode.PERMISSION_DENIED
    assert await _admit(policy, "GetSource", theirs, write) == grpc.StatusCode.NOT_FOUND
    # 5 a minute: the refused-for-tenancy call above spent one of them
    outcomes = [await _admit(policy, "GetSource", mine, write) for _ in range(5)]
    assert all(not isinstance(o, grpc.StatusCode) for o in outcomes[:4])
    assert outcomes[4] == grpc.StatusCode.RESOURCE_EXHAUSTED
    await budgets.close()
