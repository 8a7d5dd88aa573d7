"""The repository protocol's promises, on SQLite and PostgreSQL alike (README "Guarantees")."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from segment.config.v1beta import access_tokens_pb2, destinations_pb2, sources_pb2, workspaces_pb2

from configapi.errors import ApiError
from configapi.storage.backends import AnyRepository

WORKSPACE = "config.segmentapis.com/Workspace"
SOURCE = "config.segmentapis.com/Source"


async def _workspace(repository: AnyRepository, slug: str = "acme") -> str:
    name = f"workspaces/{slug}"
    await repository.workspaces.insert(name, "", workspaces_pb2.Workspace(name=name))
    return name


async def _source(repository: AnyRepository, parent: str, slug: str) -> str:
    name = f"{parent}/sources/{slug}"
    source = sources_pb2.Source(name=name, display_name=slug)
    await repository.sources.insert(name, parent, source, parent_type=WORKSPACE)
    return name


async def _code(call: object) -> grpc.StatusCode | None:
    try:
        await call  # type: ignore[misc]
    except ApiError as error:
        return error.code
    return None


async def test_what_is_inserted_is_read_back_updated_and_deleted(
    repository: AnyRepository,
) -> None:
    source = await _source(repository, await _workspace(repository), "web")
    got = await repository.sources.get(source)
    assert got is not None and got.display_name == "web"

    def rename(message: sources_pb2.Source) -> sources_pb2.Source:
        message.display_name = "Web"
        return message

    updated = await repository.sources.update(source, rename)
    assert updated is not None and (await repository.sources.get(source)) == updated
    assert await repository.sources.delete(source)
    assert await repository.sources.get(source) is None
    assert not await repository.sources.delete(source)
    assert await repository.sources.update(source, rename) is None


async def test_a_taken_name_is_already_exists_and_a_missing_parent_not_found(
    repository: AnyRepository,
) -> None:
    workspace = await _workspace(repository)
    await _source(repository, workspace, "web")
    assert await _code(_source(repository, workspace, "web")) == grpc.StatusCode.ALREADY_EXISTS
    missing = _source(repository, "workspaces/nowhere", "web")
    assert await _code(missing) == grpc.StatusCode.NOT_FOUND
    listing = repository.sources.list("workspaces/nowhere", None, 10, parent_type=WORKSPACE)
    assert await _code(listing) == grpc.StatusCode.NOT_FOUND


async def test_32_concurrent_creates_of_one_name_have_one_winner(
    repository: AnyRepository,
) -> None:
    workspace = await _workspace(repository)
    codes = await asyncio.gather(*(_code(_source(repository, workspace, "js")) for _ in range(32)))
    assert codes.count(None) == 1
    assert codes.count(grpc.StatusCode.ALREADY_EXISTS) == 31


async def test_concurrent_read_modify_writes_all_survive(repository: AnyRepository) -> None:
    source = await _source(repository, await _workspace(repository), "web")

    def label(key: str):  # type: ignore[no-untyped-def]
        def mutate(message: sources_pb2.Source) -> sources_pb2.Source:
            message.labels[key] = "yes"
            return message

        return mutate

    keys = [f"k{n}" for n in range(24)]
    await asyncio.gather(*(repository.sources.update(source, label(k)) for k in keys))
    got = await repository.sources.get(source)
    assert got is not None and sorted(got.labels) == sorted(keys)


async def test_a_delete_takes_everything_under_it_and_nothing_else(
    repository: AnyRepository,
) -> None:
    acme, other = await _workspace(repository), await _workspace(repository, "acme2")
    web = await _source(repository, acme, "web")
    kept = await _source(repository, other, "web")
    hook = f"{web}/destinations/hook"
    await repository.destinations.insert(
        hook, web, destinations_pb2.Destination(name=hook), parent_type=SOURCE
    )
    assert await repository.workspaces.delete(acme)
    assert await repository.sources.get(web) is None
    assert await repository.destinations.get(hook) is None
    assert await repository.sources.get(kept) is not None


@pytest.mark.parametrize("deleted", ["source", "workspace"])
async def test_a_delete_racing_destination_creates_leaves_no_orphan(
    repository: AnyRepository, deleted: str
) -> None:
    # "workspace": the cascade reaches two levels down, past the source the creates lock
    for round_ in range(5):
        workspace = await _workspace(repository, f"w{round_}")
        web = await _source(repository, workspace, "web")
        target = repository.sources if deleted == "source" else repository.workspaces
        names = [f"{web}/destinations/d{n}" for n in range(16)]
        inserts = [
            repository.destinations.insert(
                n, web, destinations_pb2.Destination(name=n), parent_type=SOURCE
            )
            for n in names
        ]
        await asyncio.gather(
            *(_code(i) for i in inserts[:8]),
            target.delete(web if deleted == "source" else workspace),
            *(_code(i) for i in inserts[8:]),
        )
        assert [n for n in names if await repository.destinations.get(n) is not None] == []


async def test_pages_are_keyset_and_a_walk_survives_writes(repository: AnyRepository) -> None:
    workspace = await _workspace(repository)
    names = [await _source(repository, workspace, f"s{n:02d}") for n in range(25)]
    seen: list[str] = []
    position: int | None = None
    while True:
        page = await repository.sources.list(workspace, position, 10, parent_type=WORKSPACE)
        seen += [s.name for s in page.items]
        await _source(repository, workspace, f"late{len(seen)}")  # appended behind the walk
        await repository.sources.delete(names[-1 - len(seen) // 10])
        if page.next_position is None:
            break
        position = page.next_position
    assert len(seen) == len(set(seen))
    assert set(names[:15]) <= set(seen)  # the ones that existed throughout


async def test_tokens_are_found_by_hash_and_listed_within_workspaces(
    repository: AnyRepository,
) -> None:
    tokens = repository.tokens
    mine = access_tokens_pb2.AccessToken(name="accessTokens/a", workspace_names=["workspaces/a"])
    both = access_tokens_pb2.AccessToken(
        name="accessTokens/b", workspace_names=["workspaces/a", "workspaces/b"]
    )
    await tokens.insert(mine, b"\x01" * 32)
    await tokens.insert(both, b"\x02" * 32)
    assert await tokens.by_hash(b"\x01" * 32) == mine
    assert await tokens.get("accessTokens/b") == both
    only_a = await tokens.list_within(frozenset({"workspaces/a"}), None, 10)
    assert [t.name for t in only_a.items] == ["accessTokens/a"]
    page = await tokens.list_within(frozenset({"workspaces/a", "workspaces/b"}), None, 1)
    assert [t.name for t in page.items] == ["accessTokens/a"] and page.next_position is not None
    rest = await tokens.list_within(
        frozenset({"workspaces/a", "workspaces/b"}), page.next_position, 1
    )
    assert [t.name for t in rest.items] == ["accessTokens/b"] and rest.next_position is None
    assert await tokens.delete("accessTokens/a") and not await tokens.delete("accessTokens/a")
    assert await tokens.by_hash(b"\x01" * 32) is None


async def test_workspaces_are_listed_among_names_and_the_secret_is_stable(
    repository: AnyRepository,
) -> None:
    for slug in ("a", "b", "c"):
        await _workspace(repository, slug)
    page = await repository.list_workspaces_in(frozenset({"workspaces/a", "workspaces/c"}), None, 5)
    assert [w.name for w in page.items] == ["workspaces/a", "workspaces/c"]
    secret = await repository.page_token_secret()
    assert len(secret) == 32 and secret == await repository.page_token_secret()
    await repository.ping()


@pytest.mark.parametrize("slug", ["a_b", "a-b"])
async def test_a_delete_range_does_not_reach_siblings_sharing_a_prefix(
    repository: AnyRepository, slug: str
) -> None:
    # "workspaces/a" must not take "workspaces/a-b/..." ('-' and '_' sort around '/')
    await _workspace(repository, "a")
    sibling = await _source(repository, await _workspace(repository, slug), "web")
    assert await repository.workspaces.delete("workspaces/a")
    assert await repository.sources.get(sibling) is not None


async def test_insert_all_is_all_or_none(repository: AnyRepository) -> None:
    workspace = await _workspace(repository)
    plan = f"{workspace}/tracking-plans/rs_1"
    plans = repository.collection("tracking_plan", workspaces_pb2.Workspace, "TrackingPlan")
    await plans.insert(plan, workspace, workspaces_pb2.Workspace(name=plan))
    links = repository.collection("link", workspaces_pb2.Workspace, "config.segmentapis.com/Link")
    taken = f"{workspace}/links/b"
    await links.insert(taken, plan, workspaces_pb2.Workspace(name=taken))
    rows = [(f"{workspace}/links/{x}", plan, workspaces_pb2.Workspace(name=x)) for x in "abc"]
    # one name taken: ALREADY_EXISTS and none of the three written
    assert await _code(links.insert_all(rows, requires={plan: "TrackingPlan"})) == (
        grpc.StatusCode.ALREADY_EXISTS
    )
    assert await links.get(f"{workspace}/links/a") is None
    # a required name missing: NOT_FOUND and nothing written
    fresh = [(f"{workspace}/links/{x}", plan, workspaces_pb2.Workspace(name=x)) for x in "de"]
    missing = {plan: "TrackingPlan", f"{workspace}/sources/gone": SOURCE}
    assert await _code(links.insert_all(fresh, requires=missing)) == grpc.StatusCode.NOT_FOUND
    assert await links.get(f"{workspace}/links/d") is None
    await links.insert_all(fresh, requires={plan: "TrackingPlan"})
    page = await links.list(plan, None, 10)
    assert [m.name for m in page.items] == [taken, "d", "e"]


async def test_a_delete_takes_rows_hanging_under_it_by_parent(repository: AnyRepository) -> None:
    # a tracking plan's source connections are named under the workspace but parented by the
    # plan: deleting the plan (or its workspace) removes them; a sibling plan's stay
    workspace = await _workspace(repository)
    plans = repository.collection("tracking_plan", workspaces_pb2.Workspace, "TrackingPlan")
    links = repository.collection("link", workspaces_pb2.Workspace, "config.segmentapis.com/Link")
    for plan_id in ("rs_1", "rs_10", "rs_2"):
        plan = f"{workspace}/tracking-plans/{plan_id}"
        await plans.insert(plan, workspace, workspaces_pb2.Workspace(name=plan))
        link = f"{workspace}/links/{plan_id}"
        await links.insert(link, plan, workspaces_pb2.Workspace(name=link))
    assert await plans.delete(f"{workspace}/tracking-plans/rs_1")
    assert await links.get(f"{workspace}/links/rs_1") is None
    assert await links.get(f"{workspace}/links/rs_10") is not None  # a shared prefix stays
    assert await repository.workspaces.delete(workspace)
    for plan_id in ("rs_10", "rs_2"):
        assert await links.get(f"{workspace}/links/{plan_id}") is None
