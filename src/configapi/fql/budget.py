"""A bound on the work one filter may do on one event (SPEC §6: no caller stalls the others).

Parsing is bounded by the statement's length, and an event by its 32 KB, but their product is
not: 500 copies of `properties.a = properties.a` on an event holding a 5,000-item list took 1.2 s
of CPU (on the event loop, from a read token). So evaluation spends steps from a budget, and a
run that would need more than its budget stops with `OverBudget` instead of finishing late.

A step is about one Python-level operation (a node evaluated, a pair of values compared, a key
copied); work done in C on text (searching, case-mapping, hashing, glob matching) is charged by
its length. The default budget is ~0.1 s of CPU: real filters need a few hundred steps.
"""

from __future__ import annotations

import time
from typing import Final

MAX_STEPS: Final = 200_000
# characters of text that C code scans in about the time of one step
CHARS_PER_STEP: Final = 256
# about a millisecond of evaluation
STEPS_BETWEEN_YIELDS: Final = 2048


class OverBudget(Exception):
    """The evaluation needed more steps than its budget allows."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        super().__init__(f"needs more than {steps} steps")


class Budget:
    """Steps left for one evaluation; `spend` raises OverBudget once they run out."""

    def __init__(self, steps: int = MAX_STEPS) -> None:
        self.steps = steps
        self._left = steps

    def spend(self, steps: int) -> None:
        before = self._left
        self._left -= steps
        if self._left < 0:
            raise OverBudget(self.steps)
        if before // STEPS_BETWEEN_YIELDS != self._left // STEPS_BETWEEN_YIELDS:
            # On the CPU lane this thread would keep the GIL for the interpreter's whole
            # switch interval (5 ms) each time the event loop asks for it, several times per
            # cheap call; sleep(0) hands it over about every millisecond instead.
            time.sleep(0)

    def afford(self, steps: int) -> None:
        """Raise OverBudget unless `steps` are left (for work that is only charged once done)."""
        if steps > self._left:
            raise OverBudget(self.steps)

    def scan(self, text: str) -> None:
        """Charge a pass of C code over `text`."""
        self.spend(1 + len(text) // CHARS_PER_STEP)
