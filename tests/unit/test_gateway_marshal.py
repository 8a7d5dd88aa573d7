"""JSON in and out exactly as SPEC §1 writes it."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, field_mask_pb2, json_format, struct_pb2
from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    catalog_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
)

from configapi.errors import ApiError
from configapi.gateway.marshal import JsonMarshaller
from configapi.gateway.unmarshal import decode_json, merge_object
from configapi.go_numbers import go_number_text


def printed(message: Message) -> Any:
    return json.loads(JsonMarshaller().encode(message))


def parsed(kind: type[Message], body: str | bytes) -> Any:
    message = kind()
    merge_object(decode_json(body if isinstance(body, bytes) else body.encode()), message)
    return message


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(value)
    return result


# ---- output ------------------------------------------------------------------------------------


def test_defaults_are_emitted_and_unset_messages_omitted() -> None:
    source = sources_pb2.Source(name="workspaces/acme/sources/js")
    assert printed(source) == {
        "name": "workspaces/acme/sources/js",
        "parent": "",
        "catalog_name": "",
        "display_name": "",
        "write_keys": [],
        "labels": {},
    }


def test_a_present_but_empty_message_prints_all_its_fields() -> None:
    source = sources_pb2.Source()
    source.library_config.SetInParent()
    assert printed(source)["library_config"] == {
        "metrics_enabled": False,
        "retry_queue": False,
        "cross_domain_id_enabled": False,
        "api_host": "",
    }


def test_map_keys_are_sorted_like_go_protojson() -> None:
    source = sources_pb2.Source(labels={"b": "2", "a": "1", "c": "3"})
    assert JsonMarshaller().encode(source).endswith(b'"labels":{"a":"1","b":"2","c":"3"}}')


def test_list_response_has_plural_key_and_empty_next_page_token() -> None:
    assert printed(sources_pb2.ListSourcesResponse()) == {"sources": [], "next_page_token": ""}


@pytest.mark.parametrize(
    ("mode", "name"),
    [(0, "UNSPECIFIED"), (1, "CLOUD"), (2, "DEVICE"), (7, 7)],
    ids=["unspecified", "cloud", "device", "unknown-number-stays-a-number"],
)
def test_enums_print_by_name(mode: int, name: str | int) -> None:
    destination = destinations_pb2.Destination()
    destination.connection_mode = mode  # type: ignore[assignment]
    assert printed(destination)["connection_mode"] == name


@pytest.mark.parametrize(
    ("rfc3339", "expected"),
    [
        ("2018-08-08T13:24:02.651Z", "2018-08-08T13:24:02.651Z"),
        ("2018-08-08T13:24:02Z", "2018-08-08T13:24:02Z"),
        ("2018-08-08T15:24:02.000001+02:00", "2018-08-08T13:24:02.000001Z"),
        ("2018-08-08T13:24:02.123456789Z", "2018-08-08T13:24:02.123456789Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
    ],
    ids=["millis", "whole-seconds", "micros-from-offset", "nanos", "year-one", "last-second"],
)
def test_timestamps_are_rfc3339_utc_with_z(rfc3339: str, expected: str) -> None:
    workspace = sources_pb2.Source()
    workspace.create_time.FromJsonString(rfc3339)
    assert printed(workspace)["create_time"] == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param({"n": 5}, '{"n":5}', id="integral-without-fraction"),
        pytest.param({"n": -3.0}, '{"n":-3}', id="negative-integral"),
        pytest.param({"n": 2.5}, '{"n":2.5}', id="fraction-kept"),
        pytest.param({"n": 1e20}, '{"n":100000000000000000000}', id="large-integral"),
        pytest.param({"n": 1e21}, '{"n":1e+21}', id="exponent-from-1e21-like-go"),
        pytest.param({"l": [1, 2.0, [3]]}, '{"l":[1,2,[3]]}', id="nested-lists"),
        pytest.param({"m": {"a": {"b": 4}}}, '{"m":{"a":{"b":4}}}', id="nested-maps"),
        pytest.param({"x": None, "t": True, "s": "v"}, '{"s":"v","t":true,"x":null}', id="others"),
        pytest.param({"e": {}, "a": []}, '{"a":[],"e":{}}', id="empty-containers"),
        pytest.param({"b": 1, "a": 2, "c": 3}, '{"a":2,"b":1,"c":3}', id="keys-sorted-like-go"),
    ],
)
def test_struct_numbers_print_like_go_protojson(value: dict[str, Any], text: str) -> None:
    assert JsonMarshaller().encode(struct(value)) == text.encode()


# What Go protojson (grpc-gateway v2) prints for each double in a Struct: strconv.FormatFloat
# with the shortest digits, 'f' form from 1e-6 below 1e21, else 'e' form with "e-07" → "e-7".
GO_SPELLINGS = [
    (0.0, "0"),
    (-0.0, "-0"),
    (5.0, "5"),
    (-3.0, "-3"),
    (2.5, "2.5"),
    (0.1, "0.1"),
    (0.0001, "0.0001"),
    (0.00001, "0.00001"),
    (0.000015, "0.000015"),
    (-0.00001, "-0.00001"),
    (0.000001, "0.000001"),
    (1e-7, "1e-7"),
    (1.5e-7, "1.5e-7"),
    (-1e-9, "-1e-9"),
    (1e-10, "1e-10"),
    (5e-324, "5e-324"),
    (2.0**53, "9007199254740992"),
    (2.0**53 + 2, "9007199254740994"),
    (9007199254740993.0, "9007199254740992"),  # not a double: rounds to 2^53
    (2.0**60, "1152921504606847000"),
    (1e16, "10000000000000000"),
    (1.5e17, "150000000000000000"),
    (1e20, "100000000000000000000"),
    (123456789012345680000.0, "123456789012345680000"),
    (-123456789012345680000.0, "-123456789012345680000"),
    (1e21, "1e+21"),
    (1.5e21, "1.5e+21"),
    (1e100, "1e+100"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (123.456, "123.456"),
    (1234567.125, "1234567.125"),
]


@pytest.mark.parametrize(("number", "text"), GO_SPELLINGS, ids=[t for _, t in GO_SPELLINGS])
def test_go_number_text_spells_doubles_like_go_protojson(number: float, text: str) -> None:
    assert go_number_text(number) == text


@pytest.mark.parametrize(("number", "text"), GO_SPELLINGS, ids=[t for _, t in GO_SPELLINGS])
def test_struct_and_double_fields_print_go_spellings(number: float, text: str) -> None:
    value = struct_pb2.Value(number_value=number)
    rules = {
        "x": value,
        "nested": struct_pb2.Value(list_value=struct_pb2.ListValue(values=[value])),
    }
    body = JsonMarshaller().encode(struct_pb2.Struct(fields=rules))
    assert body == f'{{"nested":[{text}],"x":{text}}}'.encode()
    assert float(json.loads(body)["x"]) == number  # and it still reads back as the same double


def test_raw_numbers_sit_inside_escaped_strings_and_unicode_unharmed() -> None:
    value = struct({"s": '"é\\n', "n": 1e-5, 'k"': [0.5, {"z": -0.0}]})
    body = JsonMarshaller().encode(value)
    assert body == '{"k\\"":[0.5,{"z":-0}],"n":0.00001,"s":"\\"é\\\\n"}'.encode()


def test_destination_config_values_print_as_plain_json() -> None:
    destination = destinations_pb2.Destination(name="d")
    entry = destination.config.add(name="d/config/apiKey", type="number")
    entry.value.number_value = 5
    listed = destination.config.add(name="d/config/events", type="list")
    listed.value.list_value.extend(["a", 1])
    configs = printed(destination)["config"]
    assert [c["value"] for c in configs] == [5, ["a", 1]]
    assert json.dumps(configs[0]["value"]) == "5"


def test_tracking_plan_rules_round_trip_as_json_values() -> None:
    rules = {"global": {"type": "object", "properties": {"n": {"minimum": 0, "maximum": 10}}}}
    plan = parsed(tracking_plans_pb2.TrackingPlan, json.dumps({"rules": rules}))
    out = printed(plan)["rules"]
    assert out["global"] == rules["global"]
    assert out["events"] == [] and out["identify_traits"] == [] and out["group_traits"] == []
    assert 'maximum":10,' in json.dumps(out["global"], separators=(",", ":"))


def test_empty_prints_as_an_empty_object() -> None:
    assert JsonMarshaller().encode(empty_pb2.Empty()) == b"{}"


def test_catalog_camel_case_fields_keep_their_declared_names() -> None:
    entry = catalog_pb2.CatalogDestination(browserUnbundlingSupported=True)
    out = printed(entry)
    assert out["browserUnbundlingSupported"] is True
    assert out["browserUnbundlingPublic"] is False


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(
            sources_pb2.Source(name="n", labels={"a": "b"}, write_keys=["k"]), id="source"
        ),
        pytest.param(access_tokens_pb2.AccessToken(workspace_names=["w"]), id="token"),
        pytest.param(
            catalog_pb2.CatalogDestination(
                settings=[catalog_pb2.DestinationSetting(name="s", required=True)]
            ),
            id="catalog-recursive-settings",
        ),
    ],
)
def test_output_agrees_with_protobufs_own_json_printer(message: Message) -> None:
    expected = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    assert printed(message) == expected


# ---- input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"catalog_name": "c", "display_name": "JS"}', id="snake_case"),
        pytest.param('{"catalogName": "c", "displayName": "JS"}', id="lowerCamelCase"),
    ],
)
def test_input_accepts_both_name_styles(body: str) -> None:
    source = parsed(sources_pb2.Source, body)
    assert (source.catalog_name, source.display_name) == ("c", "JS")


def test_unknown_fields_are_ignored() -> None:
    source = parsed(sources_pb2.Source, '{"name": "n", "bogus": {"deep": [1]}}')
    assert source.name == "n"


@pytest.mark.parametrize(("value", "number"), [('"CLOUD"', 1), ("2", 2), ('"UNSPECIFIED"', 0)])
def test_enums_by_name_or_number(value: str, number: int) -> None:
    destination = parsed(destinations_pb2.Destination, f'{{"connection_mode": {value}}}')
    assert destination.connection_mode == number


@pytest.mark.parametrize(
    ("mask", "paths"),
    [
        pytest.param(
            '{"paths": ["source.display_name", "labels"]}',
            ["source.display_name", "labels"],
            id="object-form",
        ),
        pytest.param(
            '"source.display_name,labels"', ["source.display_name", "labels"], id="string-form"
        ),
        pytest.param(
            '"source.displayName, libraryConfig.apiHost"',
            ["source.display_name", "library_config.api_host"],
            id="string-form-camel-case",
        ),
        pytest.param('{"paths": []}', [], id="no-paths"),
        pytest.param('""', [], id="empty-string"),
    ],
)
def test_field_mask_in_both_json_forms(mask: str, paths: list[str]) -> None:
    request = parsed(sources_pb2.UpdateSourceRequest, f'{{"update_mask": {mask}}}')
    assert request.HasField("update_mask")
    assert list(request.update_mask.paths) == paths


def test_null_leaves_a_field_unset_but_is_json_null_in_a_value() -> None:
    destination = parsed(
        destinations_pb2.Destination,
        '{"display_name": null, "config": [{"name": "x", "value": null}]}',
    )
    assert destination.display_name == ""
    assert destination.config[0].value.WhichOneof("kind") == "null_value"


def test_struct_input_keeps_nested_empty_containers() -> None:
    plan = parsed(tracking_plans_pb2.TrackingPlan, '{"rules": {"global": {"a": {}, "b": []}}}')
    assert printed(plan)["rules"]["global"] == {"a": {}, "b": []}


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        pytest.param(sources_pb2.Source, '{"name": 5}', "name", id="number-for-string"),
        pytest.param(
            destinations_pb2.Destination, '{"enabled": "yes"}', "enabled", id="string-for-bool"
        ),
        pytest.param(
            destinations_pb2.Destination,
            '{"connection_mode": "CLUOD"}',
            "connection_mode",
            id="unknown-enum-name",
        ),
        pytest.param(
            destinations_pb2.Destination,
            '{"connection_mode": true}',
            "connection_mode",
            id="bool-for-enum",
        ),
        pytest.param(sources_pb2.Source, '{"write_keys": "k"}', "write_keys", id="scalar-for-list"),
        pytest.param(
            sources_pb2.Source, '{"write_keys": [1]}', "write_keys[0]", id="wrong-list-item"
        ),
        pytest.param(
            sources_pb2.Source, '{"labels": {"a": 1}}', "labels['a']", id="wrong-map-value"
        ),
        pytest.param(
            sources_pb2.Source, '{"library_config": []}', "library_config", id="array-for-message"
        ),
        pytest.param(
            sources_pb2.Source, '{"create_time": "yesterday"}', "create_time", id="bad-timestamp"
        ),
        pytest.param(
            sources_pb2.UpdateSourceRequest,
            '{"update_mask": {"paths": "a"}}',
            "update_mask",
            id="bad-field-mask",
        ),
        pytest.param(
            tracking_plans_pb2.TrackingPlanEvent,
            '{"version": 2147483648}',
            "version",
            id="int32-overflow",
        ),
        pytest.param(
            tracking_plans_pb2.TrackingPlanEvent,
            '{"version": 1.5}',
            "version",
            id="fraction-for-int",
        ),
        pytest.param(
            tracking_plans_pb2.TrackingPlan,
            '{"rules": {"global": [1]}}',
            "rules.global",
            id="array-for-struct",
        ),
        pytest.param(sources_pb2.Source, '{"name": "\\ud800"}', "name", id="lone-surrogate"),
    ],
)
def test_wrong_types_are_invalid_argument_naming_the_field(
    kind: type[Message], body: str, field: str
) -> None:
    with pytest.raises(ApiError) as raised:
        parsed(kind, body)
    error = raised.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in error.violations] == [field]
    assert error.message.startswith(f"invalid {field}: ")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param(b'{"name": ', "invalid JSON", id="truncated"),
        pytest.param(b"not json", "invalid JSON", id="garbage"),
        pytest.param(b'{"n": NaN}', "invalid JSON", id="nan-literal"),
        pytest.param(b'{"name": "\xff"}', "not valid UTF-8", id="bad-utf8"),
        pytest.param(b"[1]", "expected a JSON object", id="array-body"),
        pytest.param(b'"text"', "expected a JSON object", id="string-body"),
        pytest.param(b"[" * 100_000, "invalid JSON", id="absurd-nesting"),
    ],
)
def test_bad_bodies_are_invalid_argument(body: bytes, problem: str) -> None:
    with pytest.raises(ApiError) as raised:
        parsed(sources_pb2.Source, body)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert problem in raised.value.message


def test_int64_and_numbers_in_strings_are_accepted() -> None:
    event = parsed(tracking_plans_pb2.TrackingPlanEvent, '{"version": "3"}')
    assert event.version == 3
    assert parsed(tracking_plans_pb2.TrackingPlanEvent, '{"version": 4.0}').version == 4


def test_field_mask_message_form_is_taken_verbatim() -> None:
    mask = parsed(field_mask_pb2.FieldMask, '{"paths": ["displayName"]}')
    assert list(mask.paths) == ["displayName"]


@pytest.mark.parametrize(("number", "text"), GO_SPELLINGS, ids=[t for _, t in GO_SPELLINGS])
def test_a_number_read_from_json_prints_back_as_go_would(number: float, text: str) -> None:
    # what a client sends in a tracking plan's rules comes back spelled as grpc-gateway spells it
    plan = parsed(tracking_plans_pb2.TrackingPlan, f'{{"rules": {{"global": {{"n": {text}}}}}}}')
    body = JsonMarshaller().encode(plan.rules)
    assert f'"n":{text}' in body.decode()
