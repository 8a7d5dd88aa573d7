"""Path templates of `google.api.http` rules: parsing and matching.

The grammar is the one of google/api/http.proto:

    Template = "/" Segments [ Verb ] ;
    Segments = Segment { "/" Segment } ;
    Segment  = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;
    FieldPath = IDENT { "." IDENT } ;
    Verb     = ":" LITERAL ;

`{var}` means `{var=*}`. Matching follows grpc-gateway's runtime/pattern.go, with the request-path
rules of SPEC §1: `//` is folded to `/`, a trailing slash is ignored, and an empty segment never
binds a variable. Each segment is percent-decoded after splitting, so `%2F` inside a segment does
not split it; a `**` variable keeps RFC 6570 reserved characters escaped (grpc-gateway's default
`UnescapingModeAllExceptReserved`). A malformed escape is INVALID_ARGUMENT, never a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote_to_bytes

from configapi.gateway.errors import malformed_request

ANY: Final = "*"
DEEP: Final = "**"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"[^/{}*:=%]+")
_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")
# RFC 6570 reserved characters: a `**` binding keeps them percent-encoded (grpc-gateway).
_RESERVED = frozenset(":/?#[]@!$&'()*+,;=")


class TemplateError(ValueError):
    """A path template in a proto option does not follow the http.proto grammar."""


@dataclass(frozen=True, slots=True)
class Variable:
    """A variable binding segments `[start, end)` of a template to a dotted field path."""

    field_path: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed template: its segments (`*`, `**` or a literal), variables and verb."""

    source: str
    segments: tuple[str, ...]
    variables: tuple[Variable, ...]
    verb: str
    deep_index: int  # the position of the `**` segment, or -1

    def specificity(self) -> tuple[int, ...]:
        """Sort key: literal segments beat `*`, which beats `**`, leftmost difference first."""
        ranks = tuple(2 if s == DEEP else 1 if s == ANY else 0 for s in self.segments)
        return (*ranks, 0 if self.verb else 1)

    def match(self, path: RequestPath) -> dict[str, str] | None:
        """The variable bindings if `path` matches this template, else None."""
        if self.verb:
            stripped = path.without_verb(self.verb)
            if stripped is None:
                return None
            path = stripped
        deep = self.deep_index
        if deep < 0:
            return self._match_fixed(path.decoded)
        return self._match_deep(path, deep)

    def _match_fixed(self, decoded: tuple[str, ...]) -> dict[str, str] | None:
        if len(decoded) != len(self.segments):
            return None
        for want, got in zip(self.segments, decoded, strict=True):
            if want != ANY and want != got:
                return None
        return {v.field_path: "/".join(decoded[v.start : v.end]) for v in self.variables}

    def _match_deep(self, path: RequestPath, deep: int) -> dict[str, str] | None:
        decoded = path.decoded
        tail = len(self.segments) - deep - 1
        width = len(decoded) - deep - tail  # how many segments `**` swallows
        # SPEC §1: an empty segment never binds a variable, so a bound `**` needs one segment.
        if width < (1 if self._binds(deep) else 0):
            return None
        head = self._match_fixed_part(self.segments[:deep], decoded[:deep])
        rest = self._match_fixed_part(self.segments[deep + 1 :], decoded[deep + width :])
        if not (head and rest):
            return None
        swallowed = "/".join(path.raw_deep(deep, deep + width))
        bound = (*decoded[:deep], swallowed, *decoded[deep + width :])
        return {v.field_path: "/".join(bound[v.start : v.end]) for v in self.variables}

    @staticmethod
    def _match_fixed_part(want: tuple[str, ...], got: tuple[str, ...]) -> bool:
        return all(w in (ANY, g) for w, g in zip(want, got, strict=True))

    def _binds(self, index: int) -> bool:
        return any(v.start <= index < v.end for v in self.variables)


@dataclass(frozen=True, slots=True)
class RequestPath:
    """A request path split into segments, raw and percent-decoded (SPEC §1 folding applied)."""

    raw: tuple[str, ...]
    decoded: tuple[str, ...]

    def without_verb(self, verb: str) -> RequestPath | None:
        """This path with `:verb` cut from its last raw segment, or None if it has no such verb."""
        suffix = ":" + verb
        if not self.raw or not self.raw[-1].endswith(suffix) or self.raw[-1] == suffix:
            return None
        last = self.raw[-1][: -len(suffix)]
        return RequestPath((*self.raw[:-1], last), (*self.decoded[:-1], decode_segment(last)))

    def raw_deep(self, start: int, end: int) -> list[str]:
        """Segments for a `**` binding: decoded except reserved characters."""
        return [_decode_unreserved(segment) for segment in self.raw[start:end]]


def split_path(raw_path: str) -> RequestPath:
    """Split a raw (still percent-encoded) request path into segments.

    SPEC §1: empty segments are dropped, which folds `//` to `/` and ignores trailing slashes;
    so no empty segment can ever reach a variable.
    """
    raw = tuple(segment for segment in raw_path.split("/") if segment)
    if "%" not in raw_path and raw_path.isascii():
        return RequestPath(raw=raw, decoded=raw)  # the common case: nothing to decode
    return RequestPath(raw=raw, decoded=tuple(decode_segment(s) for s in raw))


def decode_segment(segment: str) -> str:
    """Percent-decode one segment as UTF-8; a malformed escape or byte is INVALID_ARGUMENT."""
    if "%" not in segment and segment.isascii():
        return segment
    if _MALFORMED_ESCAPE.search(segment):
        raise malformed_request(f"malformed percent-escape in path segment {segment!r}")
    try:
        return unquote_to_bytes(segment.encode("latin-1")).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise malformed_request(f"path segment {segment!r} is not valid UTF-8") from None


def _decode_unreserved(segment: str) -> str:
    """Decode escapes except those of RFC 6570 reserved characters (grpc-gateway `**` rule)."""
    if "%" not in segment:
        return decode_segment(segment)
    decode_segment(segment)  # validates escapes and UTF-8 once, with the same errors

    def decode(match: re.Match[bytes]) -> bytes:
        byte = int(match.group()[1:], 16)
        return match.group() if chr(byte) in _RESERVED else bytes((byte,))

    return _ESCAPE.sub(decode, segment.encode("latin-1")).decode("utf-8")


def parse_template(template: str) -> PathTemplate:
    """Parse a path template such as `/v1beta/{name=workspaces/*/sources/*}:verb`."""
    if not template.startswith("/"):
        raise TemplateError(f"template {template!r} must start with '/'")
    body, verb = _split_verb(template[1:], template)
    segments: list[str] = []
    variables: list[Variable] = []
    for piece in _top_level_pieces(body, template):
        if piece.startswith("{"):
            variables.append(_parse_variable(piece, len(segments), segments, template))
        else:
            segments.append(_parse_segment(piece, template))
    if segments.count(DEEP) > 1:
        raise TemplateError(f"template {template!r} has more than one '**'")
    deep_index = segments.index(DEEP) if DEEP in segments else -1
    return PathTemplate(template, tuple(segments), tuple(variables), verb, deep_index)


def _split_verb(body: str, template: str) -> tuple[str, str]:
    depth, colon = 0, -1
    for index, char in enumerate(body):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == ":" and depth == 0:
            colon = index
    if colon < 0:
        return body, ""
    verb = body[colon + 1 :]
    if not _LITERAL.fullmatch(verb):
        raise TemplateError(f"template {template!r} has an invalid verb {verb!r}")
    return body[:colon], verb


def _top_level_pieces(body: str, template: str) -> list[str]:
    """Split on `/` outside braces: `{name=a/*}/b` → [`{name=a/*}`, `b`]."""
    pieces: list[str] = []
    depth = start = 0
    for index, char in enumerate(body):
        if char in "{}":
            depth += 1 if char == "{" else -1
            if depth not in (0, 1):
                raise TemplateError(f"template {template!r} has unbalanced or nested braces")
        elif char == "/" and depth == 0:
            pieces.append(body[start:index])
            start = index + 1
    if depth != 0:
        raise TemplateError(f"template {template!r} has unbalanced braces")
    pieces.append(body[start:])
    return pieces


def _parse_variable(piece: str, start: int, segments: list[str], template: str) -> Variable:
    if not piece.endswith("}"):
        raise TemplateError(f"template {template!r}: {piece!r} must end with '}}'")
    field_path, equals, pattern = piece[1:-1].partition("=")
    if not all(_IDENT.fullmatch(part) for part in field_path.split(".")):
        raise TemplateError(f"template {template!r}: bad field path {field_path!r}")
    for part in (pattern if equals else ANY).split("/"):
        segments.append(_parse_segment(part, template))
    return Variable(field_path, start, len(segments))


def _parse_segment(piece: str, template: str) -> str:
    if piece in (ANY, DEEP) or _LITERAL.fullmatch(piece):
        return piece
    raise TemplateError(f"template {template!r}: bad segment {piece!r}")
