"""Source schema config (SPEC §6.7), methods of SourceService.

A singleton child of every source: it exists as soon as the source does, so a source whose
config was never changed answers the defaults (every `allow_*` true, every action ALLOW) without
a stored row; the first update stores it, under the source, so it goes with the source.
"""

from __future__ import annotations

from collections.abc import Callable

from segment.config.v1beta import sources_pb2 as pb

from configapi.aip.enums import unknown_enum_values
from configapi.aip.fieldmask import apply_update_mask, normalize_paths
from configapi.aip.names import SLUG, parse_name
from configapi.auth.tokens import Caller
from configapi.errors import ApiError, FieldViolation, invalid_arguments, not_found
from configapi.services.context import ServiceContext

_ALLOW_FIELDS = tuple(
    f.name for f in pb.SchemaConfig.DESCRIPTOR.fields if f.name.startswith("allow_")
)
_FORWARDING_FIELDS = ("forwarding_blocked_events_to", "forwarding_violations_to")
Action = pb.SchemaConfig.ViolationAction
# SPEC §6.7: OMIT_PROPERTIES is for track events, OMIT_TRAITS for identify and group calls.
_ACTIONS = {
    "common_track_event_on_violations": (pb.SchemaConfig.ALLOW, pb.SchemaConfig.OMIT_PROPERTIES),
    "common_identify_event_on_violations": (pb.SchemaConfig.ALLOW, pb.SchemaConfig.OMIT_TRAITS),
    "common_group_event_on_violations": (pb.SchemaConfig.ALLOW, pb.SchemaConfig.OMIT_TRAITS),
}


class SchemaConfigMethods:
    """GetSchemaConfig and UpdateSchemaConfig over one collection."""

    def __init__(self, context: ServiceContext) -> None:
        self._configs = context.collection(pb.SchemaConfig)
        self._config = context.resource(pb.SchemaConfig)
        self._sources = context.collection(pb.Source)
        self._source_type = context.resource(pb.Source).type

    async def GetSchemaConfig(
        self, request: pb.GetSchemaConfigRequest, caller: Caller
    ) -> pb.SchemaConfig:
        """AIP-131 (AIP-156 singleton); NOT_FOUND when its source does not exist."""
        return await self._current(request.name, "name")

    async def UpdateSchemaConfig(
        self, request: pb.UpdateSchemaConfigRequest, caller: Caller
    ) -> pb.SchemaConfig:
        """AIP-134 with SPEC §5; forwarding targets must be sources of the same workspace."""
        name = request.schema_config.name
        ids = parse_name(self._config.pattern, name, "schema_config.name")
        paths = normalize_paths(request.update_mask.paths, "schema_config", pb.SchemaConfig)
        if not paths:
            return await self._current(name, "schema_config.name")
        sent = request.schema_config
        await self._check(sent, paths, ids["workspace"])

        def mutate(current: pb.SchemaConfig) -> pb.SchemaConfig:
            apply_update_mask(current, sent, paths)
            return current

        return await self._upsert(name, mutate)

    async def _current(self, name: str, field_path: str) -> pb.SchemaConfig:
        parse_name(self._config.pattern, name, field_path)
        stored = await self._configs.get(name)
        if stored is not None:
            return stored
        if await self._sources.get(_source_of(name)) is None:
            raise not_found(self._config.type, name)
        return _defaults(name)

    async def _upsert(
        self, name: str, mutate: Callable[[pb.SchemaConfig], pb.SchemaConfig]
    ) -> pb.SchemaConfig:
        """Update the stored config, or store the defaults updated; the insert checks the
        source exists in its transaction. A concurrent first update makes the insert collide:
        then the stored one is updated."""
        updated = await self._configs.update(name, mutate)
        if updated is not None:
            return updated
        config = mutate(_defaults(name))
        try:
            await self._configs.insert(
                name, _source_of(name), config, parent_type=self._source_type
            )
        except ApiError as error:
            if error.reason != "RESOURCE_ALREADY_EXISTS":
                raise
            again = await self._configs.update(name, mutate)
            if again is None:
                raise not_found(self._config.type, name) from None
            return again
        return config

    async def _check(self, sent: pb.SchemaConfig, paths: list[str], workspace: str) -> None:
        """400 for a masked field holding a value SPEC §6.7 does not allow."""
        problems = [
            v for v in unknown_enum_values(sent, "schema_config") if v.field.split(".")[1] in paths
        ]
        for field, allowed in _ACTIONS.items():
            value = getattr(sent, field)
            if (
                field in paths
                and value not in (*allowed, pb.SchemaConfig.BLOCK)
                and not any(p.field == f"schema_config.{field}" for p in problems)
            ):
                names = ", ".join(Action.Name(a) for a in (*allowed, pb.SchemaConfig.BLOCK))
                problems.append(FieldViolation(f"schema_config.{field}", f"must be one of {names}"))
        for field in _FORWARDING_FIELDS:
            if field in paths and not await self._is_source_slug(getattr(sent, field), workspace):
                problems.append(
                    FieldViolation(
                        f"schema_config.{field}",
                        f'"{getattr(sent, field)}" must be the slug of a source of'
                        f' workspaces/{workspace}, or "" (off)',
                    )
                )
        if problems:
            raise invalid_arguments(problems)

    async def _is_source_slug(self, value: str, workspace: str) -> bool:
        if not value:
            return True
        if not SLUG.fullmatch(value):
            return False
        return await self._sources.get(f"workspaces/{workspace}/sources/{value}") is not None


def _source_of(name: str) -> str:
    return name.rsplit("/", 1)[0]


def _defaults(name: str) -> pb.SchemaConfig:
    """SPEC §6.7: every `allow_*` true, every action ALLOW (the zero value), no forwarding."""
    config = pb.SchemaConfig(name=name, parent=_source_of(name))
    for field in _ALLOW_FIELDS:
        setattr(config, field, True)
    return config
