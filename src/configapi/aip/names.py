"""Resource names (AIP-122): patterns read from `google.api.resource`, parsed and validated.

A pattern such as `workspaces/{workspace}/sources/{source}` matches a name segment by segment;
each variable must be a valid id (SPEC §6: slugs match `^[a-z0-9][a-z0-9_.-]{0,62}$`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from google.api import resource_pb2
from google.protobuf.descriptor import Descriptor

from configapi.errors import invalid_argument

SLUG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")
IdRule = re.Pattern[str]


# Longer than any valid name (a destination filter: three 63-character slugs, a 30-character id
# and its literal segments, 262), so that no name this long enters the cache.
_LONGEST_NAME = 320


@dataclass(frozen=True)
class ResourcePattern:
    """One `google.api.resource` pattern, e.g. `workspaces/{workspace}/sources/{source}`."""

    resource_type: str
    pattern: str
    segments: tuple[str, ...]
    id_rules: tuple[IdRule, ...]  # one per variable, in order
    generated: frozenset[str] = frozenset()  # variables whose ids the server generates

    @classmethod
    def parse(
        cls,
        resource_type: str,
        pattern: str,
        id_rules: Mapping[str, IdRule] | None = None,
        generated: frozenset[str] = frozenset(),
    ) -> ResourcePattern:
        """Split a pattern into literal and `{variable}` segments; each variable's id must match
        its rule in `id_rules` (SLUG when it has none). `generated` names the variables whose
        ids the server makes (SPEC §6: a made-up one names nothing)."""
        segments = tuple(pattern.split("/"))
        variables = [s[1:-1] for s in segments if s.startswith("{")]
        rules = tuple((id_rules or {}).get(v, SLUG) for v in variables)
        return cls(resource_type, pattern, segments, rules, generated)

    def id_rule(self, variable: str) -> IdRule:
        """The rule the id in `variable` must match."""
        return self.id_rules[self.variables.index(variable)]

    @property
    def variables(self) -> tuple[str, ...]:
        """The variable names, in order."""
        return tuple(s[1:-1] for s in self.segments if s.startswith("{"))

    def match(self, name: str) -> Mapping[str, str] | None:
        """The variables of `name`, or None when it does not fit the pattern or an id is invalid.

        Cached: every call names its target at least twice (policy, then service), and hot
        names repeat across calls. The result is shared, so it is read-only.
        """
        if len(name) > _LONGEST_NAME:  # no valid name is this long: do not let it into the cache
            return None
        return _match(self.segments, self.id_rules, name)

    def render(self, **values: str) -> str:
        """Build a name from variable values."""
        return "/".join(values[s[1:-1]] if s.startswith("{") else s for s in self.segments)

    @property
    def template(self) -> str:
        """The pattern as an HTTP path template matches it: `workspaces/*/sources/*`."""
        return "/".join("*" if s.startswith("{") else s for s in self.segments)


def pattern_of(message: Descriptor) -> ResourcePattern | None:
    """The first `google.api.resource` pattern of a resource message, if it is one."""
    resource = message.GetOptions().Extensions[resource_pb2.resource]
    if not resource.pattern:
        return None
    return ResourcePattern.parse(resource.type, resource.pattern[0])


class PatternRegistry:
    """Resource patterns, looked up by type or by a name that fits it."""

    def __init__(self, patterns: Iterable[ResourcePattern]) -> None:
        self._by_type = {p.resource_type: p for p in patterns}

    def by_type(self, resource_type: str) -> ResourcePattern:
        """The pattern of a resource type; KeyError for an unknown type."""
        return self._by_type[resource_type]

    def by_template(self, template: str) -> ResourcePattern | None:
        """The pattern a path template's variable matches, e.g. `workspaces/*/sources/*`."""
        return next((p for p in self._by_type.values() if p.template == template), None)


@lru_cache(maxsize=16_384)
def _match(
    segments: tuple[str, ...], id_rules: tuple[IdRule, ...], name: str
) -> Mapping[str, str] | None:
    parts = name.split("/")
    if len(parts) != len(segments):
        return None
    values: dict[str, str] = {}
    rules = iter(id_rules)
    for segment, part in zip(segments, parts, strict=True):
        if not segment.startswith("{"):
            if segment != part:
                return None
            continue
        if not next(rules).fullmatch(part):
            return None
        values[segment[1:-1]] = part
    return MappingProxyType(values)


def parse_name(pattern: ResourcePattern, value: str, field_path: str) -> Mapping[str, str]:
    """The variables of a resource name, or INVALID_ARGUMENT naming the field."""
    if not value:
        raise invalid_argument(field_path, "is required")
    variables = pattern.match(value)
    if variables is None:
        raise invalid_argument(
            field_path,
            f'"{value}" is not a valid name: expected {pattern.pattern} with valid ids'
            " (slugs match ^[a-z0-9][a-z0-9_.-]{0,62}$)",
        )
    return variables
