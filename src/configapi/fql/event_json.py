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
from configapi.go_numbers import go_number_text

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
    """No spaces, keys sorted, numbers spelled as Go prints them, like Go's json.Marshal."""
    out: list[str] = []
    _write(event, out, ",", ":", "")
    return "".join(out)


def pretty(value: object) -> str:
    """Indented with tabs, `"key": value`, like Go's json.MarshalIndent(v, "", "\\t")."""
    out: list[str] = []
    _write(value, out, ",\n", ": ", "\n")
    return "".join(out)


def _write(value: object, out: list[str], comma: str, colon: str, newline: str) -> None:
    """The JSON text of a loaded event, appended to `out`. Written here rather than by
    `json.dumps`, whose doubles are Python's (`1e-07`, `1e-05`, `5.0`): a double is spelled as
    Go spells it (`1e-7`, `0.00001`, `5`; SPEC §1), an integer as it was sent. `newline` is the
    line break plus the indentation of the current depth ("" when compact)."""
    inner = newline + "\t" if newline else ""
    between = comma + inner[1:] if newline else comma
    if isinstance(value, dict) and value:
        out.append("{" + inner)
        for index, key in enumerate(sorted(value)):
            out.append((between if index else "") + _string(key) + colon)
            _write(value[key], out, comma, colon, inner)
        out.append(newline + "}")
    elif isinstance(value, list) and value:
        out.append("[" + inner)
        for index, item in enumerate(value):
            out.append(between if index else "")
            _write(item, out, comma, colon, inner)
        out.append(newline + "]")
    elif isinstance(value, float):
        out.append(go_number_text(value))
    else:
        out.append(_string(value))


def _string(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


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
