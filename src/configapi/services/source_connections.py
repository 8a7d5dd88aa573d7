"""Tracking-plan source connections (SPEC §6.9), methods of TrackingPlanService.

A source is connected to at most one plan, so a connection is stored as a singleton under its
source (`<source>/tracking-plan-connection`, unique by name: a second connection is 409, and it
goes when the source goes) whose storage parent is the plan (listed by plan, and removed when
the plan is deleted: the repository deletes rows by parent too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from google.protobuf import empty_pb2
from segment.config.v1beta import sources_pb2
from segment.config.v1beta import tracking_plans_pb2 as pb

from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.errors import (
    ApiError,
    FieldViolation,
    already_exists,
    invalid_arguments,
    not_found,
)
from configapi.services.context import ServiceContext

_STORED_UNDER_SOURCE = "tracking-plan-connection"
# AIP-233: a batch states its maximum. Each source costs a read before the insert, and the answer
# lists every connection: 1,000 keeps both small (the answer well under gRPC's 4 MiB; 60,000 names
# took 5 s to refuse and could have made an answer no client can read).
MAX_BATCH: Final = 1000


class SourceConnectionMethods:
    """ListSourceConnections, CreateSourceConnection, BatchCreateSourceConnections and
    DeleteSourceConnection over one collection."""

    def __init__(self, context: ServiceContext) -> None:
        self._conn_ctx = context
        self._plan = context.resource(pb.TrackingPlan)
        self._source = context.resource(sources_pb2.Source)
        self._connection = context.resources["config.segmentapis.com/SourceConnection"]
        self._connections = context.collection(pb.SourceConnection, self._connection)

    async def ListSourceConnections(
        self, request: pb.ListSourceConnectionsRequest, caller: Caller
    ) -> pb.ListSourceConnectionsResponse:
        """AIP-132 over the plan's connections; a missing plan is NOT_FOUND."""
        plan = request.parent
        parse_name(self._plan.pattern, plan, "parent")
        items, token = await self._conn_ctx.page(
            request,
            lambda after, n: self._connections.list(plan, after, n, parent_type=self._plan.type),
            int,
        )
        return pb.ListSourceConnectionsResponse(connections=items, next_page_token=token)

    async def CreateSourceConnection(
        self, request: pb.CreateSourceConnectionRequest, caller: Caller
    ) -> pb.SourceConnection:
        """Connect one source; the response is the bare connection (reference §5.10)."""
        parse_name(self._plan.pattern, request.parent, "parent")
        connection = self._new(request.parent, request.source_name, "source_name")
        await self._insert(request.parent, [connection])
        return connection

    async def BatchCreateSourceConnections(
        self, request: pb.BatchCreateSourceConnectionsRequest, caller: Caller
    ) -> pb.BatchCreateSourceConnectionsResponse:
        """Connect several sources, all or nothing: one check fails, nothing is stored."""
        parse_name(self._plan.pattern, request.parent, "parent")
        _check_source_names(request.source_names)
        connections = [
            self._new(request.parent, name, f"source_names[{index}]")
            for index, name in enumerate(request.source_names)
        ]
        await self._insert(request.parent, connections)
        return pb.BatchCreateSourceConnectionsResponse(connections=connections)

    async def DeleteSourceConnection(
        self, request: pb.DeleteSourceConnectionRequest, caller: Caller
    ) -> empty_pb2.Empty:
        """Disconnect; NOT_FOUND unless this source is connected to this plan."""
        ids = parse_name(self._connection.pattern, request.name, "name")
        source = self._source.pattern.render(workspace=ids["workspace"], source=ids["source"])
        stored = await self._connections.get(_stored_name(source))
        if stored is None or stored.tracking_plan_id != ids["tracking_plan"]:
            raise not_found(self._connection.type, request.name)
        await self._connections.delete(_stored_name(source))
        return empty_pb2.Empty()

    def _new(self, plan: str, source: str, field_path: str) -> pb.SourceConnection:
        """A connection of `source` to `plan`; a source of another workspace is NOT_FOUND
        (SPEC §6.9), exactly as one that does not exist (no existence leak, SPEC §3)."""
        plan_ids = parse_name(self._plan.pattern, plan, "parent")
        source_ids = parse_name(self._source.pattern, source, field_path)
        if source_ids["workspace"] != plan_ids["workspace"]:
            raise not_found(self._source.type, source)
        return pb.SourceConnection(source_name=source, tracking_plan_id=plan_ids["tracking_plan"])

    async def _insert(self, plan: str, connections: Sequence[pb.SourceConnection]) -> None:
        """Store every connection in one transaction; the plan and each source must exist."""
        if await self._plan_missing(plan):
            raise not_found(self._plan.type, plan)
        for connection in connections:
            await self._check_unconnected(plan, connection.source_name)
        requires = {plan: self._plan.type}
        requires.update((c.source_name, self._source.type) for c in connections)
        rows = [(_stored_name(c.source_name), plan, c) for c in connections]
        try:
            await self._connections.insert_all(rows, requires=requires)
        except ApiError as error:  # connected meanwhile: name the connection, not the row
            if error.reason != "RESOURCE_ALREADY_EXISTS":
                raise
            for connection in connections:
                await self._check_unconnected(plan, connection.source_name)
            raise

    async def _plan_missing(self, plan: str) -> bool:
        plans = self._conn_ctx.collection(pb.TrackingPlan)
        return await plans.get(plan) is None

    async def _check_unconnected(self, plan: str, source: str) -> None:
        """SPEC §6.9: at most one plan per source; a second connection is ALREADY_EXISTS,
        naming the connection that exists (the insert checks again, in its transaction)."""
        existing = await self._connections.get(_stored_name(source))
        if existing is None:
            return
        workspace = parse_name(self._plan.pattern, plan, "parent")["workspace"]
        name = self._connection.pattern.render(
            workspace=workspace,
            tracking_plan=existing.tracking_plan_id,
            source=source.rsplit("/", 1)[1],
        )
        raise already_exists(self._connection.type, name)


def _stored_name(source: str) -> str:
    return f"{source}/{_STORED_UNDER_SOURCE}"


def _check_source_names(source_names: Sequence[str]) -> None:
    """Some, at most MAX_BATCH, each listed once."""
    if not source_names:
        raise invalid_arguments([FieldViolation("source_names", "is required")])
    if len(source_names) > MAX_BATCH:
        rule = f"must list at most {MAX_BATCH} sources, got {len(source_names)}"
        raise invalid_arguments([FieldViolation("source_names", rule)])
    seen: set[str] = set()
    violations = []
    for index, name in enumerate(source_names):
        if name in seen:
            violations.append(FieldViolation(f"source_names[{index}]", f'"{name}" is listed twice'))
        seen.add(name)
    if violations:
        raise invalid_arguments(violations)
