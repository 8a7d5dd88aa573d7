"""FQL's built-in functions (Segment's FQL reference, "Functions").

They handle null "with sensible defaults" as the reference's table says: `contains(null, s)` and
`match(null, s)` are false, `length(null)` is 0, `lowercase(null)` is null, `typeof(null)` is
"null". Any other argument of the wrong type gives false (predicates) or null (the rest), so a
function never fails on an event. A literal `match` pattern is compiled once by the parser; one
read from the event is compiled on each call, and charged to the budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from configapi.fql.budget import Budget
from configapi.fql.globbing import COMPILE_STEPS_PER_CHAR, compile_glob
from configapi.fql.values import type_name


@dataclass(frozen=True)
class Function:
    arity: int
    apply: Callable[[Sequence[object], Budget], object]


def _contains(arguments: Sequence[object], budget: Budget) -> object:
    text, part = arguments
    return isinstance(text, str) and isinstance(part, str) and part in text


def _length(arguments: Sequence[object], budget: Budget) -> object:
    """Elements of a list, or bytes (not characters) of a string: `length('ア')` is 3."""
    (value,) = arguments
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, list | tuple):
        return len(value)
    return None


def _on_string(
    change: Callable[[str], str], chars_per_step: int = 0
) -> Callable[[Sequence[object], Budget], object]:
    """A function of one string; `chars_per_step` charges one done in Python by its length (the
    evaluator has charged a scan of every string argument already)."""

    def apply(arguments: Sequence[object], budget: Budget) -> object:
        (value,) = arguments
        if not isinstance(value, str):
            return None
        if chars_per_step:
            budget.spend(len(value) // chars_per_step)
        return change(value)

    return apply


def _titlecase(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def _match(arguments: Sequence[object], budget: Budget) -> object:
    text, pattern = arguments
    if not isinstance(text, str) or not isinstance(pattern, str):
        return False
    budget.spend(COMPILE_STEPS_PER_CHAR * len(pattern))
    compiled = compile_glob(pattern)
    return compiled is not None and compiled.matches(text, budget)


def _typeof(arguments: Sequence[object], budget: Budget) -> object:
    return type_name(arguments[0])


BUILTINS: dict[str, Function] = {
    "contains": Function(2, _contains),
    "length": Function(1, _length),
    "lowercase": Function(1, _on_string(str.lower)),
    "typeof": Function(1, _typeof),
    "match": Function(2, _match),
    # added to the reference in 2023 with Transformations; cheap and unambiguous, so kept
    "uppercase": Function(1, _on_string(str.upper)),
    "snakecase": Function(1, _on_string(lambda text: text.replace(" ", "_"))),
    "kebabcase": Function(1, _on_string(lambda text: text.replace(" ", "-"))),
    "titlecase": Function(1, _on_string(_titlecase, chars_per_step=8)),  # word by word
}
