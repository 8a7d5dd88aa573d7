"""The storage cost of one GetSource and one CreateSource, the previous SQLite driver beside
the current one, in one process run (README "Performance").

    .venv/bin/python -m bench.storage_driver [--runs 5] [--gets 3000] [--creates 300]

The previous driver (commit 4736492: reads inline on the event loop, writes on a thread of its
own) is loaded from git into a private package, so both run in the same interpreter, on the
same disk, interleaved run by run. Each run times, through the repository protocol the services
call, GETS point reads of one source and CREATES durable inserts of new sources, first one
caller at a time (latency per call) then 16 callers at once (loop time per call), and reads
each created source once (what the current driver's point-read cache cannot answer). Both
repositories stay open throughout; prints the median of the runs. The repository's own disk is
used: a durable write must reach a disk.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from segment.config.v1beta import sources_pb2, workspaces_pb2

from configapi.storage.sqlite_repository import SqliteRepository

PREVIOUS = "4736492"
_FILES = ("schema.py", "sqlite.py", "sqlite_repository.py")
CONCURRENCY = 16
ROOT = Path(__file__).resolve().parents[1]


def previous_repository(directory: Path) -> type[Any]:
    """`SqliteRepository` as of PREVIOUS, importable as `previous_storage.sqlite_repository`."""
    package = directory / "previous_storage"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in _FILES:
        source = subprocess.run(
            ["git", "show", f"{PREVIOUS}:src/configapi/storage/{name}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for module in ("schema", "sqlite"):
            source = source.replace(f"configapi.storage.{module} ", f"previous_storage.{module} ")
        (package / name).write_text(source)
    sys.path.insert(0, str(directory))
    return importlib.import_module("previous_storage.sqlite_repository").SqliteRepository  # type: ignore[no-any-return]


async def per_call(calls: int, concurrency: int, call: Callable[[int], Awaitable[object]]) -> float:
    """Microseconds of wall time per call, `concurrency` callers sharing `calls` calls."""
    numbers = iter(range(calls))

    async def caller() -> None:
        for number in numbers:
            await call(number)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return (time.perf_counter() - started) / calls * 1e6


async def seeded(repository_class: type[Any], path: Path) -> Any:
    """An open repository holding workspace `bench` and its source `web`."""
    repository = repository_class(path)
    await repository.open()
    workspace = workspaces_pb2.Workspace(name="workspaces/bench", display_name="Bench")
    await repository.workspaces.insert("workspaces/bench", "", workspace)
    source = sources_pb2.Source(name="workspaces/bench/sources/web", display_name="Web")
    await repository.sources.insert(source.name, "workspaces/bench", source)
    return repository


async def one_run(repository: Any, run: int, gets: int, creates: int) -> dict[str, float]:
    sources = repository.sources

    async def get(_: int) -> object:
        return await sources.get("workspaces/bench/sources/web")

    def create(tag: str) -> Callable[[int], Awaitable[object]]:
        async def insert(number: int) -> None:
            name = f"workspaces/bench/sources/r{run}-{tag}-{number}"
            message = sources_pb2.Source(name=name, display_name="x" * 40)
            await sources.insert(name, "workspaces/bench", message, parent_type="Workspace")

        return insert

    def read_created(tag: str) -> Callable[[int], Awaitable[object]]:
        async def read(number: int) -> object:  # each read once, after the creates' commits
            return await sources.get(f"workspaces/bench/sources/r{run}-{tag}-{number}")

        return read

    await per_call(200, 1, get)  # warm-up
    results = {
        "GetSource, same source again, 1 caller": await per_call(gets, 1, get),
        f"GetSource, same source again, {CONCURRENCY} callers": await per_call(
            gets, CONCURRENCY, get
        ),
        "CreateSource, 1 caller": await per_call(creates, 1, create("one")),
        f"CreateSource, {CONCURRENCY} callers": await per_call(
            creates, CONCURRENCY, create("many")
        ),
    }
    results["GetSource, not read since the last commit, 1 caller"] = await per_call(
        creates, 1, read_created("one")
    )
    results[f"GetSource, not read since the last commit, {CONCURRENCY} callers"] = await per_call(
        creates, CONCURRENCY, read_created("many")
    )
    return results


async def main(runs: int, gets: int, creates: int) -> None:
    with tempfile.TemporaryDirectory(dir=ROOT) as scratch:
        classes = {
            f"previous ({PREVIOUS})": previous_repository(Path(scratch)),
            "aiosqlite": SqliteRepository,
        }
        drivers = {
            name: await seeded(repository_class, Path(scratch) / f"{name.split()[0]}.db")
            for name, repository_class in classes.items()
        }
        results: dict[str, list[dict[str, float]]] = {name: [] for name in drivers}
        try:
            for run in range(runs):  # interleaved: the machine's noise falls on both alike
                for name, repository in drivers.items():
                    results[name].append(await one_run(repository, run, gets, creates))
        finally:
            for repository in drivers.values():
                await repository.close()
    cases = list(next(iter(results.values()))[0])
    print(f"µs per call, median of {runs} interleaved runs ({gets} gets, {creates} creates each)")
    print(f"| case | {' | '.join(drivers)} | ratio |")
    print("|---|" + "--:|" * (len(drivers) + 1))
    for case in cases:
        medians = [statistics.median(r[case] for r in results[name]) for name in drivers]
        cells = " | ".join(f"{m:.0f}" for m in medians)
        print(f"| {case} | {cells} | {medians[1] / medians[0]:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gets", type=int, default=3000)
    parser.add_argument("--creates", type=int, default=300)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.runs, arguments.gets, arguments.creates))
