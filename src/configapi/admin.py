"""Operator actions outside the API (DESIGN "Running it"): create workspaces and tokens."""

from __future__ import annotations

import time
from collections.abc import Sequence

from segment.config.v1beta import access_tokens_pb2, workspaces_pb2

from configapi.aip.names import parse_name
from configapi.errors import not_found
from configapi.services.access_tokens import check_token_fields, issue_token
from configapi.services.context import timestamp_at
from configapi.services.ids import random_key
from configapi.services.resource_types import WORKSPACE
from configapi.storage.repository import Repository

WORKSPACE_ID_LENGTH = 10


async def create_workspace(
    repository: Repository, slug: str, display_name: str = ""
) -> workspaces_pb2.Workspace:
    """A new workspace `workspaces/{slug}`; ALREADY_EXISTS if taken."""
    name = f"workspaces/{slug}"
    parse_name(WORKSPACE, name, "workspace")
    workspace = workspaces_pb2.Workspace(
        name=name, display_name=display_name or slug, id=random_key(WORKSPACE_ID_LENGTH)
    )
    workspace.create_time.CopyFrom(timestamp_at(time.time()))
    await repository.workspaces.insert(name, "", workspace)
    return workspace


async def create_token(
    repository: Repository, workspace_slugs: Sequence[str], scopes: str, description: str
) -> access_tokens_pb2.AccessToken:
    """A new token for existing workspaces; the result holds the secret (shown once)."""
    token = access_tokens_pb2.AccessToken(
        description=description,
        scopes=scopes,
        workspace_names=[f"workspaces/{slug}" for slug in workspace_slugs],
    )
    check_token_fields(token)
    for name in token.workspace_names:
        if await repository.workspaces.get(name) is None:
            raise not_found(WORKSPACE.resource_type, name)
    return await issue_token(repository.tokens, token, timestamp_at(time.time()))
