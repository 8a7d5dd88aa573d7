"""FQL, Segment's Filter Query Language, and the destination filters built on it (SPEC §6.8).

`parse` a statement into an `Expression` that `matches` events; `validate_actions` checks a
filter's actions and `apply_filter` runs them on an event; `preview` is what
`POST /v1beta/filters/preview` computes.
"""

from configapi.fql.actions import apply_filter, validate_actions
from configapi.fql.budget import Budget, OverBudget
from configapi.fql.errors import FqlSyntaxError, InvalidActionsError, PreviewInputError
from configapi.fql.expression import Expression, parse
from configapi.fql.preview import Preview, preview

__all__ = [
    "Budget",
    "Expression",
    "FqlSyntaxError",
    "InvalidActionsError",
    "OverBudget",
    "Preview",
    "PreviewInputError",
    "apply_filter",
    "parse",
    "preview",
    "validate_actions",
]
