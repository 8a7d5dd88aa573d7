"""The route table built from our real descriptors routes every REST path of SPEC §6."""

from __future__ import annotations

import grpc
import pytest

from configapi.contract import methods
from configapi.errors import ApiError
from configapi.gateway.routes import RouteTable, build_route_table


@pytest.fixture(scope="module")
def table() -> RouteTable:
    return build_route_table(methods())


W = "/v1beta/workspaces/acme"
S = f"{W}/sources/js"
D = f"{S}/destinations/google-analytics"
T = f"{W}/tracking-plans/rs_1"

# SPEC §6: every REST path, the method it reaches and the bindings it makes.
SPEC_ROUTES = [
    ("GET", "/v1beta/workspaces", "ListWorkspaces", {}),
    ("GET", W, "GetWorkspace", {"name": "workspaces/acme"}),
    ("GET", f"{W}/sources", "ListSources", {"parent": "workspaces/acme"}),
    ("GET", S, "GetSource", {"name": "workspaces/acme/sources/js"}),
    ("POST", f"{W}/sources", "CreateSource", {"parent": "workspaces/acme"}),
    ("PATCH", S, "UpdateSource", {"source.name": "workspaces/acme/sources/js"}),
    ("DELETE", S, "DeleteSource", {"name": "workspaces/acme/sources/js"}),
    ("GET", f"{S}/destinations", "ListDestinations", {"parent": "workspaces/acme/sources/js"}),
    ("GET", D, "GetDestination", {"name": D.removeprefix("/v1beta/")}),
    ("POST", f"{S}/destinations", "CreateDestination", {"parent": "workspaces/acme/sources/js"}),
    ("PATCH", D, "UpdateDestination", {"destination.name": D.removeprefix("/v1beta/")}),
    ("DELETE", D, "DeleteDestination", {"name": D.removeprefix("/v1beta/")}),
    ("GET", f"{W}/tracking-plans", "ListTrackingPlans", {"parent": "workspaces/acme"}),
    ("GET", T, "GetTrackingPlan", {"name": "workspaces/acme/tracking-plans/rs_1"}),
    ("POST", f"{W}/tracking-plans", "CreateTrackingPlan", {"parent": "workspaces/acme"}),
    ("PUT", T, "UpdateTrackingPlan", {"tracking_plan.name": "workspaces/acme/tracking-plans/rs_1"}),
    (
        "PATCH",
        T,
        "UpdateTrackingPlan",
        {"tracking_plan.name": "workspaces/acme/tracking-plans/rs_1"},
    ),
    ("DELETE", T, "DeleteTrackingPlan", {"name": "workspaces/acme/tracking-plans/rs_1"}),
    ("GET", "/v1beta/access-tokens", "ListAccessTokens", {}),
    ("GET", "/v1beta/access-tokens/t1", "GetAccessToken", {"name": "access-tokens/t1"}),
    ("POST", "/v1beta/access-tokens", "CreateAccessToken", {}),
    ("DELETE", "/v1beta/access-tokens/t1", "DeleteAccessToken", {"name": "access-tokens/t1"}),
    ("GET", "/v1beta/catalog/sources", "ListCatalogSources", {}),
    ("GET", "/v1beta/catalog/sources/js", "GetCatalogSource", {"name": "catalog/sources/js"}),
    ("GET", "/v1beta/catalog/destinations", "ListCatalogDestinations", {}),
    (
        "GET",
        "/v1beta/catalog/destinations/amplitude",
        "GetCatalogDestination",
        {"name": "catalog/destinations/amplitude"},
    ),
]


@pytest.mark.parametrize(
    ("verb", "path", "method_name", "bindings"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in SPEC_ROUTES],
)
def test_every_spec_path_reaches_its_method(
    table: RouteTable, verb: str, path: str, method_name: str, bindings: dict[str, str]
) -> None:
    route, bound = table.lookup(verb, path)
    assert (route.method.name, bound) == (method_name, bindings)


def test_every_method_has_a_route(table: RouteTable) -> None:
    routed = {route.method.full_name for route in table.routes}
    assert routed == {method.full_name for method in methods()}


@pytest.mark.parametrize(
    ("verb", "path", "method_name"),
    [
        pytest.param("GET", "/v1beta//catalog/sources", "ListCatalogSources", id="double-slash"),
        pytest.param("GET", "/v1beta/workspaces/acme/", "GetWorkspace", id="trailing-slash"),
        pytest.param("GET", f"{S}/destinations/", "ListDestinations", id="trailing-slash-list"),
        pytest.param("PUT", f"{T}/", "UpdateTrackingPlan", id="trailing-slash-update"),
    ],
)
def test_client_path_quirks_still_route(
    table: RouteTable, verb: str, path: str, method_name: str
) -> None:
    route, _ = table.lookup(verb, path)
    assert route.method.name == method_name


@pytest.mark.parametrize(
    ("verb", "path"),
    [
        pytest.param("GET", "/v1beta/nothing", id="unknown-path"),
        pytest.param("GET", "/v2/workspaces", id="unknown-version"),
        pytest.param("GET", "/", id="root"),
        pytest.param("PUT", S, id="known-path-wrong-verb"),
        pytest.param("POST", W, id="post-on-get-only-path"),
        pytest.param("DELETE", "/v1beta/workspaces", id="delete-collection"),
        pytest.param("HEAD", W, id="head"),
        pytest.param("GET", f"{S}/destinations/ga/extra", id="too-deep"),
    ],
)
def test_no_route_is_not_found_code_5(table: RouteTable, verb: str, path: str) -> None:
    with pytest.raises(ApiError) as raised:
        table.lookup(verb, path)
    assert (raised.value.code, raised.value.message) == (grpc.StatusCode.NOT_FOUND, "Not Found")


def test_catalog_literals_win_over_the_name_variable(table: RouteTable) -> None:
    # `/v1beta/catalog/sources` could only be a collection; `{name=catalog/sources/*}` needs one
    # more segment, and GetWorkspace's `workspaces/*` never sees `catalog`.
    route, _ = table.lookup("GET", "/v1beta/catalog/sources")
    assert route.method.name == "ListCatalogSources"


def test_update_bodies_are_the_whole_request(table: RouteTable) -> None:
    bodies = {route.method.name: route.body for route in table.routes if route.body}
    assert set(bodies.values()) == {"*"}
    assert set(bodies) == {
        "CreateSource",
        "UpdateSource",
        "CreateDestination",
        "UpdateDestination",
        "CreateTrackingPlan",
        "UpdateTrackingPlan",
        "CreateAccessToken",
        "UpdateSchemaConfig",
        "CreateDestinationFilter",
        "UpdateDestinationFilter",
        "PreviewDestinationFilter",
        "CreateSourceConnection",
        "BatchCreateSourceConnections",
    }
