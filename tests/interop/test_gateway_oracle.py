"""grpc-gateway v2 as a differential oracle of our REST gateway (SPEC §1, issue #16).

grpc-gateway v2.34.0 is generated from proto/ at test time (tools/gen-go-gateway.sh into a copy of
interop/gateway, built with the module versions pinned in its go.mod and go.sum) and put in front of
the gRPC port of a live `configapi serve`; our own gateway is that server's REST port. Every step of
oracle_scenario.SCENARIO goes through both and the two bodies must be equal as JSON token streams:
whitespace and key order aside, every number spelled the same. Error bodies are compared on HTTP
status, `code`, `message` and `details`.

The differences docs/compatibility.md lists are the only ones allowed here:
- grpc-gateway's EmitUnpopulated prints an unset message field as `null`; SPEC §1 (and the original
  API's catalog dumps) omit it. A `null` on the oracle's side where ours has no key is dropped.
- our error body also has `error` (the original API's field); compared are the four above.
- a body the gateway itself cannot decode (`Step.undecodable`): grpc-gateway answers with
  protojson's message and no details, or ignores an unknown enum name (DiscardUnknown) and
  succeeds; SPEC §2 wants a 400 naming the field with ErrorInfo and BadRequest. Compared are the
  status and code, and our details are checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from configapi import contract
from tests.contract_safety.route_table import route_rows
from tests.interop.conftest import ROOT, LiveServer, StartServer, tool
from tests.interop.oracle_scenario import SCENARIO, Step

TWINS = ("xqa", "xqb")  # grpc-gateway acts on the first twin of a write, ours on the second
_VOLATILE_KEYS = {"create_time", "update_time", "token"}
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@dataclass(frozen=True)
class Number:
    """A JSON number as its text: `1e-7` and `1e-07` are different tokens here."""

    text: str


def tokens(body: bytes) -> Any:
    """A JSON body as a comparable value: numbers kept as text, object keys in sorted order."""
    return json.loads(
        body,
        parse_int=Number,
        parse_float=Number,
        parse_constant=Number,
        object_pairs_hook=lambda pairs: dict(sorted(pairs)),
    )


def drop_unset_messages(oracle: Any, ours: Any) -> Any:
    """The oracle's value without the `null`s EmitUnpopulated prints where ours omits a field."""
    if isinstance(oracle, dict) and isinstance(ours, dict):
        return {
            key: drop_unset_messages(value, ours.get(key))
            for key, value in oracle.items()
            if not (value is None and key not in ours)
        }
    if isinstance(oracle, list) and isinstance(ours, list) and len(oracle) == len(ours):
        return [drop_unset_messages(o, u) for o, u in zip(oracle, ours, strict=True)]
    return oracle


def masked(value: Any, replacements: dict[str, str]) -> Any:
    """A write's response with twin-specific text (markers, generated names, times, secrets)
    replaced by placeholders, so that the two twins' responses can be compared."""
    if isinstance(value, dict):
        return {
            key: "<volatile>" if key in _VOLATILE_KEYS else masked(item, replacements)
            for key, item in value.items()
            if key != "write_keys"
        } | ({"write_keys": len(value["write_keys"])} if "write_keys" in value else {})
    if isinstance(value, list):
        return [masked(item, replacements) for item in value]
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    return value


@dataclass
class Oracle:
    """The built grpc-gateway process and its base URL."""

    url: str
    process: subprocess.Popen[str]


@pytest.fixture
def oracle_binary(tmp_path: Path) -> Path:
    """grpc-gateway generated from proto/ and built: a copy of interop/gateway plus the code."""
    for plugin in ("protoc-gen-go", "protoc-gen-go-grpc", "protoc-gen-grpc-gateway"):
        tool(plugin)
    if shutil.which("go") is None:
        pytest.fail("no Go toolchain on PATH")
    module = tmp_path / "gateway"
    shutil.copytree(ROOT / "interop" / "gateway", module)
    subprocess.run(
        ["bash", str(ROOT / "tools" / "gen-go-gateway.sh"), str(module)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly"}
    built = subprocess.run(
        ["go", "build", "-o", "gateway", "."],
        cwd=module,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    return module / "gateway"


@pytest.fixture
def server(start_server: StartServer) -> LiveServer:
    """The server both gateways front; no rate limit: the scenario sends over 200 requests."""
    return start_server(rate_limit=0)


@pytest.fixture
def oracle(oracle_binary: Path, server: LiveServer) -> Iterator[Oracle]:
    env = {**os.environ, "CONFIGAPI_GRPC_ADDRESS": server.grpc_address}
    process = subprocess.Popen(
        [str(oracle_binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # printed once the listener accepts connections
        assert banner.startswith("serving REST on "), banner
        yield Oracle(banner.split()[-1], process)
    finally:
        process.kill()
        process.communicate(timeout=30)


class Run:
    """Sends the scenario through both gateways and keeps the names captured per twin."""

    def __init__(self, oracle: httpx.Client, ours: httpx.Client) -> None:
        self.clients = {TWINS[0]: oracle, TWINS[1]: ours}
        self.captured: dict[str, dict[str, str]] = {twin: {} for twin in TWINS}
        self.succeeded: set[tuple[str, str]] = set()  # (verb, path) of every success step

    def render(self, template: str, twin: str) -> str:
        text = template.replace("{t}", twin)
        for variable, value in self.captured[twin].items():
            text = text.replace("{" + variable + "}", value)
        return text

    def send(self, client: httpx.Client, step: Step, twin: str) -> httpx.Response:
        content = self.render(step.body, twin).encode() if step.method != "GET" else None
        path = self.render(step.path, twin)
        if step.status == 200:
            self.succeeded.add((step.method, path.partition("?")[0]))
        return client.request(step.method, path, content=content)

    def write(self, step: Step) -> tuple[Any, Any]:
        """A write, each gateway on its twin; both responses with twin-specific text masked."""
        results = []
        for twin, client in self.clients.items():
            response = self.send(client, step, twin)
            assert response.status_code == step.status, (twin, step, response.text)
            body = tokens(response.content)
            if step.capture:
                self.captured[twin][step.capture] = body["name"]
            results.append(masked(body, self.replacements(twin)))
        return results[0], results[1]

    def replacements(self, twin: str) -> dict[str, str]:
        """Twin-specific text → placeholders: each captured name, then its generated id alone
        (a source connection's `tracking_plan_id` is the plan's id, SPEC §6.9), then the twin."""
        captured = self.captured[twin]
        names = {value: f"<{key}>" for key, value in captured.items()}
        ids = {value.rsplit("/", 1)[-1]: f"<{key} id>" for key, value in captured.items()}
        return names | ids | {twin: "<twin>"}

    def read(self, step: Step, twin: str) -> tuple[httpx.Response, httpx.Response]:
        """A read or an error, the same request to both gateways."""
        return self.send(self.clients[TWINS[0]], step, twin), self.send(
            self.clients[TWINS[1]], step, twin
        )


def error_parts(response: httpx.Response) -> Any:
    body = tokens(response.content)
    return response.status_code, {key: body.get(key) for key in ("code", "message", "details")}


def test_every_response_matches_grpc_gateway(oracle: Oracle, server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    with (
        httpx.Client(base_url=oracle.url, headers=headers, timeout=30) as theirs,
        httpx.Client(base_url=server.rest_url, headers=headers, timeout=30) as ours,
    ):
        run = Run(theirs, ours)
        for index, step in enumerate(SCENARIO):
            where = f"step {index}: {step.method} {step.path}"
            if step.twin:
                expected, got = run.write(step)
                assert got == drop_unset_messages(expected, got), where
                continue
            for twin in TWINS:
                expected_response, got_response = run.read(step, twin)
                if step.undecodable:
                    assert_undecodable(expected_response, got_response, step, where)
                    continue
                if step.status != 200:
                    assert got_response.status_code == step.status, (where, got_response.text)
                    expected_status, expected_error = error_parts(expected_response)
                    got_status, got_error = error_parts(got_response)
                    assert got_status == expected_status, where
                    assert got_error == drop_unset_messages(expected_error, got_error), where
                    continue
                assert expected_response.status_code == 200, (where, expected_response.text)
                assert got_response.status_code == 200, (where, got_response.text)
                expected, got = tokens(expected_response.content), tokens(got_response.content)
                assert got == drop_unset_messages(expected, got), where
    # every method of the contract is in the scenario: a new method needs a row in SCENARIO
    assert methods_not_covered(run.succeeded) == []


def assert_undecodable(
    expected: httpx.Response, got: httpx.Response, step: Step, where: str
) -> None:
    """A body the gateways decode differently (docs/compatibility.md): ours is a 400 whose message
    names the field and whose details hold ErrorInfo and a BadRequest violation of that field
    (SPEC §2); grpc-gateway's is the same status and code with protojson's message and no
    details, or (`oracle_status`) a success when its DiscardUnknown dropped the bad value."""
    oracle_status = step.oracle_status or step.status
    assert (got.status_code, expected.status_code) == (step.status, oracle_status), where
    ours = got.json()
    assert ours["code"] == 3, where
    if oracle_status == step.status:
        assert expected.json()["code"] == 3, where
    details = {detail["@type"].rsplit(".", 1)[1]: detail for detail in ours["details"]}
    assert details.keys() == {"ErrorInfo", "BadRequest"}, where
    fields = [violation["field"] for violation in details["BadRequest"]["field_violations"]]
    assert len(fields) == 1 and f"invalid {fields[0]}: " in ours["message"], (where, ours)


def methods_not_covered(calls: set[tuple[str, str]]) -> list[str]:
    """The methods of the contract none of whose REST routes any of `calls` matched."""
    covered, every = set(), set()
    for row in route_rows(contract.methods()):
        every.add(row["method"])
        pattern = re.compile(_template_regex(row["path"]))
        if any(verb == row["verb"] and pattern.fullmatch(path) for verb, path in calls):
            covered.add(row["method"])
    return sorted(every - covered)


def _template_regex(template: str) -> str:
    """`/v1beta/{name=workspaces/*/sources/*}:verb` as a regex of the paths it matches."""
    inner = re.sub(r"\{[a-z_.]+=([^}]*)\}", lambda m: m.group(1), template)
    inner = re.sub(r"\{[a-z_.]+\}", "*", inner)
    return re.escape(inner).replace(r"\*\*", ".+").replace(r"\*", "[^/]+")


def test_number_tokens_keep_their_spelling() -> None:
    # the comparison itself: 1e-07 and 1e-7 are the same double but not the same token
    assert tokens(b'{"b": 1e-7, "a": [0.00001]}') == tokens(b'{"a":[0.00001],"b":1e-7}')
    assert tokens(b'{"n": 1e-7}') != tokens(b'{"n": 1e-07}')
    assert tokens(b'{"n": -0}') != tokens(b'{"n": 0}')
    assert tokens(b'{"n": 5}') != tokens(b'{"n": 5.0}')
    assert tokens(b'{"n": 1}') != tokens(b'{"n": "1"}')
