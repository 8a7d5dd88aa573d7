"""A small asyncio gRPC load driver for CreateSource, where every request needs its own name
(h2load replays one body). Run on the load core; prints one JSON line.

    python -m bench.grpc_writer TARGET TOKEN PARENT PREFIX CONCURRENCY SECONDS
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time

import grpc
from segment.config.v1beta import sources_pb2

from bench.grpc_client import channel_to, method, source_request
from bench.loadgen import quantile


async def drive(
    target: str, token: str, parent: str, prefix: str, concurrency: int, seconds: float
) -> dict[str, object]:
    """Create sources `prefix-N` with `concurrency` calls in flight for `seconds`."""
    metadata = (("authorization", f"Bearer {token}"),)
    numbers = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    async with channel_to(target) as channel:
        create = method(channel, "SourceService/CreateSource", sources_pb2.Source)
        await channel.channel_ready()
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                request = source_request(parent, f"{prefix}-{next(numbers)}")
                sent = time.perf_counter()
                try:
                    await create(request, metadata=metadata)
                except grpc.aio.AioRpcError as error:
                    errors.append(f"{error.code().name}: {error.details()}")
                    continue
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "seconds": elapsed,
        "p50_ms": quantile(latencies, 0.50) * 1000 if latencies else 0.0,
        "p99_ms": quantile(latencies, 0.99) * 1000 if latencies else 0.0,
    }


if __name__ == "__main__":
    target, token, parent, prefix, concurrency, seconds = sys.argv[1:7]
    result = asyncio.run(drive(target, token, parent, prefix, int(concurrency), float(seconds)))
    print(json.dumps(result))
