"""The catalog in memory: sources and destinations ordered by name (SPEC §6.6).

Immutable once built; `merge` makes a new one. Pages are keyset pages ("entries after name X,
at most N", SPEC §4): a bisect over the sorted names, so a page costs the same wherever it starts.
The messages are shared, not copied: callers must not mutate them (copy into responses).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar

from segment.config.v1beta import catalog_pb2


class _Named(Protocol):
    @property
    def name(self) -> str: ...


E = TypeVar("E", bound=_Named)


@dataclass(frozen=True)
class CatalogPage(Generic[E]):
    """One page of entries; `next_after` is the name to continue after, `""` on the last page."""

    entries: Sequence[E]
    next_after: str


class _Shelf(Generic[E]):
    """Entries of one kind, sorted by name, with lookup by name and keyset pages."""

    __slots__ = ("_by_name", "_entries", "_names")

    def __init__(self, entries: Iterable[E]) -> None:
        by_name = {entry.name: entry for entry in entries}  # a later entry replaces an earlier
        self._names: tuple[str, ...] = tuple(sorted(by_name))
        self._entries: tuple[E, ...] = tuple(by_name[name] for name in self._names)
        self._by_name: Mapping[str, E] = MappingProxyType(by_name)

    def get(self, name: str) -> E | None:
        return self._by_name.get(name)

    def all(self) -> Sequence[E]:
        return self._entries

    def after(self, name: str, limit: int) -> CatalogPage[E]:
        if limit < 1:
            raise ValueError(f"limit must be positive, got {limit}")
        start = bisect.bisect_right(self._names, name)
        end = start + limit
        chunk = self._entries[start:end]
        return CatalogPage(chunk, self._names[end - 1] if end < len(self._names) else "")


class Catalog:
    """Catalog sources and destinations, each ordered by name."""

    __slots__ = ("_destinations", "_sources")

    def __init__(
        self,
        sources: Iterable[catalog_pb2.CatalogSource] = (),
        destinations: Iterable[catalog_pb2.CatalogDestination] = (),
    ) -> None:
        """Entries in any order; of two with the same name, the later one stays."""
        self._sources: _Shelf[catalog_pb2.CatalogSource] = _Shelf(sources)
        self._destinations: _Shelf[catalog_pb2.CatalogDestination] = _Shelf(destinations)

    def source(self, name: str) -> catalog_pb2.CatalogSource | None:
        """The source named `catalog/sources/{slug}`, or None."""
        return self._sources.get(name)

    def destination(self, name: str) -> catalog_pb2.CatalogDestination | None:
        """The destination named `catalog/destinations/{slug}`, or None."""
        return self._destinations.get(name)

    def sources(self) -> Sequence[catalog_pb2.CatalogSource]:
        """Every source, ordered by name."""
        return self._sources.all()

    def destinations(self) -> Sequence[catalog_pb2.CatalogDestination]:
        """Every destination, ordered by name."""
        return self._destinations.all()

    def sources_after(self, after: str, limit: int) -> CatalogPage[catalog_pb2.CatalogSource]:
        """At most `limit` sources whose names sort after `after` (`""`: from the start)."""
        return self._sources.after(after, limit)

    def destinations_after(
        self, after: str, limit: int
    ) -> CatalogPage[catalog_pb2.CatalogDestination]:
        """At most `limit` destinations whose names sort after `after` (`""`: from the start)."""
        return self._destinations.after(after, limit)

    def merge(self, *others: Catalog) -> Catalog:
        """A new catalog: these entries, then each of `others`'; later entries win by name."""
        sources = [*self.sources()]
        destinations = [*self.destinations()]
        for other in others:
            sources.extend(other.sources())
            destinations.extend(other.destinations())
        return Catalog(sources, destinations)

    def __repr__(self) -> str:
        return f"Catalog({len(self.sources())} sources, {len(self.destinations())} destinations)"
