"""The SPEC §8 gate fails CI on a breaking edit: each edit is applied to a copy of the repository's
contract files, then checked exactly as CI checks the real ones.

- protos: the copy gets buf.yaml, proto/, contract/ and tools/buf-breaking.sh (the script `make
  lint` runs), so the same rules run against the same baseline;
- routes: the edited protos are compiled and their route table is built by the gateway's own
  builder, then compared with the released snapshot as `test_route_snapshot.py` does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.contract_safety.protoc import compiled_methods
from tests.contract_safety.route_table import ROOT, missing_rows, read_snapshot, route_rows

PROTO_DIR = Path("proto/segment/config/v1beta")


@dataclass(frozen=True)
class Edit:
    """Replace `old` by `new` in one proto of the copy."""

    file: str
    old: str
    new: str

    def apply(self, root: Path) -> None:
        path = root / PROTO_DIR / self.file
        text = path.read_text(encoding="utf-8")
        assert text.count(self.old) == 1, f"{self.old!r} is not once in {self.file}"
        path.write_text(text.replace(self.old, self.new), encoding="utf-8")


def copy_of_repository(tmp_path: Path) -> Path:
    """What the gate reads, copied; tools it runs (buf, the venv) linked."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("proto", "contract"):
        shutil.copytree(ROOT / name, root / name)
    (root / "tools").mkdir()
    shutil.copy2(ROOT / "tools" / "buf-breaking.sh", root / "tools")
    shutil.copy2(ROOT / "buf.yaml", root)
    for name in ("node_modules", ".venv"):
        (root / name).symlink_to(ROOT / name)
    return root


def run_gate(root: Path) -> tuple[int, set[str]]:
    """Exit code of tools/buf-breaking.sh in `root`, and the rules its findings name."""
    result = subprocess.run(
        ["bash", str(root / "tools" / "buf-breaking.sh")],
        env={**os.environ, "BUF_ERROR_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return result.returncode, {json.loads(line)["type"] for line in lines}


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    if not (ROOT / "node_modules" / ".bin" / "buf").exists():
        pytest.fail("node_modules/.bin/buf missing: run `npm ci` (make test does)")
    return copy_of_repository(tmp_path)


def test_the_gate_passes_an_unchanged_copy(repo_copy: Path) -> None:
    assert run_gate(repo_copy) == (0, set())


BREAKING_PROTO_EDITS = {
    "field renamed": (
        Edit("sources.proto", "string catalog_name = 3", "string catalog_slug = 3"),
        {"FIELD_SAME_NAME", "FIELD_SAME_JSON_NAME"},
    ),
    "field type changed": (
        Edit("destinations.proto", "bool enabled = 4", "string enabled = 4"),
        {"FIELD_WIRE_JSON_COMPATIBLE_TYPE"},
    ),
    "field made repeated": (
        Edit("tracking_plans.proto", "string display_name = 2", "repeated string display_name = 2"),
        {"FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY"},
    ),
    "field deleted": (
        Edit("workspaces.proto", "string id = 3 [(google.api.field_behavior) = OUTPUT_ONLY];", ""),
        {"FIELD_NO_DELETE_UNLESS_NAME_RESERVED", "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"},
    ),
    "enum value renamed (enums are sent by name)": (
        Edit("destinations.proto", "    CLOUD = 1;", "    CLOUD_MODE = 1;"),
        {"ENUM_VALUE_SAME_NAME"},
    ),
    "method deleted": (
        Edit(
            "access_tokens.proto",
            "rpc DeleteAccessToken(DeleteAccessTokenRequest) returns (google.protobuf.Empty) {\n"
            "    // (-- api-linter: core::0127::http-template-syntax=disabled\n"
            "    //     aip.dev/not-precedent: the hyphenated path is the original API's;"
            " google.api.http allows\n"
            "    //     hyphens, the linter's grammar does not. --)\n"
            '    option (google.api.http) = {delete: "/v1beta/{name=access-tokens/*}"};\n'
            '    option (google.api.method_signature) = "name";\n'
            "  }\n",
            "",
        ),
        {"RPC_NO_DELETE"},
    ),
    "response type changed": (
        Edit(
            "sources.proto",
            "rpc GetSource(GetSourceRequest) returns (Source)",
            "rpc GetSource(GetSourceRequest) returns (ListSourcesResponse)",
        ),
        {"RPC_SAME_RESPONSE_TYPE"},
    ),
}


@pytest.mark.parametrize(
    ("edit", "rules"), BREAKING_PROTO_EDITS.values(), ids=BREAKING_PROTO_EDITS.keys()
)
def test_a_breaking_proto_edit_fails_the_gate(repo_copy: Path, edit: Edit, rules: set[str]) -> None:
    edit.apply(repo_copy)
    code, found = run_gate(repo_copy)
    assert code == 1
    assert rules <= found


def test_an_added_field_passes_the_gate(repo_copy: Path) -> None:
    # SPEC §8: new fields and methods may be added.
    last = "create_time = 4 [(google.api.field_behavior) = OUTPUT_ONLY];\n}"
    added = "\n  // Added.\n  string region = 5 [(google.api.field_behavior) = OUTPUT_ONLY];\n}"
    Edit("workspaces.proto", last, last[:-1] + added).apply(repo_copy)
    assert run_gate(repo_copy) == (0, set())


# --- routes: buf does not compare `google.api.http` options; the route snapshot does ----------


def edit_routes(repo: Path, tmp_path: Path, edit: Edit | None) -> list[dict[str, str]]:
    """The released routes the edited copy no longer serves."""
    if edit is not None:
        edit.apply(repo)
    return missing_rows(read_snapshot(), route_rows(compiled_methods(repo / "proto", tmp_path)))


def test_an_unchanged_copy_serves_every_released_route(repo_copy: Path, tmp_path: Path) -> None:
    assert edit_routes(repo_copy, tmp_path, None) == []


SOURCE = "segment.config.v1beta.SourceService"
PLANS = "segment.config.v1beta.TrackingPlanService"
BREAKING_ROUTE_EDITS: dict[str, tuple[Edit, list[tuple[str, str, str]]]] = {
    "path changed": (
        Edit(
            "sources.proto",
            'get: "/v1beta/{name=workspaces/*/sources/*}"',
            'get: "/v1beta/{name=workspaces/*/inputs/*}"',
        ),
        [(f"{SOURCE}.GetSource", "GET", "/v1beta/{name=workspaces/*/sources/*}")],
    ),
    "verb changed": (
        Edit(
            "tracking_plans.proto",
            'put: "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}"',
            'post: "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}"',
        ),
        [
            (
                f"{PLANS}.UpdateTrackingPlan",
                "PUT",
                "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}",
            )
        ],
    ),
    "additional binding removed": (
        Edit(
            "tracking_plans.proto",
            "      additional_bindings {\n"
            '        patch: "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}"\n'
            '        body: "*"\n'
            "      }\n",
            "",
        ),
        [
            (
                f"{PLANS}.UpdateTrackingPlan",
                "PATCH",
                "/v1beta/{tracking_plan.name=workspaces/*/tracking-plans/*}",
            )
        ],
    ),
    "body changed": (
        Edit(
            "sources.proto",
            '      post: "/v1beta/{parent=workspaces/*}/sources"\n      body: "*"',
            '      post: "/v1beta/{parent=workspaces/*}/sources"\n      body: "source"',
        ),
        [(f"{SOURCE}.CreateSource", "POST", "/v1beta/{parent=workspaces/*}/sources")],
    ),
}


@pytest.mark.parametrize(
    ("edit", "missing"), BREAKING_ROUTE_EDITS.values(), ids=BREAKING_ROUTE_EDITS.keys()
)
def test_a_breaking_route_edit_fails_the_snapshot_check(
    repo_copy: Path, tmp_path: Path, edit: Edit, missing: list[tuple[str, str, str]]
) -> None:
    found = edit_routes(repo_copy, tmp_path, edit)
    assert [(row["method"], row["verb"], row["path"]) for row in found] == missing


def test_a_breaking_route_edit_passes_buf_but_not_the_snapshot(
    repo_copy: Path, tmp_path: Path
) -> None:
    # why the snapshot exists: buf breaking does not look at `google.api.http` options
    edit, missing = BREAKING_ROUTE_EDITS["path changed"]
    edit.apply(repo_copy)
    assert run_gate(repo_copy) == (0, set())
    assert len(edit_routes(repo_copy, tmp_path, None)) == len(missing)
