"""DestinationFilterService (SPEC §6.8): FQL filters of a destination, with generated `df_` ids.

The field `if` is a Python keyword: the generated class has it, read with `getattr(f, "if")`.

FQL costs far more CPU per byte than the checks the CPU lane's default threshold is tuned for
(parsing a 16 KB statement of globs takes ~50 ms), so filters over FQL_INLINE_BYTES are checked
on the lane, and a preview's evaluation is bounded by a step budget (SPEC §6: no caller stalls
the others).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, ClassVar, Final

from google.protobuf import empty_pb2, json_format
from segment.config.v1beta import destination_filters_pb2 as pb
from segment.config.v1beta import destinations_pb2

from configapi.aip.fieldbehavior import clear_output_only, missing_required
from configapi.aip.fieldmask import apply_update_mask, normalize_paths
from configapi.aip.limits import MAX_RESOURCE_BYTES, resource_size_problem
from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.errors import FieldViolation, invalid_argument, invalid_arguments
from configapi.fql import (
    Budget,
    FqlSyntaxError,
    InvalidActionsError,
    OverBudget,
    Preview,
    PreviewInputError,
    parse,
    preview,
    validate_actions,
)
from configapi.fql.budget import MAX_STEPS
from configapi.services.context import ServiceContext
from configapi.services.standard_methods import StandardMethods

_IF = "if"
# A filter (or preview request) up to this many encoded bytes is checked on the event loop.
FQL_INLINE_BYTES: Final = 4 * 1024
# A small preview runs inline with this many steps (a few ms); one that needs more runs again on
# the CPU lane with the whole budget (evaluation is pure, so the answer is the same).
INLINE_STEPS: Final = 10_000


class DestinationFilterServicer:
    """Filters of a destination."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.DestinationFilterService"

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._filter = context.resource(pb.DestinationFilter)
        self._destination = context.resource(destinations_pb2.Destination)
        self._store = context.collection(pb.DestinationFilter)
        assert self._destination.pattern == self._filter.parent
        self._standard = StandardMethods(
            context, self._store, self._filter.pattern, self._destination.pattern
        )

    async def ListDestinationFilters(
        self, request: pb.ListDestinationFiltersRequest, caller: Caller
    ) -> pb.ListDestinationFiltersResponse:
        """AIP-132; a missing destination is NOT_FOUND."""
        items, token = await self._standard.list(request, request.parent)
        return pb.ListDestinationFiltersResponse(filters=items, next_page_token=token)

    async def GetDestinationFilter(
        self, request: pb.GetDestinationFilterRequest, caller: Caller
    ) -> pb.DestinationFilter:
        """AIP-131."""
        return await self._standard.get(request.name)

    async def CreateDestinationFilter(
        self, request: pb.CreateDestinationFilterRequest, caller: Caller
    ) -> pb.DestinationFilter:
        """AIP-133 with a generated id; the destination must exist (404, checked in the insert's
        transaction). A sent `update_mask` is an unknown field here: ignored (SPEC §6.8)."""
        parent = request.parent
        ids = parse_name(self._destination.pattern, parent, "parent")
        new = pb.DestinationFilter()
        new.CopyFrom(request.filter)

        def check() -> list[FieldViolation]:  # walks every action: on the lane when large
            clear_output_only(new)
            return missing_required(new, "filter") + _problems(new, None)

        problems = await self._ctx.cpu.run(new.ByteSize(), check, FQL_INLINE_BYTES)
        if problems:
            raise invalid_arguments(problems)
        new.name = self._filter.pattern.render(**ids, filter=self._filter.new_id())
        new.create_time.CopyFrom(self._ctx.now())
        new.update_time.CopyFrom(new.create_time)
        await self._store.insert(new.name, parent, new, parent_type=self._destination.type)
        return new

    async def UpdateDestinationFilter(
        self, request: pb.UpdateDestinationFilterRequest, caller: Caller
    ) -> pb.DestinationFilter:
        """AIP-134 with SPEC §5; paths unprefixed (`if`) as clients send them, or `filter.`."""
        name = request.filter.name
        parse_name(self._filter.pattern, name, "filter.name")
        paths = normalize_paths(request.update_mask.paths, "filter", pb.DestinationFilter)
        if not paths:
            return await self._standard.get(name, "filter.name")
        sent = request.filter
        problems = await self._problems_of(sent, paths)
        problems += [
            FieldViolation(f"filter.{p}", "is required")
            for p in ("title", _IF)
            if p in paths and not getattr(sent, p)
        ]
        if problems:
            raise invalid_arguments(problems)
        now = self._ctx.now()

        def mutate(current: pb.DestinationFilter) -> pb.DestinationFilter:
            apply_update_mask(current, sent, paths)
            current.update_time.CopyFrom(now)
            if current.ByteSize() > MAX_RESOURCE_BYTES:  # kept and sent fields together
                raise invalid_argument("filter", resource_size_problem(current))
            return current

        updated = await self._store.update(name, mutate)
        if updated is None:
            raise self._standard.not_found(name)
        return updated

    async def DeleteDestinationFilter(
        self, request: pb.DeleteDestinationFilterRequest, caller: Caller
    ) -> empty_pb2.Empty:
        """AIP-135."""
        await self._standard.delete(request.name)
        return empty_pb2.Empty()

    async def PreviewDestinationFilter(
        self, request: pb.PreviewDestinationFilterRequest, caller: Caller
    ) -> pb.PreviewDestinationFilterResponse:
        """SPEC §6.8: the filter run on one event, stored nowhere; sampling is deterministic."""
        sent = request.filter
        statement = getattr(sent, _IF)
        if not statement:
            raise invalid_argument("filter.if", "is required")

        def run(steps: int) -> Preview:
            actions = _as_json(sent.actions)
            return preview(statement, actions, sent.enabled, request.input, Budget(steps))

        try:
            result = await self._bounded(request.ByteSize(), run)
        except FqlSyntaxError as error:
            raise invalid_argument("filter.if", f"is not valid FQL: {error}") from None
        except InvalidActionsError as error:
            raise invalid_arguments(_prefixed(error.violations)) from None
        except PreviewInputError as error:
            raise invalid_argument(error.field, error.rule) from None
        except OverBudget as error:
            rule = f"must run on the input within {error.steps} steps (it compares or scans"
            raise invalid_argument("filter", f"{rule} too much of the event)") from None
        return pb.PreviewDestinationFilterResponse(
            input=result.input, output=result.output, diff=result.diff
        )

    async def _problems_of(
        self, sent: pb.DestinationFilter, paths: list[str] | None
    ) -> list[FieldViolation]:
        """`_problems`, on the CPU lane when the filter is large."""
        job = partial(_problems, sent, paths)
        return await self._ctx.cpu.run(sent.ByteSize(), job, FQL_INLINE_BYTES)

    async def _bounded(self, size: int, run: Callable[[int], Preview]) -> Preview:
        """`run(steps)` inline when the request is small and the run cheap, else on the lane
        with the whole budget; OverBudget when even that is not enough."""
        if size <= FQL_INLINE_BYTES:
            try:
                return run(INLINE_STEPS)
            except OverBudget:
                pass  # costlier than it looked: run it again, off the event loop
        return await self._ctx.cpu.off_loop(lambda: run(MAX_STEPS))


def _problems(sent: pb.DestinationFilter, paths: list[str] | None) -> list[FieldViolation]:
    """The statement must parse and the actions keep their rules (SPEC §6.8, checked by the fql
    package); on update, only the masked ones."""
    problems: list[FieldViolation] = []
    statement = getattr(sent, _IF)
    if (paths is None or _IF in paths) and statement:
        problem = statement_problem(statement)
        if problem is not None:
            problems.append(problem)
    if paths is None or "actions" in paths:
        problems += _prefixed(validate_actions(_as_json(sent.actions)))
    return problems


def statement_problem(statement: str) -> FieldViolation | None:
    """SPEC §6.8: an invalid FQL statement is 400 saying where and what was expected."""
    try:
        parse(statement)
    except FqlSyntaxError as error:
        return FieldViolation("filter.if", f"is not valid FQL: {error}")
    return None


def _as_json(actions: Sequence[pb.DestinationFilterAction]) -> list[dict[str, Any]]:
    """The actions in their REST JSON shape (what the fql package reads); unset fields left
    out, as a client leaves them out."""
    return [json_format.MessageToDict(a, preserving_proto_field_name=True) for a in actions]


def _prefixed(violations: Sequence[tuple[str, str]]) -> list[FieldViolation]:
    return [FieldViolation(f"filter.{field}", rule) for field, rule in violations]
