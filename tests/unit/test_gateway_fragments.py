"""Cached resource fragments print exactly what the marshaller prints."""

from __future__ import annotations

import json

import pytest
from google.protobuf import empty_pb2, struct_pb2
from google.protobuf.message import Message
from segment.config.v1beta import (
    catalog_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from configapi.gateway.fragments import FragmentEncoder
from configapi.gateway.marshal import JsonMarshaller


def _source(slug: str, **labels: str) -> sources_pb2.Source:
    source = sources_pb2.Source(
        name=f"workspaces/w/sources/{slug}",
        parent="workspaces/w",
        write_keys=["k" * 32],
        catalog_name="catalog/sources/javascript",
        display_name=slug,
        labels=labels,
    )
    source.library_config.api_host = "api.example"
    source.create_time.FromMilliseconds(1_700_000_000_123)
    return source


def _destination() -> destinations_pb2.Destination:
    destination = destinations_pb2.Destination(
        name="workspaces/w/sources/s/destinations/webhooks",
        enabled=True,
        connection_mode=destinations_pb2.Destination.CLOUD,
    )
    entry = destination.config.add(name=destination.name + "/config/hooks", type="mixed")
    entry.value.list_value.values.add().number_value = 5
    entry.value.list_value.values.add().string_value = "ü"
    return destination


def _plan() -> tracking_plans_pb2.TrackingPlan:
    plan = tracking_plans_pb2.TrackingPlan(
        name="workspaces/w/tracking-plans/rs_x", display_name="P"
    )
    plan.rules.events.add(name="E", version=1).rules.update({"type": "object", "maxLength": 5})
    return plan


RESPONSES: list[Message] = [
    sources_pb2.ListSourcesResponse(
        sources=[_source("a", team="web"), _source("b"), _source("a", team="web")],
        next_page_token="tok",
    ),
    sources_pb2.ListSourcesResponse(),
    _source("single", z="1", a="2"),
    destinations_pb2.ListDestinationsResponse(destinations=[_destination()]),
    tracking_plans_pb2.ListTrackingPlansResponse(tracking_plans=[_plan()]),
    workspaces_pb2.ListWorkspacesResponse(
        workspaces=[workspaces_pb2.Workspace(name="workspaces/w")]
    ),
    catalog_pb2.ListCatalogDestinationsResponse(
        destinations=[
            catalog_pb2.CatalogDestination(
                name="catalog/destinations/x", browserUnbundlingSupported=True
            )
        ]
    ),
    empty_pb2.Empty(),
    struct_pb2.Value(number_value=3.0),
]


@pytest.mark.parametrize("message", RESPONSES, ids=lambda m: type(m).__name__)
def test_fragments_print_what_the_marshaller_prints(message: Message) -> None:
    marshaller = JsonMarshaller()
    encoder = FragmentEncoder(marshaller)
    expected = marshaller.encode(message)
    assert encoder.encode(message) == expected  # cold
    assert encoder.encode(message) == expected  # from cached fragments
    json.loads(expected)


def test_a_changed_resource_is_printed_anew() -> None:
    encoder = FragmentEncoder(JsonMarshaller())
    source = _source("a")
    before = encoder.encode(source)
    source.display_name = "renamed"
    assert json.loads(encoder.encode(source))["display_name"] == "renamed"
    assert encoder.encode(source) != before


def test_huge_resources_are_printed_but_not_kept() -> None:
    encoder = FragmentEncoder(JsonMarshaller())
    source = _source("big")
    source.display_name = "x" * 200_000
    assert json.loads(encoder.encode(source))["display_name"] == source.display_name
    assert encoder._cached_bytes == 0  # the bound is the behaviour under test
