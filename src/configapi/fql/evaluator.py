"""Evaluation of an FQL syntax tree against one event (Segment's FQL reference, "Operators").

Total: it returns a value for any JSON event and any tree, never an error. A missing field is
null; `and`, `or` and `!` treat anything but `true` as false (so `properties.enabled` alone is a
condition, true only when the field is the boolean true); ordering needs two numbers; `in` needs
a list on its right.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

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


def evaluate(node: Node, event: Mapping[str, object]) -> object:
    """The value of `node` for `event`: a JSON value (bool for conditions)."""
    match node:
        case MatchAll():
            return True
        case Literal(value=value):
            return value
        case FieldPath(segments=segments):
            return value_at(event, segments)
        case ListOf(items=items):
            return [evaluate(item, event) for item in items]
        case Call():
            return _call(node, event)
        case Not(operand=operand):
            return evaluate(operand, event) is not True
        case AllOf(operands=operands):
            return all(evaluate(operand, event) is True for operand in operands)
        case AnyOf(operands=operands):
            return any(evaluate(operand, event) is True for operand in operands)
        case Comparison(operator=name, left=left, right=right):
            return compare(name, evaluate(left, event), evaluate(right, event))


def compare(name: str, left: object, right: object) -> bool:
    """`left <name> right` with FQL's strict types: "1" = 1 is false, "b" > "a" is false."""
    if name == "=":
        return strictly_equal(left, right)
    if name == "!=":
        return not strictly_equal(left, right)
    if name == "in":
        return isinstance(right, list | tuple) and any(strictly_equal(left, i) for i in right)
    return is_number(left) and is_number(right) and _ORDERINGS[name](left, right)


def _call(node: Call, event: Mapping[str, object]) -> object:
    arguments = [evaluate(argument, event) for argument in node.arguments]
    if node.pattern is not None:
        text = arguments[0]
        return isinstance(text, str) and node.pattern.matches(text)
    return BUILTINS[node.function].apply(arguments)
