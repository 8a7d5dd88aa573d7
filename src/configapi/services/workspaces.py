"""WorkspaceService (SPEC §6.1): read-only; a caller sees only its token's workspaces."""

from __future__ import annotations

from typing import ClassVar

from segment.config.v1beta import workspaces_pb2 as pb

from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.errors import not_found
from configapi.services.context import ServiceContext
from configapi.services.resource_types import WORKSPACE


class WorkspaceServicer:
    """Workspaces held by the caller."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.WorkspaceService"

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._repo = context.repository

    async def ListWorkspaces(
        self, request: pb.ListWorkspacesRequest, caller: Caller
    ) -> pb.ListWorkspacesResponse:
        """AIP-132: only the caller's workspaces."""
        items, token = await self._ctx.page(
            request,
            lambda after, n: self._repo.list_workspaces_in(caller.workspace_names, after, n),
            int,
        )
        return pb.ListWorkspacesResponse(workspaces=items, next_page_token=token)

    async def GetWorkspace(self, request: pb.GetWorkspaceRequest, caller: Caller) -> pb.Workspace:
        """AIP-131; another tenant's workspace is NOT_FOUND (checked by the policy layer too)."""
        parse_name(WORKSPACE, request.name, "name")
        workspace = (
            await self._repo.workspaces.get(request.name) if caller.holds(request.name) else None
        )
        if workspace is None:
            raise not_found(WORKSPACE.resource_type, request.name)
        return workspace
