"""A parsed FQL statement, ready to test events (SPEC §6.8)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from configapi.fql.budget import Budget
from configapi.fql.evaluator import evaluate
from configapi.fql.grammar import parse_statement
from configapi.fql.syntax import Node


@dataclass(frozen=True)
class Expression:
    statement: str
    root: Node

    def matches(self, event: Mapping[str, Any], budget: Budget | None = None) -> bool:
        """Whether the statement is true for `event`; on a JSON event it raises nothing but
        OverBudget, when the evaluation needs more than `budget` (default: MAX_STEPS)."""
        return evaluate(self.root, event, budget or Budget()) is True


def parse(statement: str) -> Expression:
    """The statement parsed; FqlSyntaxError (position, expected) when it is not valid FQL."""
    return Expression(statement, parse_statement(statement))
