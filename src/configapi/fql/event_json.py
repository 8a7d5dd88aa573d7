"""Events as JSON text: read one bounded and strict, write it compact or pretty.

The preview's `input` is a string from the caller, so it gets the limits of SPEC §1 for JSON
values (at most 32 levels of nesting; no NaN, Infinity or numbers that overflow a double) and
Segment's own limit for one event (32 KB). Written JSON sorts keys, as Segment's Go service
printed them (the reference's preview example lists `properties` before `userId`), and keeps
non-ASCII characters as they are.
"""

from __future__ import annotations

import json
import math
from typing import Any

from configapi.fql.errors import PreviewInputError

MAX_EVENT_BYTES = 32 * 1024
MAX_NESTING = 32
_MAX_INTEGER_DIGITS = 309  # more digits overflow a double


class _NotFinite(ValueError):
    pass


def load_event(text: str) -> dict[str, Any]:
    """The event in `text`; PreviewInputError names the rule it breaks."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_EVENT_BYTES:
        raise PreviewInputError(f"must be at most {MAX_EVENT_BYTES} bytes (Segment's event limit)")
    if _nesting_of(text) > MAX_NESTING:
        raise PreviewInputError(f"must nest at most {MAX_NESTING} levels of objects and arrays")
    try:
        event = json.loads(
            text, parse_constant=_refuse, parse_float=_finite_float, parse_int=_bounded_int
        )
    except _NotFinite:
        raise PreviewInputError(
            "must hold only finite numbers that fit in a double (no NaN, Infinity or 1e400)"
        ) from None
    except ValueError as error:
        raise PreviewInputError(f"must be a JSON object (an event): {error}") from None
    if not isinstance(event, dict):
        raise PreviewInputError("must be a JSON object (an event)")
    _refuse_unpaired_surrogates(event)
    return event


def compact(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pretty(value: object) -> str:
    """Indented with tabs, `"key": value`, like Go's json.MarshalIndent(v, "", "\\t")."""
    return json.dumps(value, sort_keys=True, indent="\t", ensure_ascii=False)


def _nesting_of(text: str) -> int:
    """The deepest nesting of `[` and `{` outside strings, counted before the recursive parse."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse(constant: str) -> Any:
    raise _NotFinite(constant)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotFinite(literal)
    return value


def _bounded_int(literal: str) -> int:
    # the digit count first: int() of thousands of digits is slow (and capped by Python)
    if len(literal.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise _NotFinite(literal)
    value = int(literal)
    try:
        float(value)  # 309 digits can still pass the largest double (1.8e308)
    except OverflowError:
        raise _NotFinite(literal) from None
    return value


def _refuse_unpaired_surrogates(event: dict[str, Any]) -> None:
    # `"\ud800"` is valid JSON but no text: it could not be written back as UTF-8
    try:
        compact(event).encode("utf-8")
    except UnicodeEncodeError:
        raise PreviewInputError("must not contain unpaired UTF-16 surrogates") from None
