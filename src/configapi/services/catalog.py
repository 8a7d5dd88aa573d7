"""CatalogService (SPEC §6.6): the global, read-only catalog; pages keyed by entry name."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from segment.config.v1beta import catalog_pb2 as pb

from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.catalog import CatalogPage
from configapi.errors import not_found
from configapi.services.context import ServiceContext
from configapi.services.resource_types import CATALOG_DESTINATION, CATALOG_SOURCE
from configapi.storage.repository import Page

E = TypeVar("E", pb.CatalogSource, pb.CatalogDestination)


class CatalogServicer:
    """Catalog sources and destinations; any valid token may read them."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.CatalogService"

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._catalog = context.catalog

    async def ListCatalogSources(
        self, request: pb.ListCatalogSourcesRequest, caller: Caller
    ) -> pb.ListCatalogSourcesResponse:
        """AIP-132."""

        async def after(position: str | None, size: int) -> Page[pb.CatalogSource, str]:
            return _page(self._catalog.sources_after(position or "", size))

        items, token = await self._ctx.page(request, after, str)
        return pb.ListCatalogSourcesResponse(sources=items, next_page_token=token)

    async def GetCatalogSource(
        self, request: pb.GetCatalogSourceRequest, caller: Caller
    ) -> pb.CatalogSource:
        """AIP-131."""
        parse_name(CATALOG_SOURCE, request.name, "name")
        entry = self._catalog.source(request.name)
        if entry is None:
            raise not_found(CATALOG_SOURCE.resource_type, request.name)
        return entry

    async def ListCatalogDestinations(
        self, request: pb.ListCatalogDestinationsRequest, caller: Caller
    ) -> pb.ListCatalogDestinationsResponse:
        """AIP-132."""

        async def after(position: str | None, size: int) -> Page[pb.CatalogDestination, str]:
            return _page(self._catalog.destinations_after(position or "", size))

        items, token = await self._ctx.page(request, after, str)
        return pb.ListCatalogDestinationsResponse(destinations=items, next_page_token=token)

    async def GetCatalogDestination(
        self, request: pb.GetCatalogDestinationRequest, caller: Caller
    ) -> pb.CatalogDestination:
        """AIP-131."""
        parse_name(CATALOG_DESTINATION, request.name, "name")
        entry = self._catalog.destination(request.name)
        if entry is None:
            raise not_found(CATALOG_DESTINATION.resource_type, request.name)
        return entry


def _page(page: CatalogPage[E]) -> Page[E, str]:
    """The catalog's page as a repository page (`""` after the last entry means no more)."""
    return Page(page.entries, page.next_after or None)
