"""A destination filter's actions: their rules, and what they do to a matching event.

Reference §5.8 (REST JSON shape, snake_case): `{"type": "drop_event"}`,
`{"type": "sample_event", "percent": 0.6, "path": "userId"}` (percent 0.0 to 1.0, path optional),
`{"type": "whitelist_fields" | "blacklist_fields", "fields": {"context": {"fields": [...]},
"properties": {...}, "traits": {...}}}`; only those three top-level objects are filterable.

Segment applies them in this order: sample, drop, blacklist ("drop properties"), whitelist
("allow properties") (destination-filters.md, "Limitations"), so a sample always hashes the
event as it arrived. A whitelist keeps, in each object it names, only the listed fields; objects
it does not name are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from configapi.fql.budget import Budget
from configapi.fql.errors import FqlSyntaxError, InvalidActionsError
from configapi.fql.expression import Expression
from configapi.fql.grammar import parse_field_path
from configapi.fql.sampling import keeps_sample

ACTION_TYPES = ("drop_event", "sample_event", "whitelist_fields", "blacklist_fields")
FILTERABLE = ("context", "properties", "traits")
_ORDER = {"sample_event": 0, "drop_event": 1, "blacklist_fields": 2, "whitelist_fields": 3}
Violations = list[tuple[str, str]]


def validate_actions(actions: Sequence[Mapping[str, Any]]) -> Violations:
    """Every (field path, rule) that `actions` break, e.g. ("actions[1].percent", "must be …")."""
    if isinstance(actions, str | bytes) or not isinstance(actions, Sequence):
        return [("actions", "must be a list of actions")]
    violations: Violations = []
    for index, action in enumerate(actions):
        violations += _action_violations(f"actions[{index}]", action)
    return violations


def _action_violations(field: str, action: object) -> Violations:
    if not isinstance(action, Mapping):
        return [(field, "must be an object with a 'type'")]
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        return [(f"{field}.type", "must be one of " + ", ".join(ACTION_TYPES))]
    if kind == "sample_event":
        return _percent_violations(field, action) + _path_violations(field, action)
    if kind in ("whitelist_fields", "blacklist_fields"):
        return _fields_violations(f"{field}.fields", action.get("fields"))
    return []


def _percent_violations(field: str, action: Mapping[str, Any]) -> Violations:
    percent = action.get("percent", 0.0)  # proto3: an unset percent is 0
    number = isinstance(percent, int | float) and not isinstance(percent, bool)
    if number and math.isfinite(percent) and 0.0 <= percent <= 1.0:
        return []
    return [(f"{field}.percent", "must be a number from 0.0 to 1.0")]


def _path_violations(field: str, action: Mapping[str, Any]) -> Violations:
    path = action.get("path")
    if path is None or path == "":
        return []
    rule = "must be empty or a field path such as 'userId' or 'properties.id'"
    if not isinstance(path, str):
        return [(f"{field}.path", rule)]
    try:
        parse_field_path(path)
    except FqlSyntaxError as error:
        return [(f"{field}.path", f"{rule} ({error})")]
    return []


def _fields_violations(field: str, fields: object) -> Violations:
    if fields is None:
        return []
    if not isinstance(fields, Mapping):
        return [(field, "must be an object naming context, properties and/or traits")]
    violations: Violations = []
    for name, selection in fields.items():
        if name not in FILTERABLE:
            violations.append(
                (f"{field}.{name}", "only context, properties and traits are filterable")
            )
        else:
            violations += _selection_violations(f"{field}.{name}", selection)
    return violations


def _selection_violations(field: str, selection: object) -> Violations:
    names = selection.get("fields", []) if isinstance(selection, Mapping) else None
    if isinstance(names, str) or not isinstance(names, Sequence):
        return [(field, 'must be an object {"fields": [field names]}')]
    return [
        (f"{field}.fields[{index}]", "must be a non-empty field name")
        for index, name in enumerate(names)
        if not isinstance(name, str) or not name
    ]


def apply_filter(
    expression: Expression,
    actions: Sequence[Mapping[str, Any]],
    event: Mapping[str, Any],
    budget: Budget | None = None,
) -> dict[str, Any] | None:
    """The event after the filter's actions when `expression` matches it (None = dropped);
    an unchanged copy otherwise. Nested values are shared with `event`, never changed.
    OverBudget when the statement and the actions need more than `budget` on this event."""
    violations = validate_actions(actions)
    if violations:
        raise InvalidActionsError(violations)
    budget = budget or Budget()
    result = dict(event)
    if not expression.matches(event, budget):
        return result
    for action in sorted(actions, key=lambda action: _ORDER[action["type"]]):
        budget.spend(1)
        if action["type"] == "drop_event" or not _kept_by(action, event, budget):
            return None
        if action["type"] in ("blacklist_fields", "whitelist_fields"):
            whitelist = action["type"] == "whitelist_fields"
            _select_fields(result, action.get("fields") or {}, whitelist, budget)
    return result


def _kept_by(action: Mapping[str, Any], event: Mapping[str, Any], budget: Budget) -> bool:
    if action["type"] != "sample_event":
        return True
    path = action.get("path") or ""
    percent = action.get("percent", 0.0)
    return keeps_sample(event, percent, parse_field_path(path) if path else (), budget)


def _select_fields(
    event: dict[str, Any], fields: Mapping[str, Any], whitelist: bool, budget: Budget
) -> None:
    """Keep only (whitelist) or drop (blacklist) the named fields of each named object."""
    for name, selection in fields.items():
        target = event.get(name)
        if isinstance(target, Mapping):
            names = set((selection or {}).get("fields") or ())
            budget.spend(1 + len(target) + len(names))
            event[name] = {
                key: value for key, value in target.items() if (key in names) == whitelist
            }
