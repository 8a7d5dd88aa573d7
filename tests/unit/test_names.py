"""Resource names from `google.api.resource` patterns (AIP-122, SPEC §6)."""

from __future__ import annotations

import pytest

from configapi.services.resource_types import DESTINATION, SOURCE, TRACKING_PLAN, WORKSPACE


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("workspaces/acme/sources/js", {"workspace": "acme", "source": "js"}),
        ("workspaces/a_b.c-d/sources/0", {"workspace": "a_b.c-d", "source": "0"}),
        ("workspaces/" + "a" * 63 + "/sources/s", {"workspace": "a" * 63, "source": "s"}),
    ],
    ids=["plain", "all-slug-characters", "longest-slug"],
)
def test_valid_source_names_parse(name: str, expected: dict[str, str]) -> None:
    assert SOURCE.match(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "workspaces/Acme/sources/js",
        "workspaces/acme/sources/",
        "workspaces//sources/js",
        "workspaces/acme/sources/js/extra",
        "workspaces/acme/source/js",
        "workspaces/" + "a" * 64 + "/sources/s",
        "workspaces/-acme/sources/js",
        "workspaces/../sources/js",
        "workspaces/acme/sources/j\x00s",
        "",
    ],
    ids=[
        "uppercase",
        "empty-id",
        "empty-workspace",
        "too-deep",
        "wrong-collection",
        "too-long",
        "leading-dash",
        "dot-dot",
        "nul-byte",
        "empty",
    ],
)
def test_invalid_source_names_do_not_parse(name: str) -> None:
    assert SOURCE.match(name) is None


def test_tracking_plan_ids_are_ksuid_like() -> None:
    assert TRACKING_PLAN.match("workspaces/a/tracking-plans/rs_1SWT1hC4xpwcltyCUud43XMIlQo")
    assert TRACKING_PLAN.match("workspaces/a/tracking-plans/rs_short") is None


def test_destination_slugs_follow_the_catalog() -> None:
    assert DESTINATION.match("workspaces/a/sources/s/destinations/google-analytics")


def test_render_builds_names() -> None:
    assert WORKSPACE.render(workspace="acme") == "workspaces/acme"
    assert WORKSPACE.template == "workspaces/*"


def test_names_longer_than_any_valid_one_never_match() -> None:
    assert SOURCE.match("workspaces/" + "a" * 10_000 + "/sources/s") is None
