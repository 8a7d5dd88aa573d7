"""Every example of Segment's public FQL reference, as a table (SPEC §6.8).

Source: segmentio/segment-docs `src/api/public-api/fql.md` (formerly `src/config-api/fql.md`),
and `src/connections/destinations/destination-filters.md`. Where the reference shows a statement
without its result (the "Subexpressions" table), the expected value is derived from the operator
tables and says so in its id.
"""

from __future__ import annotations

from typing import Any

import pytest

from configapi.fql import FqlSyntaxError, parse

# "Given the following JSON object" (reference, "Examples")
BUTTON_CLICKED: dict[str, Any] = {
    "event": "Button Clicked",
    "type": "track",
    "context": {"library": {"name": "analytics.js", "version": "1.0"}},
    "properties": {"features": ["discounts", "dark-mode"]},
}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("event = 'Button Clicked'", True),
        ("event = 'Screen Tapped'", False),
        ("context.path.path = '/login'", False),
        ("type = 'identify' or type = 'track'", True),
        ("event = 'Button Clicked' and type = 'track'", True),
        ("match( context.library.version, '1.*' )", True),
        ("match( context.library.version, '2.*' )", False),
        ("type = 'track' and ( event = 'Click' or match( event, 'Button *' ) )", True),
        ("!contains( context.library.name, 'js' )", False),
        ("'dark-mode' in properties.features", True),
        ("'blink' in properties.features", False),
    ],
)
def test_the_examples_table(statement: str, expected: bool) -> None:
    assert parse(statement).matches(BUTTON_CLICKED) is expected


def test_an_escaped_field_path_reaches_a_name_with_a_space() -> None:
    event = {"properties": {"product 1": {"price": "19.99"}}}
    assert parse("properties.product\\ 1.price = '19.99'").matches(event)
    assert not parse("properties.product\\ 1.price = '20.00'").matches(event)


@pytest.mark.parametrize(
    ("statement", "event", "expected"),
    [
        pytest.param(
            "type = 'track' and ( event = 'Click' or match( 'Button *', event ) )",
            BUTTON_CLICKED,
            False,
            id="derived-reversed-match-arguments-are-string-then-pattern",
        ),
        pytest.param(
            "( type = 'track' or type = 'identify' ) and "
            "( properties.enabled or match( traits.email, '*@company.com' ) )",
            {"type": "identify", "traits": {"email": "ada@company.com"}},
            True,
            id="derived-identify-from-company",
        ),
        pytest.param(
            "( type = 'track' or type = 'identify' ) and "
            "( properties.enabled or match( traits.email, '*@company.com' ) )",
            {"type": "track", "properties": {"enabled": True}},
            True,
            id="derived-enabled-track",
        ),
        pytest.param(
            "( type = 'track' or type = 'identify' ) and "
            "( properties.enabled or match( traits.email, '*@company.com' ) )",
            {"type": "track", "properties": {"enabled": "yes"}},
            False,
            id="derived-a-bare-field-is-true-only-when-it-is-true",
        ),
        pytest.param(
            "!( type in ['track', 'identify'] )", BUTTON_CLICKED, False, id="derived-track"
        ),
        pytest.param(
            "!( type in ['track', 'identify'] )", {"type": "page"}, True, id="derived-page"
        ),
    ],
)
def test_the_subexpressions_table(statement: str, event: dict[str, Any], expected: bool) -> None:
    assert parse(statement).matches(event) is expected


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        # "Functions handle null with sensible defaults" (userId is missing, so null)
        ("contains( userId, 'a' ) = false", True),
        ("length( userId ) = 0", True),
        ("lowercase( userId ) = null", True),
        ("typeof( userId ) = 'null'", True),
        ("match( userId, '*' ) = false", True),
        # "you can write `length( userId ) > 0` instead of `typeof( userId ) = 'string' and …`"
        ("length( userId ) > 0", False),
        ("typeof( userId ) = 'string' and length( userId ) > 0", False),
        # "`a` is 1 byte and `ア` is 3 bytes long"
        ("length( 'a' ) = 1", True),
        ("length( 'ア' ) = 3", True),
        ("length( properties.features ) = 2", True),
        # the functions table's own examples
        ('kebabcase("test string") = "test-string"', True),
        ('snakecase("test string") = "test_string"', True),
        ('titlecase("test string") = "Test String"', True),
        ("lowercase( event ) = 'button clicked'", True),
        ("uppercase( event ) = 'BUTTON CLICKED'", True),
        ("contains( context.library.name, 'js' )", True),
        ("typeof( event ) = 'string'", True),
        ("typeof( properties.features ) = 'list'", True),
        ("typeof( length( event ) ) = 'number'", True),
    ],
)
def test_the_functions_table(statement: str, expected: bool) -> None:
    assert parse(statement).matches(BUTTON_CLICKED) is expected


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("abcd", "a*d", True),
        ("", "*", True),
        ("abc", "ab", False),
        ("abcd", "a??d", True),
        ("abcd", "*d", True),
        ("ab*d", "ab\\*d", True),
        ("abCd", "ab[cC]d", True),
        ("abcd", "ab[a-z]d", True),
        ("abcd", "ab[A-Z]d", False),
    ],
)
def test_the_match_table(text: str, pattern: str, expected: bool) -> None:
    assert parse(f"match( '{text}', '{pattern}' )").matches({}) is expected


@pytest.mark.parametrize(
    ("statement", "event", "expected"),
    [
        # destination-filters.md, "Only send events with userId"
        ("length( userId ) < 1", {"type": "track"}, True),
        ("length( userId ) < 1", {"userId": "u1"}, False),
        # destination-filters.md "Remove userId from payload", reference §5.8: matches everything
        ("all", {}, True),
        ("all", BUTTON_CLICKED, True),
        # reference §5.8 and the ajbosco client's fixtures (double-quoted strings)
        ("type != 'track'", BUTTON_CLICKED, False),
        ("type != 'track'", {"type": "identify"}, True),
        ('!(event = "Session Started" or event = "Order Completed")', BUTTON_CLICKED, True),
        (
            '!(event = "Session Started" or event = "Order Completed")',
            {"event": "Session Started"},
            False,
        ),
    ],
)
def test_the_destination_filter_examples(
    statement: str, event: dict[str, Any], expected: bool
) -> None:
    assert parse(statement).matches(event) is expected


def test_the_error_handling_example_is_a_syntax_error() -> None:
    # reference, "Error Handling": `userId = oops"` is invalid
    with pytest.raises(FqlSyntaxError) as caught:
        parse('userId = oops"')
    assert caught.value.position == len('userId = oops"')
    assert 'closing "' in caught.value.expected
