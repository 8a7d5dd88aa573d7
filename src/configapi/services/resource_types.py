"""Resource types and name patterns of our resources, read from the protos' descriptors."""

from __future__ import annotations

from segment.config.v1beta import (
    access_tokens_pb2,
    catalog_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from configapi.aip.names import ResourcePattern, pattern_of


def _pattern(message: object) -> ResourcePattern:
    pattern = pattern_of(message.DESCRIPTOR)  # type: ignore[attr-defined]
    assert pattern is not None, f"{message} is not a resource"
    return pattern


WORKSPACE = _pattern(workspaces_pb2.Workspace)
SOURCE = _pattern(sources_pb2.Source)
DESTINATION = _pattern(destinations_pb2.Destination)
TRACKING_PLAN = _pattern(tracking_plans_pb2.TrackingPlan)
ACCESS_TOKEN = _pattern(access_tokens_pb2.AccessToken)
CATALOG_SOURCE = _pattern(catalog_pb2.CatalogSource)
CATALOG_DESTINATION = _pattern(catalog_pb2.CatalogDestination)
