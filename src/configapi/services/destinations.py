"""DestinationService (SPEC §6.3): one destination per catalog destination per source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from google.protobuf import empty_pb2
from segment.config.v1beta import catalog_pb2
from segment.config.v1beta import destinations_pb2 as pb

from configapi.aip.enums import unknown_enum_values
from configapi.aip.fieldbehavior import clear_output_only
from configapi.aip.fieldmask import apply_update_mask, normalize_paths
from configapi.aip.limits import MAX_RESOURCE_BYTES, resource_size_problem
from configapi.aip.names import parse_name
from configapi.auth.tokens import Caller
from configapi.catalog import check_destination_config
from configapi.errors import invalid_argument, invalid_arguments
from configapi.services.context import ServiceContext
from configapi.services.resource_types import DESTINATION, SOURCE
from configapi.services.standard_methods import StandardMethods

_CONFIG = "config"


class DestinationServicer:
    """Destinations of a source."""

    SERVICE: ClassVar[str] = "segment.config.v1beta.DestinationService"

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._store = context.repository.destinations
        self._standard = StandardMethods(context, self._store, DESTINATION, SOURCE)

    async def ListDestinations(
        self, request: pb.ListDestinationsRequest, caller: Caller
    ) -> pb.ListDestinationsResponse:
        """AIP-132."""
        items, token = await self._standard.list(request, request.parent)
        return pb.ListDestinationsResponse(destinations=items, next_page_token=token)

    async def GetDestination(
        self, request: pb.GetDestinationRequest, caller: Caller
    ) -> pb.Destination:
        """AIP-131."""
        return await self._standard.get(request.name)

    async def CreateDestination(
        self, request: pb.CreateDestinationRequest, caller: Caller
    ) -> pb.Destination:
        """AIP-133: the parent source must exist (404), the slug must be a catalog destination
        (400), an existing one is 409; config entries must fit their catalog settings (400)."""
        parse_name(SOURCE, request.parent, "parent")
        destination = pb.Destination()
        destination.CopyFrom(request.destination)
        clear_output_only(destination)
        _check_enums(destination, None)
        entry = self._catalog_entry(destination.name, request.parent)
        checked = check_destination_config(entry, destination.name, destination.config)
        del destination.config[:]
        destination.config.extend(checked)
        destination.parent = request.parent
        destination.display_name = entry.display_name
        destination.create_time.CopyFrom(self._ctx.now())
        destination.update_time.CopyFrom(destination.create_time)
        await self._store.insert(
            destination.name, request.parent, destination, parent_type=SOURCE.resource_type
        )
        return destination

    def _catalog_entry(self, name: str, parent: str) -> catalog_pb2.CatalogDestination:
        slug = parse_name(DESTINATION, name, "destination.name")["destination"]
        if name.rsplit("/", 2)[0] != parent:
            raise invalid_argument(
                "destination.name", f'"{name}" is not under the parent "{parent}"'
            )
        entry = self._ctx.catalog.destination(f"catalog/destinations/{slug}")
        if entry is None:
            raise invalid_argument(
                "destination.name",
                f'"{slug}" is not a destination of the catalog'
                " (see GET /v1beta/catalog/destinations)",
            )
        return entry

    async def UpdateDestination(
        self, request: pb.UpdateDestinationRequest, caller: Caller
    ) -> pb.Destination:
        """AIP-134 with SPEC §5; `config` merges by setting name, an empty one clears it."""
        name = request.destination.name
        slug = parse_name(DESTINATION, name, "destination.name")["destination"]
        paths = normalize_paths(request.update_mask.paths, "destination", pb.Destination)
        if not paths:
            return await self._standard.get(name, "destination.name")
        _check_enums(request.destination, paths)
        checked = self._checked_config(slug, name, request.destination.config, paths)
        now = self._ctx.now()

        def mutate(current: pb.Destination) -> pb.Destination:
            apply_update_mask(current, request.destination, [p for p in paths if p != _CONFIG])
            if checked is not None:
                _merge_config(current, checked)
            current.update_time.CopyFrom(now)
            if current.ByteSize() > MAX_RESOURCE_BYTES:  # merged config, old and new together
                raise invalid_argument("destination", resource_size_problem(current))
            return current

        updated = await self._store.update(name, mutate)
        if updated is None:
            raise self._standard.not_found(name)
        return updated

    def _checked_config(
        self, slug: str, name: str, config: Sequence[pb.DestinationConfig], paths: list[str]
    ) -> list[pb.DestinationConfig] | None:
        if _CONFIG not in paths:
            return None
        entry = self._ctx.catalog.destination(f"catalog/destinations/{slug}")
        if entry is None:  # the catalog no longer has it: nothing can be set
            raise invalid_argument(
                "destination.name", f'"{slug}" is not a destination of the catalog'
            )
        return check_destination_config(entry, name, config)

    async def DeleteDestination(
        self, request: pb.DeleteDestinationRequest, caller: Caller
    ) -> empty_pb2.Empty:
        """AIP-135."""
        await self._standard.delete(request.name)
        return empty_pb2.Empty()


def _check_enums(destination: pb.Destination, paths: list[str] | None) -> None:
    """AIP-126: an undeclared enum number (e.g. `connection_mode` 7) is 400, not stored; on
    update only the masked fields count (SPEC §5: the rest of the body is ignored)."""
    violations = [
        v
        for v in unknown_enum_values(destination, "destination")
        if paths is None or v.field.split(".")[1].split("[")[0] in paths
    ]
    if violations:
        raise invalid_arguments(violations)


def _merge_config(destination: pb.Destination, sent: list[pb.DestinationConfig]) -> None:
    """SPEC §6.3: entries sent replace those of the same name, others stay; none clears all."""
    if not sent:
        del destination.config[:]
        return
    by_name = {entry.name: entry for entry in destination.config}
    by_name.update({entry.name: entry for entry in sent})
    merged = list(by_name.values())
    del destination.config[:]
    destination.config.extend(merged)
