"""Catalog entries of a dump document, as `CatalogSource` / `CatalogDestination` messages.

Implements the entry shapes of SPEC §6.6, in the original API's dump format: snake_case keys,
except the two camelCase `browserUnbundling*` flags the original wire format really had.
Unknown keys are ignored; a missing key or `null` means the field's empty value; a value of the
wrong type is an `EntryProblem` naming where in the entry it is (the loader adds file and entry).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from segment.config.v1beta import catalog_pb2

from configapi.catalog.jsonvalue import json_type_of
from configapi.catalog.patterns import matcher

# Catalog slugs are looser than caller-picked slugs (SPEC §6): the real catalog has
# `catalog/sources/.net` and `catalog/destinations/customer.io`. Same rule as aip/names.py's
# catalog ids, so every loaded entry can be fetched by its name.
_SLUG = r"(?!\.{1,2}$)[a-z0-9._-]{1,63}"
_NAME_PATTERNS = {
    "sources": re.compile(rf"catalog/sources/{_SLUG}"),
    "destinations": re.compile(rf"catalog/destinations/{_SLUG}"),
}

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


class EntryProblem(Exception):
    """What is wrong inside one entry, and where (`settings[2].type`)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


# ---- typed reads of one key; `where` is the path of the mapping holding it -------------------


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _expected(where: str, key: str, expected: str, value: object) -> EntryProblem:
    return EntryProblem(_at(where, key), f"expected {expected}, got {json_type_of(value)}")


def _text(data: Mapping[str, object], key: str, where: str = "") -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _expected(where, key, "a string", value)
    return value


def _flag(data: Mapping[str, object], key: str, where: str = "") -> bool:
    value = data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _expected(where, key, "a boolean", value)
    return value


def _int32(data: Mapping[str, object], key: str, where: str = "") -> int:
    value = data.get(key)
    if value is None:
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expected(where, key, "an integer", value)
    if not _INT32_MIN <= value <= _INT32_MAX:
        raise EntryProblem(_at(where, key), f"{value} does not fit in 32 bits")
    return value


def _texts(data: Mapping[str, object], key: str, where: str = "") -> list[str]:
    items = _list(data, key, where)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise _expected(where, f"{key}[{index}]", "a string", item)
    return [str(item) for item in items]


def _list(data: Mapping[str, object], key: str, where: str = "") -> Sequence[object]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _expected(where, key, "a list", value)
    return value


def _mapping(data: Mapping[str, object], key: str, where: str = "") -> Mapping[str, object] | None:
    value = data.get(key)
    if value is None:
        return None
    return as_mapping(value, _at(where, key))


def _mappings(data: Mapping[str, object], key: str, where: str = "") -> list[Mapping[str, object]]:
    items = _list(data, key, where)
    return [as_mapping(item, _at(where, f"{key}[{index}]")) for index, item in enumerate(items)]


def as_mapping(value: object, where: str) -> Mapping[str, object]:
    """`value` as a mapping, or an `EntryProblem` at `where`."""
    if not isinstance(value, dict):
        raise EntryProblem(where, f"expected a mapping, got {json_type_of(value)}")
    return value


# ---- entries -------------------------------------------------------------------------------


def entry_name(entry: Mapping[str, object], section: str) -> str:
    """The entry's `name`, which must be `catalog/<section>/<slug>`."""
    name = _text(entry, "name")
    if not _NAME_PATTERNS[section].fullmatch(name):
        expected = f"catalog/{section}/<slug> (slug of a-z, 0-9, '.', '_', '-')"
        shown = repr(name) if name else "missing"
        raise EntryProblem("name", f"expected a name like {expected}, got {shown}")
    return name


def catalog_source(entry: Mapping[str, object]) -> catalog_pb2.CatalogSource:
    """One entry of a `sources` list (SPEC §6.6)."""
    return catalog_pb2.CatalogSource(
        name=entry_name(entry, "sources"),
        display_name=_text(entry, "display_name"),
        description=_text(entry, "description"),
        categories=_texts(entry, "categories"),
        logos=_logos(entry),
    )


def catalog_destination(entry: Mapping[str, object]) -> catalog_pb2.CatalogDestination:
    """One entry of a `destinations` list (SPEC §6.6)."""
    destination = catalog_pb2.CatalogDestination(
        name=entry_name(entry, "destinations"),
        display_name=_text(entry, "display_name"),
        description=_text(entry, "description"),
        type=_text(entry, "type"),
        website=_text(entry, "website"),
        status=_text(entry, "status"),
        logos=_logos(entry),
        categories=_destination_categories(entry),
        components=[_component(item, where) for item, where in _indexed(entry, "components")],
        platforms=_platforms(entry),
        methods=_methods(entry),
        settings=[setting(item, where) for item, where in _indexed(entry, "settings")],
    )
    # camelCase in the dump and in the proto alike; a keyword argument cannot spell them all
    # the same way across protobuf runtimes, so set them as attributes.
    destination.browserUnbundlingSupported = _flag(entry, "browserUnbundlingSupported")
    destination.browserUnbundlingPublic = _flag(entry, "browserUnbundlingPublic")
    return destination


def _indexed(
    data: Mapping[str, object], key: str, where: str = ""
) -> list[tuple[Mapping[str, object], str]]:
    """The mappings of a list with their paths (`settings[3]`), for nested error messages."""
    return [
        (item, _at(where, f"{key}[{index}]"))
        for index, item in enumerate(_mappings(data, key, where))
    ]


def _logos(entry: Mapping[str, object]) -> catalog_pb2.Logos | None:
    logos = _mapping(entry, "logos")
    if logos is None:
        return None
    return catalog_pb2.Logos(logo=_text(logos, "logo", "logos"), mark=_text(logos, "mark", "logos"))


def _destination_categories(
    entry: Mapping[str, object],
) -> catalog_pb2.DestinationCategories | None:
    categories = _mapping(entry, "categories")
    if categories is None:
        return None
    return catalog_pb2.DestinationCategories(
        primary=_text(categories, "primary", "categories"),
        secondary=_text(categories, "secondary", "categories"),
        additional=_texts(categories, "additional", "categories"),
    )


def _component(item: Mapping[str, object], where: str) -> catalog_pb2.DestinationComponent:
    return catalog_pb2.DestinationComponent(type=_text(item, "type", where))


def _platforms(entry: Mapping[str, object]) -> catalog_pb2.DestinationPlatforms | None:
    platforms = _mapping(entry, "platforms")
    if platforms is None:
        return None
    return catalog_pb2.DestinationPlatforms(
        **{key: _flag(platforms, key, "platforms") for key in ("browser", "server", "mobile")}
    )


def _methods(entry: Mapping[str, object]) -> catalog_pb2.DestinationMethods | None:
    methods = _mapping(entry, "methods")
    if methods is None:
        return None
    keys = ("alias", "group", "identify", "page_view", "track")
    return catalog_pb2.DestinationMethods(**{key: _flag(methods, key, "methods") for key in keys})


# ---- settings ------------------------------------------------------------------------------


def setting(item: Mapping[str, object], where: str) -> catalog_pb2.DestinationSetting:
    """One setting with its nested settings; validators only where the dump has them."""
    result = catalog_pb2.DestinationSetting(
        name=_required_text(item, "name", where),
        display_name=_text(item, "display_name", where),
        type=_required_text(item, "type", where),
        deprecated=_flag(item, "deprecated", where),
        required=_flag(item, "required", where),
        description=_text(item, "description", where),
        settings=[setting(child, path) for child, path in _indexed(item, "settings", where)],
    )
    _read_validators(item, where, result)
    return result


def _required_text(data: Mapping[str, object], key: str, where: str) -> str:
    value = _text(data, key, where)
    if not value:
        raise EntryProblem(_at(where, key), "is required")
    return value


def _read_validators(
    item: Mapping[str, object], where: str, result: catalog_pb2.DestinationSetting
) -> None:
    """Fill the validator messages the dump has; absent ones stay unset, so JSON omits them."""
    if (found := _mapping(item, "string_validators", where)) is not None:
        path = _at(where, "string_validators")
        result.string_validators.SetInParent()
        result.string_validators.regexp = _regexp(found, path)
    if (found := _mapping(item, "number_validators", where)) is not None:
        path = _at(where, "number_validators")
        result.number_validators.SetInParent()
        result.number_validators.min = _int32(found, "min", path)
        result.number_validators.max = _int32(found, "max", path)
    if (found := _mapping(item, "select_validators", where)) is not None:
        path = _at(where, "select_validators")
        result.select_validators.SetInParent()
        result.select_validators.select_options.extend(_texts(found, "select_options", path))
    if (found := _mapping(item, "map_validators", where)) is not None:
        result.map_validators.CopyFrom(_map_validators(found, _at(where, "map_validators")))


def _map_validators(found: Mapping[str, object], path: str) -> catalog_pb2.MapValidators:
    return catalog_pb2.MapValidators(
        regexp=_regexp(found, path),
        min=_int32(found, "min", path),
        max=_int32(found, "max", path),
        map_prefix=_text(found, "map_prefix", path),
        select_options=_texts(found, "select_options", path),
    )


def _regexp(data: Mapping[str, object], where: str) -> str:
    """The `regexp` key; it must compile, or config validation could not use it (SPEC §6.3)."""
    pattern = _text(data, "regexp", where)
    try:
        matcher(pattern)  # compiled as validation will run it (RE2, or `re` on short values)
    except re.error as error:
        raise EntryProblem(
            _at(where, "regexp"), f"not a valid regular expression: {error}"
        ) from None
    return pattern
