"""Evaluation of an FQL syntax tree against one event (Segment's FQL reference, "Operators").

Total: it returns a value for any JSON event and any tree, never an error. A missing field is
null; `and`, `or` and `!` treat anything but `true` as false (so `properties.enabled` alone is a
condition, true only when the field is the boolean true); ordering needs two numbers; `in` needs
a list on its right.

Every node evaluated, pair of values compared and text scanned is charged to a `Budget`, so a
statement cannot make one event cost more than the budget allows (see `budget`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

from configapi.fql.budget import Budget
from configapi.fql.functions import BUILTINS
from configapi.fql.syntax import (
    AllOf,
    AnyOf,
    Call,
    Comparison,
    FieldPath,
    ListOf,
    Literal,
    MatchAll,
    Node,
    Not,
)
from configapi.fql.values import is_number, strictly_equal, value_at

_ORDERINGS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def evaluate(node: Node, event: Mapping[str, object], budget: Budget) -> object:
    """The value of `node` for `event`: a JSON value (bool for conditions)."""
    budget.spend(1)
    match node:
        case MatchAll():
            return True
        case Literal(value=value):
            return value
        case FieldPath(segments=segments):
            budget.spend(len(segments))
            return value_at(event, segments)
        case ListOf(items=items):
            return [evaluate(item, event, budget) for item in items]
        case Call():
            return _call(node, event, budget)
        case Not(operand=operand):
            return evaluate(operand, event, budget) is not True
        case AllOf(operands=operands):
            return all(evaluate(operand, event, budget) is True for operand in operands)
        case AnyOf(operands=operands):
            return any(evaluate(operand, event, budget) is True for operand in operands)
        case Comparison(operator=name, left=left, right=right):
            pair = evaluate(left, event, budget), evaluate(right, event, budget)
            return compare(name, *pair, budget)


def compare(name: str, left: object, right: object, budget: Budget) -> bool:
    """`left <name> right` with FQL's strict types: "1" = 1 is false, "b" > "a" is false."""
    if name == "=":
        return strictly_equal(left, right, budget)
    if name == "!=":
        return not strictly_equal(left, right, budget)
    if name == "in":
        return isinstance(right, list | tuple) and any(
            strictly_equal(left, item, budget) for item in right
        )
    return is_number(left) and is_number(right) and _ORDERINGS[name](left, right)


def _call(node: Call, event: Mapping[str, object], budget: Budget) -> object:
    arguments = [evaluate(argument, event, budget) for argument in node.arguments]
    for argument in arguments:
        if isinstance(argument, str):
            budget.scan(argument)
    if node.pattern is None:
        return BUILTINS[node.function].apply(arguments, budget)
    text = arguments[0]
    return isinstance(text, str) and node.pattern.matches(text, budget)
