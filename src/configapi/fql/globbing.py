"""Glob patterns for FQL's `match(s, pattern)` (Segment's FQL reference, "match").

`*` matches any run of characters (there is no path separator: `match('ab/c', 'a*')` is true, as
Segment's own matcher says), `?` one character, `[abc]`, `[a-z]` and `[^a-z]` one character of a
class, and `\\x` the character x. Case sensitive; the whole string must match; a malformed
pattern (`[a`, a trailing `\\`, `[]`) matches nothing, like Go's ErrBadPattern.

The pattern is split at its stars into chunks of single-character items, so each chunk matches a
fixed number of characters: a chunk after a star is found by its leftmost occurrence, the last one
must end the string. That is linear in the chunks and never backtracks (no ReDoS from a pattern),
but the search for a chunk of m items can still try m characters at each of n positions: no
search starts unless the budget can pay n·m, and each pays for what it tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from configapi.fql.budget import Budget

# Compiling costs a few Python steps per character of the pattern (the parse and `re.compile`).
COMPILE_STEPS_PER_CHAR: Final = 8
# character comparisons the regex engine makes in about the time of one budget step
_COMPARISONS_PER_STEP: Final = 512


@dataclass(frozen=True)
class _Chunk:
    after_star: bool
    regex: re.Pattern[str]
    length: int  # characters it matches


@dataclass(frozen=True)
class GlobPattern:
    chunks: tuple[_Chunk, ...]
    trailing_star: bool

    def matches(self, text: str, budget: Budget) -> bool:
        """Whether the whole of `text` matches the pattern."""
        position = 0
        for index, chunk in enumerate(self.chunks):
            if index == len(self.chunks) - 1 and not self.trailing_star:
                budget.spend(1 + chunk.length // _COMPARISONS_PER_STEP)
                return _ends_with(chunk, text, position)
            found = _find(chunk, text, position, budget)
            if found is None:
                return False
            position = found.end()
        return self.trailing_star or position == len(text)


def _find(chunk: _Chunk, text: str, position: int, budget: Budget) -> re.Match[str] | None:
    """The chunk at `position`, or its leftmost occurrence after it when it follows a star; a
    search that could cost more than the budget has left is not started."""
    if not chunk.after_star:
        budget.spend(1 + chunk.length // _COMPARISONS_PER_STEP)
        return chunk.regex.match(text, position)
    budget.afford(1 + (len(text) - position) * chunk.length // _COMPARISONS_PER_STEP)
    found = chunk.regex.search(text, position)
    tried = (found.start() if found else len(text)) - position + 1
    budget.spend(1 + tried * chunk.length // _COMPARISONS_PER_STEP)
    return found


def _ends_with(chunk: _Chunk, text: str, position: int) -> bool:
    start = len(text) - chunk.length
    if start < position or (start != position and not chunk.after_star):
        return False
    return chunk.regex.match(text, start) is not None


def compile_glob(pattern: str) -> GlobPattern | None:
    """The compiled pattern, or None when it is malformed."""
    chunks: list[_Chunk] = []
    items: list[str] = []
    star = False
    i = 0
    while i < len(pattern):
        if pattern[i] == "*":
            if items:
                chunks.append(_chunk(star, items))
                items = []
            star = True
            i += 1
            continue
        item, i = _item_at(pattern, i)
        if item is None:
            return None
        items.append(item)
    if items:
        chunks.append(_chunk(star, items))
        star = False
    return GlobPattern(tuple(chunks), star)


def _chunk(after_star: bool, items: list[str]) -> _Chunk:
    return _Chunk(after_star, re.compile("".join(items), re.DOTALL), len(items))


def _item_at(pattern: str, i: int) -> tuple[str | None, int]:
    """The regex for the single-character item at `i`, and where the next item starts."""
    char = pattern[i]
    if char == "?":
        return ".", i + 1
    if char == "\\":
        if i + 1 == len(pattern):
            return None, i + 1
        return _literal(pattern[i + 1]), i + 2
    if char == "[":
        return _class_at(pattern, i + 1)
    return _literal(char), i + 1


def _literal(char: str) -> str:
    # \UXXXXXXXX is valid in and out of a class and never needs other escaping
    return f"\\U{ord(char):08x}"


def _class_at(pattern: str, i: int) -> tuple[str | None, int]:
    """`[...]` as in Go's path.Match: `^` negates, `lo-hi` ranges, `\\` escapes, `[]` is bad."""
    negated = i < len(pattern) and pattern[i] == "^"
    i += 1 if negated else 0
    ranges: list[str] = []
    count = 0
    while i < len(pattern) and not (pattern[i] == "]" and count > 0):
        low, i = _class_char_at(pattern, i)
        high = low
        if low is not None and i < len(pattern) and pattern[i] == "-":
            high, i = _class_char_at(pattern, i + 1)
        if low is None or high is None:
            return None, i
        if low <= high:  # Go's `lo <= c && c <= hi`: a reversed range matches nothing
            ranges.append(f"{_literal(low)}-{_literal(high)}")
        count += 1
    if i == len(pattern):
        return None, i
    return _class_regex(negated, ranges), i + 1


def _class_char_at(pattern: str, i: int) -> tuple[str | None, int]:
    if i == len(pattern) or pattern[i] in "-]":
        return None, i
    if pattern[i] == "\\":
        if i + 1 == len(pattern):
            return None, i + 1
        return pattern[i + 1], i + 2
    return pattern[i], i + 1


def _class_regex(negated: bool, ranges: list[str]) -> str:
    if not ranges:
        return "." if negated else "(?!)"
    return "[" + ("^" if negated else "") + "".join(ranges) + "]"
