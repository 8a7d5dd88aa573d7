"""Pagination of every List method (SPEC §4): sizes, opaque request-bound tokens, stable order."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    catalog_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from configapi.auth.tokens import SCOPE_READ
from tests.data import CATALOG_DUMPS
from tests.integration.harness import (
    MakeWorld,
    World,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    source_name,
    violated_fields,
)

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
DUMP_DESTINATIONS = CATALOG_DUMPS / "destinations.yml"


async def walk(
    world: World, method: str, request: Message, plural: str, token: str | None = None
) -> list[list[str]]:
    """Follow `next_page_token` from `request` to the last page: the names on each page.

    Checks SPEC §4's token rules on the way: URL-safe, and `""` on the last page only.
    """
    pages: list[list[str]] = []
    while True:
        response = await world.call(method, request, token)
        pages.append([item.name for item in getattr(response, plural)])
        next_token: str = getattr(response, "next_page_token")  # noqa: B009
        if not next_token:
            return pages
        assert URL_SAFE.fullmatch(next_token), next_token
        assert len(pages) < 100, "the walk does not end"
        request = _with_token(request, next_token)


def _with_token(request: Message, page_token: str) -> Message:
    following = type(request)()
    following.CopyFrom(request)
    setattr(following, "page_token", page_token)  # noqa: B010
    return following


async def _list_with_size(world: World, page_size: int) -> sources_pb2.ListSourcesResponse:
    request = sources_pb2.ListSourcesRequest(parent=world.workspace, page_size=page_size)
    response = await world.call("ListSources", request)
    assert isinstance(response, sources_pb2.ListSourcesResponse)
    return response


async def _create_sources(world: World, count: int) -> list[str]:
    for index in range(count):
        await world.call("CreateSource", create_source_request(f"s{index:02}"))
    return [source_name(f"s{index:02}") for index in range(count)]


# ---- 23 items, page size 10: 10, 10, 3, each once, in creation order ---------------------------


@dataclass(frozen=True)
class Collection:
    """A listable collection: how to fill it with 23 items and how to list it."""

    method: str
    request: Message
    plural: str
    fill: Callable[[World], Awaitable[list[str]]]


async def _fill_sources(world: World) -> list[str]:
    return await _create_sources(world, 23)


async def _fill_destinations(world: World) -> list[str]:
    await world.call("CreateSource", create_source_request("js"))
    catalog = await world.call(
        "ListCatalogDestinations", catalog_pb2.ListCatalogDestinationsRequest()
    )
    assert isinstance(catalog, catalog_pb2.ListCatalogDestinationsResponse)
    names = []
    for entry in list(catalog.destinations)[:23]:
        slug = entry.name.rsplit("/", 1)[1]
        created = await world.call("CreateDestination", create_destination_request("js", slug))
        names.append(created.name)  # type: ignore[attr-defined]
    return names


async def _fill_tracking_plans(world: World) -> list[str]:
    names = []
    for index in range(23):
        plan = await world.call("CreateTrackingPlan", create_tracking_plan_request(f"P{index}"))
        names.append(plan.name)  # type: ignore[attr-defined]
    return names


async def _fill_access_tokens(world: World) -> list[str]:
    # the seeded write and read tokens of acme are visible too: 2 + 21
    listed = await world.call("ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest())
    assert isinstance(listed, access_tokens_pb2.ListAccessTokensResponse)
    names = [token.name for token in listed.access_tokens]
    for index in range(23 - len(names)):
        token = access_tokens_pb2.AccessToken(
            description=f"t{index}", scopes=SCOPE_READ, workspace_names=[world.workspace]
        )
        request = access_tokens_pb2.CreateAccessTokenRequest(access_token=token)
        names.append((await world.call("CreateAccessToken", request)).name)  # type: ignore[attr-defined]
    return names


COLLECTIONS = {
    "sources": Collection(
        "ListSources",
        sources_pb2.ListSourcesRequest(parent="workspaces/acme"),
        "sources",
        _fill_sources,
    ),
    "destinations": Collection(
        "ListDestinations",
        destinations_pb2.ListDestinationsRequest(parent=source_name("js")),
        "destinations",
        _fill_destinations,
    ),
    "tracking-plans": Collection(
        "ListTrackingPlans",
        tracking_plans_pb2.ListTrackingPlansRequest(parent="workspaces/acme"),
        "tracking_plans",
        _fill_tracking_plans,
    ),
    "access-tokens": Collection(
        "ListAccessTokens",
        access_tokens_pb2.ListAccessTokensRequest(),
        "access_tokens",
        _fill_access_tokens,
    ),
}


@pytest.mark.parametrize("collection", COLLECTIONS.values(), ids=COLLECTIONS.keys())
async def test_walking_23_items_by_10_gives_3_pages_each_item_once(
    world: World, collection: Collection
) -> None:
    created = await collection.fill(world)
    request = type(collection.request)()
    request.CopyFrom(collection.request)
    setattr(request, "page_size", 10)  # noqa: B010
    pages = await walk(world, collection.method, request, collection.plural)
    assert [len(page) for page in pages] == [10, 10, 3]
    assert [name for page in pages for name in page] == created  # stable: by creation


async def test_walking_workspaces_of_a_token_holding_23(make_world: MakeWorld) -> None:
    world = await make_world()
    slugs = [f"w{index:02}" for index in range(23)]
    for slug in slugs:
        await world.server.add_workspace(slug)
    token = await world.server.add_token(*slugs)
    request = workspaces_pb2.ListWorkspacesRequest(page_size=10)
    pages = await walk(world, "ListWorkspaces", request, "workspaces", token)
    assert [len(page) for page in pages] == [10, 10, 3]
    assert [name for page in pages for name in page] == [f"workspaces/{s}" for s in slugs]


# ---- page sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS.values(), ids=COLLECTIONS.keys())
async def test_page_size_unset_means_100_in_every_collection(
    world: World, collection: Collection
) -> None:
    # SPEC §4: Go clients and Terraform providers never send page_size nor follow the token, so
    # all 23 must be on the first page (a default of 10 or 20 would hide some from them)
    created = await collection.fill(world)
    response = await world.call(collection.method, collection.request)
    assert [item.name for item in getattr(response, collection.plural)] == created
    assert getattr(response, "next_page_token") == ""  # noqa: B009


async def test_page_size_unset_or_zero_means_100(world: World) -> None:
    created = await _create_sources(world, 101)
    response = await _list_with_size(world, 0)
    assert [source.name for source in response.sources] == created[:100]
    request = sources_pb2.ListSourcesRequest(
        parent=world.workspace, page_token=response.next_page_token
    )
    following = await world.call("ListSources", request)
    assert isinstance(following, sources_pb2.ListSourcesResponse)
    assert [source.name for source in following.sources] == created[100:]


async def test_page_size_above_100_is_coerced_to_100_for_sources(world: World) -> None:
    await _create_sources(world, 101)
    response = await _list_with_size(world, 500)
    assert len(response.sources) == 100
    assert response.next_page_token != ""


async def test_page_size_above_100_is_coerced_to_100(make_world: MakeWorld) -> None:
    world = await make_world(catalog_files=[DUMP_DESTINATIONS])  # 283 entries and more
    request = catalog_pb2.ListCatalogDestinationsRequest(page_size=1000)
    response = await world.call("ListCatalogDestinations", request)
    assert isinstance(response, catalog_pb2.ListCatalogDestinationsResponse)
    assert len(response.destinations) == 100
    assert response.next_page_token != ""


async def test_a_page_that_ends_the_collection_has_no_next_token(world: World) -> None:
    await _create_sources(world, 10)
    response = await _list_with_size(world, 10)
    assert len(response.sources) == 10
    assert response.next_page_token == ""  # SPEC §4: "" on the last page, no empty page after


LIST_REQUESTS = {
    "ListWorkspaces": workspaces_pb2.ListWorkspacesRequest(page_size=-1),
    "ListSources": sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_size=-1),
    "ListDestinations": destinations_pb2.ListDestinationsRequest(
        parent=source_name("js"), page_size=-1
    ),
    "ListTrackingPlans": tracking_plans_pb2.ListTrackingPlansRequest(
        parent="workspaces/acme", page_size=-1
    ),
    "ListAccessTokens": access_tokens_pb2.ListAccessTokensRequest(page_size=-1),
    "ListCatalogSources": catalog_pb2.ListCatalogSourcesRequest(page_size=-1),
    "ListCatalogDestinations": catalog_pb2.ListCatalogDestinationsRequest(page_size=-1),
}


async def test_every_list_rejects_a_negative_page_size(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    for method, request in LIST_REQUESTS.items():
        failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, method, request)
        assert violated_fields(failure) == ["page_size"], method


# ---- page tokens: opaque, tamper-evident, bound to the request ---------------------------------


def _tampered(token: str) -> dict[str, str]:
    middle = len(token) // 2
    flipped = "A" if token[middle] != "A" else "B"
    return {
        "one character changed": token[:middle] + flipped + token[middle + 1 :],
        "truncated": token[:-4],
        "extended": token + "AAAA",
        "not base64": "%%%",
        "empty payload": "AAAAAAAAAAAAAAAAAAAAAA",
    }


async def test_a_tampered_page_token_is_invalid_argument(world: World) -> None:
    await _create_sources(world, 12)
    first = await _list_with_size(world, 10)
    for why, token in _tampered(first.next_page_token).items():
        request = sources_pb2.ListSourcesRequest(
            parent=world.workspace, page_size=10, page_token=token
        )
        failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "ListSources", request)
        assert violated_fields(failure) == ["page_token"], why


async def test_a_page_token_reused_with_another_parent_is_invalid_argument(world: World) -> None:
    both = await world.server.add_token("acme", "globex")
    await _create_sources(world, 12)
    first = await world.call(
        "ListSources", sources_pb2.ListSourcesRequest(parent=world.workspace, page_size=10), both
    )
    assert isinstance(first, sources_pb2.ListSourcesResponse)
    request = sources_pb2.ListSourcesRequest(
        parent=world.other_workspace, page_size=10, page_token=first.next_page_token
    )
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "ListSources", request, both)
    assert violated_fields(failure) == ["page_token"]


async def test_a_page_token_of_one_source_is_refused_for_another(world: World) -> None:
    for source in ("a", "b"):
        await world.call("CreateSource", create_source_request(source))
    for slug in ("heap", "hotjar", "drift"):
        await world.call("CreateDestination", create_destination_request("a", slug))
    first = await world.call(
        "ListDestinations",
        destinations_pb2.ListDestinationsRequest(parent=source_name("a"), page_size=2),
    )
    request = destinations_pb2.ListDestinationsRequest(
        parent=source_name("b"),
        page_size=2,
        page_token=first.next_page_token,  # type: ignore[attr-defined]
    )
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "ListDestinations", request)
    assert violated_fields(failure) == ["page_token"]


async def test_a_page_token_of_one_method_is_refused_by_another(world: World) -> None:
    await _create_sources(world, 12)
    first = await _list_with_size(world, 10)
    request = tracking_plans_pb2.ListTrackingPlansRequest(
        parent=world.workspace, page_token=first.next_page_token
    )
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, "ListTrackingPlans", request)
    assert violated_fields(failure) == ["page_token"]


# ---- stable order under concurrent writes ------------------------------------------------------


async def test_a_walk_under_inserts_and_deletes_never_repeats_or_skips(world: World) -> None:
    names = await _create_sources(world, 23)
    request: Message = sources_pb2.ListSourcesRequest(parent=world.workspace, page_size=5)
    seen: list[str] = []
    deleted: set[str] = set()
    for page_number in range(100):
        response = await world.call("ListSources", request)
        assert isinstance(response, sources_pb2.ListSourcesResponse)
        seen += [source.name for source in response.sources]
        if not response.next_page_token:
            break
        # between pages: a new source appears, one already seen and one not yet seen go away
        await world.call("CreateSource", create_source_request(f"new{page_number}"))
        for victim in (seen[0], names[-1 - page_number]):
            if victim not in deleted:
                deleted.add(victim)
                await world.call("DeleteSource", sources_pb2.DeleteSourceRequest(name=victim))
        request = _with_token(request, response.next_page_token)
    assert len(seen) == len(set(seen)), "an item came twice"
    assert set(names) - deleted <= set(seen), "an item that existed all along was skipped"
