"""Destination config checked against the catalog (SPEC §6.3): names, types and values."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import struct_pb2
from segment.config.v1beta import catalog_pb2, destinations_pb2

from configapi.catalog import (
    CheckedConfigValue,
    ConfigValue,
    JsonValue,
    check_config_values,
    check_destination_config,
    json_value_of,
    starter_catalog,
)
from configapi.errors import ApiError, FieldViolation

Setting = catalog_pb2.DestinationSetting


def example_destination() -> catalog_pb2.CatalogDestination:
    """One setting of every type, with the validators the real catalog uses."""
    settings = [
        Setting(name="apiKey", display_name="API Key", type="STRING", required=True),
        Setting(name="region", type="STRING"),
        Setting(name="accountId", type="STRING"),
        Setting(name="secret", type="PASSWORD"),
        Setting(name="color", type="COLOR"),
        Setting(name="footer", type="MULTI_LINE_STRING"),
        Setting(name="enabled", type="BOOLEAN"),
        Setting(name="sampleRate", type="NUMBER"),
        Setting(name="timeout", type="NUMBER"),
        Setting(name="cacheExpiry", type="NUMBER"),
        Setting(name="version", type="SELECT"),
        Setting(name="anything", type="SELECT"),
        Setting(name="events", type="LIST"),
        Setting(name="dimensions", type="MAP"),
        Setting(name="standardEvents", type="MAP"),
        Setting(name="headers", type="MAP"),
        Setting(name="hooks", type="MIXED"),
        Setting(name="future", type="ARRAY"),
    ]
    by_name = {setting.name: setting for setting in settings}
    by_name["apiKey"].string_validators.regexp = "^[a-f0-9]{8}$"
    by_name["region"].string_validators.regexp = "^[a-z]{2}"  # unanchored end, as in the catalog
    by_name["accountId"].string_validators.regexp = "^\\d+$"
    by_name["color"].string_validators.regexp = "^#[0-9a-fA-F]{6}$"
    by_name["footer"].string_validators.SetInParent()  # present but empty: any string
    by_name["sampleRate"].number_validators.min = 1
    by_name["sampleRate"].number_validators.max = 100
    by_name["timeout"].number_validators.SetInParent()  # 0 and 0: unbounded
    by_name["cacheExpiry"].number_validators.min = 300  # max 0 alone: no upper bound
    by_name["version"].select_validators.select_options.extend(["1", "2"])
    by_name["anything"].select_validators.SetInParent()  # no options: any string
    by_name["dimensions"].map_validators.max = 2
    by_name["dimensions"].map_validators.map_prefix = "dimension"
    by_name["standardEvents"].map_validators.select_options.extend(["Purchase", "Lead "])
    by_name["headers"].map_validators.regexp = "^[A-Za-z-]+$"
    by_name["headers"].map_validators.min = 1
    return catalog_pb2.CatalogDestination(name="catalog/destinations/example", settings=settings)


EXAMPLE = example_destination()

FITS = [
    pytest.param("apiKey", "0a1b2c3d", id="string-matching-regexp"),
    pytest.param("region", "", id="optional-string-may-be-empty"),
    pytest.param("region", "eu-west-1", id="string-regexp-searches-like-javascript"),
    pytest.param("accountId", "0123", id="string-digits"),
    pytest.param("secret", "s3cr3t", id="password"),
    pytest.param("color", "#00ff7F", id="color"),
    pytest.param("footer", "line one\nline two", id="multi-line-string"),
    pytest.param("enabled", False, id="boolean"),
    pytest.param("sampleRate", 1, id="number-at-min"),
    pytest.param("sampleRate", 100.0, id="number-at-max"),
    pytest.param("timeout", -5.5, id="number-unbounded"),
    pytest.param("cacheExpiry", 86400, id="number-min-without-max"),
    pytest.param("version", "2", id="select-option"),
    pytest.param("anything", "whatever", id="select-without-options"),
    pytest.param("events", [], id="list-empty"),
    pytest.param("events", ["Signed Up", "Order Completed"], id="list-of-strings"),
    pytest.param("dimensions", {"plan": "dimension1", "tier": "dimension2"}, id="map"),
    pytest.param("standardEvents", {"Order Completed": "Purchase"}, id="map-mapped-option"),
    pytest.param("standardEvents", {"Signed Up": ["Lead", "Purchase"]}, id="map-option-array"),
    pytest.param("headers", {"X-Api": "1"}, id="map-keys-matching"),
    pytest.param("hooks", [{"hook": "https://example.com"}], id="mixed-array"),
    pytest.param("hooks", 3, id="mixed-number"),
    pytest.param("future", {"a": 1}, id="unknown-type-takes-any-value"),
]


@pytest.mark.parametrize(("setting", "value"), FITS)
def test_values_that_fit(setting: str, value: JsonValue) -> None:
    [checked] = check_config_values(EXAMPLE, [ConfigValue(setting, value)])
    assert (checked.setting, checked.value) == (setting, value)


DOES_NOT_FIT = [
    pytest.param("apiKey", 42, "expects a string, got number", id="string-got-number"),
    pytest.param("apiKey", "XYZ", "expects a string matching ^[a-f0-9]{8}$", id="regexp"),
    pytest.param("apiKey", "", "expects a string matching", id="required-string-empty"),
    pytest.param(
        "accountId", "\u0661\u0662", "expects a string matching", id="regexp-digits-are-ascii"
    ),
    pytest.param("secret", ["x"], "expects a string, got array", id="password-got-array"),
    pytest.param("color", "red", "expects a string matching ^#[0-9a-fA-F]{6}$", id="color"),
    pytest.param("footer", None, "needs a value; null is not allowed", id="null"),
    pytest.param("enabled", "true", "expects true or false, got string", id="boolean-got-string"),
    pytest.param("enabled", 1, "expects true or false, got number", id="boolean-got-number"),
    pytest.param("sampleRate", True, "expects a number, got boolean", id="number-got-boolean"),
    pytest.param("sampleRate", "5", "expects a number, got string", id="number-got-string"),
    pytest.param("sampleRate", 0, "expects a number of at least 1, got 0", id="number-below"),
    pytest.param("sampleRate", 100.5, "at most 100, got 100.5", id="number-above"),
    pytest.param("timeout", float("inf"), "expects a finite number, got inf", id="number-infinite"),
    pytest.param("cacheExpiry", 60, "at least 300, got 60", id="number-below-min-only"),
    pytest.param("version", "3", 'expects one of "1", "2", got "3"', id="select-not-option"),
    pytest.param("version", 2, "expects a string, got number", id="select-got-number"),
    pytest.param("events", "Signed Up", "expects an array of strings, got string", id="list"),
    pytest.param("events", ["a", 1], "got number at [1]", id="list-item-not-string"),
    pytest.param("dimensions", ["plan"], "expects an object, got array", id="map-got-array"),
    pytest.param(
        "dimensions",
        {"a": "dimension1", "b": "dimension2", "c": "dimension3"},
        "expects an object with at most 2 entries, got 3",
        id="map-too-many",
    ),
    pytest.param(
        "standardEvents",
        {"Order Completed": "Buy"},
        'expects "Order Completed" to map to one of "Lead", "Purchase", got "Buy"',
        id="map-value-not-option",
    ),
    pytest.param(
        "headers", {"X Api": "1"}, 'expects keys matching ^[A-Za-z-]+$, got "X Api"', id="map-key"
    ),
    pytest.param("headers", {}, "at least 1 entries, got 0", id="map-too-few"),
    pytest.param("hooks", None, "null is not allowed", id="mixed-null"),
]


@pytest.mark.parametrize(("setting", "value", "problem"), DOES_NOT_FIT)
def test_values_that_do_not_fit(setting: str, value: JsonValue, problem: str) -> None:
    violation = only_violation([ConfigValue(setting, value)])
    assert violation.field == "destination.config[0].value"
    assert violation.description.startswith(f'setting "{setting}" of catalog/destinations/example ')
    assert problem in violation.description


def test_secret_values_are_not_echoed() -> None:
    violation = only_violation([ConfigValue("apiKey", "top-secret-value")])
    assert "top-secret-value" not in violation.description


def test_the_description_reads_as_an_instruction() -> None:
    violation = only_violation([ConfigValue("apiKey", 42)])
    assert violation.description == (
        'setting "apiKey" of catalog/destinations/example expects a string, got number'
    )


# ---- names and types -----------------------------------------------------------------------


def test_type_is_filled_from_the_catalog_in_lowercase() -> None:
    checked = check_config_values(
        EXAMPLE,
        [ConfigValue("apiKey", "0a1b2c3d"), ConfigValue("footer", "x"), ConfigValue("hooks", {})],
    )
    assert checked == [
        CheckedConfigValue("apiKey", "API Key", "0a1b2c3d", "string"),
        CheckedConfigValue("footer", "", "x", "multi_line_string"),
        CheckedConfigValue("hooks", "", {}, "mixed"),
    ]


@pytest.mark.parametrize("sent", ["string", "STRING", "String"])
def test_a_sent_type_may_be_in_any_case(sent: str) -> None:
    [checked] = check_config_values(EXAMPLE, [ConfigValue("apiKey", "0a1b2c3d", sent)])
    assert checked.type == "string"


def test_a_sent_type_must_be_the_settings_type() -> None:
    violation = only_violation([ConfigValue("apiKey", "0a1b2c3d", "password")])
    assert violation.field == "destination.config[0].type"
    assert violation.description == (
        'setting "apiKey" of catalog/destinations/example has type "string", not "password"'
    )


def test_an_unknown_setting_suggests_a_close_one() -> None:
    violation = only_violation([ConfigValue("apikey", "0a1b2c3d")])
    assert violation.field == "destination.config[0].name"
    assert violation.description == (
        '"apikey" is not a setting of catalog/destinations/example; did you mean "apiKey"?'
    )


def test_only_top_level_settings_can_be_set() -> None:
    webhooks = starter_catalog().destination("catalog/destinations/webhooks")
    assert webhooks is not None
    assert any(child.name == "hook" for s in webhooks.settings for child in s.settings)
    violation = only_violation([ConfigValue("hook", "https://example.com")], webhooks)
    assert violation.field == "destination.config[0].name"


def test_a_setting_may_be_given_once() -> None:
    violation = only_violation(
        [ConfigValue("enabled", True), ConfigValue("apiKey", "0a1b2c3d"), ConfigValue("enabled", 1)]
    )
    assert violation == FieldViolation(
        "destination.config[2].name", 'setting "enabled" is set twice (also at [0])'
    )


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ApiError) as raised:
        check_config_values(
            EXAMPLE,
            [
                ConfigValue("enabled", True),
                ConfigValue("nope", 1),
                ConfigValue("sampleRate", "x", "boolean"),
            ],
        )
    error = raised.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error.violations] == [
        "destination.config[1].name",
        "destination.config[2].type",
        "destination.config[2].value",
    ]
    assert error.message.startswith('invalid destination.config[1].name: "nope" is not a setting')


def test_no_config_is_fine() -> None:
    assert check_config_values(EXAMPLE, []) == []


def test_starter_settings_check_real_values() -> None:
    analytics = starter_catalog().destination("catalog/destinations/google-analytics")
    assert analytics is not None
    good = [ConfigValue("trackingId", "UA-12345-1"), ConfigValue("siteSpeedSampleRate", 10)]
    assert len(check_config_values(analytics, good)) == 2
    violation = only_violation([ConfigValue("trackingId", "G-123")], analytics)
    assert "expects a string matching ^UA-" in violation.description


# ---- DestinationConfig messages --------------------------------------------------------------

DESTINATION = "workspaces/acme/sources/js/destinations/example"


def config(
    setting_name: str, value: struct_pb2.Value, type_: str = ""
) -> destinations_pb2.DestinationConfig:
    message = destinations_pb2.DestinationConfig(
        name=f"{DESTINATION}/config/{setting_name}", type=type_
    )
    message.value.CopyFrom(value)
    return message


def test_messages_come_back_with_display_name_and_type() -> None:
    [checked] = check_destination_config(
        EXAMPLE, DESTINATION, [config("apiKey", struct_pb2.Value(string_value="0a1b2c3d"))]
    )
    assert checked.name == f"{DESTINATION}/config/apiKey"
    assert (checked.display_name, checked.type) == ("API Key", "string")
    assert checked.value.string_value == "0a1b2c3d"


def test_message_values_are_kept_verbatim() -> None:
    value = struct_pb2.Value()
    value.struct_value.update({"plan": "dimension1"})
    [checked] = check_destination_config(EXAMPLE, DESTINATION, [config("dimensions", value)])
    assert checked.value == value


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("apiKey", id="bare-setting"),
        pytest.param("workspaces/acme/sources/js/destinations/other/config/apiKey", id="other"),
        pytest.param(f"{DESTINATION}/config/", id="empty-setting"),
        pytest.param(f"{DESTINATION}/config/a/b", id="nested-path"),
    ],
)
def test_message_names_must_be_under_the_destination(name: str) -> None:
    message = destinations_pb2.DestinationConfig(name=name)
    message.value.string_value = "0a1b2c3d"
    with pytest.raises(ApiError) as raised:
        check_destination_config(EXAMPLE, DESTINATION, [message])
    [violation] = raised.value.violations
    assert violation.field == "destination.config[0].name"
    assert violation.description == (
        f'expected a name like "{DESTINATION}/config/<setting>", got "{name}"'
    )


def test_a_message_without_value_is_null() -> None:
    message = destinations_pb2.DestinationConfig(name=f"{DESTINATION}/config/enabled")
    with pytest.raises(ApiError) as raised:
        check_destination_config(EXAMPLE, DESTINATION, [message])
    assert "null is not allowed" in raised.value.violations[0].description


def test_json_value_of_converts_every_kind() -> None:
    value = struct_pb2.Value()
    value.struct_value.update({"a": [1, "x", True, None], "b": {"c": 2.5}})
    assert json_value_of(value) == {"a": [1.0, "x", True, None], "b": {"c": 2.5}}
    assert json_value_of(struct_pb2.Value()) is None


def only_violation(
    values: list[ConfigValue], destination: catalog_pb2.CatalogDestination = EXAMPLE
) -> FieldViolation:
    with pytest.raises(ApiError) as raised:
        check_config_values(destination, values)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    [violation] = raised.value.violations
    return violation
