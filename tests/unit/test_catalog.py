"""The catalog loader, the starter catalog and the in-memory Catalog (SPEC §6.6; pages, §4)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from google.protobuf import json_format
from segment.config.v1beta import catalog_pb2

from configapi.catalog import (
    Catalog,
    CatalogFileError,
    load_catalog,
    load_catalog_file,
    parse_catalog,
    starter_catalog,
)
from tests.data import CATALOG_DUMPS

SETTING_TYPES = {
    "STRING",
    "BOOLEAN",
    "NUMBER",
    "SELECT",
    "LIST",
    "MAP",
    "MIXED",
    "PASSWORD",
    "COLOR",
    "MULTI_LINE_STRING",
}


@pytest.fixture(scope="module")
def real() -> Catalog:
    """The two real dumps of 2019, loaded without the starter catalog."""
    sources = load_catalog_file(CATALOG_DUMPS / "sources.yml")
    return sources.merge(load_catalog_file(CATALOG_DUMPS / "destinations.yml"))


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Writes a catalog file into a temp dir and returns its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def source_entry(slug: str, display_name: str = "") -> dict[str, object]:
    return {"name": f"catalog/sources/{slug}", "display_name": display_name or slug}


def setting_named(
    settings: Iterable[catalog_pb2.DestinationSetting], name: str
) -> catalog_pb2.DestinationSetting:
    found = [setting for setting in settings if setting.name == name]
    assert len(found) == 1, name
    return found[0]


# ---- the real dumps --------------------------------------------------------------------------


def test_real_dumps_load_every_entry(real: Catalog) -> None:
    assert len(real.sources()) == 43
    assert len(real.destinations()) == 283


def test_real_entries_are_ordered_by_name(real: Catalog) -> None:
    names = [entry.name for entry in real.destinations()]
    assert names == sorted(names)
    assert real.sources()[0].name == "catalog/sources/.net"


def test_real_source_fields(real: Catalog) -> None:
    airship = real.source("catalog/sources/airship")
    assert airship is not None
    assert airship.display_name == "Airship"
    assert airship.description.startswith("Airship gives brands the data")
    assert list(airship.categories) == [
        "Marketing Automation",
        "Email Marketing",
        "SMS & Push Notifications",
    ]
    assert airship.logos.logo.endswith("ba6dde79-7795-4244-866f-bad97143ad19.svg")
    assert airship.logos.mark.endswith("d2db5588-db19-4296-bd6e-087d33218657.svg")


def test_real_destination_top_level_fields(real: Catalog) -> None:
    adjust = real.destination("catalog/destinations/adjust")
    assert adjust is not None
    assert (adjust.display_name, adjust.type, adjust.status) == ("Adjust", "STREAMING", "PUBLIC")
    assert adjust.website == "https://adjust.com/"
    assert adjust.categories.primary == "Attribution"
    assert adjust.categories.secondary == "Deep Linking"
    assert [component.type for component in adjust.components] == ["IOS", "ANDROID", "CLOUD"]
    assert (adjust.platforms.browser, adjust.platforms.server, adjust.platforms.mobile) == (
        False,
        True,
        True,
    )
    assert adjust.methods.track and not adjust.methods.page_view and not adjust.methods.alias


def test_real_camel_case_flags(real: Catalog) -> None:
    amplitude = real.destination("catalog/destinations/amplitude")
    airship = real.destination("catalog/destinations/airship")
    assert amplitude is not None and airship is not None
    assert amplitude.browserUnbundlingSupported is True
    assert amplitude.browserUnbundlingPublic is True
    assert airship.browserUnbundlingSupported is False
    assert airship.browserUnbundlingPublic is False


def test_real_string_and_number_validators(real: Catalog) -> None:
    adikteev = real.destination("catalog/destinations/adikteev")
    adjust = real.destination("catalog/destinations/adjust")
    assert adikteev is not None and adjust is not None
    api_key = setting_named(adikteev.settings, "apiKey")
    assert (api_key.type, api_key.required) == ("STRING", True)
    assert api_key.string_validators.regexp == "^[a-zA-Z0-9]*$"
    delay = setting_named(adjust.settings, "delayTime")
    assert delay.type == "NUMBER"
    assert (delay.number_validators.min, delay.number_validators.max) == (0, 10)


def test_real_map_validators_with_select_options(real: Catalog) -> None:
    facebook = real.destination("catalog/destinations/facebook-pixel")
    adobe = real.destination("catalog/destinations/adobe-analytics")
    assert facebook is not None and adobe is not None
    standard_events = setting_named(facebook.settings, "standardEvents").map_validators
    assert standard_events.select_options[:3] == ["ViewContent", "Search", "AddToCart"]
    assert (standard_events.min, standard_events.max, standard_events.map_prefix) == (0, 0, "")
    evars = setting_named(adobe.settings, "eVars").map_validators
    assert (evars.max, evars.map_prefix, list(evars.select_options)) == (250, "eVar", [])


def test_real_nested_settings_keep_their_depth(real: Catalog) -> None:
    marketo = real.destination("catalog/destinations/marketo-v2")
    assert marketo is not None
    events = setting_named(marketo.settings, "events")
    assert events.type == "MIXED"
    activity_id = setting_named(events.settings, "marketoActivityId")
    assert activity_id.string_validators.regexp == "^[0-9]+$"
    fields = setting_named(events.settings, "segmentProperty")
    attribute_type = setting_named(fields.settings, "marketoAttributeType")
    assert list(attribute_type.select_validators.select_options) == [
        "string",
        "boolean",
        "number",
        "date",
    ]


def test_settings_without_validators_leave_them_unset(real: Catalog) -> None:
    adjust = real.destination("catalog/destinations/adjust")
    assert adjust is not None
    buffering = setting_named(adjust.settings, "setEventBufferingEnabled")
    for validators in ("string_validators", "number_validators", "select_validators"):
        assert not buffering.HasField(validators)
    assert not buffering.HasField("map_validators")
    as_json = json_format.MessageToDict(buffering, preserving_proto_field_name=True)
    assert not any(key.endswith("_validators") for key in as_json)


def test_empty_regexp_validators_stay_present(real: Catalog) -> None:
    """The real dump sends `string_validators: {regexp: ''}`; it stays, as the original did."""
    adjust = real.destination("catalog/destinations/adjust")
    assert adjust is not None
    app_token = setting_named(adjust.settings, "appToken")
    assert app_token.HasField("string_validators")
    assert app_token.string_validators.regexp == ""


def test_real_dump_as_json_reads_the_same(real: Catalog, tmp_path: Path) -> None:
    import yaml

    text = (CATALOG_DUMPS / "destinations.yml").read_text(encoding="utf-8")
    document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    path = tmp_path / "destinations.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert list(load_catalog_file(path).destinations()) == list(real.destinations())


# ---- the starter catalog ---------------------------------------------------------------------


def test_starter_catalog_has_common_sources_and_destinations() -> None:
    starter = starter_catalog()
    for slug in ("javascript", "ios", "android", "node", "python", "go", "http-api"):
        assert starter.source(f"catalog/sources/{slug}") is not None, slug
    for slug in ("google-analytics", "amplitude", "mixpanel", "webhooks", "slack", "braze"):
        assert starter.destination(f"catalog/destinations/{slug}") is not None, slug
    assert len(starter.sources()) >= 20
    assert len(starter.destinations()) >= 25


def test_starter_catalog_uses_every_setting_type() -> None:
    types = {s.type for entry in starter_catalog().destinations() for s in entry.settings}
    assert types == SETTING_TYPES


def test_starter_catalog_uses_every_kind_of_validator() -> None:
    settings = [s for entry in starter_catalog().destinations() for s in entry.settings]
    for validators in (
        "string_validators",
        "number_validators",
        "select_validators",
        "map_validators",
    ):
        assert any(s.HasField(validators) for s in settings), validators


def test_starter_file_is_compact() -> None:
    from importlib import resources

    data = resources.files("configapi.catalog").joinpath("data", "starter.json")
    assert len(data.read_bytes()) < 100_000


# ---- merging and overriding ------------------------------------------------------------------


def test_load_catalog_adds_files_to_the_starter(write_file: Callable[[str, str], Path]) -> None:
    extra = write_file("extra.json", json.dumps({"sources": [source_entry("cobol")]}))
    catalog = load_catalog([extra])
    assert catalog.source("catalog/sources/cobol") is not None
    assert catalog.source("catalog/sources/javascript") is not None


def test_later_files_override_entries_of_the_same_name(
    write_file: Callable[[str, str], Path],
) -> None:
    first = write_file(
        "first.yml", "sources:\n- name: catalog/sources/javascript\n  display_name: A\n"
    )
    second = write_file("second.json", json.dumps({"sources": [source_entry("javascript", "B")]}))
    catalog = load_catalog([first, second])
    javascript = catalog.source("catalog/sources/javascript")
    assert javascript is not None and javascript.display_name == "B"
    assert [s.name for s in catalog.sources()].count("catalog/sources/javascript") == 1


def test_no_files_is_the_starter_catalog() -> None:
    assert list(load_catalog([]).destinations()) == list(starter_catalog().destinations())


def test_merge_leaves_both_catalogs_unchanged() -> None:
    left = Catalog(sources=[catalog_pb2.CatalogSource(name="catalog/sources/a", display_name="1")])
    right = Catalog(sources=[catalog_pb2.CatalogSource(name="catalog/sources/a", display_name="2")])
    merged = left.merge(right)
    assert [s.display_name for s in merged.sources()] == ["2"]
    assert [s.display_name for s in left.sources()] == ["1"]


# ---- keyset pages ----------------------------------------------------------------------------


def test_pages_walk_every_entry_once() -> None:
    """Five sources, pages of two: a, b | c, d | e, and the last page says so."""
    catalog = Catalog(sources=[source_message(slug) for slug in "ecadb"])
    pages = []
    after = ""
    while True:
        page = catalog.sources_after(after, 2)
        pages.append([entry.name[-1] for entry in page.entries])
        if not page.next_after:
            break
        after = page.next_after
    assert pages == [["a", "b"], ["c", "d"], ["e"]]


def test_a_full_last_page_has_no_next() -> None:
    catalog = Catalog(sources=[source_message(slug) for slug in "abcd"])
    assert catalog.sources_after("catalog/sources/b", 2).next_after == ""


def test_pages_continue_after_a_name_that_is_gone() -> None:
    catalog = Catalog(sources=[source_message(slug) for slug in "ace"])
    page = catalog.sources_after("catalog/sources/b", 10)
    assert [entry.name for entry in page.entries] == ["catalog/sources/c", "catalog/sources/e"]


def test_destination_pages(real: Catalog) -> None:
    first = real.destinations_after("", 100)
    assert len(first.entries) == 100
    assert first.next_after == first.entries[-1].name
    rest = real.destinations_after(first.next_after, 1000)
    assert len(rest.entries) == 183 and rest.next_after == ""


def test_page_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        Catalog().sources_after("", 0)


def source_message(slug: str) -> catalog_pb2.CatalogSource:
    return catalog_pb2.CatalogSource(name=f"catalog/sources/{slug}")


def test_unknown_names_are_none(real: Catalog) -> None:
    assert real.source("catalog/sources/nope") is None
    assert real.destination("catalog/sources/javascript") is None


# ---- malformed files -------------------------------------------------------------------------

MALFORMED = [
    pytest.param("a.yml", "- 1\n- 2\n", r"a\.yml: expected a mapping with a top-level", id="list"),
    pytest.param("a.yml", "", r"a\.yml: expected a mapping", id="empty-file"),
    pytest.param("a.yml", "other: []\n", r"`sources` or `destinations`", id="no-known-section"),
    pytest.param("a.yml", "sources: {}\n", r"`sources` must be a list", id="section-not-list"),
    pytest.param("a.yml", "sources: [: :\n", r"a\.yml: not a valid YAML document", id="bad-yaml"),
    pytest.param("a.json", "{", r"a\.json: not a valid JSON document", id="bad-json"),
    pytest.param(
        "a.yml", "sources:\n- 3\n", r"sources\[0\]: expected a mapping, got number", id="entry"
    ),
    pytest.param(
        "a.yml",
        "sources:\n- display_name: X\n",
        r"sources\[0\]: name: expected a name like catalog/sources/<slug> .*, got missing",
        id="no-name",
    ),
    pytest.param(
        "a.yml",
        "destinations:\n- name: catalog/sources/js\n",
        r"destinations\[0\] \(catalog/sources/js\): name: expected a name like "
        r"catalog/destinations/<slug> .*, got 'catalog/sources/js'",
        id="name-of-other-kind",
    ),
    pytest.param(
        "a.yml",
        "sources:\n- name: catalog/sources/a\n- name: catalog/sources/a/b\n",
        r"sources\[1\] \(catalog/sources/a/b\): name: expected a name like",
        id="name-with-slash",
    ),
    pytest.param(
        "a.yml",
        "sources:\n- name: catalog/sources/JavaScript\n",
        r"sources\[0\] \(catalog/sources/JavaScript\): name: expected a name like",
        id="slug-with-capitals",
    ),
    pytest.param(
        "a.yml",
        "sources:\n- name: catalog/sources/..\n",
        r"name: expected a name like",
        id="slug-dot-dot",
    ),
    pytest.param(
        "a.yml",
        "sources:\n- name: catalog/sources/a\n  categories: Server\n",
        r"sources\[0\] \(catalog/sources/a\): categories: expected a list, got string",
        id="categories-not-list",
    ),
    pytest.param(
        "a.yml",
        "destinations:\n- name: catalog/destinations/d\n  platforms: {browser: 'yes'}\n",
        r"platforms\.browser: expected a boolean, got string",
        id="flag-not-boolean",
    ),
    pytest.param(
        "a.yml",
        "destinations:\n- name: catalog/destinations/d\n  settings:\n  - {name: k}\n",
        r"\(catalog/destinations/d\): settings\[0\]\.type: is required",
        id="setting-without-type",
    ),
    pytest.param(
        "a.yml",
        "destinations:\n- name: catalog/destinations/d\n  settings:\n"
        "  - {name: m, type: MIXED, settings: [{name: n, type: NUMBER,"
        " number_validators: {min: low}}]}\n",
        r"settings\[0\]\.settings\[0\]\.number_validators\.min: expected an integer, got string",
        id="nested-validator-wrong-type",
    ),
    pytest.param(
        "a.yml",
        "destinations:\n- name: catalog/destinations/d\n  settings:\n"
        "  - {name: s, type: STRING, string_validators: {regexp: '('}}\n",
        r"settings\[0\]\.string_validators\.regexp: not a valid regular expression",
        id="bad-regexp",
    ),
    pytest.param(
        "a.yml",
        "sources:\n- name: catalog/sources/a\n- name: catalog/sources/a\n",
        r"sources\[1\] \(catalog/sources/a\): duplicate of sources\[0\]",
        id="duplicate-in-one-file",
    ),
]


@pytest.mark.parametrize(("file_name", "text", "message"), MALFORMED)
def test_malformed_files_name_file_entry_and_field(
    write_file: Callable[[str, str], Path], file_name: str, text: str, message: str
) -> None:
    path = write_file(file_name, text)
    with pytest.raises(CatalogFileError, match=message) as raised:
        load_catalog_file(path)
    assert str(raised.value).startswith(str(path))


def test_missing_file_is_a_catalog_file_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError, match="cannot read catalog file"):
        load_catalog([tmp_path / "absent.yml"])


def test_unknown_keys_and_nulls_are_ignored() -> None:
    catalog = parse_catalog(
        "# AUTOGENERATED FROM PLATFORM API. DO NOT EDIT\n---\n"
        "destinations:\n- name: catalog/destinations/d\n  description:\n  future_key: 1\n"
        "  settings:\n  - {name: s, type: STRING, string_validators: null, hint: x}\n",
        origin="inline",
    )
    destination = catalog.destination("catalog/destinations/d")
    assert destination is not None
    assert destination.description == ""
    assert not destination.HasField("logos")
    assert not destination.settings[0].HasField("string_validators")


def test_unknown_setting_types_load() -> None:
    """A newer dump may bring a type this server does not know; it still loads."""
    catalog = parse_catalog(
        '{"destinations": [{"name": "catalog/destinations/d", '
        '"settings": [{"name": "s", "type": "ARRAY"}]}]}',
        origin="inline",
        is_json=True,
    )
    destination = catalog.destination("catalog/destinations/d")
    assert destination is not None and destination.settings[0].type == "ARRAY"
