"""A Terraform provider's call sequence over REST, from Go (interop/terraform), on a live server.

The program does what the providers' client (segment-config-go) does: net/http and encoding/json
into plain structs, a trailing slash on every URL, `{}` with Content-Type on every call, and List
calls without page_size that never follow next_page_token (SPEC §4: a default page of 10 would
drop the 11th tracking plan from a provider's state). It updates a source's schema config and
manages a destination filter with the bodies the client sends (interop/terraform/protocols.go).
With the connect steps it connects a source to a plan, finds each source's plan by listing every
plan's connections (as uswitch's provider reads a source) and disconnects it, the body being
exactly `{}`. Only Go's standard library.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from configapi import contract
from tests.contract_safety.route_table import route_rows
from tests.interop.conftest import ROOT, LiveServer

# The source-connection steps (SPEC §6.9) run once their routes are served.
CONNECT_SOURCES = True


def test_a_terraform_provider_applies_reads_back_and_destroys(live_server: LiveServer) -> None:
    if shutil.which("go") is None:
        pytest.fail("no Go toolchain on PATH")
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly"}
    command = ["go", "run", ".", "-url", live_server.rest_url, "-token", live_server.token]
    command += ["-count", "12", f"-connect={str(CONNECT_SOURCES).lower()}"]
    result = subprocess.run(
        command,
        cwd=ROOT / "interop" / "terraform",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok listed 12 sources, 12 tracking plans and the destination" in result.stdout
    schema_and_filter_steps = (
        "ok updated the schema config of workspaces/demo/sources/tf-source-00 with the client's",
        "ok created, updated and listed filter workspaces/demo/sources/tf-source-00/destinations/"
        "amplitude/filters/df_",
        "ok deleted filter workspaces/demo/sources/tf-source-00/destinations/amplitude/filters/df_",
    )
    assert all(step in result.stdout for step in schema_and_filter_steps), result.stdout
    connect_steps = (
        "ok connected workspaces/demo/sources/tf-source-00 to workspaces/demo/tracking-plans/rs_",
        "ok listed connections of 12 tracking plans: only workspaces/demo/sources/tf-source-00",
        "ok disconnected workspaces/demo/sources/tf-source-00 from",
    )
    assert [step in result.stdout for step in connect_steps] == [CONNECT_SOURCES] * 3
    assert result.stdout.rstrip().endswith("terraform flow: all steps passed")


def test_the_connect_step_is_on_once_the_route_is_served() -> None:
    served = any(
        row["verb"] == "POST" and row["path"].endswith("/source-connections")
        for row in route_rows(contract.methods())
    )
    assert served == CONNECT_SOURCES, "set CONNECT_SOURCES to match the served routes"
