"""What both backends share about collections: one object per storage kind, made on first use,
and the four collections the admin commands and the tests name as attributes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection as Kinds
from typing import Any

from segment.config.v1beta import destinations_pb2, sources_pb2, tracking_plans_pb2, workspaces_pb2

from configapi.storage.repository import Collection, M

_TYPE = "config.segmentapis.com/"


class CollectionsByKind(ABC):
    """`Repository.collection` and its named collections; a backend makes the collection."""

    def __init__(self) -> None:
        self._collections: dict[str, Any] = {}

    @abstractmethod
    def _make(
        self, kind: str, message: type[M], resource_type: str, kinds: Kinds[str]
    ) -> Collection[M]:
        """A new collection of `kind`; `kinds` (live) holds every kind stored, for deletes that
        find children by parent."""

    def collection(self, kind: str, message: type[M], resource_type: str) -> Collection[M]:
        """See `Repository.collection`: one object per kind."""
        found: Collection[M] | None = self._collections.get(kind)
        if found is None:
            found = self._make(kind, message, resource_type, self._collections)
            self._collections[kind] = found
        return found

    @property
    def workspaces(self) -> Collection[workspaces_pb2.Workspace]:
        """See `Repository.workspaces`."""
        return self.collection("workspace", workspaces_pb2.Workspace, _TYPE + "Workspace")

    @property
    def sources(self) -> Collection[sources_pb2.Source]:
        """See `Repository.sources`."""
        return self.collection("source", sources_pb2.Source, _TYPE + "Source")

    @property
    def destinations(self) -> Collection[destinations_pb2.Destination]:
        """See `Repository.destinations`."""
        return self.collection("destination", destinations_pb2.Destination, _TYPE + "Destination")

    @property
    def tracking_plans(self) -> Collection[tracking_plans_pb2.TrackingPlan]:
        """See `Repository.tracking_plans`."""
        return self.collection(
            "tracking_plan", tracking_plans_pb2.TrackingPlan, _TYPE + "TrackingPlan"
        )
