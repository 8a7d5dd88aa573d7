"""`POST /v1beta/filters/preview`: a filter run on one caller-supplied event (SPEC §6.8).

`output` is the event after the filter as a JSON string ("" when dropped); with the filter
disabled it is the input, unchanged. `diff` is a line diff of the pretty-printed input and
output (see `diff`). Sampling is deterministic, so the same preview gives the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from configapi.fql.actions import apply_filter, validate_actions
from configapi.fql.budget import Budget
from configapi.fql.diff import json_diff, removal_diff
from configapi.fql.errors import InvalidActionsError
from configapi.fql.event_json import compact, load_event
from configapi.fql.expression import parse


@dataclass(frozen=True)
class Preview:
    input: str
    output: str
    diff: str


def preview(
    statement: str,
    actions: Sequence[Mapping[str, Any]],
    enabled: bool,
    input_json: str,
    budget: Budget | None = None,
) -> Preview:
    """The preview of a filter on `input_json`.

    Raises FqlSyntaxError (the statement), InvalidActionsError (the actions), then
    PreviewInputError (the input), checked in that order; OverBudget when running the filter
    on the input needs more than `budget` (default: MAX_STEPS).
    """
    expression = parse(statement)
    violations = validate_actions(actions)
    if violations:
        raise InvalidActionsError(violations)
    event = load_event(input_json)
    if not enabled:
        return Preview(input_json, input_json, json_diff(event, event))
    result = apply_filter(expression, actions, event, budget)
    if result is None:
        return Preview(input_json, "", removal_diff(event))
    return Preview(input_json, compact(result), json_diff(event, result))
