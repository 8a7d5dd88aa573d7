"""Glob patterns for FQL's `match(s, pattern)` (Segment's FQL reference, "match").

`*` matches any run of characters (there is no path separator: `match('ab/c', 'a*')` is true, as
Segment's own matcher says), `?` one character, `[abc]`, `[a-z]` and `[^a-z]` one character of a
class, and `\\x` the character x. Case sensitive; the whole string must match; a malformed
pattern (`[a`, a trailing `\\`, `[]`) matches nothing, like Go's ErrBadPattern.

The pattern is split at its stars into chunks of single-character items, so each chunk matches a
fixed number of characters: a chunk after a star is found by its leftmost occurrence, the last one
must end the string. That is linear in the chunks and never backtracks (no ReDoS from a pattern).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Chunk:
    after_star: bool
    regex: re.Pattern[str]
    length: int  # characters it matches


@dataclass(frozen=True)
class GlobPattern:
    chunks: tuple[_Chunk, ...]
    trailing_star: bool

    def matches(self, text: str) -> bool:
        """Whether the whole of `text` matches the pattern."""
        position = 0
        for index, chunk in enumerate(self.chunks):
            if index == len(self.chunks) - 1 and not self.trailing_star:
                return _ends_with(chunk, text, position)
            found = (chunk.regex.search if chunk.after_star else chunk.regex.match)(text, position)
            if found is None:
                return False
            position = found.end()
        return self.trailing_star or position == len(text)


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
