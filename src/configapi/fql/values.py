"""FQL's view of JSON values: their type names, strict equality, and field-path lookup.

Segment's FQL reference: `=` is true "if the left and right side are the same type and are
strictly equal"; `typeof` names the types "string", "number", "list", "bool" and "null" (and we
name a JSON object "object"). A missing field reads as null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeGuard

from configapi.fql.budget import Budget


def type_name(value: object) -> str:
    """The FQL type of a JSON value (bool is no number here, unlike in Python)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    return "object"


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def strictly_equal(left: object, right: object, budget: Budget) -> bool:
    """Same type and same value, all the way down; iterative, so any depth is safe. Each pair
    compared costs a step, so comparing large values over and over runs out of budget."""
    pending = [(left, right)]
    while pending:
        a, b = pending.pop()
        budget.spend(1)
        kind = type_name(a)
        if kind != type_name(b):
            return False
        if isinstance(a, list | tuple) and isinstance(b, list | tuple):
            if len(a) != len(b):
                return False
            pending.extend(zip(a, b, strict=True))
        elif isinstance(a, Mapping) and isinstance(b, Mapping):
            if a.keys() != b.keys():
                return False
            pending.extend((a[key], b[key]) for key in a)
        elif kind == "object" or a != b:  # an object that is no Mapping: not JSON, never equal
            return False
        elif isinstance(a, str):
            budget.scan(a)
    return True


def value_at(event: Mapping[str, object], segments: Sequence[str]) -> object:
    """The value at a field path, or None when any step is missing or not an object."""
    current: object = event
    for segment in segments:
        if not isinstance(current, Mapping):
            return None
        current = current.get(segment)
    return current
