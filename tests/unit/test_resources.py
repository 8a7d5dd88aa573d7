"""The resource registry (DESIGN rule 1): read from the descriptors, it is what policy,
storage, services, name checks and the OpenAPI document use."""

from __future__ import annotations

import pytest

from configapi import contract
from configapi.resources import ResourceRegistry, mutates

REGISTRY = ResourceRegistry(contract.FILES)
T = "config.segmentapis.com/"
PLAN_ID = "rs_1N9oTnc5O8cv1peY65iXsSPnzGP"
FILTER_ID = "df_1JjE7f3gz8OXU6lVbUGuDhHcyKl"

# type → (storage kind, parent pattern, singleton)
RESOURCES = {
    "Workspace": ("workspace", None, False),
    "Source": ("source", "workspaces/{workspace}", False),
    "Destination": ("destination", "workspaces/{workspace}/sources/{source}", False),
    "TrackingPlan": ("tracking_plan", "workspaces/{workspace}", False),
    "AccessToken": ("access_token", None, False),
    "CatalogSource": ("catalog_source", None, False),
    "CatalogDestination": ("catalog_destination", None, False),
    "SchemaConfig": ("schema_config", "workspaces/{workspace}/sources/{source}", True),
    "DestinationFilter": (
        "destination_filter",
        "workspaces/{workspace}/sources/{source}/destinations/{destination}",
        False,
    ),
    "SourceConnection": (
        "source_connection",
        "workspaces/{workspace}/tracking-plans/{tracking_plan}",
        False,
    ),
}


def test_the_registry_holds_every_resource_of_the_contract() -> None:
    assert sorted(r.type for r in REGISTRY) == sorted(T + name for name in RESOURCES)


@pytest.mark.parametrize(("name", "expected"), RESOURCES.items(), ids=RESOURCES)
def test_kind_parent_and_singleton_come_from_the_pattern(
    name: str, expected: tuple[str, str | None, bool]
) -> None:
    resource = REGISTRY[T + name]
    parent = resource.parent.pattern if resource.parent else None
    assert (resource.kind, parent, resource.singleton) == expected


# SPEC §6: each variable's id follows the rule of the resource it names (resource_id option).
NAMES = {
    "plan id": ("TrackingPlan", f"workspaces/acme/tracking-plans/{PLAN_ID}", True),
    "made-up plan id": ("TrackingPlan", "workspaces/acme/tracking-plans/rs_123abc", False),
    "slug as plan id": ("TrackingPlan", "workspaces/acme/tracking-plans/js", False),
    "filter id": (
        "DestinationFilter",
        f"workspaces/a/sources/b/destinations/c/filters/{FILTER_ID}",
        True,
    ),
    "plan id as filter id": (
        "DestinationFilter",
        f"workspaces/a/sources/b/destinations/c/filters/{PLAN_ID}",
        False,
    ),
    "catalog slug destination": ("Destination", "workspaces/a/sources/b/destinations/.net", True),
    "connection": (
        "SourceConnection",
        f"workspaces/a/tracking-plans/{PLAN_ID}/source-connections/js",
        True,
    ),
    "connection of a made-up plan": (
        "SourceConnection",
        "workspaces/a/tracking-plans/rs_1/source-connections/js",
        False,
    ),
    "token": ("AccessToken", "access-tokens/0123456789abcdef01234567", True),
    "short token": ("AccessToken", "access-tokens/0123", False),
    "schema config": ("SchemaConfig", "workspaces/a/sources/b/schema-config", True),
}


@pytest.mark.parametrize(("name", "value", "valid"), NAMES.values(), ids=NAMES)
def test_each_variable_follows_its_resources_id_rule(name: str, value: str, valid: bool) -> None:
    assert (REGISTRY[T + name].pattern.match(value) is not None) == valid


@pytest.mark.parametrize("name", ["TrackingPlan", "DestinationFilter", "AccessToken"])
def test_generated_ids_fit_their_own_rule(name: str) -> None:
    resource = REGISTRY[T + name]
    ids = {resource.new_id() for _ in range(20)}
    assert len(ids) == 20
    rule = resource.pattern.id_rules[-1]
    assert all(rule.fullmatch(i) for i in ids)


def test_caller_picked_ids_are_never_generated() -> None:
    with pytest.raises(ValueError, match="caller picks"):
        REGISTRY[T + "Source"].new_id()


# Read from resource_reference on request fields, not from HTTP templates (policy's tenancy).
TARGETS = {
    "GetSource": ("name", "workspaces/{workspace}/sources/{source}"),
    "ListSources": ("parent", "workspaces/{workspace}"),
    "UpdateSource": ("source.name", "workspaces/{workspace}/sources/{source}"),
    "UpdateSchemaConfig": (
        "schema_config.name",
        "workspaces/{workspace}/sources/{source}/schema-config",
    ),
    "CreateSourceConnection": ("parent", "workspaces/{workspace}/tracking-plans/{tracking_plan}"),
    "BatchCreateSourceConnections": (
        "parent",
        "workspaces/{workspace}/tracking-plans/{tracking_plan}",
    ),
    "DeleteSourceConnection": (
        "name",
        "workspaces/{workspace}/tracking-plans/{tracking_plan}/source-connections/{source}",
    ),
    "CreateDestinationFilter": (
        "parent",
        "workspaces/{workspace}/sources/{source}/destinations/{destination}",
    ),
    "ListWorkspaces": None,
    "CreateAccessToken": None,
    "PreviewDestinationFilter": None,
}
METHODS = {m.name: m for m in contract.methods()}


@pytest.mark.parametrize(("method", "expected"), TARGETS.items(), ids=TARGETS)
def test_a_methods_target_is_read_from_its_request(
    method: str, expected: tuple[str, str] | None
) -> None:
    target = REGISTRY.target_of(METHODS[method])
    assert (None if target is None else (target.field_path, target.pattern.pattern)) == expected


def test_every_method_with_a_resource_reference_has_a_target() -> None:
    untargeted = sorted(m for m, d in METHODS.items() if REGISTRY.target_of(d) is None)
    assert untargeted == [
        "CreateAccessToken",
        "ListAccessTokens",
        "ListCatalogDestinations",
        "ListCatalogSources",
        "ListWorkspaces",
        "PreviewDestinationFilter",
    ]


def test_batch_creates_mutate_and_previews_do_not() -> None:
    writes = sorted(name for name, method in METHODS.items() if mutates(method))
    assert "BatchCreateSourceConnections" in writes
    assert "PreviewDestinationFilter" not in writes
    assert all(name.startswith(("Create", "Update", "Delete", "Batch")) for name in writes)


GENERATED = {
    "TrackingPlan": {"tracking_plan"},
    "DestinationFilter": {"filter"},
    "AccessToken": {"access_token"},
    "SourceConnection": {"tracking_plan"},
    "Source": set(),
    "Destination": set(),
}


@pytest.mark.parametrize(("name", "variables"), GENERATED.items(), ids=GENERATED)
def test_patterns_know_which_ids_the_server_generates(name: str, variables: set[str]) -> None:
    # SPEC §6: a made-up id of a generated kind names nothing (404), so name checks need this
    assert REGISTRY[T + name].pattern.generated == variables
