"""Pagination (AIP-158): page sizes and opaque, tamper-evident, request-bound page tokens.

A token carries the keyset position of the last item served (never an OFFSET, SPEC §4) and a
checksum of the request's other fields (as einride/aip-go binds tokens to requests). SPEC §4 wants
tokens opaque: positions are row ids shared by every collection, so the payload is encrypted, not
only signed. The construction is SIV-style with HMAC-SHA256 from the standard library: the MAC of
the plaintext is both the tag and the nonce of an HMAC-counter keystream, with two keys derived
from the deployment's secret. A modified token, or one reused with other parameters, is rejected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import TypeVar

from google.protobuf.message import Message

from configapi.errors import ApiError, invalid_argument

# SPEC §4: 100 for every collection, because the Go clients and Terraform providers never send
# page_size nor follow next_page_token; a smaller default hides resources from them.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
_MAC_BYTES = 16
P = TypeVar("P", int, str)


def page_size_of(requested: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    """SPEC §4: unset or 0 → default; above 100 → 100; negative → INVALID_ARGUMENT."""
    if requested < 0:
        raise invalid_argument("page_size", f"must not be negative, got {requested}")
    if requested == 0:
        return default
    return min(requested, MAX_PAGE_SIZE)


def request_checksum(request: Message) -> str:
    """A digest of every request field except the paging ones (AIP-158: page_size may change)."""
    other = type(request)()
    other.CopyFrom(request)
    other.ClearField("page_token")
    other.ClearField("page_size")
    digest = hashlib.sha256(request.DESCRIPTOR.full_name.encode())
    digest.update(other.SerializeToString(deterministic=True))
    return digest.hexdigest()[:16]


class PageTokens:
    """Encodes and decodes page tokens with one secret key."""

    def __init__(self, secret: bytes) -> None:
        self._mac_key = hmac.new(secret, b"page token: mac", hashlib.sha256).digest()
        self._cipher_key = hmac.new(secret, b"page token: cipher", hashlib.sha256).digest()

    def encode(self, request: Message, position: int | str) -> str:
        """A URL-safe token that resumes `request` after `position`."""
        payload = json.dumps({"p": position, "c": request_checksum(request)}).encode()
        mac = self._mac(payload)
        sealed = _xor(payload, self._keystream(mac, len(payload)))
        return base64.urlsafe_b64encode(mac + sealed).rstrip(b"=").decode()

    def decode(self, request: Message, position_type: type[P]) -> P | None:
        """The position stored in `request.page_token`, or None for the first page."""
        token: str = getattr(request, "page_token")  # noqa: B009 - every List request has it
        if not token:
            return None
        payload = self._verified_payload(token)
        if payload.get("c") != request_checksum(request):
            raise _bad_token("it was issued for a request with other parameters")
        position = payload.get("p")
        if type(position) is not position_type:
            raise _bad_token("it is malformed")
        return position

    def _verified_payload(self, token: str) -> dict[str, object]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise _bad_token("it is not a token this server issued") from None
        mac, sealed = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        payload = _xor(sealed, self._keystream(mac, len(sealed)))
        if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise _bad_token("it is not a token this server issued, or it was modified")
        decoded = json.loads(payload)
        if not isinstance(decoded, dict):
            raise _bad_token("it is malformed")
        return decoded

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._mac_key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def _keystream(self, nonce: bytes, length: int) -> bytes:
        blocks = (
            hmac.new(self._cipher_key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
            for counter in range(-(-length // 32))
        )
        return b"".join(blocks)[:length]


def _xor(data: bytes, keystream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, keystream, strict=True))


def _bad_token(why: str) -> ApiError:
    return invalid_argument("page_token", f"invalid page token: {why}")
