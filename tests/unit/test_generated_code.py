"""gen/python is exactly what `make gen` makes from proto/ now (DESIGN rule 6), and the generated
`segment.config.v1beta` package shares the `segment` namespace with other distributions (SPEC §7).

Regeneration runs tools/gen-python.sh, the same script `make gen` runs, so the protoc command
line exists once. A failure here means: run `make gen` and commit the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "gen" / "python"


def generated_files(directory: Path) -> dict[str, Path]:
    """Files under `directory` by relative path, without Python's bytecode caches."""
    return {
        path.relative_to(directory).as_posix(): path
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


COMMITTED = generated_files(GENERATED)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh protoc run over proto/, into a temp dir."""
    out = tmp_path_factory.mktemp("gen-python")
    subprocess.run(
        ["bash", str(ROOT / "tools" / "gen-python.sh"), str(out)],
        check=True,
        env={**os.environ, "PY": sys.executable},  # the interpreter (and grpcio-tools) under test
    )
    return generated_files(out)


def test_generation_makes_the_same_files(regenerated: dict[str, Path]) -> None:
    assert sorted(COMMITTED) == sorted(regenerated)


@pytest.mark.parametrize("name", COMMITTED, ids=COMMITTED)
def test_generated_file_is_byte_for_byte_current(name: str, regenerated: dict[str, Path]) -> None:
    assert name in regenerated, "no proto generates this file any more"
    assert COMMITTED[name].read_bytes() == regenerated[name].read_bytes()


def test_segment_is_a_namespace_package() -> None:
    # SPEC §7: an __init__.py here would hide every other distribution's `segment.*`.
    assert not (GENERATED / "segment" / "__init__.py").exists()


@pytest.mark.parametrize(
    "imports",
    [
        "import segment.analytics, segment.config.v1beta.sources_pb2",
        "import segment.config.v1beta.sources_pb2, segment.analytics",
    ],
    ids=["analytics-first", "config-first"],
)
def test_sources_pb2_imports_beside_segment_analytics(imports: str) -> None:
    # A fresh interpreter, so the import order is the one under test (ours may have imported
    # `segment` already). segment-analytics-python is a dev dependency for exactly this.
    check = f"{imports}; import segment.analytics.client; print(len(segment.__path__))"
    result = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(GENERATED)},
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 2, "`segment` should span gen/python and site-packages"
