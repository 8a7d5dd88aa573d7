"""The catalog's regular expressions, run so that no value can make them backtrack (SPEC §6.3).

Python's `re` backtracks: the starter catalog's `^\\S+@\\S+$` took 4.6 s on a 30 KB value, on the
event loop. Every pattern that RE2 accepts runs on RE2 (google-re2), whose time is linear in the
input. RE2 has no lookarounds or backreferences, and real catalog dumps use them (the 2019 dump's
`^(?!www\\.)`), so those patterns run on `re`, but only on values of at most
`FALLBACK_MAX_CHARS` characters; a longer value is refused with that rule stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import re2

# The longest value a pattern RE2 cannot run is checked on (the dump's lookahead patterns are
# for domain names, at most 253 characters).
FALLBACK_MAX_CHARS: Final = 1024


@dataclass(frozen=True)
class Matcher:
    """One compiled catalog pattern: `problem(text)` says why `text` fails it, or None."""

    pattern: str
    linear: re2._Regexp | None
    fallback: re.Pattern[str] | None

    def problem(self, text: str, what: str = "a string") -> str | None:
        """None when `text` matches (unanchored, like JavaScript's `test()`), else why not."""
        if self.linear is not None:
            matched = self.linear.search(text) is not None
        elif len(text) > FALLBACK_MAX_CHARS:
            return (
                f"expects {what} of at most {FALLBACK_MAX_CHARS} characters matching"
                f" {self.pattern} (a pattern with lookarounds is only run on values that short)"
            )
        else:
            assert self.fallback is not None  # one of the two is always compiled
            matched = self.fallback.search(text) is not None
        return None if matched else f"expects {what} matching {self.pattern}"


@lru_cache(maxsize=4096)
def matcher(pattern: str) -> Matcher:
    """The matcher for a catalog pattern (compiled once; a catalog holds a few hundred)."""
    options = re2.Options()
    options.log_errors = False  # a refused pattern is expected, not worth a log line
    try:
        return Matcher(pattern, re2.compile(pattern, options), None)
    except re2.error:
        # The catalog's patterns are JavaScript regexps: ASCII classes.
        return Matcher(pattern, None, re.compile(pattern, re.ASCII))
