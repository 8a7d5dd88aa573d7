"""A destination filter's actions: their rules and their effect (reference §5.8, SPEC §6.8)."""

from __future__ import annotations

from typing import Any

import pytest

from configapi.fql import InvalidActionsError, apply_filter, parse, validate_actions
from configapi.fql.sampling import sample_fraction

EVERYTHING = parse("all")
EVENT: dict[str, Any] = {
    "type": "track",
    "userId": "6592",
    "context": {"ip": "1.2.3.4", "library": {"name": "analytics.js"}},
    "properties": {"name": "Bob Smith", "age": "40", "order": "129"},
    "traits": {"email": "bob@example.com", "plan": "pro"},
}


@pytest.mark.parametrize(
    "actions",
    [
        [],
        [{"type": "drop_event"}],
        [{"type": "sample_event", "percent": 0.6, "path": "userId"}],
        [{"type": "sample_event", "percent": 0.6000000238418579, "path": ""}],  # float32 0.6
        [{"type": "sample_event", "percent": 1}],
        [{"type": "sample_event"}],  # proto3: unset percent is 0
        [{"type": "sample_event", "percent": 0.5, "path": "properties.product\\ 1.id"}],
        [
            {
                "type": "blacklist_fields",
                "fields": {
                    "context": {"fields": ["foo"]},
                    "properties": {"fields": ["bar"]},
                    "traits": {"fields": ["baz"]},
                },
            }
        ],
        [{"type": "whitelist_fields", "fields": {"properties": {"fields": []}}}],
        [{"type": "whitelist_fields"}],
        [{"type": "drop_event", "percent": 0, "path": "", "fields": {}}],  # defaults ignored
    ],
    ids=lambda actions: ",".join(a.get("type", "?") for a in actions) or "none",
)
def test_valid_actions(actions: list[dict[str, Any]]) -> None:
    assert validate_actions(actions) == []


@pytest.mark.parametrize(
    ("actions", "violations"),
    [
        ("drop_event", [("actions", "must be a list of actions")]),
        (["drop_event"], [("actions[0]", "must be an object with a 'type'")]),
        (
            [{"type": "drop_event"}, {}],
            [
                (
                    "actions[1].type",
                    "must be one of drop_event, sample_event, whitelist_fields, blacklist_fields",
                )
            ],
        ),
        (
            [{"type": "blocklist_fields"}],
            [
                (
                    "actions[0].type",
                    "must be one of drop_event, sample_event, whitelist_fields, blacklist_fields",
                )
            ],
        ),
        (
            [{"type": "sample_event", "percent": 1.5}],
            [("actions[0].percent", "must be a number from 0.0 to 1.0")],
        ),
        (
            [{"type": "sample_event", "percent": -0.1}],
            [("actions[0].percent", "must be a number from 0.0 to 1.0")],
        ),
        (
            [{"type": "sample_event", "percent": "0.5"}],
            [("actions[0].percent", "must be a number from 0.0 to 1.0")],
        ),
        (
            [{"type": "sample_event", "percent": True}],
            [("actions[0].percent", "must be a number from 0.0 to 1.0")],
        ),
        (
            [{"type": "sample_event", "percent": float("nan")}],
            [("actions[0].percent", "must be a number from 0.0 to 1.0")],
        ),
        (
            [{"type": "sample_event", "percent": 0.5, "path": "user id"}],
            [
                (
                    "actions[0].path",
                    "must be empty or a field path such as 'userId' or 'properties.id' "
                    "(at position 5: expected a field path like 'userId' or 'properties.id', "
                    "found 'id')",
                )
            ],
        ),
        (
            [{"type": "sample_event", "percent": 0.5, "path": 7}],
            [
                (
                    "actions[0].path",
                    "must be empty or a field path such as 'userId' or 'properties.id'",
                )
            ],
        ),
        (
            [{"type": "whitelist_fields", "fields": ["context"]}],
            [
                (
                    "actions[0].fields",
                    "must be an object naming context, properties and/or traits",
                )
            ],
        ),
        (
            [{"type": "blacklist_fields", "fields": {"user": {"fields": ["a"]}}}],
            [("actions[0].fields.user", "only context, properties and traits are filterable")],
        ),
        (
            [{"type": "blacklist_fields", "fields": {"context": ["a"]}}],
            [("actions[0].fields.context", 'must be an object {"fields": [field names]}')],
        ),
        (
            [{"type": "blacklist_fields", "fields": {"context": {"fields": "a"}}}],
            [("actions[0].fields.context", 'must be an object {"fields": [field names]}')],
        ),
        (
            [{"type": "blacklist_fields", "fields": {"traits": {"fields": ["a", "", 3]}}}],
            [
                ("actions[0].fields.traits.fields[1]", "must be a non-empty field name"),
                ("actions[0].fields.traits.fields[2]", "must be a non-empty field name"),
            ],
        ),
    ],
)
def test_invalid_actions_name_the_field_and_the_rule(
    actions: Any, violations: list[tuple[str, str]]
) -> None:
    assert validate_actions(actions) == violations


def test_apply_filter_refuses_invalid_actions() -> None:
    with pytest.raises(InvalidActionsError) as caught:
        apply_filter(EVERYTHING, [{"type": "sample_event", "percent": 2}], EVENT)
    assert caught.value.violations == [("actions[0].percent", "must be a number from 0.0 to 1.0")]


def test_an_event_that_does_not_match_comes_back_unchanged_as_a_copy() -> None:
    result = apply_filter(parse("type = 'page'"), [{"type": "drop_event"}], EVENT)
    assert result == EVENT
    assert result is not EVENT


def test_drop_event_drops_a_matching_event() -> None:
    assert apply_filter(parse("type = 'track'"), [{"type": "drop_event"}], EVENT) is None


def test_no_actions_change_nothing() -> None:
    assert apply_filter(EVERYTHING, [], EVENT) == EVENT


def test_blacklist_removes_the_named_fields_the_reference_preview_example() -> None:
    # reference §5.8, the preview example: blacklist properties name and age
    event = {"userId": "6592", "properties": {"name": "Bob Smith", "age": "40", "order": "129"}}
    actions = [{"type": "blacklist_fields", "fields": {"properties": {"fields": ["name", "age"]}}}]
    assert apply_filter(EVERYTHING, actions, event) == {
        "userId": "6592",
        "properties": {"order": "129"},
    }
    assert event["properties"] == {"name": "Bob Smith", "age": "40", "order": "129"}


def test_whitelist_keeps_only_the_named_fields_of_the_named_objects() -> None:
    actions = [
        {
            "type": "whitelist_fields",
            "fields": {
                "context": {"fields": ["library"]},
                "properties": {"fields": ["order", "x"]},
            },
        }
    ]
    assert apply_filter(EVERYTHING, actions, EVENT) == {
        **EVENT,
        "context": {"library": {"name": "analytics.js"}},
        "properties": {"order": "129"},
    }


def test_an_empty_whitelist_keeps_nothing_of_its_object() -> None:
    actions = [{"type": "whitelist_fields", "fields": {"traits": {"fields": []}}}]
    assert apply_filter(EVERYTHING, actions, EVENT) == {**EVENT, "traits": {}}


def test_only_top_level_objects_are_filtered_and_other_values_are_left_alone() -> None:
    event = {"properties": "not an object", "context": {"properties": {"a": 1}}}
    actions = [{"type": "blacklist_fields", "fields": {"properties": {"fields": ["a"]}}}]
    assert apply_filter(EVERYTHING, actions, event) == event


def test_blacklist_and_whitelist_together() -> None:
    actions = [
        {"type": "whitelist_fields", "fields": {"properties": {"fields": ["name", "age"]}}},
        {"type": "blacklist_fields", "fields": {"properties": {"fields": ["age"]}}},
    ]
    result = apply_filter(EVERYTHING, actions, EVENT)
    assert result is not None
    assert result["properties"] == {"name": "Bob Smith"}


@pytest.mark.parametrize(("percent", "kept"), [(0, False), (0.0, False), (1, True), (1.0, True)])
def test_sampling_at_the_bounds(percent: float, kept: bool) -> None:
    actions = [{"type": "sample_event", "percent": percent}]
    assert (apply_filter(EVERYTHING, actions, EVENT) is not None) is kept


def test_sampling_by_path_keeps_or_drops_every_event_of_one_value() -> None:
    actions = [{"type": "sample_event", "percent": 0.5, "path": "userId"}]
    decisions = {
        user: {
            apply_filter(EVERYTHING, actions, {"userId": user, "event": event}) is not None
            for event in ("A", "B", "C", "D")
        }
        for user in (f"user-{n}" for n in range(50))
    }
    assert all(len(kept) == 1 for kept in decisions.values())
    assert {True, False} == {kept.pop() for kept in decisions.values()}


def test_sampling_keeps_about_percent_of_distinct_values() -> None:
    actions = [{"type": "sample_event", "percent": 0.3, "path": "userId"}]
    kept = sum(
        apply_filter(EVERYTHING, actions, {"userId": f"u{n}"}) is not None for n in range(4000)
    )
    assert 0.27 * 4000 < kept < 0.33 * 4000


def test_sampling_without_a_path_hashes_the_whole_event_in_canonical_form() -> None:
    assert sample_fraction({"a": 1, "b": [1, 2]}) == sample_fraction({"b": [1, 2], "a": 1})
    assert sample_fraction({"a": 1}) != sample_fraction({"a": 2})
    assert 0 <= sample_fraction({"a": 1}) < 1


def test_sampling_uses_the_event_as_it_arrived_before_field_removal() -> None:
    # Segment applies sample before blacklist, whatever the order of the list. At a percent
    # equal to null's fraction, a removed (null) value would be dropped; the value is kept.
    percent = sample_fraction(None)
    value = next(f"u{n}" for n in range(1000) if sample_fraction(f"u{n}") < percent)
    event = {"properties": {"id": value}}
    actions = [
        {"type": "blacklist_fields", "fields": {"properties": {"fields": ["id"]}}},
        {"type": "sample_event", "percent": percent, "path": "properties.id"},
    ]
    assert apply_filter(EVERYTHING, actions, event) == {"properties": {}}
    assert apply_filter(EVERYTHING, actions, {"properties": {}}) is None


def test_a_missing_path_value_samples_as_null() -> None:
    actions = [{"type": "sample_event", "percent": 0.5, "path": "userId"}]
    expected = sample_fraction(None) < 0.5
    assert (apply_filter(EVERYTHING, actions, {"type": "track"}) is not None) is expected
