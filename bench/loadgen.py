"""The load generators as subprocesses: `wrk` for REST, `h2load` for gRPC.

Both run pinned to the load core. A run yields one `Sample`; each parser reads the tool's own
output (wrk through a Lua `done` hook that prints exact numbers, h2load through its summary and
its per-request log for the percentiles it does not print).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.processes import LOAD_CPU

# wrk's `done` hook: exact counts and microsecond percentiles as one JSON line.
WRK_DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d,'
    .. ' "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


class LoadError(Exception):
    """A load run failed or its responses were not all successful."""


@dataclass(frozen=True)
class Sample:
    """One measured run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class RestLoad:
    """What wrk sends: a URL and, for writes, a Lua `request` body (see `write_wrk_script`)."""

    url: str
    token: str
    lua: str = ""


@dataclass(frozen=True)
class GrpcLoad:
    """What h2load sends: one pre-framed request body to a method path, and the exact size of
    the OK response's message (`response_bytes`) to check every reply by."""

    target: str  # host:port
    path: str  # /package.Service/Method
    token: str
    body: Path
    response_bytes: int
    response_slack: int = 0  # bytes a reply may vary by (e.g. a timestamp's nanos varint)


def run_wrk(load: RestLoad, connections: int, seconds: float, script: Path) -> Sample:
    """One wrk run on the load core; every response must be 2xx with no socket errors."""
    script.write_text(load.lua + WRK_DONE_LUA)
    argv = [
        *_pinned(),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        "-H",
        f"Authorization: Bearer {load.token}",
        load.url,
    ]
    return parse_wrk(_run(argv, seconds))


def parse_wrk(output: str) -> Sample:
    """The Sample in wrk's output (the `WRKJSON` line our `done` hook writes)."""
    match = re.search(r"^WRKJSON (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise LoadError(f"wrk printed no summary:\n{output}")
    data = json.loads(match.group(1))
    if data["status_errors"] or data["socket_errors"]:
        raise LoadError(
            f"wrk saw {data['status_errors']} non-2xx responses and"
            f" {data['socket_errors']} socket errors:\n{output}"
        )
    if data["requests"] == 0:
        raise LoadError(f"wrk completed no request:\n{output}")
    return Sample(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


def run_h2load(load: GrpcLoad, streams: int, seconds: float, log: Path) -> Sample:
    """One h2load run on the load core over one HTTP/2 connection with `streams` in flight.

    h2load cannot read trailers (grpc-status), so each run is checked by its bytes: an OK gRPC
    reply carries one DATA frame of 5 + `response_bytes`, an error is trailers-only (no DATA).
    """
    argv = [
        *_pinned(),
        "h2load",
        "-t1",
        "-c1",
        f"-m{streams}",
        f"-D{seconds * 1000:.0f}ms",
        f"--log-file={log}",
        "-H",
        "content-type: application/grpc",
        "-H",
        "te: trailers",
        "-H",
        f"authorization: Bearer {load.token}",
        "-d",
        str(load.body),
        f"http://{load.target}{load.path}",
    ]
    output = _run(argv, seconds)
    summary = parse_h2load(output)
    check_grpc_replies(summary, load, streams, output)
    p50, p99 = percentiles_from_log(log.read_text())
    return Sample(summary.done, seconds, p50, p99)


@dataclass(frozen=True)
class H2Summary:
    """The lines of h2load's summary that decide whether a run counts."""

    done: int
    succeeded: int
    non_2xx: int
    data_bytes: int


def parse_h2load(output: str) -> H2Summary:
    """Counts from h2load's summary."""
    requests = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", output)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", output)
    traffic = re.search(r"traffic: .*?, \S+ \((\d+)\) data", output)
    if requests is None or codes is None or traffic is None:
        raise LoadError(f"h2load printed no summary:\n{output}")
    non_2xx = sum(int(codes.group(i)) for i in (2, 3, 4))
    return H2Summary(int(requests.group(1)), int(requests.group(2)), non_2xx, int(traffic.group(1)))


def check_grpc_replies(summary: H2Summary, load: GrpcLoad, streams: int, output: str) -> None:
    """Every request succeeded with HTTP 2xx and carried a full OK gRPC message."""
    if summary.done == 0 or summary.succeeded != summary.done or summary.non_2xx:
        raise LoadError(f"h2load: not every request succeeded with 2xx:\n{output}")
    least = summary.succeeded * (5 + load.response_bytes - load.response_slack)
    # replies in flight when the run stops may be counted in `data` but not in `done`
    most = (summary.done + streams) * (5 + load.response_bytes + load.response_slack)
    if not least <= summary.data_bytes <= most:
        raise LoadError(
            f"h2load: {summary.data_bytes} bytes of DATA for {summary.succeeded} replies of"
            f" {5 + load.response_bytes} bytes: some gRPC calls did not return OK:\n{output}"
        )


def percentiles_from_log(log: str) -> tuple[float, float]:
    """p50 and p99 in ms from h2load's per-request log (start µs, status, elapsed µs)."""
    elapsed = sorted(int(line.split("\t")[2]) for line in log.splitlines() if line.strip())
    if not elapsed:
        raise LoadError("h2load logged no request")
    return quantile(elapsed, 0.50) / 1000, quantile(elapsed, 0.99) / 1000


def quantile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank quantile of an ordered sequence."""
    index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
    return float(ordered[index])


def _pinned() -> list[str]:
    return ["taskset", "-c", str(LOAD_CPU)]


def _run(argv: list[str], seconds: float) -> str:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise LoadError(f"{argv[3]} did not finish: {error}") from error
    if done.returncode != 0:
        raise LoadError(f"{argv[3]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout
