"""The issue's targets and the ratios shown beside the cells, from one session's medians."""

from __future__ import annotations

from bench.report import Ratio, Results, Target
from bench.session import BenchSession

RATIOS = (
    Ratio("grpc_get", "grpc_get_bare", "÷ bare grpc.aio"),
    Ratio("rest_get", "rest_get_bare", "÷ bare Starlette"),
    Ratio("grpc_get_limited", "grpc_get", "÷ rate limit off"),
    Ratio("rest_get_limited", "rest_get", "÷ rate limit off"),
    Ratio("grpc_get_uncached", "grpc_get_bare", "÷ bare grpc.aio"),
    Ratio("rest_get_uncached", "rest_get_bare", "÷ bare Starlette"),
    Ratio("grpc_get_pg", "grpc_get", "÷ SQLite"),
    Ratio("grpc_create_pg", "grpc_create", "÷ SQLite"),
    Ratio("rest_get_workers2", "rest_get", "÷ 1 worker"),
    Ratio("rest_get", "rest_get_proxy", "÷ REST proxy"),
    Ratio("grpc_create", "grpc_get", "÷ gRPC GetSource"),
    Ratio("rest_create", "rest_get", "÷ REST GET source"),
    Ratio("grpc_update", "grpc_get", "÷ gRPC GetSource"),
    Ratio("rest_update", "rest_get", "÷ REST GET source"),
)


def targets(bench: BenchSession) -> list[Target]:
    """The issue's targets, from this run's medians."""
    results, plan = bench.results, bench.plan
    small, big = results.cell("list_small", 1), results.cell("list_big", 1)
    growth = big.p50_ms / small.p50_ms if small and big and small.ok and big.ok else None
    proxy = results.ratio("rest_get", "rest_get_proxy", 16)
    proxy_note = "" if bench.proxy_from_cli else "no `configapi gateway --upstream` command"
    return [
        Target(
            "gRPC GetSource ÷ bare grpc.aio rps, 16 streams",
            results.ratio("grpc_get", "grpc_get_bare", 16),
            0.75,
            True,
            _cost_note(results, "grpc_get", "grpc_get_bare"),
        ),
        Target(
            "REST GET source ÷ bare Starlette rps, 16 connections",
            results.ratio("rest_get", "rest_get_bare", 16),
            0.50,
            True,
            _cost_note(results, "rest_get", "rest_get_bare"),
        ),
        Target(
            "REST in-process ÷ REST proxy-mode rps, 16 connections", proxy, 2.0, True, proxy_note
        ),
        *(
            Target(
                f"{what} GetSource, rate limit on (default) ÷ off rps, 16",
                results.ratio(f"{key}_limited", key, 16),
                0.90,
                True,
                _cost_note(results, f"{key}_limited", key),
            )
            for what, key in (("gRPC", "grpc_get"), ("REST", "rest_get"))
        ),
        Target(
            "CreateSource (gRPC, durable) ÷ gRPC GetSource rps, 16",
            results.ratio("grpc_create", "grpc_get", 16),
            0.35,
            True,
            _cost_note(results, "grpc_create", "grpc_get"),
        ),
        Target(
            "REST GET source, 2 workers ÷ 1 worker rps, 16 (cores shared with wrk: see README)",
            results.ratio("rest_get_workers2", "rest_get", 16),
            1.7,
            True,
        ),
        Target(f"ListSources page p50 latency, {plan.big_label} ÷ 1k sources", growth, 1.3, False),
        Target("p99 ÷ p50 latency at 64, REST GET source", _tail(results, "rest_get"), 3, False),
        Target("p99 ÷ p50 latency at 64, gRPC GetSource", _tail(results, "grpc_get"), 3, False),
        Target(
            f"server peak RSS (MiB) after seeding {plan.big_label} and walking every page",
            bench.rss_peak,
            200,
            False,
        ),
    ]


def _tail(results: Results, key: str) -> float | None:
    cell = results.cell(key, 64)
    return cell.p99_ms / cell.p50_ms if cell and cell.ok and cell.p50_ms else None


def _cost_note(results: Results, key: str, over: str) -> str:
    """The same comparison by server CPU per request, which noise on the machine moves less:
    with the server core saturated, rps ratio ≈ inverse CPU-cost ratio."""
    top, bottom = results.cell(key, 16), results.cell(over, 16)
    if not top or not bottom or not top.cpu_per_request or not bottom.cpu_per_request:
        return ""
    cost, base = top.cpu_per_request, bottom.cpu_per_request
    return f"by server CPU: {base:,.0f} ÷ {cost:,.0f} µs/request = {base / cost:.2f}"
