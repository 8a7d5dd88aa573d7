"""The REST route table as released rows, and the SPEC §8 check against the snapshot.

A row is one HTTP binding, as the gateway serves it (`gateway.routes.build_route_table`):
`{"method", "verb", "path", "body"}`. The released rows live in contract/routes.v1beta.json; every
one of them must still be served. A route may be added, never removed or changed: a changed verb,
path template or body is the old row missing.

Refresh the snapshot when a release is cut (docs/compatibility.md):

    .venv/bin/python -m tests.contract_safety.route_table contract/routes.v1beta.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

from google.protobuf.descriptor import MethodDescriptor

from configapi import contract
from configapi.gateway.routes import build_route_table

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "contract" / "routes.v1beta.json"

Row = dict[str, str]


def route_rows(methods: Iterable[MethodDescriptor]) -> list[Row]:
    """Every binding of `methods` as a row, in a stable order (method, then binding order)."""
    table = build_route_table(methods)  # refuses duplicate routes, like the gateway
    rows = [
        {
            "method": route.method.full_name,
            "verb": route.http_method,
            "path": route.template.source,
            "body": route.body,
        }
        for route in table.routes
    ]
    return rows


def missing_rows(released: list[Row], served: list[Row]) -> list[Row]:
    """Released rows that `served` lacks: each one a removed or changed route."""
    keys = {_key(row) for row in served}
    return [row for row in released if _key(row) not in keys]


def describe(rows: list[Row]) -> str:
    """One line per row, `GET /v1beta/{name=...} body="" → pkg.Service.Method`."""
    return "\n".join(f'{r["verb"]} {r["path"]} body="{r["body"]}" → {r["method"]}' for r in rows)


def read_snapshot(path: Path = SNAPSHOT) -> list[Row]:
    """The released rows."""
    rows: list[Row] = json.loads(path.read_text(encoding="utf-8"))["routes"]
    return rows


def render_snapshot(rows: list[Row]) -> str:
    """The snapshot file: one row per line, so that a release's diff reads route by route."""
    lines = ",\n".join("    " + json.dumps(row, ensure_ascii=False) for row in rows)
    return '{\n  "routes": [\n' + lines + "\n  ]\n}\n"


def _key(row: Row) -> tuple[str, str, str, str]:
    return row["method"], row["verb"], row["path"], row["body"]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT
    target.write_text(render_snapshot(route_rows(contract.methods())), encoding="utf-8")
    print(f"route_table: wrote {target}")
