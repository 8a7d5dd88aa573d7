"""A filter's work on one event is bounded (SPEC §6, fql/budget.py): every way a statement or its
actions can multiply the work by the event's size runs out of steps, and real filters need a
tiny fraction of them. Counted in steps, not timed, so the answer is the same on any machine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from configapi.fql import Budget, FqlSyntaxError, OverBudget, PreviewInputError, parse, preview
from configapi.fql.budget import MAX_STEPS
from configapi.fql.grammar import MAX_STATEMENT_LENGTH

# the FQL reference's example event
BUTTON_CLICKED: dict[str, Any] = {
    "event": "Button Clicked",
    "type": "track",
    "context": {"library": {"name": "analytics.js", "version": "1.0"}},
    "properties": {"features": ["discounts", "dark-mode"]},
}


def _repeated(term: str, joiner: str = " or ") -> str:
    """`term` joined to itself as often as a statement allows."""
    count = (MAX_STATEMENT_LENGTH + len(joiner)) // (len(term) + len(joiner))
    return joiner.join([term] * count)


def _event(**properties: Any) -> str:
    return json.dumps({"properties": properties})


def _blacklists(count: int) -> list[dict[str, Any]]:
    return [{"type": "blacklist_fields", "fields": {"properties": {"fields": ["x"]}}}] * count


COSTLY = [
    pytest.param(
        _repeated("properties.a = properties.a", " and "),
        _event(a=[0] * 7000),
        [],
        id="a-large-list-compared-with-itself-500-times",  # 1.2 s before the budget
    ),
    pytest.param(
        _repeated("properties.a = properties.a", " and "),
        _event(a={f"k{i}": 0 for i in range(2200)}),
        [],
        id="a-wide-object-compared-with-itself",
    ),
    pytest.param(
        "properties.a in [" + ",".join(["properties.b"] * 1200) + "]",
        _event(a=[0] * 3000, b=[1] + [0] * 2999),  # compared from the end
        [],
        id="in-a-list-of-large-near-misses",
    ),
    pytest.param(
        "match(properties.s, '*" + "a?" * 4000 + "b*')",
        _event(s="a" * 30000),
        [],
        id="a-long-glob-searched-through-a-long-text",
    ),
    pytest.param(
        _repeated("match(properties.s, '*????????????????????b*')"),
        _event(s="a" * 30000),
        [],
        id="a-short-glob-searched-hundreds-of-times",
    ),
    pytest.param(
        _repeated("match(properties.s, properties.p)"),
        _event(s="a" * 20000, p="*" + "a?" * 40 + "b*"),
        [],
        id="a-glob-read-from-the-event-compiled-on-every-call",
    ),
    pytest.param(
        _repeated("titlecase(properties.s) = 'x'"),
        _event(s="a " * 15000),
        [],
        id="titlecase-word-by-word-hundreds-of-times",  # 0.6 s before it was charged
    ),
    pytest.param(
        "all",
        _event(**{f"k{i}": i for i in range(2000)}),
        [{"type": "sample_event", "percent": 0.99}] * 2000,
        id="thousands-of-samples-hash-the-event-each-time",
    ),
    pytest.param(
        "all",
        _event(**{f"k{i}": i for i in range(2000)}),
        _blacklists(20000),
        id="thousands-of-blacklists-over-a-wide-object",
    ),
]


@pytest.mark.parametrize(("statement", "event", "actions"), COSTLY)
def test_work_multiplied_by_the_event_runs_out_of_steps(
    statement: str, event: str, actions: list[dict[str, Any]]
) -> None:
    assert len(statement) <= MAX_STATEMENT_LENGTH and len(event) <= 32 * 1024
    with pytest.raises(OverBudget) as raised:
        preview(statement, actions, True, event, Budget())
    assert raised.value.steps == MAX_STEPS


@pytest.mark.parametrize(
    "statement",
    [
        "type = 'track' and ( event = 'Click' or match( event, 'Button *' ) )",
        "!contains( context.library.name, 'js' ) or 'dark-mode' in properties.features",
        "match(context.library.version, '1.*') and length(properties.features) >= 2",
        "typeof(properties.features) = 'list' and lowercase(event) = 'button clicked'",
    ],
)
def test_real_filters_need_a_thousandth_of_the_budget(statement: str) -> None:
    assert parse(statement).matches(BUTTON_CLICKED, Budget(MAX_STEPS // 1000)) in (True, False)


def test_a_preview_of_a_real_filter_on_a_32kb_event_stays_far_under_the_budget() -> None:
    event = _event(items=[{"sku": f"s{i}", "price": i} for i in range(900)], name="x" * 2000)
    actions = [
        {"type": "sample_event", "percent": 0.5, "path": "properties.name"},
        {"type": "blacklist_fields", "fields": {"properties": {"fields": ["name"]}}},
    ]
    statement = "match(properties.name, 'x*') and length(properties.items) > 10"
    preview(statement, actions, True, event, Budget(MAX_STEPS // 20))


@pytest.mark.parametrize("sign", ["", "-"])
def test_309_digit_integers_past_the_largest_double_are_refused(sign: str) -> None:
    """1.8e308 is the largest double: 309 digits can pass it (`9` * 309 is ~1e309)."""
    too_big = sign + "9" * 309
    fits = sign + "1" + "0" * 308  # 1e308
    with pytest.raises(FqlSyntaxError, match="fits in a double"):
        parse(f"a = {too_big}")
    with pytest.raises(PreviewInputError, match="finite numbers"):
        preview("all", [], True, f'{{"a": {too_big}}}')
    parse(f"a = {fits}")
    assert preview("all", [], True, f'{{"a": {fits}}}').output == f'{{"a":{fits}}}'
