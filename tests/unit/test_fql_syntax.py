"""FQL syntax errors say where (a 0-based offset) and what was expected there (SPEC §6.8)."""

from __future__ import annotations

import pytest

from configapi.fql import FqlSyntaxError, parse
from configapi.fql.grammar import MAX_DEPTH, MAX_STATEMENT_LENGTH, parse_field_path


@pytest.mark.parametrize(
    ("statement", "position", "expected", "found"),
    [
        ("", 0, "a condition (a field path, a value, a function call or '(')", None),
        ("   ", 3, "a condition (a field path, a value, a function call or '(')", None),
        ("type =", 6, "a value after '='", None),
        ("type == 'track'", 6, "a value after '='", "="),
        (
            "type = 'track' and",
            18,
            "a condition after 'and' (a field path, a value, a function call or '(')",
            None,
        ),
        (
            "type = 'track' or or",
            18,
            "a condition after 'or' (a field path, a value, a function call or '(')",
            "or",
        ),
        ("!", 1, "a condition after '!' (a field path, a value, a function call or '(')", None),
        ("type 'track'", 5, "an operator, 'and', 'or' or the end of the statement", "'track'"),
        ("a = 1 b", 6, "'and', 'or' or the end of the statement", "b"),
        ("a = 1 = 2", 6, "'and', 'or' or the end of the statement", "="),
        ("(a = 1", 6, "'and', 'or' or ')' to close the '(' at position 0", None),
        ("a = 1)", 5, "'and', 'or' or the end of the statement", ")"),
        ("type in ['a' 'b']", 13, "',' or ']' to close the '[' at position 8", "'b'"),
        ("type in ['a',]", 13, "a value in the list", "]"),
        ("type = 'track", 13, "the closing ' of the string at position 7", None),
        ('userId = oops"', 14, 'the closing " of the string at position 13', None),
        ("a.", 2, "a field name after '.'", None),
        ("a..b = 1", 2, "a field name after '.'", "."),
        ("a\\", 2, "a character after '\\' in a field path", None),
        ("a = #", 4, "a field path, a value, a function call or '('", "#"),
        ("a = 1e999", 4, "a number that fits in a double", "1e999"),
        ("a = " + "9" * 400, 4, "a number that fits in a double", "9" * 400),
        (
            "nope(a)",
            0,
            "a known function (contains, kebabcase, length, lowercase, match, "
            "snakecase, titlecase, typeof, uppercase)",
            "nope",
        ),
        ("contains(a)", 10, "',' and argument 2: contains() takes 2 arguments", ")"),
        ("length(a, b)", 8, "')': length() takes 1 argument", ","),
        ("length()", 7, "argument 1 of length()", ")"),
        ("match(a, '[a-')", 9, "a valid glob pattern as argument 2 of match()", None),
        ("a = and", 4, "a value after '='", "and"),
    ],
)
def test_syntax_errors_name_the_position_and_what_was_expected(
    statement: str, position: int, expected: str, found: str | None
) -> None:
    with pytest.raises(FqlSyntaxError) as caught:
        parse(statement)
    error = caught.value
    assert (error.position, error.expected) == (position, expected)
    suffix = "" if found is None else f", found '{found[:20]}{'…' if len(found) > 20 else ''}'"
    assert str(error) == f"at position {position}: expected {expected}{suffix}"


def test_the_first_error_in_reading_order_is_reported() -> None:
    # the parser error at 2 comes before the unterminated string at 5
    with pytest.raises(FqlSyntaxError) as caught:
        parse("a b 'unterminated")
    assert caught.value.position == 2


def test_nesting_is_bounded_with_a_syntax_error() -> None:
    parse("(" * MAX_DEPTH + "a = 1" + ")" * MAX_DEPTH)
    for opening in ("(", "!", "[", "length("):
        with pytest.raises(FqlSyntaxError) as caught:
            parse(opening * (MAX_DEPTH + 1) + "a")
        assert caught.value.position == len(opening) * MAX_DEPTH
        assert caught.value.expected.startswith(f"at most {MAX_DEPTH} nested")


def test_deep_nesting_far_beyond_the_recursion_limit_is_a_syntax_error() -> None:
    for statement in ("(" * 100_00, "!" * 10_000, "[" * 10_000):
        with pytest.raises(FqlSyntaxError):
            parse(statement)


def test_length_is_bounded_with_a_syntax_error() -> None:
    longest = "a in [" + ",".join(["1"] * ((MAX_STATEMENT_LENGTH - 7) // 2)) + "]"
    assert len(longest) <= MAX_STATEMENT_LENGTH
    parse(longest)
    with pytest.raises(FqlSyntaxError) as caught:
        parse("a = '" + "x" * MAX_STATEMENT_LENGTH + "'")
    assert caught.value.position == MAX_STATEMENT_LENGTH
    assert caught.value.expected == f"a statement of at most {MAX_STATEMENT_LENGTH} characters"


def test_long_chains_of_and_or_stay_flat() -> None:
    chain = " or ".join(f"a = {n}" for n in range(1000))
    assert parse(chain).matches({"a": 999})


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("userId", ("userId",)),
        ("properties.id", ("properties", "id")),
        ("properties.product\\ 1.price", ("properties", "product 1", "price")),
        ("null", ("null",)),
    ],
)
def test_field_paths(text: str, segments: tuple[str, ...]) -> None:
    assert parse_field_path(text) == segments


@pytest.mark.parametrize(
    ("text", "position"), [("", 0), ("a b", 2), ("a.", 2), ("'a'", 0), ("a = 1", 2)]
)
def test_bad_field_paths(text: str, position: int) -> None:
    with pytest.raises(FqlSyntaxError) as caught:
        parse_field_path(text)
    assert caught.value.position == position
