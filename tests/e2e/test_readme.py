"""The README's curl examples, run in order against a live `configapi serve --demo`."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_examples() -> str:
    """The shell block of the "Using the REST API" section."""
    section = README.read_text().split("## Using the REST API", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README lost its REST examples"
    return match.group(1)


def test_readme_has_an_example_for_every_resource() -> None:
    examples = readme_examples()
    for collection in (
        "workspaces",
        "catalog",
        "sources",
        "destinations",
        "tracking-plans",
        "access-tokens",
    ):
        assert f"/{collection}" in examples, collection


def test_readme_curl_examples_work(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, printed = served
    env = {**os.environ, "API": printed["rest"], "TOKEN": printed["token"]}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_examples()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"token":"sgp_' in result.stdout  # the created token's secret, shown once
