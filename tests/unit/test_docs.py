"""The repository's own docs hold what the code cites: every "SPEC §N" in src/, tests/, tools/,
bench/ and docs/ names a section of docs/SPEC.md, and the README links only to files that exist
in the repository (issue 14: nothing points outside it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "SPEC.md"
CITATION = re.compile(r"SPEC(?:\.md)? §(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _cited_sections() -> dict[str, list[str]]:
    """Section → the files that cite it."""
    cited: dict[str, list[str]] = {}
    for folder in ("src", "tests", "tools", "bench", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".md", ".sh", ".proto"} or "data" in path.parts:
                continue
            for section in CITATION.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(section, []).append(str(path.relative_to(ROOT)))
    return cited


def test_every_cited_spec_section_exists() -> None:
    sections = set(HEADING.findall(SPEC.read_text(encoding="utf-8")))
    assert {str(n) for n in range(1, 10)} <= sections
    assert {f"6.{n}" for n in range(1, 10)} <= sections
    cited = _cited_sections()
    assert len(cited) > 10, "the citations were not found"
    missing = {s: files for s, files in cited.items() if s not in sections}
    assert not missing


def test_readme_and_docs_link_only_inside_the_repository() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # http(s): and mailto: links leave the repository on purpose
            resolved = (page.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{page.name} links outside: {target}"
            assert resolved.exists(), f"{page.name} links to a missing file: {target}"
