"""HTTP request headers → gRPC metadata, as grpc-gateway forwards them.

grpc-gateway's `AnnotateContext` with its `DefaultHeaderMatcher` (runtime/context.go, mux.go):
- `Authorization` → `authorization` (SPEC §1: the token, as gRPC callers send it);
- permanent HTTP headers (IANA's list, `isPermanentHTTPHeader`) → `grpcgateway-<name>`, which
  includes `grpcgateway-authorization`;
- `Grpc-Metadata-<name>` → `<name>`;
- `x-forwarded-host` (the request's `Host` if absent) and `x-forwarded-for` with the client's
  address appended.
Keys are lowercase. A header that cannot be metadata (a non-printable value, an invalid key,
binary `-bin` or reserved `grpc-` names) is dropped rather than failing the call.

The standalone gateway sends its upstream less (`upstream_metadata`): only what the API reads
(`authorization`, `x-request-id`), the forwarding pair and what the caller addressed to gRPC
with `Grpc-Metadata-`. gRPC refuses metadata over 8 KiB by default, so forwarding a browser's
20 KB `Cookie` would fail a call that the in-process gateway answers (issue #12 item 11).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

Metadata = list[tuple[str, str]]

# runtime/context.go isPermanentHTTPHeader, lowercased.
PERMANENT_HEADERS: Final = frozenset(
    {
        "accept",
        "accept-charset",
        "accept-language",
        "accept-ranges",
        "authorization",
        "cache-control",
        "content-type",
        "cookie",
        "date",
        "expect",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-schedule-tag-match",
        "if-unmodified-since",
        "max-forwards",
        "origin",
        "pragma",
        "referer",
        "user-agent",
        "via",
        "warning",
    }
)
GATEWAY_PREFIX: Final = "grpcgateway-"
METADATA_HEADER_PREFIX: Final = "grpc-metadata-"
_VALID_KEY: Final = re.compile(r"[0-9a-z_.-]+")
# Metadata names per permanent header. For backwards compatibility grpc-gateway also passes
# `authorization` through unprefixed: that is the one the API authenticates with (SPEC §1).
_RENAMED: Final[dict[str, tuple[str, ...]]] = {
    **{name: (GATEWAY_PREFIX + name,) for name in PERMANENT_HEADERS},
    "authorization": ("authorization", GATEWAY_PREFIX + "authorization"),
}


def metadata_from_headers(
    headers: Iterable[tuple[bytes, bytes]], client: tuple[str, int] | None = None
) -> Metadata:
    """The gRPC metadata for an ASGI request's raw headers and client address."""
    pairs: Metadata = []
    host = forwarded_host = forwarded_for = ""
    for raw_key, raw_value in headers:
        key = raw_key.decode("latin-1").lower()
        names = _RENAMED.get(key) or _names_for(key)
        if not names:
            continue
        value = raw_value.decode("latin-1")
        # gRPC ASCII metadata values: printable ASCII, space included (PROTOCOL-HTTP2.md)
        if not (value.isascii() and value.isprintable()):
            continue
        if key == "x-forwarded-host":
            forwarded_host = forwarded_host or value
        elif key == "x-forwarded-for":
            forwarded_for = forwarded_for or value
        else:
            host = value if key == "host" else host
            pairs.extend((name, value) for name in names)
    _add_forwarding(pairs, forwarded_host or host, forwarded_for, client)
    return pairs


def upstream_metadata(metadata: Iterable[tuple[str, str]]) -> Metadata:
    """The part of `metadata_from_headers` a gRPC upstream gets: no `grpcgateway-*` copies of
    permanent HTTP headers (cookies, user agents...), which the API never reads."""
    return [(key, value) for key, value in metadata if not key.startswith(GATEWAY_PREFIX)]


def _names_for(key: str) -> tuple[str, ...]:
    """`Grpc-Metadata-<name>` → (`<name>`,), the forwarding headers, or () to drop the header."""
    if key in ("x-forwarded-host", "x-forwarded-for"):
        return (key,)
    if key.startswith(METADATA_HEADER_PREFIX):
        name = key[len(METADATA_HEADER_PREFIX) :]
        if _is_forwardable_key(name):
            return (name,)
    return ()


def _is_forwardable_key(name: str) -> bool:
    """Text metadata names only: `-bin` values would need base64 decoding into bytes, and
    `grpc-` names are reserved for the transport itself."""
    return (
        bool(_VALID_KEY.fullmatch(name))
        and not name.endswith("-bin")
        and not name.startswith("grpc-")
    )


def _add_forwarding(
    pairs: Metadata, host: str, forwarded_for: str, client: tuple[str, int] | None
) -> None:
    if host:
        pairs.append(("x-forwarded-host", host))
    address = client[0] if client else ""
    if forwarded_for and address:
        pairs.append(("x-forwarded-for", f"{forwarded_for}, {address}"))
    elif forwarded_for or address:
        pairs.append(("x-forwarded-for", forwarded_for or address))
