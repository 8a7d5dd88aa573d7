"""SourceService (SPEC §6.2): sources made from catalog sources, with write keys."""

from __future__ import annotations

from typing import ClassVar

from google.protobuf import empty_pb2
from segment.config.v1beta import sources_pb2 as pb

from configapi.aip.fieldbehavior import clear_output_only
from configapi.aip.fieldmask import apply_update_mask, normalize_paths
from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.errors import invalid_argument
from configapi.services.context import ServiceContext
from configapi.services.ids import random_key
from configapi.services.resource_types import SOURCE, WORKSPACE
from configapi.services.schema_configs import SchemaConfigMethods
from configapi.services.standard_methods import StandardMethods

WRITE_KEY_LENGTH = 32


class SourceServicer(SchemaConfigMethods):
    """Sources of a workspace, and their schema configs (SPEC §6.7)."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.SourceService"

    def __init__(self, context: ServiceContext) -> None:
        super().__init__(context)
        self._ctx = context
        self._store = context.repository.sources
        self._standard = StandardMethods(context, self._store, SOURCE, WORKSPACE)

    async def ListSources(
        self, request: pb.ListSourcesRequest, caller: Caller
    ) -> pb.ListSourcesResponse:
        """AIP-132."""
        items, token = await self._standard.list(request, request.parent)
        return pb.ListSourcesResponse(sources=items, next_page_token=token)

    async def GetSource(self, request: pb.GetSourceRequest, caller: Caller) -> pb.Source:
        """AIP-131."""
        return await self._standard.get(request.name)

    async def CreateSource(self, request: pb.CreateSourceRequest, caller: Caller) -> pb.Source:
        """AIP-133; the caller picks the slug in `source.name` (SPEC §6.2)."""
        parse_name(WORKSPACE, request.parent, "parent")
        source = pb.Source()
        source.CopyFrom(request.source)
        clear_output_only(source)
        slug = parse_name(SOURCE, source.name, "source.name")["source"]
        if source.name.rsplit("/", 2)[0] != request.parent:
            raise invalid_argument(
                "source.name", f'"{source.name}" is not under the parent "{request.parent}"'
            )
        self._check_catalog_name(source.catalog_name)
        source.parent = request.parent
        source.display_name = source.display_name or slug
        source.write_keys.append(random_key(WRITE_KEY_LENGTH))
        source.library_config.SetInParent()  # always present in responses (SPEC §6.2)
        source.create_time.CopyFrom(self._ctx.now())
        await self._store.insert(
            source.name, request.parent, source, parent_type=WORKSPACE.resource_type
        )
        return source

    def _check_catalog_name(self, catalog_name: str) -> None:
        if not catalog_name:
            raise invalid_argument("source.catalog_name", "is required")
        if self._ctx.catalog.source(catalog_name) is None:
            raise invalid_argument(
                "source.catalog_name",
                f'"{catalog_name}" is not a source of the catalog'
                " (see GET /v1beta/catalog/sources)",
            )

    async def UpdateSource(self, request: pb.UpdateSourceRequest, caller: Caller) -> pb.Source:
        """AIP-134 with SPEC §5: only masked paths change; no paths changes nothing."""
        name = request.source.name
        parse_name(SOURCE, name, "source.name")
        paths = normalize_paths(request.update_mask.paths, "source", pb.Source)

        def mutate(current: pb.Source) -> pb.Source:
            apply_update_mask(current, request.source, paths)
            current.library_config.SetInParent()
            return current

        if not paths:
            return await self._standard.get(name, "source.name")
        updated = await self._store.update(name, mutate)
        if updated is None:
            raise self._standard.not_found(name)
        return updated

    async def DeleteSource(
        self, request: pb.DeleteSourceRequest, caller: Caller
    ) -> empty_pb2.Empty:
        """AIP-135; the source's destinations go with it (SPEC §6.2)."""
        await self._standard.delete(request.name)
        return empty_pb2.Empty()
