"""TrackingPlanService (SPEC §6.4): plans with generated ids and JSON Schema rules."""

from __future__ import annotations

from typing import ClassVar

from google.protobuf import empty_pb2
from segment.config.v1beta import tracking_plans_pb2 as pb

from configapi.aip.fieldbehavior import clear_output_only, missing_required
from configapi.aip.fieldmask import apply_update_mask, normalize_paths
from configapi.aip.limits import MAX_RESOURCE_BYTES, resource_size_problem
from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.errors import FieldViolation, invalid_argument, invalid_arguments
from configapi.services.context import ServiceContext
from configapi.services.ids import tracking_plan_id
from configapi.services.json_schemas import schema_problem
from configapi.services.resource_types import TRACKING_PLAN, WORKSPACE
from configapi.services.source_connections import SourceConnectionMethods
from configapi.services.standard_methods import StandardMethods


class TrackingPlanServicer(SourceConnectionMethods):
    """Tracking plans of a workspace, and their source connections (SPEC §6.9)."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.TrackingPlanService"

    def __init__(self, context: ServiceContext) -> None:
        super().__init__(context)
        self._ctx = context
        self._store = context.repository.tracking_plans
        self._standard = StandardMethods(context, self._store, TRACKING_PLAN, WORKSPACE)

    async def ListTrackingPlans(
        self, request: pb.ListTrackingPlansRequest, caller: Caller
    ) -> pb.ListTrackingPlansResponse:
        """AIP-132."""
        items, token = await self._standard.list(request, request.parent)
        return pb.ListTrackingPlansResponse(tracking_plans=items, next_page_token=token)

    async def GetTrackingPlan(
        self, request: pb.GetTrackingPlanRequest, caller: Caller
    ) -> pb.TrackingPlan:
        """AIP-131."""
        return await self._standard.get(request.name)

    async def CreateTrackingPlan(
        self, request: pb.CreateTrackingPlanRequest, caller: Caller
    ) -> pb.TrackingPlan:
        """AIP-133 with a generated, time-ordered id."""
        parse_name(WORKSPACE, request.parent, "parent")
        plan = pb.TrackingPlan()
        plan.CopyFrom(request.tracking_plan)
        clear_output_only(plan)
        problems = missing_required(plan, "tracking_plan") + await self._rules_problems(plan)
        if problems:
            raise invalid_arguments(problems)
        _default_versions(plan.rules)
        plan.name = TRACKING_PLAN.render(
            workspace=request.parent.split("/")[1], tracking_plan=tracking_plan_id()
        )
        plan.create_time.CopyFrom(self._ctx.now())
        plan.update_time.CopyFrom(plan.create_time)
        await self._store.insert(
            plan.name, request.parent, plan, parent_type=WORKSPACE.resource_type
        )
        return plan

    async def UpdateTrackingPlan(
        self, request: pb.UpdateTrackingPlanRequest, caller: Caller
    ) -> pb.TrackingPlan:
        """AIP-134 with SPEC §5; PUT and PATCH mean the same."""
        name = request.tracking_plan.name
        parse_name(TRACKING_PLAN, name, "tracking_plan.name")
        paths = normalize_paths(request.update_mask.paths, "tracking_plan", pb.TrackingPlan)
        if not paths:
            return await self._standard.get(name, "tracking_plan.name")
        sent = request.tracking_plan
        # SPEC §6.4: only what the mask takes from the body is validated (and stored)
        masked = pb.TrackingPlan()
        apply_update_mask(masked, sent, paths)
        problems = await self._rules_problems(masked)
        if "display_name" in paths and not sent.display_name:
            problems.append(FieldViolation("tracking_plan.display_name", "must not be empty"))
        if problems:
            raise invalid_arguments(problems)
        now = self._ctx.now()

        def mutate(current: pb.TrackingPlan) -> pb.TrackingPlan:
            apply_update_mask(current, sent, paths)
            _default_versions(current.rules)
            current.update_time.CopyFrom(now)
            if current.ByteSize() > MAX_RESOURCE_BYTES:  # old and new parts together
                raise invalid_argument("tracking_plan", resource_size_problem(current))
            return current

        updated = await self._store.update(name, mutate)
        if updated is None:
            raise self._standard.not_found(name)
        return updated

    async def _rules_problems(self, plan: pb.TrackingPlan) -> list[FieldViolation]:
        """`_rules_problems`, off the event loop for large rules (SPEC §6: seconds of CPU)."""
        rules = plan.rules
        return await self._ctx.cpu.run(rules.ByteSize(), lambda: _rules_problems(rules))

    async def DeleteTrackingPlan(
        self, request: pb.DeleteTrackingPlanRequest, caller: Caller
    ) -> empty_pb2.Empty:
        """AIP-135."""
        await self._standard.delete(request.name)
        return empty_pb2.Empty()


def _rules_problems(rules: pb.TrackingPlanRules) -> list[FieldViolation]:
    """Every JSON Schema object in the rules must be a valid JSON Schema (SPEC §6.4)."""
    prefix = "tracking_plan.rules"
    schemas = [
        (getattr(rules, key), f"{prefix}.{key}")
        for key in ("global", "identify", "group")
        if rules.HasField(key)
    ]
    schemas += [(e.rules, f"{prefix}.events[{i}].rules") for i, e in enumerate(rules.events)]
    for key in ("identify_traits", "group_traits"):
        schemas += [(s, f"{prefix}.{key}[{i}]") for i, s in enumerate(getattr(rules, key))]
    problems = [schema_problem(schema, path) for schema, path in schemas]
    problems += [
        FieldViolation(f"{prefix}.events[{i}].name", "is required")
        for i, event in enumerate(rules.events)
        if not event.name
    ]
    return [problem for problem in problems if problem is not None]


def _default_versions(rules: pb.TrackingPlanRules) -> None:
    """An event's version defaults to 1 (SPEC §6.4)."""
    for event in rules.events:
        event.version = event.version or 1
