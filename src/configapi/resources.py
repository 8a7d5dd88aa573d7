"""The resource registry (DESIGN rule 1): every resource of the contract, read from the
descriptors once at start-up.

A resource is declared by `google.api.resource` on its message (or, for one without a name
field, `google.api.resource_definition` on its file) and by our `resource_id` option, which says
how its id is made. From those the registry derives, for each resource type: its name pattern
with an id rule per variable, its parent, whether it is a singleton, its storage kind and how a
new id is generated. Policy (which request field names the target), storage, the services, the
name checks of `aip/names` and the OpenAPI document all read it; `aip/` itself stays generic.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from google.api import resource_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor, MethodDescriptor
from segment.config.v1beta import resources_pb2

from configapi.aip.names import SLUG, IdRule, PatternRegistry, ResourcePattern
from configapi.services.ids import ksuid

_CATALOG_SLUG = re.compile(r"(?!\.{1,2}$)[a-z0-9._-]{1,63}")  # the real catalog has `.net`
# Standard methods that change something (AIP-133/134/135 and their AIP-233..235 batch forms).
_MUTATING = re.compile(r"(?:Batch)?(?:Create|Update|Delete)[A-Z]")
_GENERATED = (resources_pb2.ID_STYLE_KSUID, resources_pb2.ID_STYLE_HEX)


@dataclass(frozen=True)
class Resource:
    """One resource type of the contract."""

    type: str  # `config.segmentapis.com/Source`
    pattern: ResourcePattern
    parent: ResourcePattern | None  # None at the top level (workspaces, tokens, the catalog)
    id_style: int  # resources_pb2.IdStyle
    id_prefix: str
    id_length: int

    @property
    def kind(self) -> str:
        """The storage kind: the type's name in snake_case (`tracking_plan`)."""
        return re.sub(r"(?<!^)([A-Z])", r"_\1", self.type.rsplit("/", 1)[1]).lower()

    @property
    def singleton(self) -> bool:
        """A singleton child (AIP-156) ends in a literal: `.../sources/{source}/schema-config`."""
        return not self.pattern.segments[-1].startswith("{")

    def new_id(self) -> str:
        """A fresh generated id; only for resources whose ids the server makes."""
        if self.id_style == resources_pb2.ID_STYLE_KSUID:
            return self.id_prefix + ksuid()
        if self.id_style == resources_pb2.ID_STYLE_HEX:
            return secrets.token_hex((self.id_length + 1) // 2)[: self.id_length]
        raise ValueError(f"{self.type}: the caller picks its ids")


@dataclass(frozen=True)
class Target:
    """The request field a method acts on (`name`, `parent`, `source.name`) and its pattern."""

    field_path: str
    pattern: ResourcePattern


class ResourceRegistry:
    """Every resource of the given files, by type."""

    def __init__(self, files: Iterable[FileDescriptor]) -> None:
        declared = list(_declarations(files))
        own_rules = {r.type: _id_rule(rule) for r, rule in declared}
        generated = {r.type for r, rule in declared if rule.style in _GENERATED}
        by_pattern = {r.pattern[0]: r.type for r, _ in declared}
        resources: dict[str, Resource] = {}
        for descriptor, rule in declared:
            pattern = _pattern(descriptor, own_rules, generated, by_pattern)
            resources[descriptor.type] = Resource(
                descriptor.type, pattern, None, rule.style, rule.prefix, rule.length
            )
        self._resources = MappingProxyType(
            {t: _with_parent(r, resources) for t, r in resources.items()}
        )
        self.patterns = PatternRegistry(r.pattern for r in self._resources.values())

    def __getitem__(self, resource_type: str) -> Resource:
        return self._resources[resource_type]

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._resources.values())

    def of_message(self, message: Descriptor) -> Resource:
        """The resource a message declares (KeyError if it declares none)."""
        return self[message.GetOptions().Extensions[resource_pb2.resource].type]

    def target_of(self, method: MethodDescriptor) -> Target | None:
        """What a method acts on, read from `google.api.resource_reference` on its request's
        fields (not from its HTTP binding, so gRPC-only methods are covered): the first
        singular string field with a reference (`type`: that resource; `child_type`: its
        parent), else, for an Update, the name of the resource field it carries."""
        request = method.input_type
        for field in request.fields:
            pattern = self._referenced_pattern(field)
            if pattern is not None:
                return Target(field.name, pattern)
        if method.name.startswith("Update"):
            for field in request.fields:
                message = field.message_type
                if message is not None and _is_resource(message):
                    return Target(f"{field.name}.name", self.of_message(message).pattern)
        return None

    def _referenced_pattern(self, field: FieldDescriptor) -> ResourcePattern | None:
        if field.is_repeated or field.type != FieldDescriptor.TYPE_STRING:
            return None
        reference = field.GetOptions().Extensions[resource_pb2.resource_reference]
        if reference.type in self._resources:
            return self._resources[reference.type].pattern
        if reference.child_type in self._resources:
            return self._resources[reference.child_type].parent
        return None


def mutates(method: MethodDescriptor) -> bool:
    """Whether a method writes (needs write scope before any look-up, SPEC §3)."""
    return _MUTATING.match(method.name) is not None


def _declarations(
    files: Iterable[FileDescriptor],
) -> Iterator[tuple[resource_pb2.ResourceDescriptor, resources_pb2.ResourceId]]:
    """Every resource declared in `files`: on messages (nested ones too) and on files."""
    for file in dict.fromkeys(files):
        for definition in file.GetOptions().Extensions[resource_pb2.resource_definition]:
            yield definition, resources_pb2.ResourceId()
        pending = list(file.message_types_by_name.values())
        while pending:
            message = pending.pop(0)
            pending.extend(message.nested_types)
            if _is_resource(message):
                options: Any = message.GetOptions()  # our extension is untyped in the stubs
                yield (
                    options.Extensions[resource_pb2.resource],
                    options.Extensions[resources_pb2.resource_id],
                )


def _is_resource(message: Descriptor | None) -> bool:
    return message is not None and message.GetOptions().HasExtension(resource_pb2.resource)


def _id_rule(rule: resources_pb2.ResourceId) -> IdRule:
    """SPEC §6: the format of one resource's ids."""
    if rule.style == resources_pb2.ID_STYLE_CATALOG_SLUG:
        return _CATALOG_SLUG
    if rule.style == resources_pb2.ID_STYLE_KSUID:
        return re.compile(re.escape(rule.prefix) + r"[0-9A-Za-z]{27}")
    if rule.style == resources_pb2.ID_STYLE_HEX:
        return re.compile(f"[0-9a-f]{{{rule.length}}}")
    return SLUG


def _pattern(
    resource: resource_pb2.ResourceDescriptor,
    own_rules: Mapping[str, IdRule],
    generated: set[str],
    by_pattern: Mapping[str, str],
) -> ResourcePattern:
    """The resource's pattern; each variable's id rule is that of the resource the pattern
    up to the variable names (`{tracking_plan}` in a connection's name is a plan id)."""
    segments = resource.pattern[0].split("/")
    owners: dict[str, str | None] = {}
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            owners[segment[1:-1]] = by_pattern.get("/".join(segments[: index + 1]))
    if segments[-1].startswith("{"):  # its own id, even where it reuses another's variable
        owners[segments[-1][1:-1]] = resource.type
    rules = {v: own_rules[o] if o else SLUG for v, o in owners.items()}
    made = frozenset(v for v, o in owners.items() if o in generated)
    return ResourcePattern.parse(resource.type, resource.pattern[0], rules, made)


def _with_parent(resource: Resource, resources: Mapping[str, Resource]) -> Resource:
    """The resource with its parent: the pattern less its last collection and id (or, for a
    singleton, its last segment)."""
    segments = resource.pattern.segments
    cut = 1 if resource.singleton else 2
    parent_pattern = "/".join(segments[:-cut])
    parent = next(
        (r.pattern for r in resources.values() if r.pattern.pattern == parent_pattern), None
    )
    return Resource(
        resource.type,
        resource.pattern,
        parent,
        resource.id_style,
        resource.id_prefix,
        resource.id_length,
    )
