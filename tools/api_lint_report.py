"""Reads api-linter's JSON output for tools/api-lint.sh: prints every finding as
`proto/FILE:LINE:COL: RULE: message`, and every disable comment that no longer disables
anything (a rule that was renamed or removed, an element that was fixed).

Usage: api_lint_report.py FINDINGS.json ALL.json
  FINDINGS.json  a normal run: each finding in it is new and fails the lint.
  ALL.json       the same run with --ignore-comment-disables: each `(-- api-linter: RULE=disabled`
                 comment in proto/ must account for one of these findings, else it is stale.
A finding of ALL.json belongs to the nearest disable of its rule above it in its file (the
comment sits on the element or on one that encloses it). Exits 1 on a finding or a stale disable.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PROTO_ROOT = Path("proto")
DISABLE = re.compile(r"\(-- api-linter: (\S+)=disabled")
HOW_TO_EXCEPT = """\
api-lint: fix each finding, or, where the original API's wire format requires the deviation
(SPEC §1, §6), disable the rule on that element with a reason:
    // (-- api-linter: RULE=disabled
    //     aip.dev/not-precedent: WHY. --)
and add its row to docs/lint-exceptions.md (tests/unit/test_contract.py keeps the two in step)."""


@dataclass(frozen=True)
class Finding:
    path: str  # relative to proto/
    line: int
    column: int
    rule: str
    message: str


@dataclass(frozen=True)
class Disable:
    path: str
    comment_line: int
    element_line: int  # first line after the comments: the element the disable is on
    rule: str


def read_findings(path: str) -> list[Finding]:
    """The problems of one api-linter JSON report."""
    findings = []
    for file in json.loads(Path(path).read_text(encoding="utf-8")) or []:
        for problem in file.get("problems") or []:
            start = problem["location"]["start_position"]
            findings.append(
                Finding(
                    file["file_path"],
                    start["line_number"],
                    start["column_number"],
                    problem["rule_id"],
                    problem["message"],
                )
            )
    return findings


def read_disables() -> list[Disable]:
    """Every disable comment under proto/, with the line of the element it precedes."""
    disables = []
    for proto in sorted(PROTO_ROOT.rglob("*.proto")):
        lines = proto.read_text(encoding="utf-8").splitlines()
        relative = proto.relative_to(PROTO_ROOT).as_posix()
        for index, line in enumerate(lines):
            match = DISABLE.search(line)
            if match:
                element = index + 1
                while element < len(lines) and lines[element].lstrip().startswith("//"):
                    element += 1
                disables.append(Disable(relative, index + 1, element + 1, match[1]))
    return disables


def stale_disables(disables: list[Disable], all_findings: list[Finding]) -> list[Disable]:
    """Disables that account for none of the findings the linter reports without them."""
    used: set[Disable] = set()
    for finding in all_findings:
        above = [
            d
            for d in disables
            if d.path == finding.path and d.rule == finding.rule and d.element_line <= finding.line
        ]
        if above:
            used.add(max(above, key=lambda d: d.element_line))
    return [d for d in disables if d not in used]


def main(findings_json: str, all_json: str) -> int:
    findings = read_findings(findings_json)
    for f in findings:
        print(f"{PROTO_ROOT}/{f.path}:{f.line}:{f.column}: {f.rule}: {f.message}")
    stale = stale_disables(read_disables(), read_findings(all_json))
    for d in stale:
        print(
            f"{PROTO_ROOT}/{d.path}:{d.comment_line}: {d.rule} is disabled here but reports "
            "nothing on this element: remove the comment and its row in docs/lint-exceptions.md"
        )
    if findings:
        print(HOW_TO_EXCEPT)
    return 1 if findings or stale else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
