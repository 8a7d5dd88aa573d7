"""The scenario the grpc-gateway oracle runs: every method, every field type, awkward numbers.

Each step is one REST call. Adding a method is adding a row to SCENARIO. Paths and bodies are
templates: `{t}` is the twin marker, `{tp}`/`{at}` names captured from earlier responses.

Update masks use the proto3 JSON string form (`"a.b,c"`): grpc-gateway's protojson refuses the
`{"paths": [...]}` form that SPEC §1 also accepts (docs/compatibility.md).

Reads and errors go through both gateways against the same resource and must match exactly.
Writes cannot be sent twice to one resource, so each gateway acts on its own twin (grpc-gateway
on twin `xqa`, ours on twin `xqb`) and the two responses are compared with the twin markers,
captured names, timestamps and secrets replaced by placeholders (see test_gateway_oracle.py).
"""

from __future__ import annotations

from dataclasses import dataclass

W = "/v1beta/workspaces/demo"
SOURCE = W + "/sources/src-{t}"
PLAN = "/v1beta/{tp}"

# Numbers Python's json and Go's protojson spell differently, or that lose digits or sign on the
# way: tiny, huge, negative zero, integers beyond 2^53, exponents in every case.
AWKWARD_NUMBERS = (
    '{"zero": 0, "neg_zero": -0, "neg_zero_float": -0.0, "tiny": 1e-7, "tinier": 1.5e-10,'
    ' "small": 0.00001, "mid": 0.000015, "py_small": 1e-05, "micro": 0.000001,'
    ' "int": 5, "int_as_float": 5.0, "beyond_2_53": 9007199254740993,'
    ' "huge_int": 123456789012345678901, "go_big": 123456789012345680000,'
    ' "two_60": 1152921504606846976,'
    ' "e21": 1e21, "e20": 1E20, "e300": 1.5e+300, "neg_tiny": -2.5e-8, "tenth": 0.1,'
    ' "subnormal": 5e-324, "max": 1.7976931348623157e308, "upper_exp": 1E3,'
    ' "nested": [[-0.0, 1e-7, 1e-6], {"x": 1e20, "y": [0.000015, -1e-9]}]}'
)
SCHEMA = (
    '{"type": "object", "properties": {"n": {"type": "number", "multipleOf": 0.00001,'
    ' "minimum": -0, "maximum": 1e21, "x-numbers": ' + AWKWARD_NUMBERS + "}}}"
)
RULES = (
    '{"global": ' + SCHEMA + ', "identify": ' + SCHEMA + ', "events": [{"name": "Order Completed",'
    ' "description": "d", "version": 2, "rules": ' + SCHEMA + "}],"
    ' "identify_traits": [' + SCHEMA + "]}"
)


@dataclass(frozen=True)
class Step:
    """One REST call of the scenario."""

    method: str
    path: str
    body: str = "{}"
    twin: bool = False  # a write: each gateway acts on its own twin resource
    capture: str = ""  # keep the response's `name` under this template variable (per twin)
    status: int = 200


SCENARIO: tuple[Step, ...] = (
    # workspaces
    Step("GET", "/v1beta/workspaces"),
    Step("GET", W),
    # catalog: nested messages, enums, repeated messages, recursive settings, camelCase names
    Step("GET", "/v1beta/catalog/sources"),
    Step("GET", "/v1beta/catalog/sources/javascript"),
    Step("GET", "/v1beta/catalog/destinations"),
    Step("GET", "/v1beta/catalog/destinations/google-analytics"),
    Step("GET", "/v1beta/catalog/destinations?page_size=2"),
    # sources: maps, repeated strings, nested message, timestamps
    Step(
        "POST",
        W + "/sources",
        '{"source": {"name": "workspaces/demo/sources/src-{t}",'
        ' "catalog_name": "catalog/sources/javascript", "labels": {"b": "2", "a": "1"}}}',
        twin=True,
    ),
    Step("GET", SOURCE),
    Step("GET", W + "/sources"),
    Step(
        "PATCH",
        SOURCE,
        '{"source": {"display_name": "Web {t}", "labels": {"z": "", "env": "prod"},'
        ' "library_config": {"metrics_enabled": true, "api_host": "api.example.com"}},'
        ' "update_mask": "source.displayName,source.labels,source.libraryConfig"}',
        twin=True,
    ),
    # destinations: enums, bool, repeated messages with JSON values full of awkward numbers
    Step(
        "POST",
        SOURCE + "/destinations",
        '{"destination": {"name": "workspaces/demo/sources/src-{t}/destinations/google-ads",'
        ' "enabled": true, "connection_mode": "CLOUD", "config": [{"name":'
        ' "workspaces/demo/sources/src-{t}/destinations/google-ads/config/eventMappings",'
        ' "value": ' + AWKWARD_NUMBERS + "}]}}",
        twin=True,
    ),
    Step(
        "POST",
        SOURCE + "/destinations",
        '{"destination": {"name": "workspaces/demo/sources/src-{t}/destinations/optimizely",'
        ' "config": [{"name": "workspaces/demo/sources/src-{t}/destinations/optimizely/config/'
        'accountId", "value": 123456789012345680000}, {"name": "workspaces/demo/sources/src-{t}/'
        'destinations/optimizely/config/cacheExpiry", "value": 300.0}]}}',
        twin=True,
    ),
    Step("GET", SOURCE + "/destinations/google-ads"),
    Step("GET", SOURCE + "/destinations"),
    Step(
        "PATCH",
        SOURCE + "/destinations/google-ads",
        '{"destination": {"enabled": false, "connection_mode": "DEVICE"},'
        ' "update_mask": "destination.enabled,destination.connectionMode"}',
        twin=True,
    ),
    Step("DELETE", SOURCE + "/destinations/optimizely", twin=True),
    # tracking plans: Struct rules (JSON Schema) with awkward numbers, repeated Structs, int32
    Step(
        "POST",
        W + "/tracking-plans",
        '{"tracking_plan": {"display_name": "Plan {t}", "rules": ' + RULES + "}}",
        twin=True,
        capture="tp",
    ),
    Step("GET", PLAN),
    Step("GET", W + "/tracking-plans"),
    Step(
        "PUT",
        PLAN,
        '{"tracking_plan": {"display_name": "Renamed {t}", "rules": {"group": ' + SCHEMA + "}},"
        ' "update_mask": "trackingPlan.displayName,trackingPlan.rules.group"}',
        twin=True,
    ),
    Step(
        "POST",
        W + "/tracking-plans",
        '{"tracking_plan": {"display_name": "Bare {t}"}}',
        twin=True,
        capture="bare",
    ),
    Step("GET", "/v1beta/{bare}"),
    # access tokens: output-only secret, repeated strings
    Step(
        "POST",
        "/v1beta/access-tokens",
        '{"access_token": {"description": "oracle {t}", "scopes": "workspace:read",'
        ' "workspace_names": ["workspaces/demo"]}}',
        twin=True,
        capture="at",
    ),
    Step("GET", "/v1beta/{at}"),
    Step("GET", "/v1beta/access-tokens"),
    Step("GET", "/v1beta/access-tokens?page_size=1"),
    # errors: status, code, message and details must match too
    Step("GET", W + "/tracking-plans/rs_123abc", status=404),
    Step("GET", W + "/sources/missing", status=404),
    Step("GET", W + "/sources?page_size=-1", status=400),
    Step("GET", W + "/sources?page_token=forged", status=400),
    Step("POST", W + "/sources", '{"source": {"name": "workspaces/demo/sources/Bad"}}', status=400),
    Step(
        "POST",
        W + "/sources",
        '{"source": {"name": "workspaces/demo/sources/src-xqa",'
        ' "catalog_name": "catalog/sources/javascript"}}',
        status=409,
    ),
    Step("GET", "/v1beta/workspaces/other", status=404),
    # deletes last
    Step("DELETE", "/v1beta/{at}", twin=True),
    Step("DELETE", "/v1beta/{bare}", twin=True),
    Step("DELETE", PLAN, twin=True),
    Step("DELETE", SOURCE + "/destinations/google-ads", twin=True),
    Step("DELETE", SOURCE, twin=True),
    Step("GET", W + "/sources"),
)
