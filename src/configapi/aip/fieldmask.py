"""Update masks (AIP-134, AIP-161) with the API's documented rules (SPEC §5).

Paths are accepted with the request-field prefix (`destination.enabled`) or without it
(`enabled`). Only updatable fields may be named: output-only and identifier fields are ignored,
unknown and immutable ones are rejected. Applying a mask replaces repeated fields and maps
instead of appending (protobuf's `FieldMask.MergeMessage` appends by default: not used here).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from configapi.aip.fieldbehavior import IDENTIFIER, IMMUTABLE, OUTPUT_ONLY, behaviors_of
from configapi.errors import FieldViolation, invalid_arguments

_IGNORED = frozenset({OUTPUT_ONLY, IDENTIFIER})


def normalize_paths(paths: Sequence[str], prefix: str, message: type[Message]) -> list[str]:
    """Resource-relative, validated paths; raises INVALID_ARGUMENT naming each bad path.

    `prefix` is the request field holding the resource (`source`); both forms are accepted.
    """
    resource: Descriptor = message.DESCRIPTOR  # type: ignore[assignment]  # upb union in stubs
    kept: list[str] = []
    violations: list[FieldViolation] = []
    for path in paths:
        relative = path[len(prefix) + 1 :] if path.startswith(prefix + ".") else path
        verdict = _verdict(resource, relative)
        if verdict == "ok" and relative not in kept:
            kept.append(relative)
        elif verdict not in ("ok", "ignored"):
            violations.append(FieldViolation("update_mask", f'path "{path}" {verdict}'))
    if violations:
        raise invalid_arguments(violations)
    return kept


@cache
def _verdict(resource: Descriptor, path: str) -> str:
    """ "ok", "ignored", or why the path is refused."""
    message: Descriptor | None = resource
    for depth, name in enumerate(path.split(".")):
        field = message.fields_by_name.get(name) if message is not None else None
        if field is None:
            return "names no field of " + resource.full_name.rsplit(".", 1)[-1]
        behaviors = behaviors_of(field)
        if behaviors & _IGNORED:
            return "ignored"
        if IMMUTABLE in behaviors:
            return "names a field that cannot be updated"
        message = _nested(field) if depth < len(path.split(".")) - 1 else None
    return "ok"


def _nested(field: FieldDescriptor) -> Descriptor | None:
    """The message type a path may descend into: singular, non-well-known messages only."""
    if field.is_repeated or field.message_type is None:
        return None
    if field.message_type.full_name.startswith("google.protobuf."):
        return None
    return field.message_type


def apply_update_mask(target: Message, source: Message, paths: Sequence[str]) -> None:
    """Copy each masked field from `source` into `target` (SPEC §5 rules 2 and 5).

    A path with no value in `source` sets the field to its empty value; repeated fields and
    maps are replaced.
    """
    for path in paths:
        *parents, leaf = path.split(".")
        into, from_ = target, source
        for name in parents:
            into, from_ = getattr(into, name), getattr(from_, name)
        field: FieldDescriptor = into.DESCRIPTOR.fields_by_name[leaf]  # type: ignore[assignment]
        _copy_field(into, from_, field)


def _copy_field(into: Message, from_: Message, field: FieldDescriptor) -> None:
    name = field.name
    if field.is_repeated:
        into.ClearField(name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            getattr(into, name).MergeFrom(getattr(from_, name))
        else:
            getattr(into, name).extend(getattr(from_, name))
    elif field.message_type is not None:
        into.ClearField(name)
        if from_.HasField(name):
            getattr(into, name).CopyFrom(getattr(from_, name))
    else:
        setattr(into, name, getattr(from_, name))
