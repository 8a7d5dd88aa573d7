"""What the report says about the machine, the versions and the method."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

from bench.plan import Plan
from bench.processes import LOAD_CPU, REPO, SERVER_CPU

_PACKAGES = ("grpcio", "protobuf", "uvicorn", "starlette", "httptools")


def describe_environment(plan: Plan) -> list[tuple[str, str]]:
    """(name, value) facts for the report header."""
    versions = ", ".join(f"{p} {_version(p)}" for p in _PACKAGES)
    return [
        ("source", _source()),
        ("machine", f"{_cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()}"),
        ("pinning", f"servers on core {SERVER_CPU}, load generators on core {LOAD_CPU} (taskset)"),
        ("software", f"Python {platform.python_version()}, {versions}; {_tools()}"),
        (
            "method",
            f"per cell and concurrency: {plan.warmup:g} s warm-up, then {plan.repeats} runs of"
            f" {plan.seconds:g} s interleaved with the cell's comparison cells; medians of the"
            " runs. gRPC: h2load, one HTTP/2 connection with `conc` streams in flight; REST: wrk,"
            " one thread, `conc` connections",
        ),
    ]


def _source() -> str:
    """The commit measured, and whether src/ had uncommitted changes."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "src", "gen"], capture_output=True, text=True
    ).stdout.splitlines()
    state = f" + uncommitted changes in {len(dirty)} files of src/, gen/" if dirty else ""
    return f"commit {head.stdout.strip() or '?'}{state}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _tools() -> str:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    h2load = subprocess.run(["h2load", "--version"], capture_output=True, text=True).stdout
    return f"{wrk.strip()}, {h2load.strip()}"
