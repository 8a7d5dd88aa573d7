"""Generated identifiers: tracking-plan ids (KSUID-like), write keys, workspace ids."""

from __future__ import annotations

import secrets
import time

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_KSUID_EPOCH = 1_400_000_000  # KSUID's epoch (2014-05-13), as segmentio/ksuid
_KSUID_LENGTH = 27


def ksuid(now: float | None = None) -> str:
    """27 base62 characters: a 4-byte timestamp then 16 random bytes, so ids sort by time."""
    seconds = int(time.time() if now is None else now) - _KSUID_EPOCH
    raw = seconds.to_bytes(4, "big") + secrets.token_bytes(16)
    return _base62(int.from_bytes(raw, "big"), _KSUID_LENGTH)


def tracking_plan_id(now: float | None = None) -> str:
    """A tracking plan id, `rs_` + KSUID (SPEC §6.4)."""
    return "rs_" + ksuid(now)


def random_key(length: int) -> str:
    """Random base62 characters, e.g. a 32-character write key.

    One `token_bytes` call, not one `secrets.choice` per character (that was ~15% of
    CreateSource). Bytes of 248 and above are dropped so that every character is equally likely.
    """
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(_BASE62[b % 62] for b in secrets.token_bytes(length + 8) if b < 248)
    return "".join(chars[:length])


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")
