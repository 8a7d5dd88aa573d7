"""The grammar of FQL and its recursive-descent parser (SPEC §6.8, Segment's FQL reference).

    statement   = "all" | expression
    expression  = conjunction { "or" conjunction }
    conjunction = negation { "and" negation }
    negation    = "!" negation | comparison
    comparison  = operand [ ( "=" | "!=" | ">" | ">=" | "<" | "<=" | "in" ) operand ]
    operand     = literal | path | call | list | "(" expression ")"
    call        = name "(" [ operand { "," operand } ] ")"      (a known name, its arity)
    list        = "[" [ operand { "," operand } "]"
    literal     = string | number | "true" | "false" | "null"

`!` negates the comparison that follows it (`!a = b` is `!(a = b)`: FQL's `!` takes a bool),
comparisons do not chain, and `and` binds tighter than `or`.
Bounded: a statement has at most MAX_STATEMENT_LENGTH characters and MAX_DEPTH levels of `(`,
`[`, `!` and calls, so a hostile statement gets an FqlSyntaxError, never a RecursionError.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NoReturn

from configapi.fql.errors import FqlSyntaxError
from configapi.fql.functions import BUILTINS
from configapi.fql.globbing import compile_glob
from configapi.fql.lexer import Kind, Token, tokens_of
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

# Far above real filters (a few hundred characters, a few levels), low enough to bound one parse.
MAX_STATEMENT_LENGTH = 16384
MAX_DEPTH = 32
_COMPARISONS = ("=", "!=", ">", ">=", "<", "<=", "in")
_KEYWORD_VALUES: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_OPERAND = "a field path, a value, a function call or '('"


def parse_statement(statement: str) -> Node:
    """The syntax tree of an FQL statement; FqlSyntaxError says where and what was expected."""
    if len(statement) > MAX_STATEMENT_LENGTH:
        raise FqlSyntaxError(
            MAX_STATEMENT_LENGTH, f"a statement of at most {MAX_STATEMENT_LENGTH} characters"
        )
    return _Parser(statement).statement()


def parse_field_path(text: str) -> tuple[str, ...]:
    """The names of a field path such as `userId` or `properties.product\\ 1.price`."""
    tokens = tokens_of(text)
    bad = first = next(tokens)
    if first.kind in (Kind.PATH, Kind.KEYWORD):
        bad = next(tokens)
        if bad.kind is Kind.END:
            return first.value if isinstance(first.value, tuple) else (first.text,)
    expected = "a field path like 'userId' or 'properties.id'"
    raise FqlSyntaxError(bad.position, expected, bad.text or None)


class _Parser:
    def __init__(self, statement: str) -> None:
        self._tokens: Iterator[Token] = tokens_of(statement)
        self._ahead: list[Token] = []
        self._depth = 0
        self._bare_operand = False  # the last comparison had no operator: one may follow

    def statement(self) -> Node:
        if self._peek().text == "all" and self._peek(1).kind is Kind.END:
            return MatchAll()
        node = self._expression()
        self._expect_end(closer="the end of the statement", at_end=self._peek().kind is Kind.END)
        return node

    # -- token access ----------------------------------------------------------------------

    def _peek(self, offset: int = 0) -> Token:
        while len(self._ahead) <= offset:
            self._ahead.append(next(self._tokens))
        return self._ahead[offset]

    def _advance(self) -> Token:
        token = self._peek()
        if token.kind is not Kind.END:
            self._ahead.pop(0)
        return token

    def _at(self, text: str) -> bool:
        token = self._peek()
        return token.kind in (Kind.KEYWORD, Kind.SYMBOL) and token.text == text

    def _fail(self, expected: str) -> NoReturn:
        token = self._peek()
        raise FqlSyntaxError(token.position, expected, token.text or None)

    def _enter(self, token: Token) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise FqlSyntaxError(
                token.position, f"at most {MAX_DEPTH} nested '(', '[', '!' or function calls"
            )

    def _expect_end(self, closer: str, at_end: bool) -> None:
        if at_end:
            return
        words = ["an operator"] if self._bare_operand else []
        self._fail(", ".join([*words, "'and'", "'or'"]) + f" or {closer}")

    # -- the grammar -----------------------------------------------------------------------

    def _expression(self) -> Node:
        operands = [self._conjunction("a condition")]
        while self._at("or"):
            self._advance()
            operands.append(self._conjunction("a condition after 'or'"))
        return operands[0] if len(operands) == 1 else AnyOf(tuple(operands))

    def _conjunction(self, expected: str) -> Node:
        operands = [self._negation(expected)]
        while self._at("and"):
            self._advance()
            operands.append(self._negation("a condition after 'and'"))
        return operands[0] if len(operands) == 1 else AllOf(tuple(operands))

    def _negation(self, expected: str) -> Node:
        if not self._at("!"):
            return self._comparison(expected)
        self._enter(self._advance())
        node = Not(self._negation("a condition after '!'"))
        self._depth -= 1
        return node

    def _comparison(self, expected: str) -> Node:
        left = self._operand(expected)
        self._bare_operand = not any(self._at(operator) for operator in _COMPARISONS)
        if self._bare_operand:
            return left
        operator = self._advance().text
        right = self._operand(f"a value after '{operator}'")
        return Comparison(operator, left, right)

    def _operand(self, expected: str) -> Node:
        token = self._peek()
        if token.kind in (Kind.STRING, Kind.NUMBER):
            self._advance()
            assert not isinstance(token.value, tuple)
            return Literal(token.value)
        if token.kind is Kind.KEYWORD and token.text in _KEYWORD_VALUES:
            self._advance()
            return Literal(_KEYWORD_VALUES[token.text])
        if token.kind is Kind.PATH:
            return self._path_or_call()
        if self._at("("):
            return self._group()
        if self._at("["):
            return self._list()
        self._fail(f"{expected} ({_OPERAND})" if expected.startswith("a condition") else expected)

    def _group(self) -> Node:
        opening = self._advance()
        self._enter(opening)
        node = self._expression()
        self._expect_end(f"')' to close the '(' at position {opening.position}", self._at(")"))
        self._advance()
        self._depth -= 1
        return node

    def _list(self) -> Node:
        opening = self._advance()
        self._enter(opening)
        items: list[Node] = []
        while not self._at("]"):
            if items:
                if not self._at(","):
                    self._fail(f"',' or ']' to close the '[' at position {opening.position}")
                self._advance()
            items.append(self._operand("a value in the list"))
        self._advance()
        self._depth -= 1
        return ListOf(tuple(items))

    def _path_or_call(self) -> Node:
        token = self._advance()
        assert isinstance(token.value, tuple)
        if not (self._at("(") and len(token.value) == 1):
            return FieldPath(token.value)
        if token.text not in BUILTINS:
            known = ", ".join(sorted(BUILTINS))
            raise FqlSyntaxError(token.position, f"a known function ({known})", token.text)
        self._enter(token)
        call = self._call(token.text)
        self._depth -= 1
        return call

    def _call(self, name: str) -> Node:
        arity = BUILTINS[name].arity
        self._advance()  # "("
        arguments: list[Node] = []
        positions: list[int] = []
        while not (self._at(")") and len(arguments) == arity):
            if arguments:
                self._expect_argument_separator(name, len(arguments), arity)
            positions.append(self._peek().position)
            arguments.append(self._operand(f"argument {len(arguments) + 1} of {name}()"))
        self._advance()
        return _call_node(name, tuple(arguments), positions)

    def _expect_argument_separator(self, name: str, count: int, arity: int) -> None:
        plural = "s" if arity > 1 else ""
        if count == arity:
            self._fail(f"')': {name}() takes {arity} argument{plural}")
        if not self._at(","):
            self._fail(f"',' and argument {count + 1}: {name}() takes {arity} argument{plural}")
        self._advance()


def _call_node(name: str, arguments: tuple[Node, ...], positions: list[int]) -> Call:
    """The call; a literal `match` pattern is compiled now, and a malformed one is an error."""
    pattern = arguments[1] if name == "match" else None
    if not (isinstance(pattern, Literal) and isinstance(pattern.value, str)):
        return Call(name, arguments)
    compiled = compile_glob(pattern.value)
    if compiled is None:
        raise FqlSyntaxError(positions[1], "a valid glob pattern as argument 2 of match()")
    return Call(name, arguments, compiled)
