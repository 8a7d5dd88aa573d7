"""Prometheus metrics of one server process, exposed in the text format at `/metrics`.

| metric | type | labels |
|---|---|---|
| `configapi_requests_total` | counter | `transport` (grpc, rest), `method`, `code` |
| `configapi_request_duration_seconds` | histogram | `transport`, `method` |
| `configapi_requests_in_flight` | gauge | `transport` |
| `configapi_rate_limited_total` | counter | `transport` |
| `configapi_storage_duration_seconds` | histogram | `store` (main, ratelimit), `operation` |
| `configapi_build_info` | gauge (1) | `version` |

plus the `process_*` and `python_*` metrics of prometheus-client's standard collectors.
`method` is the RPC's full name (`segment.config.v1beta.SourceService.GetSource`), or `-` for a
REST request that matched no route. Durations are measured from the moment the transport hands
over the call to the moment its answer is ready.

The numbers are plain Python ints and floats, updated on the event loop thread (every call and
every storage operation is timed there) and read there when scraped, so no lock is taken: a
call costs a dictionary look-up and a few additions instead of prometheus-client's locked
children. The registry turns them into metric families only when scraped (a custom collector).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from configapi.observability.calls import GRPC, REST

CONTENT_TYPE: Final = CONTENT_TYPE_PLAIN_0_0_4
UNROUTED: Final = "-"
# Seconds. API calls take from ~0.1 ms (a cached read) to a few ms (a durable write); the top
# buckets catch stalls. Storage operations share them.
LATENCY_BUCKETS: Final = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
_BUCKET_LABELS: Final = (*(repr(b) for b in LATENCY_BUCKETS), "+Inf")

StorageObserver = Callable[[str, float], None]


class Histogram:
    """Counts per bucket (not cumulative: cumulated when scraped) and the sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        """Count one observation (`le` buckets: a value equal to a bound falls in it)."""
        self.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds

    def buckets(self) -> list[tuple[str, float]]:
        """Cumulative `(le, count)` pairs ending with `+Inf`, as the exposition wants them."""
        cumulative: list[tuple[str, float]] = []
        running = 0
        for label, count in zip(_BUCKET_LABELS, self.counts, strict=True):
            running += count
            cumulative.append((label, running))
        return cumulative


class MethodStats:
    """Calls of one method over one transport: counts by code and the latency histogram."""

    __slots__ = ("by_code", "latency")

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.latency = Histogram()


class Metrics:
    """The metrics of one server (or standalone gateway) process, in their own registry."""

    def __init__(self) -> None:
        self._methods: dict[tuple[str, str], MethodStats] = {}
        self._in_flight = {GRPC: 0, REST: 0}
        self._rate_limited = {GRPC: 0, REST: 0}
        self._storage: dict[tuple[str, str], Histogram] = {}
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(self))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)

    def call_started(self, transport: str) -> None:
        """One more call in flight."""
        self._in_flight[transport] += 1

    def call_finished(self, transport: str, method: str, code: str, seconds: float) -> None:
        """A call ended with `code` (a canonical code's name) after `seconds`."""
        self._in_flight[transport] -= 1
        stats = self._methods.get((transport, method))
        if stats is None:
            stats = self._methods[(transport, method)] = MethodStats()
        stats.by_code[code] = stats.by_code.get(code, 0) + 1
        stats.latency.observe(seconds)
        if code == "RESOURCE_EXHAUSTED":  # SPEC §2: the rate limit is what exhausts
            self._rate_limited[transport] += 1

    def storage_observer(self, store: str) -> StorageObserver:
        """A callback for `storage.sqlite.Database`: `(operation, seconds)` of each operation."""
        histograms = {op: Histogram() for op in ("read", "write")}
        for operation, histogram in histograms.items():
            self._storage[(store, operation)] = histogram

        def observe(operation: str, seconds: float) -> None:
            histograms[operation].observe(seconds)

        return observe

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format (`CONTENT_TYPE`)."""
        return generate_latest(self.registry)

    def families(self) -> Iterator[Metric]:
        """This process's own metric families, as the registry collects them."""
        requests = CounterMetricFamily(
            "configapi_requests",
            "API calls by method and canonical code.",
            labels=("transport", "method", "code"),
        )
        latency = HistogramMetricFamily(
            "configapi_request_duration_seconds",
            "API call latency by method.",
            labels=("transport", "method"),
        )
        for (transport, method), stats in sorted(self._methods.items()):
            for code, count in sorted(stats.by_code.items()):
                requests.add_metric((transport, method, code), count)
            latency.add_metric((transport, method), stats.latency.buckets(), stats.latency.total)
        yield requests
        yield latency
        yield _by_transport(
            GaugeMetricFamily(
                "configapi_requests_in_flight", "API calls being served.", labels=("transport",)
            ),
            self._in_flight,
        )
        yield _by_transport(
            CounterMetricFamily(
                "configapi_rate_limited",
                "API calls refused by the per-token rate limit (RESOURCE_EXHAUSTED, HTTP 429).",
                labels=("transport",),
            ),
            self._rate_limited,
        )
        yield self._storage_family()
        info = GaugeMetricFamily(
            "configapi_build_info", "The running version.", labels=("version",)
        )
        info.add_metric((_version(),), 1)
        yield info

    def _storage_family(self) -> HistogramMetricFamily:
        family = HistogramMetricFamily(
            "configapi_storage_duration_seconds",
            "Storage operations (one transaction each), waiting for the storage thread included.",
            labels=("store", "operation"),
        )
        for (store, operation), histogram in sorted(self._storage.items()):
            family.add_metric((store, operation), histogram.buckets(), histogram.total)
        return family


def _by_transport(
    family: GaugeMetricFamily | CounterMetricFamily, values: dict[str, int]
) -> Metric:
    for transport, value in values.items():
        family.add_metric((transport,), value)
    return family


def _version() -> str:
    try:
        return metadata.version("configapi")
    except metadata.PackageNotFoundError:
        return "unknown"


class _Collector:
    """Hands `Metrics.families()` to the registry at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return self._metrics.families()
