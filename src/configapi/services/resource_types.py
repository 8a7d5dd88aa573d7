"""Name patterns of the resources the services name directly, from the one resource registry."""

from __future__ import annotations

from configapi import contract
from configapi.aip.names import ResourcePattern
from configapi.resources import ResourceRegistry

# Immutable and derived from the descriptors alone (no settings): the same in every server.
REGISTRY = ResourceRegistry(contract.FILES)


def _pattern(name: str) -> ResourcePattern:
    return REGISTRY[f"config.segmentapis.com/{name}"].pattern


WORKSPACE = _pattern("Workspace")
SOURCE = _pattern("Source")
DESTINATION = _pattern("Destination")
TRACKING_PLAN = _pattern("TrackingPlan")
ACCESS_TOKEN = _pattern("AccessToken")
CATALOG_SOURCE = _pattern("CatalogSource")
CATALOG_DESTINATION = _pattern("CatalogDestination")
