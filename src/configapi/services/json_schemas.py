"""JSON Schema checks for tracking-plan rules (SPEC §6.4: draft-04 or draft-07 schemas)."""

from __future__ import annotations

from typing import Any

import jsonschema
from google.protobuf import json_format, struct_pb2

from configapi.errors import FieldViolation

_DRAFTS: dict[str, type[Any]] = {
    "http://json-schema.org/draft-04/schema": jsonschema.Draft4Validator,
    "http://json-schema.org/draft-07/schema": jsonschema.Draft7Validator,
}


def schema_problem(schema: struct_pb2.Struct, field_path: str) -> FieldViolation | None:
    """Why `schema` is not a valid JSON Schema, or None. Unstated drafts are checked as draft-07."""
    document = _integral(json_format.MessageToDict(schema))
    declared = str(document.get("$schema", "")).rstrip("#")
    validator = _DRAFTS.get(declared)
    if validator is None and declared:
        return FieldViolation(
            f"{field_path}.$schema", f'"{declared}" is not draft-04 or draft-07 JSON Schema'
        )
    try:
        (validator or jsonschema.Draft7Validator).check_schema(document)
    except jsonschema.SchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path)
        return FieldViolation(field_path, f"not a valid JSON Schema at /{where}: {error.message}")
    return None


def _integral(value: Any) -> Any:
    """Struct numbers are doubles: give integral ones back as ints (`"maxLength": 5`)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value
