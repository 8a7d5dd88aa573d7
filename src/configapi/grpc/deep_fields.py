"""Which field of an unparsable gRPC request nests too deeply (SPEC §1: a `BadRequest` naming it).

protobuf refuses to parse a message nested past 100 levels, so a JSON value over ~45 levels
never reaches `aip.limits`. When parsing fails, this walks the wire format alongside the
descriptors, with an explicit stack (no recursion), to find the JSON-valued field past
JSON_MAX_DEPTH; it stops there, so a hostile message costs no more than its first 33 levels.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from configapi.aip.limits import JSON_MAX_DEPTH

_LEVELS = frozenset({"google.protobuf.Struct", "google.protobuf.ListValue"})
_VALUE = "google.protobuf.Value"
_FIXED = {1: 8, 5: 4}  # wire types of fixed width and their sizes


@dataclass
class _Frame:
    descriptor: Descriptor
    end: int
    path: str
    depth: int | None  # JSON levels so far, once inside a Struct/Value/ListValue
    counts: dict[int, int]


def too_deep_field(descriptor: Descriptor, data: bytes) -> str | None:
    """The path of the first JSON-valued field in `data` nested past JSON_MAX_DEPTH, or None
    (also when the bytes are malformed in some other way)."""
    stack = [_Frame(descriptor, len(data), "", None, {})]
    position = 0
    try:
        while stack:
            frame = stack[-1]
            if position >= frame.end:
                stack.pop()
                continue
            tag, position = _varint(data, position)
            number, wire_type = tag >> 3, tag & 7
            if wire_type != 2:
                position = _skip(data, position, wire_type)
                continue
            length, position = _varint(data, position)
            field = frame.descriptor.fields_by_number.get(number)
            child = _child(frame, field, position + length) if field is not None else None
            if child is None:
                position += length
            elif child.depth is not None and child.depth > JSON_MAX_DEPTH:
                return child.path
            else:
                stack.append(child)
    except IndexError:
        return None
    return None


def _child(frame: _Frame, field: FieldDescriptor, end: int) -> _Frame | None:
    """The frame of a length-delimited sub-message field, or None for strings and bytes."""
    message = field.message_type
    if message is None:
        return None
    depth = frame.depth
    if depth is None and (message.full_name in _LEVELS or message.full_name == _VALUE):
        depth = 0
    if depth is not None and message.full_name in _LEVELS:
        depth += 1
    path = frame.path
    if frame.depth is None:  # paths name fields down to the JSON value, not inside it
        index = frame.counts.get(field.number, 0)
        frame.counts[field.number] = index + 1
        name = f"{frame.path}.{field.name}" if frame.path else field.name
        is_list = field.is_repeated and not message.GetOptions().map_entry
        path = f"{name}[{index}]" if is_list else name
    return _Frame(message, end, path, depth, {})


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise IndexError("varint too long")


def _skip(data: bytes, position: int, wire_type: int) -> int:
    if wire_type == 0:
        return _varint(data, position)[1]
    if wire_type in _FIXED:
        return position + _FIXED[wire_type]
    raise IndexError("groups are not used by this API")
