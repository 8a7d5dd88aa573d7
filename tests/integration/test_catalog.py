"""The catalog (SPEC §6.6): global and read-only, the starter entries, and real dump files."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import json_format
from google.protobuf.message import Message
from segment.config.v1beta import catalog_pb2

from tests.data import CATALOG_DUMPS
from tests.integration.harness import (
    MakeWorld,
    World,
    assert_resource_info,
    create_source_request,
)

DUMPS = CATALOG_DUMPS
SOURCES_DUMP = DUMPS / "sources.yml"
DESTINATIONS_DUMP = DUMPS / "destinations.yml"


@cache
def _dump_entries(path: Path, section: str) -> list[dict[str, Any]]:
    """The entries of a dump file, read once (with libyaml's parser: the pure-Python one takes
    seconds for the 580 KB destinations dump)."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    entries: list[dict[str, Any]] = document[section]
    return entries


async def _all_pages(world: World, method: str, plural: str) -> list[list[Message]]:
    """Every page of a catalog list at the default page size."""
    request_class = type(_LIST_REQUESTS[method])
    pages: list[list[Message]] = []
    token = ""
    while True:
        response = await world.call(method, request_class(page_token=token), world.read)
        pages.append(list(getattr(response, plural)))
        token = getattr(response, "next_page_token")  # noqa: B009
        if not token:
            return pages


_LIST_REQUESTS = {
    "ListCatalogSources": catalog_pb2.ListCatalogSourcesRequest(),
    "ListCatalogDestinations": catalog_pb2.ListCatalogDestinationsRequest(),
}


# ---- the built-in starter catalog --------------------------------------------------------------


@pytest.mark.parametrize(
    "method, plural",
    [("ListCatalogSources", "sources"), ("ListCatalogDestinations", "destinations")],
    ids=["sources", "destinations"],
)
async def test_the_starter_catalog_fits_one_default_page_in_name_order(
    world: World, method: str, plural: str
) -> None:
    pages = await _all_pages(world, method, plural)
    assert len(pages) == 1  # fewer than 100 entries: the default catalog page is 100
    names = [entry.name for entry in pages[0]]  # type: ignore[attr-defined]
    assert len(names) > 10  # more than the default page of other lists
    assert names == sorted(names)
    assert all(entry.display_name for entry in pages[0])  # type: ignore[attr-defined]


async def test_get_catalog_entries_equal_their_list_entries(world: World) -> None:
    for list_method, get_method, plural in [
        ("ListCatalogSources", "GetCatalogSource", "sources"),
        ("ListCatalogDestinations", "GetCatalogDestination", "destinations"),
    ]:
        [page] = await _all_pages(world, list_method, plural)
        for entry in page:
            request = type(_GET_REQUESTS[get_method])(name=entry.name)  # type: ignore[attr-defined]
            assert await world.call(get_method, request, world.read) == entry


_GET_REQUESTS = {
    "GetCatalogSource": catalog_pb2.GetCatalogSourceRequest(),
    "GetCatalogDestination": catalog_pb2.GetCatalogDestinationRequest(),
}


async def test_a_catalog_destination_lists_its_settings(world: World) -> None:
    entry = await world.call(
        "GetCatalogDestination",
        catalog_pb2.GetCatalogDestinationRequest(name="catalog/destinations/google-analytics"),
    )
    assert isinstance(entry, catalog_pb2.CatalogDestination)
    assert entry.display_name == "Google Analytics"
    tracking_id = next(s for s in entry.settings if s.name == "trackingId")
    assert (tracking_id.type, tracking_id.required) == ("STRING", True)
    assert tracking_id.string_validators.regexp == r"^UA-\d+-\d+$"


async def test_any_valid_token_reads_the_catalog(world: World) -> None:
    request = catalog_pb2.GetCatalogSourceRequest(name="catalog/sources/javascript")
    seen = [
        await world.call("GetCatalogSource", request, t)
        for t in (world.write, world.read, world.globex)
    ]
    assert seen[0] == seen[1] == seen[2]
    assert seen[0].display_name  # type: ignore[attr-defined]


async def test_a_slug_with_a_dot_is_a_catalog_name(world: World) -> None:
    request = catalog_pb2.GetCatalogSourceRequest(name="catalog/sources/.net")
    entry = await world.call("GetCatalogSource", request)
    assert entry.name == "catalog/sources/.net"  # type: ignore[attr-defined]


async def test_a_missing_catalog_entry_is_not_found(world: World) -> None:
    name = "catalog/destinations/no-such-destination"
    failure = await world.fail(
        grpc.StatusCode.NOT_FOUND,
        "GetCatalogDestination",
        catalog_pb2.GetCatalogDestinationRequest(name=name),
    )
    assert_resource_info(failure, "config.segmentapis.com/CatalogDestination", name)


# ---- real dump files loaded with --catalog (Settings.catalog_files) ----------------------------


async def test_a_loaded_dump_pages_by_100_with_every_entry_once(make_world: MakeWorld) -> None:
    world = await make_world(catalog_files=[SOURCES_DUMP, DESTINATIONS_DUMP])
    for dump, section, method in [
        (DESTINATIONS_DUMP, "destinations", "ListCatalogDestinations"),
        (SOURCES_DUMP, "sources", "ListCatalogSources"),
    ]:
        pages = await _all_pages(world, method, section)
        names = [entry.name for page in pages for entry in page]  # type: ignore[attr-defined]
        assert all(len(page) == 100 for page in pages[:-1])
        assert 0 < len(pages[-1]) <= 100
        assert len(names) == len(set(names)) and names == sorted(names)
        assert {entry["name"] for entry in _dump_entries(dump, section)} <= set(names)


async def test_a_loaded_dump_entry_is_served_as_dumped(make_world: MakeWorld) -> None:
    world = await make_world(catalog_files=[DESTINATIONS_DUMP])
    dumped = next(
        entry
        for entry in _dump_entries(DESTINATIONS_DUMP, "destinations")
        if entry["name"] == "catalog/destinations/activecampaign"
    )
    expected = json_format.ParseDict(
        dumped, catalog_pb2.CatalogDestination(), ignore_unknown_fields=True
    )
    served = await world.call(
        "GetCatalogDestination", catalog_pb2.GetCatalogDestinationRequest(name=dumped["name"])
    )
    assert served == expected


async def test_a_source_can_be_made_from_a_loaded_dump_entry(make_world: MakeWorld) -> None:
    world = await make_world(catalog_files=[SOURCES_DUMP])
    # not in the starter catalog, only in the dump
    created = await world.call("CreateSource", create_source_request("s3", catalog="amazon-s3"))
    assert created.catalog_name == "catalog/sources/amazon-s3"  # type: ignore[attr-defined]
