"""Resource names from `google.api.resource` patterns (AIP-122, SPEC §6)."""

from __future__ import annotations

import grpc
import pytest

from configapi.aip.names import SLUG, ResourcePattern, broken_rule, parse_name
from configapi.errors import ApiError
from configapi.services.resource_types import (
    ACCESS_TOKEN,
    DESTINATION,
    SOURCE,
    TRACKING_PLAN,
    WORKSPACE,
)


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


# ---- errors: 404 for made-up generated ids, 400 stating the rule broken (SPEC §6) -------------


@pytest.mark.parametrize(
    ("pattern", "name"),
    [
        (TRACKING_PLAN, "workspaces/acme/tracking-plans/rs_123abc"),
        (TRACKING_PLAN, "workspaces/acme/tracking-plans/rs_ABCdef"),
        (TRACKING_PLAN, "workspaces/acme/tracking-plans/my-plan"),
        (ACCESS_TOKEN, "access-tokens/abc123"),
        (ACCESS_TOKEN, "access-tokens/" + "A" * 24),
    ],
    ids=["short-rs", "mixed-case-rs", "slug", "short-token", "uppercase-token"],
)
def test_a_made_up_generated_id_is_not_found(pattern: ResourcePattern, name: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_name(pattern, name, "name")
    assert raised.value.code == grpc.StatusCode.NOT_FOUND
    assert raised.value.resource_name == name


# (pattern, name, the rule the message must state, the segment that breaks it, its regex or None)
BROKEN_RULES = [
    (SOURCE, "workspaces/Acme/sources/js", 'workspace "Acme" must match', "Acme", r"SLUG"),
    (SOURCE, "workspaces/acme/sources/-js", 'source "-js" must match', "-js", r"SLUG"),
    (SOURCE, "workspaces/acme/sources/", 'source "" must match', "", r"SLUG"),
    (
        SOURCE,
        "workspaces/acme/source/js",
        'segment 3 of workspaces/{workspace}/sources/{source} is "sources", not "source"',
        None,
        None,
    ),
    (SOURCE, "workspaces/acme/sources/js/x", "(4 segments); this one has 5", None, None),
    (SOURCE, "workspaces/" + "a" * 320, "names are at most 320 characters", None, None),
    (
        TRACKING_PLAN,
        "workspaces/acme/tracking-plans/rs_1!",
        'tracking_plan "rs_1!" must match ^rs_',
        "rs_1!",
        "tracking_plan",
    ),
    (
        TRACKING_PLAN,
        "workspaces/ACME/tracking-plans/rs_123abc",
        'workspace "ACME" must match',
        "ACME",
        "SLUG",
    ),
    (
        ACCESS_TOKEN,
        "access-tokens/a b",
        'access_token "a b" must match ^[0-9a-f]{24}$',
        "a b",
        "access_token",
    ),
]


@pytest.mark.parametrize(
    ("pattern", "name", "stated", "segment", "rule"),
    BROKEN_RULES,
    ids=[
        "uppercase-slug",
        "leading-dash",
        "empty-id",
        "wrong-literal",
        "too-many-segments",
        "too-long",
        "bad-generated-id",
        "bad-workspace-before-made-up-id",
        "token-with-space",
    ],
)
def test_a_bad_name_is_invalid_argument_stating_the_rule_it_breaks(
    pattern: ResourcePattern, name: str, stated: str, segment: str | None, rule: str | None
) -> None:
    with pytest.raises(ApiError) as raised:
        parse_name(pattern, name, "source.name")
    error = raised.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.violations[0].field == "source.name"
    assert stated in error.message
    if segment is not None and rule is not None:
        regex = SLUG if rule == "SLUG" else pattern.id_rule(rule)
        assert f"^{regex.pattern}$" in error.message  # the rule stated ...
        assert not regex.fullmatch(segment)  # ... is one the segment breaks


def test_the_slug_rule_is_never_stated_for_an_id_that_satisfies_it() -> None:
    # the complaint: `rs_123abc` got "slugs match ^[a-z0-9][a-z0-9_.-]{0,62}$"
    for name in ("workspaces/acme/tracking-plans/rs_123abc", "access-tokens/rs_123abc"):
        pattern = TRACKING_PLAN if name.startswith("workspaces") else ACCESS_TOKEN
        with pytest.raises(ApiError) as raised:
            parse_name(pattern, name, "name")
        assert SLUG.pattern not in raised.value.message


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("acme", "names have the form workspaces/{workspace} (2 segments); this one has 1"),
        ("workspaces/Acme", 'workspace "Acme" must match ^[a-z0-9][a-z0-9_.-]{0,62}$'),
        ("workspace/acme", 'segment 1 of workspaces/{workspace} is "workspaces", not "workspace"'),
    ],
)
def test_broken_rule_states_the_rule_for_names_in_other_fields(name: str, rule: str) -> None:
    # e.g. an access token's workspace_names: the same rule text as parse_name's 400
    assert broken_rule(WORKSPACE, name) == rule
    assert broken_rule(TRACKING_PLAN, "workspaces/a/tracking-plans/rs_123abc") is None
