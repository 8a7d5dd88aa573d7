"""One config value against one catalog setting, by the setting's type (SPEC §6.3).

| type                                        | value                                          |
|---------------------------------------------|------------------------------------------------|
| STRING, PASSWORD, COLOR, MULTI_LINE_STRING  | string matching `string_validators.regexp`     |
| BOOLEAN                                     | true or false                                  |
| NUMBER                                      | number within `number_validators` min..max     |
| SELECT                                      | string among `select_validators.select_options`|
| LIST                                        | array of strings                               |
| MAP                                         | object: key count, key regexp, mapped options  |
| MIXED, and types this server does not know  | any JSON value                                 |
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from segment.config.v1beta import catalog_pb2

from configapi.catalog.jsonvalue import JsonValue, json_type_of
from configapi.catalog.patterns import matcher

Setting = catalog_pb2.DestinationSetting


def value_problem(setting: Setting, value: JsonValue) -> str | None:
    """Why `value` does not fit `setting` (`expects a string, got number`), or None."""
    if value is None:
        return "needs a value; null is not allowed"
    check = _CHECKS_BY_TYPE.get(str(setting.type).upper())
    return check(setting, value) if check is not None else None


def _expects(what: str, value: JsonValue) -> str:
    return f"expects {what}, got {json_type_of(value)}"


def _string_problem(setting: Setting, value: JsonValue) -> str | None:
    if not isinstance(value, str):
        return _expects("a string", value)
    pattern = setting.string_validators.regexp if setting.HasField("string_validators") else ""
    # An optional setting may be left empty even where its regexp wants characters: clients
    # send "" for settings they do not use. The value itself is never echoed (it may be a secret).
    if pattern and (value or setting.required):
        return matcher(pattern).problem(value)
    return None


def _boolean_problem(setting: Setting, value: JsonValue) -> str | None:
    return None if isinstance(value, bool) else _expects("true or false", value)


def _number_problem(setting: Setting, value: JsonValue) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _expects("a number", value)
    if not math.isfinite(value):
        return f"expects a finite number, got {value}"
    if not setting.HasField("number_validators"):
        return None
    low, high = setting.number_validators.min, setting.number_validators.max
    # 0 and 0 mean unbounded; a max of 0 alone means no upper bound (the real catalog has
    # min 300 with max 0 for a cache expiry that is clearly not meant to be unsatisfiable).
    if (low or high) and value < low:
        return f"expects a number of at least {low}, got {_number(value)}"
    if high and value > high:
        return f"expects a number of at most {high}, got {_number(value)}"
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _select_problem(setting: Setting, value: JsonValue) -> str | None:
    if not isinstance(value, str):
        return _expects("a string", value)
    options = list(setting.select_validators.select_options)
    if options and value not in options:
        return f'expects one of {_quoted(options)}, got "{value}"'
    return None


def _quoted(options: Sequence[str]) -> str:
    return ", ".join(f'"{option}"' for option in options)


def _list_problem(setting: Setting, value: JsonValue) -> str | None:
    if not isinstance(value, list):
        return _expects("an array of strings", value)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            return f"expects an array of strings, got {json_type_of(item)} at [{index}]"
    return None


def _map_problem(setting: Setting, value: JsonValue) -> str | None:
    if not isinstance(value, dict):
        return _expects("an object", value)
    if not setting.HasField("map_validators"):
        return None
    validators = setting.map_validators
    if len(value) < validators.min:
        return f"expects an object with at least {validators.min} entries, got {len(value)}"
    if validators.max > 0 and len(value) > validators.max:
        return f"expects an object with at most {validators.max} entries, got {len(value)}"
    return _map_keys_problem(validators, value) or _mapped_values_problem(validators, value)


def _map_keys_problem(
    validators: catalog_pb2.MapValidators, value: dict[str, JsonValue]
) -> str | None:
    if not validators.regexp:
        return None
    check = matcher(validators.regexp)
    for key in value:
        problem = check.problem(key, "keys")
        if problem is not None:
            return f'{problem}, got "{key[:64]}"'
    return None


def _mapped_values_problem(
    validators: catalog_pb2.MapValidators, value: dict[str, JsonValue]
) -> str | None:
    """Where the catalog restricts mapped values (`standardEvents` → `Purchase`, ...), check them.

    Values may be a string or an array of strings (one event mapped to several); other shapes
    are left alone, as the catalog does not describe them.
    """
    # Compared without surrounding blanks: the real catalog has an option "fb_mobile_content_view ".
    options = {option.strip() for option in validators.select_options}
    if not options:
        return None
    for key, mapped in value.items():
        for item in mapped if isinstance(mapped, list) else [mapped]:
            if isinstance(item, str) and item.strip() not in options:
                listed = _quoted(sorted(options))
                return f'expects "{key}" to map to one of {listed}, got "{item}"'
    return None


def _any_value(setting: Setting, value: JsonValue) -> str | None:
    return None


_Check = Callable[[Setting, JsonValue], "str | None"]

_CHECKS_BY_TYPE: Mapping[str, _Check] = {
    "STRING": _string_problem,
    "PASSWORD": _string_problem,
    "COLOR": _string_problem,
    "MULTI_LINE_STRING": _string_problem,
    "BOOLEAN": _boolean_problem,
    "NUMBER": _number_problem,
    "SELECT": _select_problem,
    "LIST": _list_problem,
    "MAP": _map_problem,
    "MIXED": _any_value,
}
