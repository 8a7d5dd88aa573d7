"""Resource names (AIP-122): patterns read from `google.api.resource`, parsed and validated.

A pattern such as `workspaces/{workspace}/sources/{source}` matches a name segment by segment;
each variable must be a valid id (SPEC §6: slugs match `^[a-z0-9][a-z0-9_.-]{0,62}$`).
A name that does not fit is INVALID_ARGUMENT stating the one rule it breaks, except that an id
of a server-generated kind that is merely not in the generated format names nothing: NOT_FOUND,
as for a well-formed id that does not exist (SPEC §6: clients probe with ids like `rs_123abc`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from google.api import resource_pb2
from google.protobuf.descriptor import Descriptor

from configapi.errors import invalid_argument, not_found

SLUG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")
IdRule = re.Pattern[str]

# An id of a server-generated kind (ResourcePattern.generated) made only of id characters (those
# of slugs and of base62) that is not in the generated format cannot exist: 404, not 400 (SPEC §6).
_ID_CHARACTERS = re.compile(r"[0-9A-Za-z_.-]{1,63}")


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
    """The variables of a resource name; INVALID_ARGUMENT naming the field and the rule the name
    breaks, or NOT_FOUND for a made-up generated id (SPEC §6)."""
    if not value:
        raise invalid_argument(field_path, "is required")
    variables = pattern.match(value)
    if variables is None:
        rule = broken_rule(pattern, value)
        if rule is None:
            raise not_found(pattern.resource_type, value)
        raise invalid_argument(field_path, f'"{value}" is not a valid name: {rule}')
    return variables


def broken_rule(pattern: ResourcePattern, value: str) -> str | None:
    """The first rule a name that does not fit `pattern` breaks, stated as a rule; None when it
    only holds a made-up generated id, which is well-formed but names nothing (SPEC §6)."""
    if len(value) > _LONGEST_NAME:
        return f"names are at most {_LONGEST_NAME} characters"
    parts = value.split("/")
    if len(parts) != len(pattern.segments):
        rule = f"names have the form {pattern.pattern} ({len(pattern.segments)} segments)"
        return f"{rule}; this one has {len(parts)}"
    for position, (segment, part) in enumerate(zip(pattern.segments, parts, strict=True), 1):
        if not segment.startswith("{"):
            if segment != part:
                return f'segment {position} of {pattern.pattern} is "{segment}", not "{part}"'
            continue
        variable = segment[1:-1]
        expected = pattern.id_rule(variable)
        if expected.fullmatch(part):
            continue
        if variable in pattern.generated and _ID_CHARACTERS.fullmatch(part):
            return None
        return f'{variable} "{part}" must match ^{expected.pattern}$'
    return f"names have the form {pattern.pattern}"
