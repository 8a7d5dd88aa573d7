"""`make bench`: the real server against bare-framework baselines, in one run.

Starts `configapi serve` (a temp SQLite file, rate limit off) and the baselines pinned to the
server core, seeds data through the API, drives each cell with wrk / h2load pinned to the load
core, and writes a dated markdown report to bench/results/ (also printed). See bench/README.md.

    python -m bench.run            # full (~12 min);  BENCH_QUICK=1 for a ~2 min smoke run
"""

from __future__ import annotations

import datetime
import json
import subprocess
import tempfile
import time
import traceback
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from bench import profile, world
from bench.environment import describe_environment
from bench.plan import Plan, plan_from_environment
from bench.processes import REPO, ensure_tools, pin_to_load_core
from bench.report import render
from bench.schedule import run_group
from bench.session import BenchSession
from bench.targets import RATIOS, targets

RESULTS = REPO / "bench" / "results"


def run(plan: Plan, stamp: str) -> tuple[BenchSession, float]:
    """Everything, from the database to the last cell; the bench and its seconds."""
    started = time.perf_counter()
    with ExitStack() as stack:
        # on the repository's disk, not a tmpfs /tmp: CreateSource must really reach the disk
        scratch = tempfile.TemporaryDirectory(prefix=".scratch-", dir=REPO / "bench")
        folder = Path(stack.enter_context(scratch))
        bench = BenchSession(plan, folder, stack)
        print("preparing: database, server, seed", flush=True)
        bench.prepare()
        grpc_gets, rest_gets = bench.get_cells()
        updates, creates = bench.write_cells()
        conc = plan.concurrencies
        for title, group in (
            ("Get, gRPC", grpc_gets),
            ("Get, REST", rest_gets),
            ("List", bench.list_cells()),
            ("Update", updates),
            ("Create", creates),
        ):
            print(f"cells: {title}", flush=True)
            bench.cells.update((cell.key, cell) for cell in group)
            run_group(plan, bench.results, group, conc)
        print("cells: list latency at 1k", flush=True)
        small = bench.list_latency_cell("list_small", world.READS, plan.reads)
        run_group(plan, bench.results, [small], (1,))
        bench.big_collection()
        if plan.profile:
            profile.profile_cells(bench, RESULTS / f"{stamp}-profile")
        bench.server.stop()
        return bench, time.perf_counter() - started


def main() -> int:
    """Run the bench, write and print the report; exit 1 if a cell failed."""
    plan = plan_from_environment()
    ensure_tools()
    # PostgreSQL for the PostgreSQL ÷ SQLite cells (Debian packages, like the tests)
    subprocess.run(["bash", str(REPO / "tools" / "install-services.sh")], check=True)
    pin_to_load_core()
    now = datetime.datetime.now(datetime.UTC)
    stamp = now.strftime("%Y-%m-%dT%H%M%SZ") + ("-quick" if plan.name == "quick" else "")
    try:
        bench, seconds = run(plan, stamp)
    except Exception:
        traceback.print_exc()
        return 1
    results = bench.results
    results.facts[:0] = [
        ("date", now.strftime("%Y-%m-%d %H:%M UTC")),
        ("command", "make bench" + (" (BENCH_QUICK=1)" if plan.name == "quick" else "")),
        *describe_environment(plan),
        (
            "server RSS",
            f"{bench.rss_started:.0f} MiB after start, peak {bench.rss_after_cells:.0f}"
            f" MiB after the cells, peak {bench.rss_peak:.0f} MiB after seeding {plan.big:,}"
            " and walking every page",
        ),
        ("bench wall time", f"{seconds / 60:.1f} min"),
    ]
    report = render(f"configapi bench, {now:%Y-%m-%d}", results, RATIOS, targets(bench))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{stamp}.md"
    path.write_text(report)
    raw = {f"{k}@{c}": [asdict(s) for s in r.samples] for (k, c), r in results.cells.items()}
    path.with_suffix(".json").write_text(json.dumps(raw, indent=1))
    print(report)
    print(f"written to {path.relative_to(REPO)}")
    return 1 if any(r.error for r in results.cells.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
