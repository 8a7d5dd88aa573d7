"""Update masks with the API's documented rules (SPEC §5)."""

from __future__ import annotations

import grpc
import pytest
from segment.config.v1beta import destinations_pb2, sources_pb2, tracking_plans_pb2

from configapi.aip.fieldmask import apply_update_mask, normalize_paths
from configapi.errors import ApiError


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["source.display_name"], ["display_name"]),
        (["display_name"], ["display_name"]),
        (["source.library_config.api_host"], ["library_config.api_host"]),
        (["source.labels", "labels"], ["labels"]),
        (["source.write_keys", "source.create_time", "source.name"], []),
        ([], []),
    ],
    ids=["prefixed", "unprefixed", "subfield", "both-forms-once", "output-only-ignored", "none"],
)
def test_paths_are_normalized(paths: list[str], expected: list[str]) -> None:
    assert normalize_paths(paths, "source", sources_pb2.Source) == expected


@pytest.mark.parametrize(
    "path",
    ["source.colour", "source.library_config.nope", "source.catalog_name", "source.labels.x"],
    ids=["unknown", "unknown-subfield", "immutable", "into-a-map"],
)
def test_bad_paths_are_invalid_argument_naming_the_path(path: str) -> None:
    with pytest.raises(ApiError) as raised:
        normalize_paths([path], "source", sources_pb2.Source)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert path in raised.value.violations[0].description


def test_tracking_plan_rule_subpaths_are_accepted() -> None:
    paths = ["tracking_plan.rules.global", "tracking_plan.rules.events", "rules.identify"]
    assert normalize_paths(paths, "tracking_plan", tracking_plans_pb2.TrackingPlan) == [
        "rules.global",
        "rules.events",
        "rules.identify",
    ]


def _source() -> sources_pb2.Source:
    source = sources_pb2.Source(name="workspaces/a/sources/s", display_name="Old")
    source.labels["team"] = "web"
    source.labels["tier"] = "1"
    source.library_config.api_host = "old.example"
    source.library_config.retry_queue = True
    return source


def test_only_masked_fields_change() -> None:
    target = _source()
    apply_update_mask(
        target, sources_pb2.Source(display_name="New", labels={"x": "y"}), ["display_name"]
    )
    assert target.display_name == "New"
    assert dict(target.labels) == {"team": "web", "tier": "1"}


def test_a_path_without_a_value_sets_the_empty_value() -> None:
    target = _source()
    apply_update_mask(target, sources_pb2.Source(), ["display_name", "labels", "library_config"])
    assert target.display_name == ""
    assert dict(target.labels) == {}
    assert not target.HasField("library_config")


def test_maps_are_replaced_not_merged() -> None:
    target = _source()
    apply_update_mask(target, sources_pb2.Source(labels={"new": "1"}), ["labels"])
    assert dict(target.labels) == {"new": "1"}


def test_repeated_fields_are_replaced_not_appended() -> None:
    target = destinations_pb2.Destination()
    target.config.add(name="a")
    sent = destinations_pb2.Destination()
    sent.config.add(name="b")
    apply_update_mask(target, sent, ["config"])
    assert [c.name for c in target.config] == ["b"]


def test_subfield_paths_leave_sibling_fields() -> None:
    target = _source()
    sent = sources_pb2.Source()
    sent.library_config.api_host = "new.example"
    apply_update_mask(target, sent, ["library_config.api_host"])
    assert target.library_config.api_host == "new.example"
    assert target.library_config.retry_queue is True
