"""`POST /v1beta/filters/preview`'s computation: input, output and diff (SPEC §6.8, ref. §5.8)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configapi.fql import (
    FqlSyntaxError,
    InvalidActionsError,
    Preview,
    PreviewInputError,
    preview,
)
from configapi.fql.diff import json_diff
from configapi.fql.event_json import MAX_EVENT_BYTES, MAX_NESTING, compact, pretty
from configapi.fql.sampling import sample_fraction

BOB = '{ "userId": "6592", "properties": { "name": "Bob Smith", "age": "40", "order": "129" } }'


def _blacklist(*names: str) -> list[dict[str, Any]]:
    return [{"type": "blacklist_fields", "fields": {"properties": {"fields": list(names)}}}]


def test_the_reference_example() -> None:
    # reference §5.8 (the Config API's own preview example): the exact response strings
    assert preview("all", _blacklist("name", "age"), True, BOB) == Preview(
        input=BOB,
        output='{"properties":{"order":"129"},"userId":"6592"}',
        diff=(
            ' {\n \t"properties": {\n-\t\t"age": "40",\n-\t\t"name": "Bob Smith",\n'
            ' \t\t"order": "129"\n \t},\n \t"userId": "6592"\n }'
        ),
    )


def test_a_disabled_filter_outputs_the_input_unchanged() -> None:
    result = preview("all", [{"type": "drop_event"}], False, BOB)
    assert result.output == BOB
    assert result.diff == "\n".join(" " + line for line in pretty(json.loads(BOB)).split("\n"))


def test_a_dropped_event_outputs_nothing_and_the_diff_removes_every_line() -> None:
    result = preview("userId = '6592'", [{"type": "drop_event"}], True, BOB)
    assert result.output == ""
    assert result.diff == "\n".join("-" + line for line in pretty(json.loads(BOB)).split("\n"))


def test_an_event_the_filter_does_not_match_passes_unchanged() -> None:
    result = preview("userId = 'someone else'", [{"type": "drop_event"}], True, BOB)
    assert json.loads(result.output) == json.loads(BOB)
    assert not any(line.startswith(("-", "+")) for line in result.diff.split("\n"))


def test_removing_the_last_key_moves_the_comma() -> None:
    result = preview("all", _blacklist("order"), True, BOB)
    assert result.diff.split("\n")[2:6] == [
        ' \t\t"age": "40",',
        '-\t\t"name": "Bob Smith",',
        '+\t\t"name": "Bob Smith"',
        '-\t\t"order": "129"',
    ]


def test_emptying_an_object_replaces_its_lines() -> None:
    actions = [{"type": "whitelist_fields", "fields": {"properties": {"fields": []}}}]
    result = preview("all", actions, True, BOB)
    assert result.output == '{"properties":{},"userId":"6592"}'
    assert result.diff.split("\n") == [
        " {",
        '-\t"properties": {',
        '-\t\t"age": "40",',
        '-\t\t"name": "Bob Smith",',
        '-\t\t"order": "129"',
        "-\t},",
        '+\t"properties": {},',
        ' \t"userId": "6592"',
        " }",
    ]


def test_non_ascii_text_is_kept_as_is() -> None:
    result = preview("all", [], True, '{"name": "ア", "e": "\\u00e9"}')
    assert result.output == '{"e":"é","name":"ア"}'


def test_sampling_repeats() -> None:
    actions = [{"type": "sample_event", "percent": 0.5, "path": "userId"}]
    outputs = {preview("all", actions, True, BOB).output for _ in range(5)}
    assert len(outputs) == 1
    assert (outputs.pop() != "") is (sample_fraction("6592") < 0.5)


def test_errors_come_from_the_statement_then_the_actions_then_the_input() -> None:
    with pytest.raises(FqlSyntaxError):
        preview("type =", [{"type": "nope"}], True, "not json")
    with pytest.raises(InvalidActionsError) as caught:
        preview("all", [{"type": "nope"}], True, "not json")
    assert caught.value.violations[0][0] == "actions[0].type"
    with pytest.raises(PreviewInputError):
        preview("all", [], True, "not json")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "must be a JSON object (an event): Expecting value: line 1 column 1 (char 0)"),
        ("{", "must be a JSON object (an event): Expecting property name enclosed in double"),
        ("[1, 2]", "must be a JSON object (an event)"),
        ('"a string"', "must be a JSON object (an event)"),
        ('{"a": NaN}', "must hold only finite numbers that fit in a double"),
        ('{"a": -Infinity}', "must hold only finite numbers that fit in a double"),
        ('{"a": 1e400}', "must hold only finite numbers that fit in a double"),
        ('{"a": ' + "9" * 400 + "}", "must hold only finite numbers that fit in a double"),
        ('{"a": "\\ud800"}', "must not contain unpaired UTF-16 surrogates"),
        ('{"\\udfff": 1}', "must not contain unpaired UTF-16 surrogates"),
        (
            '{"a": ' + "[" * MAX_NESTING + "]" * MAX_NESTING + "}",
            f"must nest at most {MAX_NESTING} levels of objects and arrays",
        ),
        ('{"a": ' + "[" * 30_000, f"must nest at most {MAX_NESTING} levels of objects and arrays"),
        (
            '{"a": "' + "x" * MAX_EVENT_BYTES + '"}',
            f"must be at most {MAX_EVENT_BYTES} bytes (Segment's event limit)",
        ),
    ],
    ids=lambda value: value[:30] if isinstance(value, str) else None,
)
def test_bad_input_names_the_field_and_the_rule(text: str, rule: str) -> None:
    with pytest.raises(PreviewInputError) as caught:
        preview("all", [], True, text)
    assert caught.value.field == "input"
    assert caught.value.rule.startswith(rule)


def test_the_deepest_accepted_input() -> None:
    text = '{"a": ' + "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1) + ', "b": "[{\\"["}'
    assert json.loads(preview("all", [], True, text).output) == json.loads(text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
).filter(lambda value: "Infinity" not in json.dumps(value))
OBJECTS = st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=5)


def _sides(diff: str) -> tuple[str, str]:
    lines = diff.split("\n")
    before = "\n".join(line[1:] for line in lines if line[0] in " -")
    after = "\n".join(line[1:] for line in lines if line[0] in " +")
    return before, after


@given(OBJECTS, OBJECTS)
def test_the_diff_holds_both_documents(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert _sides(json_diff(before, after)) == (pretty(before), pretty(after))


def test_numbers_are_spelled_as_go_prints_them() -> None:
    # SPEC §1's spelling of doubles (json.dumps writes 1e-07, 1e-05, 5.0); integers as sent
    event = (
        '{"properties": {"tiny": 1e-7, "small": 0.00001, "whole": 5.0, "neg": -0.0, "big": 1E21,'
        ' "id": 9007199254740993, "mid": 0.000015}}'
    )
    result = preview("all", _blacklist("mid"), True, event)
    assert result.output == (
        '{"properties":{"big":1e+21,"id":9007199254740993,"neg":-0,"small":0.00001,'
        '"tiny":1e-7,"whole":5}}'
    )
    assert '-\t\t"mid": 0.000015,\n' in result.diff
    assert ' \t\t"tiny": 1e-7,\n' in result.diff


@given(OBJECTS)
def test_only_numbers_differ_from_json_dumps(value: dict[str, Any]) -> None:
    # json.dumps has Go's layout (Marshal; MarshalIndent with a tab) but Python's doubles
    # the same numbers (Go writes 5.6292377615716150e16 as 56292377615716150: compare as doubles)
    as_doubles = [json.loads(text, parse_int=float) for text in (compact(value), pretty(value))]
    assert as_doubles == [json.loads(json.dumps(value), parse_int=float)] * 2
    no_floats = json.loads(json.dumps(value), parse_float=lambda text: "float " + text)
    layout = {"sort_keys": True, "ensure_ascii": False}
    assert pretty(no_floats) == json.dumps(no_floats, indent="\t", **layout)
    assert compact(no_floats) == json.dumps(no_floats, separators=(",", ":"), **layout)
