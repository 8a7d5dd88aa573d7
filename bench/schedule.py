"""The schedule of one group of cells: warm-up, then repeats interleaved across the cells."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench import grpc_client
from bench.cells import Cell
from bench.loadgen import LoadError
from bench.plan import Plan
from bench.processes import cpu_seconds
from bench.report import CellResult, Results


def run_group(
    plan: Plan, results: Results, cells: Sequence[Cell], concurrencies: Sequence[int]
) -> None:
    """Each concurrency: warm every cell up, then its repeats interleaved across the cells
    (A B A B A B), so drift on a shared machine lands on both sides of a ratio."""
    for concurrency in concurrencies:
        live = [c for c in cells if _warm_up(plan, results, c, concurrency)]
        for repeat in range(plan.repeats):
            for cell in live:
                result = results.cell(cell.key, concurrency)
                if result is not None and not result.error:
                    _measure(plan, cell, result, f"c{concurrency}r{repeat}")
        for cell in live:
            _post_check(cell, results.cell(cell.key, concurrency))


def _warm_up(plan: Plan, results: Results, cell: Cell, concurrency: int) -> bool:
    result = results.add(CellResult(cell.key, cell.label, cell.server, cell.tool, concurrency))
    print(f"  {cell.label} [{cell.server}] c={concurrency}", flush=True)
    try:
        cell.check()
        cell.run(concurrency, plan.warmup, f"c{concurrency}w")
    except (LoadError, grpc_client.VerifyError) as error:
        result.error = _first_line(error)
        print(f"    FAILED: {error}", file=sys.stderr, flush=True)
    return result.ok or not result.error


def _measure(plan: Plan, cell: Cell, result: CellResult, tag: str) -> None:
    try:
        cpu_before = cpu_seconds(cell.pids)
        sample = cell.run(result.concurrency, plan.seconds, tag)
        cpu = cpu_seconds(cell.pids) - cpu_before
    except (LoadError, grpc_client.VerifyError) as error:
        result.error = _first_line(error)
        print(f"    FAILED: {error}", file=sys.stderr, flush=True)
        return
    result.samples.append(sample)
    result.cpu_us.append(cpu / sample.requests * 1e6)
    print(
        f"    {sample.rps:9,.0f} rps  p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:7.2f} ms"
        f"  server CPU {result.cpu_us[-1]:6.0f} µs/request",
        flush=True,
    )


def _post_check(cell: Cell, result: CellResult | None) -> None:
    try:
        cell.check()
    except grpc_client.VerifyError as error:
        if result is not None:
            result.error = f"failed after the runs: {_first_line(error)}"


def _first_line(error: BaseException) -> str:
    """The error on one short line, for a table cell."""
    text = " / ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return (text or type(error).__name__)[:200].replace("|", "\\|")
