"""Destination config checked against its catalog entry's settings (SPEC §6.3).

A config entry names a top-level setting of the catalog destination, and its value must fit the
setting's type (`setting_values`); `null` never fits. The response `type` is the catalog type
lowercased (`multi_line_string` included); a `type` sent by the caller must equal it, in any case.
Every problem of a request is reported at once, as one INVALID_ARGUMENT with a field violation
per problem (`destination.config[2].value`), worded so the caller knows what to send instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from segment.config.v1beta import catalog_pb2, destinations_pb2

from configapi.catalog.jsonvalue import JsonValue, json_value_of
from configapi.catalog.setting_values import value_problem
from configapi.errors import FieldViolation, invalid_arguments

Setting = catalog_pb2.DestinationSetting


@dataclass(frozen=True)
class ConfigValue:
    """One config entry as the caller sent it; `type` may be `""` (filled from the catalog)."""

    setting: str
    value: JsonValue
    type: str = ""


@dataclass(frozen=True)
class CheckedConfigValue:
    """A config entry that fits its setting, with what responses show about it."""

    setting: str
    display_name: str
    value: JsonValue
    type: str


def setting_type(setting: Setting) -> str:
    """The lowercase type responses carry (`STRING` → `string`, `MULTI_LINE_STRING` stays long)."""
    return str(setting.type).lower()


def check_config_values(
    destination: catalog_pb2.CatalogDestination,
    values: Sequence[ConfigValue],
    field_path: str = "destination.config",
) -> list[CheckedConfigValue]:
    """The checked entries, in order; or raise INVALID_ARGUMENT naming every bad one."""
    checker = _Checker(destination, field_path)
    checked = [checker.check(index, value) for index, value in enumerate(values)]
    checker.raise_if_any()
    return [entry for entry in checked if entry is not None]


def check_destination_config(
    destination: catalog_pb2.CatalogDestination,
    destination_name: str,
    configs: Sequence[destinations_pb2.DestinationConfig],
    field_path: str = "destination.config",
) -> list[destinations_pb2.DestinationConfig]:
    """`check_config_values` over messages named `<destination_name>/config/<setting>`.

    Returns new `DestinationConfig` messages, `display_name` and lowercase `type` from the catalog.
    """
    checker = _Checker(destination, field_path)
    prefix = f"{destination_name}/config/"
    results: list[destinations_pb2.DestinationConfig] = []
    for index, config in enumerate(configs):
        setting = _setting_of(config.name, prefix)
        if setting is None:
            checker.fail(
                index, "name", f'expected a name like "{prefix}<setting>", got "{config.name}"'
            )
            continue
        value = ConfigValue(setting, json_value_of(config.value), config.type)
        checked = checker.check(index, value)
        if checked is not None:
            results.append(_config_message(prefix, checked, config))
    checker.raise_if_any()
    return results


def _setting_of(name: str, prefix: str) -> str | None:
    setting = name.removeprefix(prefix)
    if setting == name or not setting or "/" in setting:
        return None
    return setting


def _config_message(
    prefix: str, checked: CheckedConfigValue, sent: destinations_pb2.DestinationConfig
) -> destinations_pb2.DestinationConfig:
    result = destinations_pb2.DestinationConfig(
        name=prefix + checked.setting, display_name=checked.display_name, type=checked.type
    )
    result.value.CopyFrom(sent.value)  # verbatim, so numbers keep their exact form
    return result


@dataclass
class _Checker:
    """Checks one request's entries, collecting violations and the settings already given."""

    destination: catalog_pb2.CatalogDestination
    field_path: str
    violations: list[FieldViolation] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings: Mapping[str, Setting] = {s.name: s for s in self.destination.settings}

    def fail(self, index: int, part: str, description: str) -> None:
        self.violations.append(FieldViolation(f"{self.field_path}[{index}].{part}", description))

    def raise_if_any(self) -> None:
        if self.violations:
            raise invalid_arguments(self.violations)

    def check(self, index: int, sent: ConfigValue) -> CheckedConfigValue | None:
        setting = self._known_setting(index, sent.setting)
        if setting is None:
            return None
        about = f'setting "{setting.name}" of {self.destination.name}'
        expected_type = setting_type(setting)
        fits = True
        if sent.type and sent.type.lower() != expected_type:
            self.fail(index, "type", f'{about} has type "{expected_type}", not "{sent.type}"')
            fits = False
        if (problem := value_problem(setting, sent.value)) is not None:
            self.fail(index, "value", f"{about} {problem}")
            fits = False
        if not fits:
            return None
        return CheckedConfigValue(setting.name, setting.display_name, sent.value, expected_type)

    def _known_setting(self, index: int, name: str) -> Setting | None:
        setting = self.settings.get(name)
        if setting is None:
            self.fail(index, "name", self._unknown(name))
            return None
        if name in self.seen:
            self.fail(index, "name", f'setting "{name}" is set twice (also at [{self.seen[name]}])')
            return None
        self.seen[name] = index
        return setting

    def _unknown(self, name: str) -> str:
        description = f'"{name}" is not a setting of {self.destination.name}'
        close = difflib.get_close_matches(name, self.settings, n=1)
        return f'{description}; did you mean "{close[0]}"?' if close else description
