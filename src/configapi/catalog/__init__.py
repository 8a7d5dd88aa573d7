"""The catalog (SPEC §6.6): built-in starter entries, dump files, and config checks (SPEC §6.3).

Services use:
- `load_catalog(paths)` once, at composition, then the `Catalog` it returns;
- `Catalog.source/destination(name)`, `Catalog.sources_after/destinations_after(after, limit)`;
- `check_destination_config(...)` (or `check_config_values(...)`) on Create and Update.
"""

from configapi.catalog.catalog import Catalog, CatalogPage
from configapi.catalog.config_values import (
    CheckedConfigValue,
    ConfigValue,
    check_config_values,
    check_destination_config,
    setting_type,
)
from configapi.catalog.jsonvalue import JsonValue, json_type_of, json_value_of
from configapi.catalog.loader import (
    CatalogFileError,
    load_catalog,
    load_catalog_file,
    parse_catalog,
    starter_catalog,
)
from configapi.catalog.setting_values import value_problem

__all__ = [
    "Catalog",
    "CatalogFileError",
    "CatalogPage",
    "CheckedConfigValue",
    "ConfigValue",
    "JsonValue",
    "check_config_values",
    "check_destination_config",
    "json_type_of",
    "json_value_of",
    "load_catalog",
    "load_catalog_file",
    "parse_catalog",
    "setting_type",
    "starter_catalog",
    "value_problem",
]
