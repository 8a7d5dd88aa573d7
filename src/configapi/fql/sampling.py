"""Deterministic sampling for the `sample_event` action (SPEC §6.8: "so a preview repeats").

Like Segment's own sampler (segmentio/sampler, ported in segmentio/tsub-js), an MD5 digest of the
sampled value's JSON is read as a fraction in [0, 1) and the event is kept when the fraction is
below `percent`: the same `path` value (say, one userId) is always kept or always dropped. Without
a path the whole event is hashed, in canonical JSON (sorted keys), so key order does not matter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from configapi.fql.budget import Budget
from configapi.fql.values import value_at

_CHARS_PER_DUMP_STEP = 16


def keeps_sample(
    event: Mapping[str, object], percent: float, path: Sequence[str], budget: Budget | None = None
) -> bool:
    """Whether a `sample_event` action with this `percent` (0.0 to 1.0) and `path` keeps `event`."""
    if percent <= 0:
        return False
    if percent >= 1:
        return True
    subject = value_at(event, path) if path else event
    return sample_fraction(subject, budget or Budget()) < percent


def sample_fraction(value: object, budget: Budget | None = None) -> float:
    """Where `value` falls in [0, 1): the first 64 bits of the MD5 of its canonical JSON."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # json.dumps sorts and escapes in Python-sized steps: a small key costs about one step
    (budget or Budget()).spend(1 + len(canonical) // _CHARS_PER_DUMP_STEP)
    # MD5 as Segment's sampler uses it: a uniform hash, not a security measure
    digest = hashlib.md5(canonical.encode("utf-8", "surrogatepass"), usedforsecurity=False)
    return int.from_bytes(digest.digest()[:8], "big") / 2**64
