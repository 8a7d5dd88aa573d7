"""FQL on arbitrary input: parse fails only with FqlSyntaxError, and matches never fails."""

from __future__ import annotations

import fnmatch
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from configapi.fql import Expression, FqlSyntaxError, parse

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)
NAMES = st.sampled_from(["type", "event", "userId", "a", "b", "properties", "context", "x y"])
EVENTS = st.dictionaries(
    NAMES | st.text(max_size=6), JSON_VALUES, max_size=6
) | st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "identify"]),
        "properties": st.dictionaries(NAMES, JSON_VALUES),
    }
)


def _path(names: list[str]) -> str:
    return ".".join(name.replace(" ", "\\ ") for name in names)


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


PATHS = st.lists(NAMES, min_size=1, max_size=3).map(_path)
LITERALS = st.one_of(
    st.sampled_from(["true", "false", "null", "0", "-1.5", "1e3"]),
    st.integers(-1000, 1000).map(str),
    # no '[' or '\\': a malformed literal glob is a syntax error, tested in test_fql_syntax
    st.text(st.characters(exclude_characters="[\\"), max_size=5).map(_string),
)
OPERANDS = st.recursive(
    LITERALS | PATHS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.tuples(st.sampled_from(["length", "lowercase", "typeof", "uppercase"]), inner).map(
            lambda call: f"{call[0]}({call[1]})"
        ),
        st.tuples(st.sampled_from(["contains", "match"]), inner, inner).map(
            lambda call: f"{call[0]}({call[1]}, {call[2]})"
        ),
    ),
    max_leaves=6,
)
COMPARISONS = st.tuples(
    OPERANDS, st.sampled_from(["=", "!=", ">", ">=", "<", "<=", "in"]), OPERANDS
).map(" ".join)
STATEMENTS = st.recursive(
    COMPARISONS | OPERANDS,
    lambda inner: st.one_of(
        inner.map(lambda s: f"!({s})"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda s: f"({s})"),
    ),
    max_leaves=8,
)
FQL_ALPHABET = "()[]!=<>,'\"\\.* -_aeilnoprstu019\n"


def _parse_or_syntax_error(text: str) -> Expression | None:
    try:
        return parse(text)
    except FqlSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert str(error).startswith(f"at position {error.position}: expected ")
        return None


@given(st.text(max_size=200) | st.text(alphabet=FQL_ALPHABET, max_size=200))
def test_parse_raises_only_syntax_errors_on_any_text(text: str) -> None:
    _parse_or_syntax_error(text)


@given(
    st.integers(0, 20_000),
    st.sampled_from(["(", "!", "[", "length(", "(!"]),
    st.text(FQL_ALPHABET, max_size=10),
)
@settings(max_examples=50)
def test_deep_nesting_raises_only_syntax_errors(depth: int, opening: str, rest: str) -> None:
    _parse_or_syntax_error(opening * depth + rest + ")" * depth)


@given(STATEMENTS, EVENTS)
@settings(max_examples=150)
def test_generated_statements_parse_and_matches_never_fails(
    statement: str, event: dict[str, Any]
) -> None:
    expression = parse(statement)
    assert expression.matches(event) in (True, False)


@given(st.text(alphabet=FQL_ALPHABET, max_size=60), EVENTS)
def test_matches_never_fails_for_whatever_parses(text: str, event: dict[str, Any]) -> None:
    expression = _parse_or_syntax_error(text)
    if expression is not None:
        assert expression.matches(event) in (True, False)


@given(st.text(alphabet="abc", max_size=12), st.text(alphabet="abc*?", max_size=8))
def test_glob_agrees_with_fnmatch_on_stars_and_question_marks(text: str, pattern: str) -> None:
    expected = fnmatch.fnmatchcase(text, pattern)
    assert parse("match(t, p)").matches({"t": text, "p": pattern}) is expected
