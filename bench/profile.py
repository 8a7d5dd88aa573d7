"""BENCH_PROFILE=1: py-spy on the server under each cell's load, summarised as hot spots.

Samples are Python stacks (py-spy, not --native): time inside compiled code (grpc's Cython
core, the C parts of asyncio, sqlite3) shows as self time of the Python frame that called it,
e.g. `Handle._run` for callbacks that run straight in cygrpc. py-spy pauses the process for each
sample, so rates under the profiler are lower than in the report's cells.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.loadgen import LoadError
from bench.processes import LOAD_CPU

if TYPE_CHECKING:
    from bench.session import BenchSession

PROFILED = (
    "grpc_get",
    "grpc_get_bare",
    "rest_get",
    "rest_get_bare",
    "rest_get_proxy",
    "grpc_list",
    "rest_list",
    "grpc_update",
    "grpc_create",
)
SECONDS = 6
CONCURRENCY = 16
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::\d+)?\)$")
_THREAD = re.compile(r"^thread \(\w+\): (?P<name>.*?)(?:_\d+)?$")
# the event loop's own frames: they hold every sample of the main thread
_SCAFFOLD = {
    "<module>",
    "main",
    "run",
    "Runner.run",
    "BaseEventLoop.run_until_complete",
    "BaseEventLoop.run_forever",
    "BaseEventLoop._run_once",
}


@dataclass(frozen=True)
class Stack:
    """One distinct stack: its thread, its frames (outermost first), its sample count."""

    thread: str
    frames: tuple[str, ...]
    count: int


def parse_raw(text: str) -> list[Stack]:
    """py-spy `--format raw --threads` output: `thread (id): name;frame;frame N` lines."""
    stacks = []
    for line in text.splitlines():
        body, _, count = line.rpartition(" ")
        if not body or not count.isdigit():
            continue
        parts = body.split(";")
        thread = _THREAD.match(parts[0])
        name = thread.group("name") if thread else "?"
        frames = tuple(_short(p) for p in (parts[1:] if thread else parts))
        stacks.append(Stack(name, frames, int(count)))
    return stacks


def _short(frame: str) -> str:
    """`func (path/to/file.py:12)` → `func (to/file.py)`: lines merged, paths shortened."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    file = "/".join(match.group("file").split("/")[-2:])
    return f"{match.group('function')} ({file})"


def summarize(stacks: Sequence[Stack], top: int = 14) -> list[str]:
    """Markdown: the main thread's hottest functions, as shares of its samples.

    Only the main thread (the event loop) is ranked: py-spy counts the pool threads' lock waits
    as samples, so their shares overstate their work (the CPU column of the report does not).
    """
    main = [s for s in stacks if s.thread == "MainThread"]
    total = sum(s.count for s in main) or 1
    inclusive, own = Counter[str](), Counter[str]()
    for s in main:
        for frame in set(s.frames):
            if frame.split(" (")[0] not in _SCAFFOLD:
                inclusive[frame] += s.count
        if s.frames:
            own[s.frames[-1]] += s.count
    lines = [f"{total:,} main-thread samples", ""]
    lines += ["| main thread: inclusive | % | self | % |", "|---|--:|---|--:|"]
    for (frame, n), (leaf, m) in zip(
        inclusive.most_common(top), own.most_common(top), strict=False
    ):
        lines.append(f"| `{frame}` | {n / total:.0%} | `{leaf}` | {m / total:.0%} |")
    return lines


def profile_cells(bench: BenchSession, folder: Path) -> None:
    """Profile the (first) serving process of each PROFILED cell at 16; write profile.md."""
    folder.mkdir(parents=True, exist_ok=True)
    seconds = max(SECONDS, bench.plan.seconds)
    report = [f"# py-spy profiles of `configapi serve` under load (concurrency {CONCURRENCY})", ""]
    for key in PROFILED:
        cell = bench.cells.get(key)
        if cell is None:
            continue
        raw = folder / f"{key}.txt"
        print(f"profiling {cell.label} [{cell.tool}]", flush=True)
        spy = _start_py_spy(cell.pids[0], seconds, raw)
        try:
            sample = cell.run(CONCURRENCY, seconds + 1, f"p{key}")
        except LoadError as error:
            print(f"  FAILED: {error}", file=sys.stderr)
            spy.wait()
            continue
        spy.wait()
        report += [
            f"## {cell.label} on {cell.server} ({key}, {cell.tool}),"
            f" {sample.rps:,.0f} rps under py-spy",
            "",
        ]
        report += [*summarize(parse_raw(raw.read_text())), ""]
    (folder / "profile.md").write_text("\n".join(report))
    print("\n".join(report))


def _start_py_spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    py_spy = Path(sys.executable).parent / "py-spy"
    if not py_spy.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    argv = [
        "taskset",
        "-c",
        str(LOAD_CPU),
        str(py_spy),
        "record",
        "--pid",
        str(pid),
        "--duration",
        f"{seconds:g}",
        "--rate",
        "200",
        "--format",
        "raw",
        "--threads",
        "--output",
        str(out),
    ]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
