"""Path templates: the http.proto grammar, and matching request paths as SPEC §1 says."""

from __future__ import annotations

import grpc
import pytest

from configapi.errors import ApiError
from configapi.gateway.httprule import (
    PathTemplate,
    TemplateError,
    Variable,
    parse_template,
    split_path,
)


@pytest.mark.parametrize(
    ("template", "segments", "variables", "verb"),
    [
        pytest.param("/v1beta/workspaces", ("v1beta", "workspaces"), (), "", id="literals"),
        pytest.param(
            "/v1beta/{name}", ("v1beta", "*"), (Variable("name", 1, 2),), "", id="bare-variable"
        ),
        pytest.param(
            "/v1beta/{name=workspaces/*/sources/*}",
            ("v1beta", "workspaces", "*", "sources", "*"),
            (Variable("name", 1, 5),),
            "",
            id="variable-with-pattern",
        ),
        pytest.param(
            "/v1beta/{parent=workspaces/*}/sources",
            ("v1beta", "workspaces", "*", "sources"),
            (Variable("parent", 1, 3),),
            "",
            id="variable-then-literal",
        ),
        pytest.param(
            "/v1beta/{source.name=workspaces/*/sources/*}",
            ("v1beta", "workspaces", "*", "sources", "*"),
            (Variable("source.name", 1, 5),),
            "",
            id="nested-field-path",
        ),
        pytest.param(
            "/v1/{name=files/**}", ("v1", "files", "**"), (Variable("name", 1, 3),), "", id="deep"
        ),
        pytest.param("/v1/*/things", ("v1", "*", "things"), (), "", id="anonymous-wildcard"),
        pytest.param(
            "/v1/{name=jobs/*}:cancel",
            ("v1", "jobs", "*"),
            (Variable("name", 1, 3),),
            "cancel",
            id="custom-verb",
        ),
        pytest.param(
            "/v1/{a}/{b=x/*}",
            ("v1", "*", "x", "*"),
            (Variable("a", 1, 2), Variable("b", 2, 4)),
            "",
            id="two-variables",
        ),
    ],
)
def test_parse_template_reads_every_grammar_form(
    template: str, segments: tuple[str, ...], variables: tuple[Variable, ...], verb: str
) -> None:
    parsed = parse_template(template)
    assert (parsed.segments, parsed.variables, parsed.verb) == (segments, variables, verb)


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("v1/things", id="no-leading-slash"),
        pytest.param("/v1//things", id="empty-segment"),
        pytest.param("/v1/{name", id="unclosed-brace"),
        pytest.param("/v1/{a={b}}", id="nested-variable"),
        pytest.param("/v1/{9name}", id="bad-field-path"),
        pytest.param("/v1/{name=}", id="empty-pattern"),
        pytest.param("/v1/**/x/**", id="two-deep-wildcards"),
        pytest.param("/v1/x:", id="empty-verb"),
        pytest.param("/v1/a*b", id="star-inside-literal"),
    ],
)
def test_parse_template_rejects_malformed_templates(template: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(template)


def match(template: str, path: str) -> dict[str, str] | None:
    return parse_template(template).match(split_path(path))


GET_SOURCE = "/v1beta/{name=workspaces/*/sources/*}"
LIST_SOURCES = "/v1beta/{parent=workspaces/*}/sources"


@pytest.mark.parametrize(
    ("template", "path", "bindings"),
    [
        pytest.param(
            GET_SOURCE,
            "/v1beta/workspaces/acme/sources/js",
            {"name": "workspaces/acme/sources/js"},
            id="plain",
        ),
        pytest.param(
            GET_SOURCE,
            "/v1beta/workspaces/acme/sources/js/",
            {"name": "workspaces/acme/sources/js"},
            id="trailing-slash-ignored",
        ),
        pytest.param(
            "/v1beta/catalog/sources", "/v1beta//catalog/sources", {}, id="double-slash-folded"
        ),
        pytest.param(
            GET_SOURCE,
            "/v1beta/workspaces/acme/sources/j%73",
            {"name": "workspaces/acme/sources/js"},
            id="percent-decoded",
        ),
        pytest.param(
            GET_SOURCE,
            "/v1beta/workspaces/acme/sources/a%2Fb",
            {"name": "workspaces/acme/sources/a/b"},
            id="escaped-slash-stays-in-its-segment",
        ),
        pytest.param(
            GET_SOURCE,
            "/v1beta/workspaces/acme/sources/caf%C3%A9",
            {"name": "workspaces/acme/sources/café"},
            id="utf8-escapes",
        ),
        pytest.param(
            "/v1/{name=files/**}",
            "/v1/files/a/b%20c/d%2Fe",
            {"name": "files/a/b c/d%2Fe"},
            id="deep-keeps-reserved-escapes",
        ),
        pytest.param(
            "/v1/{name=files/**}/meta",
            "/v1/files/a/b/meta",
            {"name": "files/a/b"},
            id="deep-with-literal-tail",
        ),
        pytest.param(
            "/v1/{name=jobs/*}:cancel", "/v1/jobs/7:cancel", {"name": "jobs/7"}, id="custom-verb"
        ),
        pytest.param(
            "/v1/{name=jobs/*}",
            "/v1/jobs/a%3Ab",
            {"name": "jobs/a:b"},
            id="escaped-colon-is-no-verb",
        ),
    ],
)
def test_match_binds_variables(template: str, path: str, bindings: dict[str, str]) -> None:
    assert match(template, path) == bindings


@pytest.mark.parametrize(
    ("template", "path"),
    [
        pytest.param(GET_SOURCE, "/v1beta/workspaces/acme/sources", id="too-short"),
        pytest.param(GET_SOURCE, "/v1beta/workspaces/acme/sources/js/x", id="too-long"),
        pytest.param(GET_SOURCE, "/v1beta/workspaces/acme/destinations/js", id="wrong-literal"),
        pytest.param(LIST_SOURCES, "/v1beta/workspaces//sources", id="empty-segment-never-binds"),
        pytest.param("/v1/{name=files/**}", "/v1/files", id="bound-deep-needs-a-segment"),
        pytest.param("/v1/{name=jobs/*}:cancel", "/v1/jobs/7", id="missing-verb"),
        pytest.param("/v1/{name=jobs/*}:cancel", "/v1/jobs/7:stop", id="other-verb"),
    ],
)
def test_match_rejects_paths_of_another_shape(template: str, path: str) -> None:
    assert match(template, path) is None


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v1beta/workspaces/a%zz", id="non-hex-escape"),
        pytest.param("/v1beta/workspaces/a%2", id="truncated-escape"),
        pytest.param("/v1beta/workspaces/a%", id="lone-percent"),
        pytest.param("/v1beta/workspaces/%C3%28", id="invalid-utf8"),
    ],
)
def test_malformed_escapes_are_invalid_argument(path: str) -> None:
    with pytest.raises(ApiError) as raised:
        split_path(path)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT


def test_specificity_puts_literals_before_wildcards() -> None:
    templates = ["/v1/{a}/x", "/v1/{name=**}", "/v1/b/{c}", "/v1/b/x"]
    ordered = sorted((parse_template(t) for t in templates), key=PathTemplate.specificity)
    assert [t.source for t in ordered] == ["/v1/b/x", "/v1/b/{c}", "/v1/{a}/x", "/v1/{name=**}"]
