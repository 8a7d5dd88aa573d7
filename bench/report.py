"""Medians, spread, ratios against the baselines, the targets, and the markdown report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.loadgen import Sample


@dataclass
class CellResult:
    """Every run of one cell at one concurrency."""

    key: str
    label: str
    server: str
    tool: str
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)  # server CPU per request, per run
    error: str = ""

    @property
    def rps(self) -> float:
        """Median requests per second over the runs."""
        return statistics.median(s.rps for s in self.samples) if self.samples else 0.0

    @property
    def spread(self) -> float:
        """(max - min) / median of the runs' rps."""
        if len(self.samples) < 2 or not self.rps:
            return 0.0
        rates = [s.rps for s in self.samples]
        return (max(rates) - min(rates)) / self.rps

    @property
    def p50_ms(self) -> float:
        """Median over the runs of each run's p50 latency."""
        return statistics.median(s.p50_ms for s in self.samples) if self.samples else 0.0

    @property
    def p99_ms(self) -> float:
        """Median over the runs of each run's p99 latency."""
        return statistics.median(s.p99_ms for s in self.samples) if self.samples else 0.0

    @property
    def cpu_per_request(self) -> float:
        """Median over the runs of the serving processes' CPU µs per request."""
        return statistics.median(self.cpu_us) if self.cpu_us else 0.0

    @property
    def ok(self) -> bool:
        """Measured without a failed run."""
        return bool(self.samples) and not self.error


@dataclass(frozen=True)
class Ratio:
    """A cell's rps over another's at the same concurrency, shown next to the cell."""

    key: str
    over: str
    label: str


@dataclass(frozen=True)
class Target:
    """One target of the issue: measured value against a bound."""

    name: str
    measured: float | None
    bound: float
    at_least: bool  # True: measured ≥ bound; False: measured ≤ bound
    note: str = ""

    @property
    def verdict(self) -> str:
        """met / MISSED / n/a."""
        if self.measured is None:
            return "n/a"
        met = self.measured >= self.bound if self.at_least else self.measured <= self.bound
        return "met" if met else "MISSED"


class Results:
    """Cell results by (key, concurrency), plus the run's other measurements."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, int], CellResult] = {}
        self.order: list[tuple[str, int]] = []
        self.facts: list[tuple[str, str]] = []
        self.notes: list[str] = []

    def cell(self, key: str, concurrency: int) -> CellResult | None:
        """The result of a cell, if it ran."""
        return self.cells.get((key, concurrency))

    def add(self, result: CellResult) -> CellResult:
        """Record (or return the existing) result of a cell at a concurrency."""
        index = (result.key, result.concurrency)
        if index not in self.cells:
            self.cells[index] = result
            self.order.append(index)
        return self.cells[index]

    def ratio(self, key: str, over: str, concurrency: int) -> float | None:
        """rps(key) / rps(over) at one concurrency, if both were measured."""
        top, bottom = self.cell(key, concurrency), self.cell(over, concurrency)
        if top is None or bottom is None or not top.ok or not bottom.ok or not bottom.rps:
            return None
        return top.rps / bottom.rps


def cell_table(results: Results, ratios: Sequence[Ratio]) -> list[str]:
    """The throughput and latency table, with each cell's ratios."""
    lines = [
        "| cell | server | tool | conc | rps (median) | spread | p50 ms | p99 ms | p99/p50 |"
        " server CPU µs/req | ratios (rps, same concurrency) |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for key, concurrency in results.order:
        cell = results.cells[(key, concurrency)]
        shown = [
            f"{r.label} **{value:.2f}**"
            for r in ratios
            if r.key == key and (value := results.ratio(key, r.over, concurrency)) is not None
        ]
        if not cell.ok:
            stats = f"{cell.error or 'not run'} | | | | | |"
        else:
            tail = cell.p99_ms / cell.p50_ms if cell.p50_ms else 0.0
            stats = (
                f"{cell.rps:,.0f} | ±{cell.spread * 50:.0f}% | {cell.p50_ms:.2f} |"
                f" {cell.p99_ms:.2f} | {tail:.1f} | {cell.cpu_per_request:,.0f} |"
            )
        lines.append(
            f"| {cell.label} | {cell.server} | {cell.tool} | {concurrency} | {stats}"
            f" {'; '.join(shown)} |"
        )
    return lines


def target_table(targets: Sequence[Target]) -> list[str]:
    """The issue's targets with measured values and verdicts."""
    lines = ["| target | measured | bound | verdict |", "|---|--:|--:|---|"]
    for t in targets:
        measured = "—" if t.measured is None else f"{t.measured:.2f}"
        bound = ("≥ " if t.at_least else "≤ ") + f"{t.bound:g}"
        note = f" ({t.note})" if t.note else ""
        lines.append(f"| {t.name} | {measured} | {bound} | **{t.verdict}**{note} |")
    return lines


def render(title: str, results: Results, ratios: Sequence[Ratio], targets: Sequence[Target]) -> str:
    """The whole markdown report."""
    lines = [f"# {title}", ""]
    lines += [f"- **{name}**: {value}" for name, value in results.facts]
    lines += ["", "## Targets", "", *target_table(targets), ""]
    lines += ["## Cells", "", *cell_table(results, ratios), ""]
    lines += [
        "spread: ±half of (max - min) / median of the runs' rps; p50/p99: median over the runs"
        " of each run's percentile; server CPU: user + system time of the serving processes"
        " (all threads; the proxy's upstream included) per request, median over the runs.",
        "",
    ]
    if results.notes:
        lines += ["## Notes", "", *(f"- {n}" for n in results.notes), ""]
    return "\n".join(lines)
