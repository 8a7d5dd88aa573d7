"""FQL, Segment's Filter Query Language, and the destination filters built on it (SPEC §6.8).

`parse` a statement into an `Expression` that `matches` events; `apply_filter` runs a filter's
actions on a matching event; `preview` is the `POST /v1beta/filters/preview` computation.
"""

from configapi.fql.errors import FqlSyntaxError, InvalidActionsError, PreviewInputError
from configapi.fql.expression import Expression, parse

__all__ = [
    "Expression",
    "FqlSyntaxError",
    "InvalidActionsError",
    "PreviewInputError",
    "parse",
]
