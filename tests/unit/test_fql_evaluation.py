"""FQL's operator semantics (Segment's FQL reference, "Operators"; SPEC §6.8)."""

from __future__ import annotations

from typing import Any

import pytest

from configapi.fql import parse

EVENT: dict[str, Any] = {
    "type": "track",
    "userId": "u1",
    "properties": {
        "price": 5,
        "ratio": 0.5,
        "label": "5",
        "flag": True,
        "nothing": None,
        "tags": ["a", 1, True, None],
        "nested": {"b": [1, {"c": 2}], "a": "x"},
        "empty": [],
    },
}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        # `=` is true only for the same type and a strictly equal value
        ("properties.price = 5", True),
        ("properties.price = 5.0", True),
        ("properties.price = '5'", False),
        ("properties.label = 5", False),
        ("properties.flag = true", True),
        ("properties.flag = 1", False),
        ("properties.nothing = null", True),
        ("properties.missing = null", True),
        ("missing.deeper.still = null", True),
        ("userId.deeper = null", True),
        ("properties.tags = ['a', 1, true, null]", True),
        ("properties.tags = ['a', 1, true]", False),
        ("properties.tags = ['a', '1', true, null]", False),
        ("properties.nested = properties.nested", True),
        ("properties.nested.b = [1, properties.nested.b.missing]", False),
        # `!=` is true for different types or values
        ("properties.price != '5'", True),
        ("properties.price != 5", False),
        ("properties.missing != null", False),
        # ordering needs two numbers
        ("properties.price > 4", True),
        ("properties.price >= 5", True),
        ("properties.price < 5", False),
        ("properties.ratio <= 0.5", True),
        ("properties.price > -1e3", True),
        ("properties.label > 4", False),
        ("properties.label < 'z'", False),
        ("properties.flag > 0", False),
        ("properties.missing < 1", False),
        ("length( properties.tags ) >= 4", True),
        # `in` needs a list on the right
        ("'a' in properties.tags", True),
        ("true in properties.tags", True),
        ("null in properties.tags", True),
        ("1 in properties.tags", True),
        ("'1' in properties.tags", False),
        ("'a' in properties.label", False),
        ("'a' in properties.missing", False),
        ("type in ['track', 'page']", True),
        ("type in []", False),
        ("properties.price in [1, 2, properties.price]", True),
        # `and` / `or` / `!` treat anything but true as false
        ("properties.flag and type = 'track'", True),
        ("properties.label and type = 'track'", False),
        ("properties.nothing or properties.missing", False),
        ("properties.nothing or properties.flag", True),
        ("!properties.missing", True),
        ("!properties.flag", False),
        ("!!properties.flag", True),
        ("!type = 'page'", True),
        ("!(type = 'track')", False),
        ("a = 1 or b = 2 or type = 'track'", True),
        ("type = 'track' and userId = 'u1' and properties.price = 5", True),
        ("type = 'track' and userId = 'u2' or properties.price = 5", True),
        ("type = 'track' and (userId = 'u2' or properties.price = 6)", False),
        # a statement whose value is not a bool does not match
        ("type", False),
        ("'track'", False),
        ("true", True),
        ("null", False),
        ("lowercase(type)", False),
        ("(properties.price) > 4", True),
        # escaping: a name made of keyword letters, dots and dashes
        ("properties.nested.a = 'x'", True),
        ("user-id = null", True),
    ],
)
def test_operators(statement: str, expected: bool) -> None:
    assert parse(statement).matches(EVENT) is expected


@pytest.mark.parametrize(
    ("event", "statement"),
    [
        ({"properties": {"a.b": 1}}, "properties.a\\.b = 1"),
        ({"properties": {"and": 1}}, "properties.and = 1"),
        ({"and": 1}, "\\and = 1"),
        ({"properties": {"x y": {"z": True}}}, "properties.x\\ y.z"),
        ({"properties": {"ü": 1}}, "properties.\\ü = 1"),
        ({"properties": {"1st": 1}}, "properties.1st = 1"),
        ({"all": 1}, "all = 1"),
    ],
)
def test_escaped_and_unusual_field_names(event: dict[str, Any], statement: str) -> None:
    assert parse(statement).matches(event)


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("ab/c", "a*", True),  # no path separator, as Segment's own matcher says
        ("a\nb", "a?b", True),
        ("abc", "a[^b]c", False),
        ("axc", "a[^b]c", True),
        ("a]c", "a[\\]]c", True),
        ("abc", "*b*", True),
        ("abc", "*", True),
        ("", "", True),
        ("a", "", False),
        ("aaa", "a*a*a", True),
        ("aa", "a*a*a", False),
        ("abcabd", "*ab?", True),
        ("x.csv.gz", "*.csv", False),
        ("x.csv", "*.csv", True),
        ("a" * 5000 + "b", "*a*a*a*c", False),
        ("ア1", "?[0-9]", True),
        ("b", "[c-a]", False),
    ],
)
def test_glob_matching(text: str, pattern: str, expected: bool) -> None:
    event = {"text": text, "pattern": pattern}
    assert parse("match( text, pattern )").matches(event) is expected
    if "'" not in pattern:
        assert parse(f"match( text, '{pattern}' )").matches(event) is expected


@pytest.mark.parametrize("pattern", ["[a", "a\\", "[]", "[-a]", "[a-"])
def test_a_malformed_pattern_from_the_event_matches_nothing(pattern: str) -> None:
    assert not parse("match( text, pattern )").matches({"text": "a", "pattern": pattern})


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("contains( 5, '5' )", False),
        ("length( properties ) = null", True),
        ("length( 5 ) = null", True),
        ("lowercase( 5 ) = null", True),
        ("typeof( properties ) = 'object'", True),
        ("typeof( true ) = 'bool'", True),
        ("typeof( 1.5 ) = 'number'", True),
        ("match( 5, '*' )", False),
        ("match( 'a', 5 )", False),
    ],
)
def test_functions_on_other_types_give_false_or_null(statement: str, expected: bool) -> None:
    assert parse(statement).matches({"properties": {"a": 1}}) is expected
