"""The parts of AIP-131/132/135 every stored resource shares: list a parent's page, get or
delete by name, each answering NOT_FOUND with the resource type of what is missing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic

from configapi.aip.names import ResourcePattern, parse_name
from configapi.errors import ApiError, not_found
from configapi.services.context import ServiceContext
from configapi.storage.repository import Collection, M


class StandardMethods(Generic[M]):
    """Standard methods over one collection, whose resources are named by `pattern`."""

    def __init__(
        self,
        context: ServiceContext,
        collection: Collection[M],
        pattern: ResourcePattern,
        parent: ResourcePattern,
    ) -> None:
        self._ctx = context
        self._store = collection
        self._pattern = pattern
        self._parent = parent

    async def list(self, request: object, parent: str) -> tuple[Sequence[M], str]:
        """A page of `parent`'s resources and the next page token (AIP-132, SPEC §4)."""
        parse_name(self._parent, parent, "parent")
        parent_type = self._parent.resource_type
        return await self._ctx.page(
            request,  # type: ignore[arg-type]  # any List*Request message
            lambda after, n: self._store.list(parent, after, n, parent_type=parent_type),
            int,
        )

    async def get(self, name: str, field_path: str = "name") -> M:
        """The resource, or NOT_FOUND (AIP-131)."""
        parse_name(self._pattern, name, field_path)
        resource = await self._store.get(name)
        if resource is None:
            raise not_found(self._pattern.resource_type, name)
        return resource

    async def delete(self, name: str) -> None:
        """Delete the resource and what is under it, or NOT_FOUND (AIP-135)."""
        parse_name(self._pattern, name, "name")
        if not await self._store.delete(name):
            raise not_found(self._pattern.resource_type, name)

    def not_found(self, name: str) -> ApiError:
        """NOT_FOUND for a resource of this kind."""
        return not_found(self._pattern.resource_type, name)
