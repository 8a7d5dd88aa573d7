"""The preview's `diff`: a line diff of the pretty-printed input and output events.

In the style the reference shows (§5.8, from Segment's preview): every line of both documents,
prefixed with ' ' (in both), '-' (input only) or '+' (output only), joined by newlines:

     {
        "properties": {
    -		"age": "40",
    -		"name": "Bob Smith",
                "order": "129"
        },
        "userId": "6592"
     }

It is computed on the two JSON trees, key by key, rather than by a generic sequence diff: linear in
the size of the event (a sequence diff is quadratic on the many look-alike lines such as `},`),
and each removed member's lines stay together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from configapi.fql.event_json import pretty


def json_diff(before: object, after: object) -> str:
    """The line diff of `pretty(before)` and `pretty(after)`."""
    return "\n".join(_diff(before, after, 0, "", (False, False)))


def removal_diff(before: object) -> str:
    """The diff when there is no output at all (a dropped event): every line removed."""
    return "\n".join("-" + line for line in pretty(before).split("\n"))


def _lines(value: object, depth: int, lead: str, comma: bool) -> list[str]:
    """`value` pretty-printed as the member at `depth` whose key part is `lead`."""
    indent = "\t" * depth
    lines = [indent + line for line in pretty(value).split("\n")]
    lines[0] = indent + lead + lines[0][depth:]
    if comma:
        lines[-1] += ","
    return lines


def _diff(
    before: object, after: object, depth: int, lead: str, commas: tuple[bool, bool]
) -> list[str]:
    if before is after and commas[0] == commas[1]:  # untouched: the common case, printed once
        return [" " + line for line in _lines(before, depth, lead, commas[0])]
    if isinstance(before, Mapping) and isinstance(after, Mapping) and before and after:
        return _diff_objects(before, after, depth, lead, commas)
    old = _lines(before, depth, lead, commas[0])
    new = _lines(after, depth, lead, commas[1])
    if old == new:
        return [" " + line for line in old]
    if old[:-1] == new[:-1]:  # only the trailing comma moved
        return [" " + line for line in old[:-1]] + ["-" + old[-1], "+" + new[-1]]
    return ["-" + line for line in old] + ["+" + line for line in new]


def _diff_objects(
    before: Mapping[str, object],
    after: Mapping[str, object],
    depth: int,
    lead: str,
    commas: tuple[bool, bool],
) -> list[str]:
    indent = "\t" * depth
    lines = [" " + indent + lead + "{"]
    last_before, last_after = max(before), max(after)
    for key in sorted(before.keys() | after.keys()):
        member = json.dumps(key, ensure_ascii=False) + ": "
        if key not in after:
            lines += [
                "-" + line for line in _lines(before[key], depth + 1, member, key != last_before)
            ]
        elif key not in before:
            lines += [
                "+" + line for line in _lines(after[key], depth + 1, member, key != last_after)
            ]
        else:
            pair = (key != last_before, key != last_after)
            lines += _diff(before[key], after[key], depth + 1, member, pair)
    closings = [indent + "}" + ("," if comma else "") for comma in commas]
    if closings[0] == closings[1]:
        return [*lines, " " + closings[0]]
    return [*lines, "-" + closings[0], "+" + closings[1]]
