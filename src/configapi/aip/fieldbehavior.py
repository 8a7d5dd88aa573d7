"""Field behaviour (AIP-203), read from `google.api.field_behavior` on the descriptors.

Output-only fields in input are ignored (cleared), required fields are checked on create.
"""

from __future__ import annotations

from functools import cache

from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from configapi.errors import FieldViolation

OUTPUT_ONLY = field_behavior_pb2.OUTPUT_ONLY
REQUIRED = field_behavior_pb2.REQUIRED
IMMUTABLE = field_behavior_pb2.IMMUTABLE
IDENTIFIER = field_behavior_pb2.IDENTIFIER


def behaviors_of(field: FieldDescriptor) -> frozenset[int]:
    """The field's `google.api.field_behavior` values."""
    return frozenset(field.GetOptions().Extensions[field_behavior_pb2.field_behavior])


@cache
def _fields_with(message: Descriptor, behavior: int) -> tuple[FieldDescriptor, ...]:
    return tuple(f for f in message.fields if behavior in behaviors_of(f))


@cache
def _message_fields(message: Descriptor) -> tuple[FieldDescriptor, ...]:
    return tuple(
        f
        for f in message.fields
        if f.message_type is not None
        and not f.message_type.GetOptions().map_entry
        and not f.message_type.full_name.startswith("google.protobuf.")
    )


def clear_output_only(message: Message) -> None:
    """Clear every OUTPUT_ONLY field, recursively (SPEC §6: output-only input is ignored)."""
    for field in _fields_with(message.DESCRIPTOR, OUTPUT_ONLY):
        message.ClearField(field.name)
    for field in _message_fields(message.DESCRIPTOR):
        if field.is_repeated:
            for item in getattr(message, field.name):
                clear_output_only(item)
        elif message.HasField(field.name):
            clear_output_only(getattr(message, field.name))


def missing_required(message: Message, prefix: str) -> list[FieldViolation]:
    """A violation for each REQUIRED field left empty, recursively; paths start with `prefix`."""
    violations = [
        FieldViolation(f"{prefix}.{field.name}", "is required")
        for field in _fields_with(message.DESCRIPTOR, REQUIRED)
        if _is_empty(message, field)
    ]
    for field in _message_fields(message.DESCRIPTOR):
        if field.is_repeated:
            for index, item in enumerate(getattr(message, field.name)):
                violations += missing_required(item, f"{prefix}.{field.name}[{index}]")
        elif message.HasField(field.name):
            violations += missing_required(getattr(message, field.name), f"{prefix}.{field.name}")
    return violations


def _is_empty(message: Message, field: FieldDescriptor) -> bool:
    if field.is_repeated:
        return len(getattr(message, field.name)) == 0
    if field.message_type is not None:
        return not message.HasField(field.name)
    return not getattr(message, field.name)
