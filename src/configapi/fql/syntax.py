"""The syntax tree of an FQL statement: immutable nodes, built by `grammar`, read by `evaluator`."""

from __future__ import annotations

from dataclasses import dataclass

from configapi.fql.globbing import GlobPattern


@dataclass(frozen=True)
class MatchAll:
    """The statement `all`: it matches every event (reference §5.8)."""


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None


@dataclass(frozen=True)
class FieldPath:
    segments: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Node, ...]
    # `match(x, 'glob')` with a literal pattern: compiled once, when the statement is parsed
    pattern: GlobPattern | None = None


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class AllOf:
    """`a and b and …`, kept flat so that a long chain is no deep tree."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """`a or b or …`, kept flat."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Comparison:
    operator: str  # one of = != > >= < <= in
    left: Node
    right: Node


Node = MatchAll | Literal | FieldPath | ListOf | Call | Not | AllOf | AnyOf | Comparison
