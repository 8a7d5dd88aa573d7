"""A parsed FQL statement, ready to test events (SPEC §6.8)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from configapi.fql.evaluator import evaluate
from configapi.fql.grammar import parse_statement
from configapi.fql.syntax import Node


@dataclass(frozen=True)
class Expression:
    statement: str
    root: Node

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether the statement is true for `event`; never raises on a JSON event."""
        return evaluate(self.root, event) is True


def parse(statement: str) -> Expression:
    """The statement parsed; FqlSyntaxError (position, expected) when it is not valid FQL."""
    return Expression(statement, parse_statement(statement))
