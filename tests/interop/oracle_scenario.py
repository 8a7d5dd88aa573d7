"""The scenario the grpc-gateway oracle runs: every method, every field type, awkward numbers.

Each step is one REST call. Adding a method is adding a row to SCENARIO. Paths and bodies are
templates: `{t}` is the twin marker, `{tp}`/`{df}`/`{at}` names captured from earlier responses.

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
OTHER_SOURCE = W + "/sources/other-{t}"
DESTINATION = SOURCE + "/destinations/google-ads"
PLAN = "/v1beta/{tp}"
FILTER = "/v1beta/{df}"

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


# A filter with every action type; `percent` is a double field (not a Struct) with the spellings
# Python and Go disagree on. The create also sends the `update_mask` the Go client sends (ignored).
FILTER_BODY = (
    '{"filter": {"title": "Drop {t}", "description": "d", "enabled": true,'
    " \"if\": \"type = 'track' and (properties.total > 1e-7 or !(event in ['a', 'b']))\","
    ' "actions": [{"type": "drop_event"}, {"type": "sample_event", "percent": 0.00001},'
    ' {"type": "sample_event", "percent": 1e-7, "path": "userId"},'
    ' {"type": "sample_event", "percent": 1.0}, {"type": "sample_event", "percent": -0.0},'
    ' {"type": "whitelist_fields", "fields": {"properties": {"fields": ["a", "b"]},'
    ' "context": {"fields": []}}},'
    ' {"type": "blacklist_fields", "fields": {"traits": {"fields": ["email"]}}}]},'
    ' "update_mask": {"paths": ["if", "actions"]}}'
)
EVENT = (
    '{\\"type\\": \\"track\\", \\"event\\": \\"Order\\", \\"userId\\": \\"u1\\",'
    ' \\"properties\\": {\\"total\\": 0.00001, \\"age\\": 40, \\"tiny\\": 1e-7},'
    ' \\"context\\": {\\"ip\\": \\"1.2.3.4\\"}}'
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
    # a body the gateway itself cannot decode: grpc-gateway answers with protojson's message and
    # no details, SPEC §2 asks for the field, the rule, ErrorInfo and BadRequest; only the
    # status and code are compared (docs/compatibility.md)
    undecodable: bool = False
    oracle_status: int = 0  # grpc-gateway's status for an undecodable step, when not `status`


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
    # schema config: a singleton of every source (defaults without a write), bools, enums, strings
    Step(
        "POST",
        W + "/sources",
        '{"source": {"name": "workspaces/demo/sources/other-{t}",'
        ' "catalog_name": "catalog/sources/javascript"}}',
        twin=True,
    ),
    Step("GET", SOURCE + "/schema-config"),
    Step(
        "PATCH",
        SOURCE + "/schema-config",
        '{"schema_config": {"name": "workspaces/demo/sources/src-{t}/schema-config",'
        ' "allow_unplanned_track_events": false, "allow_track_properties_on_violations": false,'
        ' "forwarding_blocked_events_to": "other-{t}", "common_track_event_on_violations":'
        ' "OMIT_PROPERTIES", "common_identify_event_on_violations": 3,'
        ' "common_group_event_on_violations": "OMIT_TRAITS"}, "update_mask":'
        ' "schemaConfig.allowUnplannedTrackEvents,schemaConfig.allowTrackPropertiesOnViolations,'
        "schemaConfig.forwardingBlockedEventsTo,schemaConfig.commonTrackEventOnViolations,"
        "schemaConfig.commonIdentifyEventOnViolations,schemaConfig.commonGroupEventOnViolations,"
        'schemaConfig.allowUnplannedGroupTraits"}',
        twin=True,
    ),
    Step("GET", SOURCE + "/schema-config"),
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
    # destination filters: generated df_ ids, a field named `if`, repeated nested messages,
    # doubles; the mask paths unprefixed as the clients send them (SPEC §6.8)
    Step("POST", DESTINATION + "/filters", FILTER_BODY, twin=True, capture="df"),
    Step("GET", FILTER),
    Step("GET", DESTINATION + "/filters"),
    Step(
        "PATCH",
        FILTER,
        '{"filter": {"title": "Sample {t}", "if": "all", "enabled": false, "actions":'
        ' [{"type": "sample_event", "percent": 0.000015, "path": "properties.id"}]},'
        ' "update_mask": "title,if,enabled,actions,description"}',
        twin=True,
    ),
    Step("GET", DESTINATION + "/filters?page_size=1"),
    Step("GET", DESTINATION + "/filters?pageSize=1"),
    Step(
        "PATCH",
        FILTER,
        '{"filter": {"name": "workspaces/demo/sources/x/destinations/y/filters/df_other",'
        ' "description": "the name in the path wins"}, "update_mask": "filter.description"}',
        twin=True,
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": "all", "actions": [{"type": "drop_event"}]}, "input": "' + EVENT + '"}',
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": "properties.total < 1", "enabled": true, "actions":'
        ' [{"type": "blacklist_fields", "fields": {"properties": {"fields": ["age"]}}}]},'
        ' "input": "' + EVENT + '"}',
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": "all", "enabled": true, "actions": [{"type": "drop_event"}]},'
        ' "input": "' + EVENT + '"}',
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
    # tracking-plan source connections: no name; the plan's id alone in `tracking_plan_id`
    Step(
        "POST",
        PLAN + "/source-connections",
        '{"source_name": "workspaces/demo/sources/src-{t}"}',
        twin=True,
    ),
    Step("GET", PLAN + "/source-connections"),
    Step("DELETE", PLAN + "/source-connections/src-{t}", twin=True),
    Step(
        "POST",
        PLAN + "/source-connections:batchCreateConnections",
        '{"sourceNames": ["workspaces/demo/sources/other-{t}", "workspaces/demo/sources/src-{t}"]}',
        twin=True,
    ),
    Step("GET", PLAN + "/source-connections"),
    Step("GET", PLAN + "/source-connections?page_size=1"),
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
    Step("GET", DESTINATION + "/filters/df_123abc", status=404),
    Step(
        "POST", DESTINATION + "/filters", '{"filter": {"title": "t", "if": "type = "}}', status=400
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": "all", "actions": [{"type": "sample_event", "percent": 2}]},'
        ' "input": "{}"}',
        status=400,
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": "all"}, "input": "not json"}',
        status=400,
    ),
    Step(
        "PATCH",
        SOURCE + "/schema-config",
        '{"schema_config": {"name": "workspaces/demo/sources/src-{t}/schema-config",'
        ' "forwarding_violations_to": "nowhere"}, "update_mask": "forwardingViolationsTo"}',
        status=400,
    ),
    Step(
        "POST",
        "/v1beta/{bare}/source-connections",
        '{"source_name": "workspaces/demo/sources/src-{t}"}',
        status=409,
    ),
    Step("DELETE", PLAN + "/source-connections/missing", status=404),
    Step("GET", PLAN + "/source-connections?page_size=-1", status=400),
    Step("GET", DESTINATION + "/filters?page_token=forged", status=400),
    Step("GET", DESTINATION + "/filters/Bad.Id", status=404),
    Step("GET", DESTINATION + "/filters/bad!id", status=400),
    Step("GET", DESTINATION + "/filters/df_", status=404),
    Step("DELETE", PLAN + "/source-connections/Bad", status=400),
    Step("GET", W + "/tracking-plans/rs_123abc/source-connections", status=404),
    Step("GET", W + "/sources/missing/schema-config", status=404),
    Step("GET", W + "/sources/missing/destinations/google-ads/filters", status=404),
    Step(
        "POST",
        PLAN + "/source-connections",
        '{"source_name": "workspaces/other/sources/x"}',
        status=404,
    ),
    Step(
        "POST",
        PLAN + "/source-connections",
        '{"source_name": "workspaces/demo/sources/nope"}',
        status=404,
    ),
    Step(
        "POST",
        PLAN + "/source-connections:batchCreateConnections",
        '{"source_names": []}',
        status=400,
    ),
    Step("PATCH", FILTER, '{"filter": {"title": ""}, "update_mask": "title"}', status=400),
    Step("PATCH", FILTER, '{"filter": {}, "update_mask": "nope"}', status=400),
    Step(
        "PATCH",
        SOURCE + "/schema-config",
        '{"schema_config": {"common_group_event_on_violations": "OMIT_PROPERTIES"},'
        ' "update_mask": "commonGroupEventOnViolations"}',
        status=400,
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": "all"}, "input": "{}", "x": 1}',
        status=200,
    ),
    Step(
        "POST",
        "/v1beta/filters/preview",
        '{"filter": {"if": 5}, "input": "{}"}',
        status=400,
        undecodable=True,
    ),
    Step(
        "POST",
        PLAN + "/source-connections:batchCreateConnections",
        '{"source_names": "workspaces/demo/sources/src-{t}"}',
        status=400,
        undecodable=True,
    ),
    Step(
        "PATCH",
        SOURCE + "/schema-config",
        '{"schema_config": {"common_track_event_on_violations": "NOPE"},'
        ' "update_mask": "commonTrackEventOnViolations"}',
        status=400,
        undecodable=True,
        oracle_status=200,  # protojson's DiscardUnknown drops an unknown enum name: ALLOW is set
    ),
    Step(
        "PATCH",
        FILTER,
        '{"filter": {"actions": [{"type": "sample_event", "percent": "half"}]},'
        ' "update_mask": "actions"}',
        status=400,
        undecodable=True,
    ),
    # deletes last
    Step("DELETE", "/v1beta/{at}", twin=True),
    Step("DELETE", "/v1beta/{bare}", twin=True),
    Step("DELETE", FILTER, twin=True),
    Step("GET", DESTINATION + "/filters"),
    Step("DELETE", PLAN, twin=True),
    Step("DELETE", SOURCE + "/destinations/google-ads", twin=True),
    Step("DELETE", SOURCE, twin=True),
    Step("DELETE", OTHER_SOURCE, twin=True),
    Step("GET", W + "/sources"),
)
