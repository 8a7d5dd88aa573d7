"""The errors of the FQL package, each carrying what a 400 must name (SPEC §2, §6.8)."""

from __future__ import annotations

_FOUND_CHARS = 20


class FqlSyntaxError(ValueError):
    """An FQL statement that does not parse: where (0-based offset) and what was expected there.

    SPEC §6.8: "An invalid statement → 400 with the position and what was expected".
    """

    def __init__(self, position: int, expected: str, found: str | None = None) -> None:
        self.position = position
        self.expected = expected
        self.found = found
        message = f"at position {position}: expected {expected}"
        if found is not None:
            shown = found if len(found) <= _FOUND_CHARS else found[:_FOUND_CHARS] + "…"
            message += f", found '{shown}'"
        super().__init__(message)


class PreviewInputError(ValueError):
    """A preview `input` that is no event we accept; `field` and `rule` name the 400 (SPEC §2)."""

    def __init__(self, rule: str, field: str = "input") -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class InvalidActionsError(ValueError):
    """Filter actions that break their rules: every (field path, rule) found, in order."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{field}: {rule}" for field, rule in violations))
