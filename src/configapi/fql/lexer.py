"""The tokens of an FQL statement (Segment's Filter Query Language, SPEC §6.8).

- strings in single or double quotes; a backslash escapes the quote or a backslash, any other
  backslash is kept (so the glob escape in `match(x, 'ab\\*d')` reaches the glob untouched);
- numbers like `-12`, `0.5`, `1e3`;
- field paths: names of `a-z A-Z 0-9 _ -` joined by `.`, where a backslash escapes any other
  character (`properties.product\\ 1.price`), as Segment's FQL reference says;
- the keywords `and`, `or`, `in`, `true`, `false`, `null`;
- the symbols `( ) [ ] , ! = != > >= < <=`.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from configapi.fql.errors import FqlSyntaxError

KEYWORDS = frozenset({"and", "or", "in", "true", "false", "null"})
_TWO_CHAR_SYMBOLS = frozenset({"!=", ">=", "<="})
_ONE_CHAR_SYMBOLS = frozenset("()[],!=><")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_PATH_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_\\")
_WHITESPACE = frozenset(" \t\r\n")
# An integer literal longer than this overflows a double anyway (and Python caps int parsing).
_MAX_INTEGER_DIGITS = 309


class Kind(enum.Enum):
    STRING = "a string"
    NUMBER = "a number"
    PATH = "a field path"
    KEYWORD = "a keyword"
    SYMBOL = "a symbol"
    END = "the end of the statement"


Value = str | int | float | tuple[str, ...] | None


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # as written, for error messages
    position: int
    value: Value = None  # str / number / path segments / keyword or symbol text


def tokens_of(text: str) -> Iterator[Token]:
    """The tokens of `text`, ending with an END token at `len(text)`.

    Lazy, so that the parser reports the first error in reading order, lexical or not.
    """
    i = 0
    while True:
        while i < len(text) and text[i] in _WHITESPACE:
            i += 1
        if i == len(text):
            yield Token(Kind.END, "", i)
            return
        token = _token_at(text, i)
        yield token
        i += len(token.text)


def _token_at(text: str, i: int) -> Token:
    char = text[i]
    if char in "'\"":
        return _string_at(text, i)
    number = _NUMBER.match(text, i)
    if number:
        return _number_token(number.group(), i)
    if char in _PATH_START:
        return _path_at(text, i)
    if text[i : i + 2] in _TWO_CHAR_SYMBOLS:
        return Token(Kind.SYMBOL, text[i : i + 2], i, text[i : i + 2])
    if char in _ONE_CHAR_SYMBOLS:
        return Token(Kind.SYMBOL, char, i, char)
    raise FqlSyntaxError(i, "a field path, a value, a function call or '('", char)


def _string_at(text: str, start: int) -> Token:
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in (quote, "\\"):
            chars.append(text[i + 1])
            i += 2
        elif char == quote:
            return Token(Kind.STRING, text[start : i + 1], start, "".join(chars))
        else:
            chars.append(char)
            i += 1
    raise FqlSyntaxError(len(text), f"the closing {quote} of the string at position {start}")


def _number_token(literal: str, start: int) -> Token:
    if "." in literal or "e" in literal or "E" in literal:
        value: int | float = float(literal)
        if not math.isfinite(value):
            raise FqlSyntaxError(start, "a number that fits in a double", literal)
    elif len(literal.lstrip("-")) > _MAX_INTEGER_DIGITS or not _fits_a_double(int(literal)):
        raise FqlSyntaxError(start, "a number that fits in a double", literal)
    else:
        value = int(literal)
    return Token(Kind.NUMBER, literal, start, value)


def _fits_a_double(value: int) -> bool:
    # 309 digits can still pass the largest double (1.8e308)
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _path_at(text: str, start: int) -> Token:
    segments: list[str] = []
    i = start
    while True:
        segment, i = _segment_at(text, i)
        segments.append(segment)
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        written = text[start:i]
        if len(segments) == 1 and written in KEYWORDS:
            return Token(Kind.KEYWORD, written, start, written)
        return Token(Kind.PATH, written, start, tuple(segments))


def _segment_at(text: str, start: int) -> tuple[str, int]:
    """One name of a field path and where it ends; a backslash escapes the next character."""
    chars: list[str] = []
    i = start
    while i < len(text):
        if text[i] == "\\":
            if i + 1 == len(text):
                raise FqlSyntaxError(i + 1, "a character after '\\' in a field path")
            chars.append(text[i + 1])
            i += 2
        elif text[i] in _NAME_CHARS:
            chars.append(text[i])
            i += 1
        else:
            break
    if i == start:
        found = text[i] if i < len(text) else None
        raise FqlSyntaxError(i, "a field name after '.'", found)
    return "".join(chars), i
