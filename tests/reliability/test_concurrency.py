"""Concurrency: racing calls over both transports, and two server processes on one database
(a deployment), end as if they had run one at a time (README "Guarantees").

The races are real: every call is issued before any answer is awaited, and "during" is driven by
counts (walk while the churn has not finished), never by sleeps.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Sequence
from pathlib import Path

import grpc
from google.protobuf import field_mask_pb2, json_format
from google.protobuf.message import Message
from segment.config.v1beta import destinations_pb2, sources_pb2

from configapi.catalog import load_catalog
from tests.integration.api import Api, ApiFailure
from tests.integration.harness import (
    Connect,
    StartServer,
    check_failure,
    config_entry,
    create_destination_request,
    create_source_request,
    destination_name,
    source_name,
)
from tests.reliability.load import list_all
from tests.reliability.process import database_problems

RACERS = 32


async def _deployment(
    start_server: StartServer, connect_to: Connect, transport: str
) -> tuple[list[Api], str, Path]:
    """Two servers on one database and a client of each: callers alternate between them."""
    first = await start_server(serve_rest=transport == "rest")
    second = await start_server(database=first.settings.database, serve_rest=transport == "rest")
    await first.add_workspace("acme")
    token = await first.add_token("acme")
    return [connect_to(first), connect_to(second)], token, first.settings.database


async def _outcomes(calls: Sequence[Awaitable[Message]]) -> list[Message | ApiFailure]:
    """Run every call at once; each one's response or failure."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if not isinstance(result, Message | ApiFailure):
            raise result  # type: ignore[misc]
    return results  # type: ignore[return-value]


async def test_one_of_32_concurrent_creates_of_one_name_wins(
    start_server: StartServer, connect_to: Connect, transport: str
) -> None:
    apis, token, _ = await _deployment(start_server, connect_to, transport)
    request = create_source_request("contested")
    results = await _outcomes(
        [apis[i % 2].call("CreateSource", request, token) for i in range(RACERS)]
    )

    winners = [r for r in results if isinstance(r, sources_pb2.Source)]
    losers = [r for r in results if isinstance(r, ApiFailure)]
    assert len(winners) == 1 and len(losers) == RACERS - 1
    for failure in losers:
        check_failure(failure, grpc.StatusCode.ALREADY_EXISTS)
    stored = await list_all(apis[0], token, "ListSources", sources_pb2.ListSourcesRequest)
    assert stored == winners  # the winner's write keys: no loser overwrote it


def _update_source(
    name: str, path: str, source: sources_pb2.Source
) -> sources_pb2.UpdateSourceRequest:
    """An update of `name` carrying `source`'s fields, with the one-path mask `path`."""
    source.name = name
    return sources_pb2.UpdateSourceRequest(
        source=source, update_mask=field_mask_pb2.FieldMask(paths=[path])
    )


async def test_concurrent_updates_of_different_fields_all_survive(
    start_server: StartServer, connect_to: Connect, transport: str
) -> None:
    """Each source gets four updates at once, each with its own one-field mask: no lost update."""
    apis, token, _ = await _deployment(start_server, connect_to, transport)
    slugs = [f"s{i}" for i in range(8)]
    for slug in slugs:
        await apis[0].call("CreateSource", create_source_request(slug), token)

    def updates(slug: str) -> list[sources_pb2.UpdateSourceRequest]:
        name = source_name(slug)
        library_config = sources_pb2.LibraryConfig
        return [
            _update_source(
                name, "source.display_name", sources_pb2.Source(display_name=f"{slug} renamed")
            ),
            _update_source(name, "source.labels", sources_pb2.Source(labels={"team": slug})),
            _update_source(
                name,
                "source.library_config.metrics_enabled",
                sources_pb2.Source(library_config=library_config(metrics_enabled=True)),
            ),
            _update_source(
                name,
                "source.library_config.api_host",
                sources_pb2.Source(library_config=library_config(api_host=f"{slug}.example")),
            ),
        ]

    requests = [r for slug in slugs for r in updates(slug)]
    calls = [apis[i % 2].call("UpdateSource", r, token) for i, r in enumerate(requests)]
    results = await _outcomes(calls)
    assert all(isinstance(r, sources_pb2.Source) for r in results), results

    for slug in slugs:
        source = await apis[1].call(
            "GetSource", sources_pb2.GetSourceRequest(name=source_name(slug)), token
        )
        assert isinstance(source, sources_pb2.Source)
        assert source.display_name == f"{slug} renamed"
        assert dict(source.labels) == {"team": slug}
        assert source.library_config.metrics_enabled
        assert source.library_config.api_host == f"{slug}.example"


async def test_concurrent_config_merges_and_toggles_of_a_destination_all_survive(
    start_server: StartServer, connect_to: Connect, transport: str
) -> None:
    """`config` merges by setting name (SPEC §6.3): settings sent at once by different callers
    all stay, and a concurrent `enabled` toggle is not lost either."""
    apis, token, _ = await _deployment(start_server, connect_to, transport)
    await apis[0].call("CreateSource", create_source_request("web"), token)
    await apis[0].call(
        "CreateDestination", create_destination_request("web", "google-analytics"), token
    )
    name = destination_name("web", "google-analytics")
    settings = {
        "trackingId": "UA-1-1",
        "mobileTrackingId": "UA-2-2",
        "anonymizeIp": True,
        "enhancedEcommerce": True,
        "sendUserId": True,
    }
    requests = [
        destinations_pb2.UpdateDestinationRequest(
            destination=destinations_pb2.Destination(
                name=name, config=[config_entry(name, setting, value)]
            ),
            update_mask=field_mask_pb2.FieldMask(paths=["destination.config"]),
        )
        for setting, value in settings.items()
    ]
    requests.append(
        destinations_pb2.UpdateDestinationRequest(
            destination=destinations_pb2.Destination(name=name, enabled=True),
            update_mask=field_mask_pb2.FieldMask(paths=["destination.enabled"]),
        )
    )
    calls = [apis[i % 2].call("UpdateDestination", r, token) for i, r in enumerate(requests)]
    results = await _outcomes(calls)
    assert all(isinstance(r, destinations_pb2.Destination) for r in results), results

    stored = await apis[0].call(
        "GetDestination", destinations_pb2.GetDestinationRequest(name=name), token
    )
    assert isinstance(stored, destinations_pb2.Destination)
    assert stored.enabled
    values = {
        entry.name.rsplit("/", 1)[1]: json_format.MessageToDict(entry.value)
        for entry in stored.config
    }
    assert values == settings


async def _walk(api: Api, token: str, page_size: int) -> list[str]:
    """One walk over every page of the workspace's sources; the names in the order served."""
    items = await list_all(
        api, token, "ListSources", sources_pb2.ListSourcesRequest, "workspaces/acme", page_size
    )
    return [item.name for item in items]  # type: ignore[attr-defined]


async def test_pagination_under_concurrent_inserts_and_deletes_never_repeats_or_skips(
    start_server: StartServer, connect_to: Connect, transport: str
) -> None:
    """SPEC §4: walks racing inserts and deletes never return an item twice and never skip one
    that existed for the whole walk; those come in creation order."""
    apis, token, _ = await _deployment(start_server, connect_to, transport)
    stable: list[str] = []
    for i in range(30):  # stable sources, interleaved with ones the churn will delete
        for kind in ("stable", "doomed"):
            slug = f"{kind}-{i}"
            await apis[0].call("CreateSource", create_source_request(slug), token)
            if kind == "stable":
                stable.append(source_name(slug))

    walks_done = asyncio.Event()

    async def churn(api: Api, share: int) -> int:
        """Delete this churner's share of the doomed sources and insert as many new ones, or
        fewer if every walk is over first (a bounded churn: a walk must be able to end)."""
        for i in range(15):
            if walks_done.is_set():
                return i
            doomed = source_name(f"doomed-{2 * i + share}")
            await api.call("DeleteSource", sources_pb2.DeleteSourceRequest(name=doomed), token)
            await api.call("CreateSource", create_source_request(f"new-{share}-{i}"), token)
        return 15

    async def walks() -> list[list[str]]:
        try:
            done = []
            for round_number in range(3):
                sizes = (1, 3, 7, 10)
                done += await asyncio.gather(
                    *(_walk(apis[(round_number + n) % 2], token, n) for n in sizes)
                )
            return done
        finally:
            walks_done.set()

    walked, *changes = await asyncio.gather(walks(), churn(apis[0], 0), churn(apis[1], 1))
    assert sum(changes) > 0, "the churn never ran during the walks"
    for names in walked:
        repeated = [name for name, count in Counter(names).items() if count > 1]
        assert not repeated, f"served twice: {repeated}"
        assert [name for name in names if name in set(stable)] == stable  # none skipped, in order


async def test_deleting_a_source_while_destinations_are_created_under_it_leaves_no_orphans(
    start_server: StartServer, connect_to: Connect, transport: str
) -> None:
    """Every create either lands before the delete (and goes with it) or fails NOT_FOUND: after
    it, a new source of the same name has no destinations, and the file holds no orphans."""
    apis, token, database = await _deployment(start_server, connect_to, transport)
    slugs = [entry.name.rsplit("/", 1)[1] for entry in load_catalog(()).destinations()]
    for round_number in range(3):
        source = f"doomed-{round_number}"
        await apis[0].call("CreateSource", create_source_request(source), token)
        creates = [
            apis[i % 2].call("CreateDestination", create_destination_request(source, slug), token)
            for i, slug in enumerate(slugs)
        ]
        delete = apis[round_number % 2].call(
            "DeleteSource", sources_pb2.DeleteSourceRequest(name=source_name(source)), token
        )
        middle = len(creates) // 2  # the delete is issued among the creates
        results = await _outcomes([*creates[:middle], delete, *creates[middle:]])
        for result in results:
            if isinstance(result, ApiFailure):
                check_failure(result, grpc.StatusCode.NOT_FOUND)

        await apis[0].call("CreateSource", create_source_request(source), token)
        reborn = await list_all(
            apis[1],
            token,
            "ListDestinations",
            destinations_pb2.ListDestinationsRequest,
            source_name(source),
        )
        assert reborn == [], "destinations outlived their source"
    assert database_problems(database) == []
