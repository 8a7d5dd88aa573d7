"""Hypothesis strategies for destination filters (SPEC §6.8): FQL statements, events as JSON
text, and the fields of actions, each mostly well-formed (so that a generated Create, Update
or Preview gets past the parser and reaches evaluation and storage) and sometimes hostile:

- statements nested at, just past and far past the parser's 32 levels (10,000 parentheses),
  as long as the 16,384-character limit allows and just over it, with `1e400`, 309-digit
  integers, `NaN` and `Infinity` where a number goes, odd Unicode (bidi controls, astral
  characters, NUL, combining marks) in strings and escaped field names, globs of every
  special character, and terms repeated until the step budget runs out;
- events nested around 32 levels, wide, around the 32 KiB event limit, with NaN, Infinity,
  1e400, 309-digit integers or lone surrogates written in the text, not JSON, or not an object.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from configapi.fql.event_json import MAX_EVENT_BYTES, MAX_NESTING
from configapi.fql.grammar import MAX_DEPTH, MAX_STATEMENT_LENGTH

PATHS = (
    "type",
    "event",
    "userId",
    "properties.price",
    "properties.tags",
    "properties.product\\ 1.price",
    "context.library.name",
    "traits.email",
    "a.b.c.d.e.f.g.h",
)
ODD_CHARACTERS = ("\u202e", "\U0001f600", "\x00", "e\u0301", "\ufeff", "\u2028", "'", '"', "\\")
GLOB_PIECES = ("*", "?", "[a-z]", "[^0-9]", "[]", "[", "\\*", "\\", "a", "é", "**")
FUNCTIONS = ("contains", "length", "lowercase", "uppercase", "typeof", "titlecase", "snakecase")
NUMBERS = ("1e400", "-1e400", "9" * 309, "1" + "0" * 308, "NaN", "Infinity", "1e-400", "-0", "0.5")
ACTION_TYPES = ("drop_event", "sample_event", "whitelist_fields", "blacklist_fields", "explode", "")


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=12),
        st.lists(st.sampled_from(ODD_CHARACTERS), max_size=6).map("".join),
    )


def _literals() -> st.SearchStrategy[str]:
    return st.one_of(
        _texts().map(_quoted),
        st.integers(-(2**63), 2**63).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(("true", "false", "null", *NUMBERS)),
    )


def _operands() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        call = st.builds(lambda f, x: f"{f}({x})", st.sampled_from(FUNCTIONS), inner)
        pair = st.builds(lambda x, y: f"contains({x}, {y})", inner, inner)
        return st.one_of(call, pair, st.lists(inner, max_size=4).map(lambda i: f"[{', '.join(i)}]"))

    return st.recursive(st.one_of(_literals(), st.sampled_from(PATHS)), extend, max_leaves=6)


def _globs() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(GLOB_PIECES), max_size=12).map("".join)


def _conditions() -> st.SearchStrategy[str]:
    comparison = st.builds(
        lambda a, op, b: f"{a} {op} {b}",
        _operands(),
        st.sampled_from(("=", "!=", ">", ">=", "<", "<=", "in")),
        _operands(),
    )
    match = st.builds(lambda p, g: f"match({p}, {_quoted(g)})", st.sampled_from(PATHS), _globs())

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        joiners = st.sampled_from(("and", "or"))
        joined = st.builds(lambda a, j, b: f"{a} {j} {b}", inner, joiners, inner)
        return st.one_of(joined, inner.map(lambda c: f"!{c}"), inner.map(lambda c: f"({c})"))

    return st.recursive(st.one_of(comparison, match, _operands()), extend, max_leaves=8)


def _nested(depth: int, opener: str) -> str:
    closer = {"(": ")", "[": "]", "!": "", "length(": ")"}[opener]
    core = "a = 1" if opener in "(!" else "a"
    return opener * depth + core + closer * depth


def _of_length(length: int) -> str:
    """A valid statement of exactly `length` characters."""
    head = "type = 'track' or b = '"
    return head + "x" * (length - len(head) - 1) + "'"


def _repeated(term: str) -> str:
    """`term` or-ed with itself as often as a statement allows (work for the step budget)."""
    return " or ".join([term] * ((MAX_STATEMENT_LENGTH + 4) // (len(term) + 4)))


def hostile_statements() -> st.SearchStrategy[str]:
    depths = st.sampled_from((MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 100, 10_000))
    lengths = st.sampled_from((MAX_STATEMENT_LENGTH - 1, MAX_STATEMENT_LENGTH))
    return st.one_of(
        st.builds(_nested, depths, st.sampled_from(("(", "[", "!", "length("))),
        st.one_of(lengths, st.just(MAX_STATEMENT_LENGTH + 1)).map(_of_length),
        st.sampled_from(NUMBERS).map(lambda n: f"properties.price = {n}"),
        st.sampled_from(("properties.tags = properties.tags", "match(userId, '*?*?*?b*')")).map(
            _repeated
        ),
        st.just("a = 1 and " * 100_000 + "a = 1"),  # 1 MB
    )


def fql_statements() -> st.SearchStrategy[str]:
    """Statements: mostly well-formed, sometimes `all`, sometimes hostile."""
    return st.one_of(st.just("all"), _conditions(), _conditions(), hostile_statements())


def field_paths() -> st.SearchStrategy[str]:
    """A sample action's `path`: real paths, escaped odd names, and near misses."""
    escaped = st.lists(st.sampled_from(ODD_CHARACTERS), min_size=1, max_size=3).map(
        lambda chars: "properties." + "".join("\\" + c for c in chars)
    )
    broken = st.sampled_from(("", ".", "a..b", "a.", "\\", "a b", "a." * 5000 + "b"))
    return st.one_of(st.sampled_from(PATHS), escaped, broken)


# ---- events: the preview's `input` ---------------------------------------------------------


def _event_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63),
        st.floats(allow_nan=False, allow_infinity=False),
        _texts(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(_texts(), inner, max_size=4)
        ),
        max_leaves=12,
    )


def _events() -> st.SearchStrategy[str]:
    event = st.fixed_dictionaries(
        {"type": st.sampled_from(("track", "identify")), "userId": _texts()},
        optional={"properties": st.dictionaries(_texts(), _event_values(), max_size=5)},
    )
    return event.map(json.dumps)


def _deep_event(depth: int) -> str:
    return '{"a": ' * (depth - 1) + "[1]" + "}" * (depth - 1)


def hostile_events() -> st.SearchStrategy[str]:
    depths = st.sampled_from((MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 10_000))
    sizes = st.sampled_from((MAX_EVENT_BYTES - 100, MAX_EVENT_BYTES - 9, MAX_EVENT_BYTES + 1))
    return st.one_of(
        depths.map(_deep_event),
        sizes.map(lambda n: json.dumps({"s": "x" * (n - 9)})),
        st.integers(100, 3000).map(lambda n: json.dumps({f"k{i}": [i] for i in range(n)})),
        st.sampled_from(NUMBERS).map(lambda n: '{"properties": {"price": ' + n + "}}"),
        st.sampled_from(('{"a": "\\ud800"}', "[]", "null", "", "{", '{"a": 1} x', "\x00")),
    )


def events() -> st.SearchStrategy[str]:
    """A preview's `input`: mostly events, sometimes hostile text."""
    return st.one_of(_events(), _events(), hostile_events())
