"""Every error row of SPEC §2 that a caller can reach, over both transports.

Each failure is also checked for what every error carries: one ErrorInfo in the domain
`config.segmentapis.com` with an UPPER_SNAKE_CASE reason; over REST the HTTP status is the one
SPEC §2's table gives for the code (checked by the REST client itself).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf import duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from segment.config.v1beta import (
    access_tokens_pb2,
    catalog_pb2,
    destination_filters_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from tests.integration.api import ApiFailure, connect
from tests.integration.examples import MUTATING_METHODS, Targets, example_requests
from tests.integration.harness import (
    MakeWorld,
    StartServer,
    World,
    assert_resource_info,
    attempt,
    check_failure,
    codes,
    config_entry,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    destination_name,
    expect_failure,
    source_name,
    violated_fields,
)

# ---- 401: the access token is missing or invalid -----------------------------------------------


@pytest.mark.parametrize("token", [None, "sgp_not-a-real-token"], ids=["no-token", "unknown-token"])
async def test_every_method_rejects_a_missing_or_unknown_token(
    world: World, token: str | None
) -> None:
    requests = example_requests()
    outcomes = {name: await attempt(world.api, name, r, token) for name, r in requests.items()}
    assert codes(outcomes) == dict.fromkeys(requests, "UNAUTHENTICATED")
    for failure in outcomes.values():
        assert failure is not None
        check_failure(failure, grpc.StatusCode.UNAUTHENTICATED)
        if world.api.transport == "rest":
            assert failure.headers.get("www-authenticate") == "Bearer"  # SPEC §2


# ---- 403: a token with write scope is needed for Create, Update and Delete ---------------------


async def test_read_token_gets_insufficient_scope_on_every_mutation(world: World) -> None:
    # the targets do not exist: scope is checked before the look-up (SPEC §3), so 403, not 404
    requests = {n: r for n, r in example_requests().items() if n in MUTATING_METHODS}
    outcomes = {name: await attempt(world.api, name, r, world.read) for name, r in requests.items()}
    assert codes(outcomes) == dict.fromkeys(requests, "PERMISSION_DENIED")
    for failure in outcomes.values():
        assert failure is not None
        check_failure(failure, grpc.StatusCode.PERMISSION_DENIED)
        assert failure.message == "insufficient scope"
        info = failure.detail(error_details_pb2.ErrorInfo)
        assert (info.reason, dict(info.metadata)) == (
            "INSUFFICIENT_SCOPE",
            {"required_scope": "workspace"},
        )


async def test_read_token_reads_everything(world: World) -> None:
    requests = {n: r for n, r in example_requests().items() if n.startswith("List")}
    requests["ListDestinations"] = destinations_pb2.ListDestinationsRequest(
        parent=source_name("js")
    )
    await world.call("CreateSource", create_source_request("js"))
    await world.call("CreateDestination", create_destination_request("js", "heap"))
    requests["ListDestinationFilters"] = destination_filters_pb2.ListDestinationFiltersRequest(
        parent=destination_name("js", "heap")
    )
    plan = await world.call("CreateTrackingPlan", create_tracking_plan_request("Plan"))
    assert isinstance(plan, tracking_plans_pb2.TrackingPlan)
    requests["ListSourceConnections"] = tracking_plans_pb2.ListSourceConnectionsRequest(
        parent=plan.name
    )
    outcomes = {name: await attempt(world.api, name, r, world.read) for name, r in requests.items()}
    assert codes(outcomes) == dict.fromkeys(requests, "OK")


# ---- 404: the resource does not exist in this workspace ----------------------------------------

NOWHERE = Targets()  # valid names in acme that name nothing
MISSING = [
    ("GetWorkspace", "Workspace", "workspaces/nowhere"),
    ("GetSource", "Source", NOWHERE.source_name),
    ("UpdateSource", "Source", NOWHERE.source_name),
    ("DeleteSource", "Source", NOWHERE.source_name),
    ("CreateDestination", "Source", NOWHERE.source_name),  # the parent source must exist
    ("ListDestinations", "Source", NOWHERE.source_name),  # listing a missing parent: AIP-132
    ("GetDestination", "Destination", NOWHERE.destination_name),
    ("UpdateDestination", "Destination", NOWHERE.destination_name),
    ("DeleteDestination", "Destination", NOWHERE.destination_name),
    ("GetTrackingPlan", "TrackingPlan", NOWHERE.tracking_plan_name),
    ("UpdateTrackingPlan", "TrackingPlan", NOWHERE.tracking_plan_name),
    ("DeleteTrackingPlan", "TrackingPlan", NOWHERE.tracking_plan_name),
    ("GetAccessToken", "AccessToken", NOWHERE.access_token_name),
    ("DeleteAccessToken", "AccessToken", NOWHERE.access_token_name),
    ("GetCatalogSource", "CatalogSource", "catalog/sources/nowhere"),
    ("GetCatalogDestination", "CatalogDestination", "catalog/destinations/nowhere"),
]


def _missing_request(method_name: str, name: str) -> Message:
    request = example_requests(NOWHERE)[method_name]
    if method_name in ("GetWorkspace", "GetCatalogSource", "GetCatalogDestination"):
        setattr(request, "name", name)  # noqa: B010 - the examples name existing entries
    return request


async def test_missing_resources_are_not_found_with_resource_info(world: World) -> None:
    outcomes = {
        method: await attempt(world.api, method, _missing_request(method, name), world.write)
        for method, _, name in MISSING
    }
    assert codes(outcomes) == {method: "NOT_FOUND" for method, _, _ in MISSING}
    for method, kind, name in MISSING:
        failure = outcomes[method]
        assert failure is not None
        check_failure(failure, grpc.StatusCode.NOT_FOUND)
        assert_resource_info(failure, f"config.segmentapis.com/{kind}", name)


# ---- 409: a resource already exists with the given name ----------------------------------------


async def test_creating_an_existing_source_is_already_exists(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    failure = await world.fail(
        grpc.StatusCode.ALREADY_EXISTS, "CreateSource", create_source_request("js", catalog="ios")
    )
    assert_resource_info(failure, "config.segmentapis.com/Source", source_name("js"))


async def test_creating_an_existing_destination_is_already_exists(world: World) -> None:
    await world.call("CreateSource", create_source_request("js"))
    request = create_destination_request("js", "heap")
    await world.call("CreateDestination", request)
    failure = await world.fail(grpc.StatusCode.ALREADY_EXISTS, "CreateDestination", request)
    assert_resource_info(failure, "config.segmentapis.com/Destination", request.destination.name)


# ---- 400: a field holds an invalid value, named in a BadRequest violation ----------------------


@dataclass(frozen=True)
class Invalid:
    """A request that must fail with INVALID_ARGUMENT naming `field_path` (after `given`)."""

    method: str
    request: Message
    field_path: str
    given: tuple[tuple[str, Message], ...] = ()


def _with_config(setting: str, value: object) -> destinations_pb2.CreateDestinationRequest:
    request = create_destination_request("js", "google-analytics")
    request.destination.config.append(config_entry(request.destination.name, setting, value))
    return request


def _token_request(**fields: object) -> access_tokens_pb2.CreateAccessTokenRequest:
    token = access_tokens_pb2.AccessToken(
        description="d", scopes="workspace:read", workspace_names=["workspaces/acme"]
    )
    for key, value in fields.items():
        if key == "workspace_names":
            del token.workspace_names[:]
            token.workspace_names.extend(value)  # type: ignore[arg-type]
        else:
            setattr(token, key, value)
    return access_tokens_pb2.CreateAccessTokenRequest(access_token=token)


def _update_source(*paths: str) -> sources_pb2.UpdateSourceRequest:
    request = sources_pb2.UpdateSourceRequest(source=sources_pb2.Source(name=source_name("js")))
    request.update_mask.paths.extend(paths)
    return request


HAS_SOURCE = (("CreateSource", create_source_request("js")),)

INVALID = {
    "source-catalog-name-unknown": Invalid(
        "CreateSource", create_source_request("js", catalog="nope"), "source.catalog_name"
    ),
    "source-catalog-name-missing": Invalid(
        "CreateSource",
        sources_pb2.CreateSourceRequest(
            parent="workspaces/acme", source=sources_pb2.Source(name=source_name("js"))
        ),
        "source.catalog_name",
    ),
    "source-slug-invalid": Invalid(
        "CreateSource", create_source_request("Not_A-Slug!"), "source.name"
    ),
    "source-name-under-another-parent": Invalid(
        "CreateSource",
        sources_pb2.CreateSourceRequest(
            parent="workspaces/acme",
            source=sources_pb2.Source(
                name="workspaces/globex/sources/js", catalog_name="catalog/sources/javascript"
            ),
        ),
        "source.name",
    ),
    "get-name-invalid": Invalid(
        "GetSource", sources_pb2.GetSourceRequest(name=source_name("Bad Slug")), "name"
    ),
    "destination-not-in-catalog": Invalid(
        "CreateDestination",
        create_destination_request("js", "nope"),
        "destination.name",
        HAS_SOURCE,
    ),
    "destination-config-unknown-setting": Invalid(
        "CreateDestination",
        _with_config("noSuchSetting", "x"),
        "destination.config[0].name",
        HAS_SOURCE,
    ),
    "destination-config-value-of-wrong-type": Invalid(
        "CreateDestination",
        _with_config("anonymizeIp", "yes"),
        "destination.config[0].value",
        HAS_SOURCE,
    ),
    "destination-config-value-not-matching-its-regexp": Invalid(
        "CreateDestination",
        _with_config("trackingId", "not a tracking id"),
        "destination.config[0].value",
        HAS_SOURCE,
    ),
    "tracking-plan-display-name-missing": Invalid(
        "CreateTrackingPlan", create_tracking_plan_request(""), "tracking_plan.display_name"
    ),
    "tracking-plan-global-not-a-json-schema": Invalid(
        "CreateTrackingPlan",
        create_tracking_plan_request("Plan", {"global": {"type": "no-such-type"}}),
        "tracking_plan.rules.global",
    ),
    "tracking-plan-event-rules-not-a-json-schema": Invalid(
        "CreateTrackingPlan",
        create_tracking_plan_request(
            "Plan", {"events": [{"name": "E", "rules": {"required": "not-a-list"}}]}
        ),
        "tracking_plan.rules.events[0].rules",
    ),
    "access-token-scopes-unknown": Invalid(
        "CreateAccessToken", _token_request(scopes="admin"), "access_token.scopes"
    ),
    "access-token-without-workspaces": Invalid(
        "CreateAccessToken", _token_request(workspace_names=[]), "access_token.workspace_names"
    ),
    "access-token-without-description": Invalid(
        "CreateAccessToken", _token_request(description=""), "access_token.description"
    ),
    "page-size-negative": Invalid(
        "ListSources",
        sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_size=-1),
        "page_size",
    ),
    "page-token-garbage": Invalid(
        "ListSources",
        sources_pb2.ListSourcesRequest(parent="workspaces/acme", page_token="garbage"),
        "page_token",
    ),
    "update-mask-unknown-path": Invalid(
        "UpdateSource", _update_source("source.no_such_field"), "update_mask", HAS_SOURCE
    ),
    "update-mask-immutable-path": Invalid(
        "UpdateSource", _update_source("source.catalog_name"), "update_mask", HAS_SOURCE
    ),
}


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
async def test_invalid_argument_names_the_field(world: World, case: Invalid) -> None:
    for method, request in case.given:
        await world.call(method, request)
    failure = await world.fail(grpc.StatusCode.INVALID_ARGUMENT, case.method, case.request)
    assert case.field_path in violated_fields(failure)


# ---- 429: the rate limit was exhausted ---------------------------------------------------------

LIST_WORKSPACES = ("ListWorkspaces", workspaces_pb2.ListWorkspacesRequest())


async def test_exhausted_rate_limit_is_resource_exhausted_with_retry_info(
    make_world: MakeWorld,
) -> None:
    world = await make_world(rate_limit=3)
    for _ in range(3):  # a token may spend its whole minute's budget in a burst (SPEC §3)
        await world.call(*LIST_WORKSPACES)
    failure = await world.fail(grpc.StatusCode.RESOURCE_EXHAUSTED, *LIST_WORKSPACES)
    delay: duration_pb2.Duration = failure.detail(error_details_pb2.RetryInfo).retry_delay
    # the bucket refills 3 per minute: the next request is possible within 20 seconds
    assert 0 < delay.ToNanoseconds() <= 20 * 10**9
    if world.api.transport == "rest":
        assert 1 <= int(failure.headers["retry-after"]) <= 20

    # the limit is per token
    await world.call(*LIST_WORKSPACES, token=world.read)


async def test_rate_limit_is_shared_by_both_transports(start_server: StartServer) -> None:
    server = await start_server(rate_limit=2)
    await server.add_workspace("acme")
    token = await server.add_token("acme")
    grpc_api = connect("grpc", server.grpc_port, server.http_port)
    rest_api = connect("rest", server.grpc_port, server.http_port)
    try:
        await grpc_api.call(*LIST_WORKSPACES, token)
        await rest_api.call(*LIST_WORKSPACES, token)
        for api in (grpc_api, rest_api):
            await expect_failure(
                grpc.StatusCode.RESOURCE_EXHAUSTED, api.call(*LIST_WORKSPACES, token)
            )
    finally:
        await grpc_api.close()
        await rest_api.close()


async def test_one_process_admits_exactly_its_ceiling_under_concurrent_calls(
    start_server: StartServer,
) -> None:
    # SPEC §3 and §9: in the embedded default the buckets are in memory, exact for one process.
    # 240 calls at once over both transports against 60 a minute (one more per second).
    server = await start_server(rate_limit=60)
    await server.add_workspace("acme")
    token = await server.add_token("acme")
    apis = [connect(t, server.grpc_port, server.http_port) for t in ("grpc", "rest")]
    try:
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(attempt(apis[n % 2], *LIST_WORKSPACES, token) for n in range(240))
        )
        elapsed = time.monotonic() - started
    finally:
        for api in apis:
            await api.close()
    refused = [o for o in outcomes if o is not None]
    assert all(o.code == grpc.StatusCode.RESOURCE_EXHAUSTED for o in refused)
    admitted = len(outcomes) - len(refused)
    assert 60 <= admitted <= 60 + elapsed + 1


# ---- every error names its domain and reason ---------------------------------------------------


async def test_errors_carry_one_error_info_and_no_internals(world: World) -> None:
    failures: list[ApiFailure] = []
    for method, request in [
        ("GetSource", sources_pb2.GetSourceRequest(name=source_name("nowhere"))),
        ("CreateSource", create_source_request("js", catalog="nope")),
        (
            "GetCatalogDestination",
            catalog_pb2.GetCatalogDestinationRequest(name="catalog/destinations/x"),
        ),
        (
            "ListTrackingPlans",
            tracking_plans_pb2.ListTrackingPlansRequest(parent="workspaces/acme", page_token="x"),
        ),
    ]:
        failure = await attempt(world.api, method, request, world.write)
        assert failure is not None
        failures.append(failure)
    for failure in failures:
        assert len(failure.details_of(error_details_pb2.ErrorInfo)) == 1
        for internal in ("Traceback", "sqlite", "SELECT", ".py"):
            assert internal not in failure.message
