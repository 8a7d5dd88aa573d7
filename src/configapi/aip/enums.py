"""Enum values (AIP-126): a number the enum does not declare is refused, never stored.

proto3 enums are open: an undeclared number parses from the wire (and from REST JSON, which
accepts numbers), and would be stored and served back as a bare number that no client can name.
Services check what they are about to store and answer INVALID_ARGUMENT naming the field.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from configapi.errors import FieldViolation


def unknown_enum_values(message: Message, prefix: str) -> list[FieldViolation]:
    """A violation for each set enum value, recursively, that its enum does not declare.

    Well-known types (`google.protobuf.*`) are left alone: their JSON forms are checked where
    they are parsed. Map values are not walked (the contract has no map of enums or messages).
    """
    violations: list[FieldViolation] = []
    for field, value in message.ListFields():
        path = f"{prefix}.{field.name}"
        if field.enum_type is not None:
            numbers = list(value) if field.is_repeated else [value]
            violations += [_undeclared(field, path, n) for n in numbers if _is_undeclared(field, n)]
        elif _is_checked_message(field):
            items = list(value) if field.is_repeated else [value]
            for index, item in enumerate(items):
                item_path = f"{path}[{index}]" if field.is_repeated else path
                violations += unknown_enum_values(item, item_path)
    return violations


def _is_undeclared(field: FieldDescriptor, number: int) -> bool:
    enum = field.enum_type
    return enum is not None and number not in enum.values_by_number


def _undeclared(field: FieldDescriptor, path: str, number: int) -> FieldViolation:
    enum = field.enum_type
    assert enum is not None
    names = ", ".join(value.name for value in enum.values)
    return FieldViolation(path, f"{number} is not a {enum.name} value (one of {names})")


def _is_checked_message(field: FieldDescriptor) -> bool:
    kind = field.message_type
    return (
        kind is not None
        and not kind.GetOptions().map_entry
        and not kind.full_name.startswith("google.protobuf.")
    )
