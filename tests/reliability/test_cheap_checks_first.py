"""Cheap checks first (issue #12 item 8, SPEC §3): a `configapi serve` process authenticates,
rate-limits and scope-checks a REST call before it reads or parses the body; only an oversized
body is refused before that. A caller without a token cannot make the server parse megabytes,
nor stall another tenant meanwhile (medians of several rounds, not one sample)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.process import ServerProcess, seed, start_server, stop

SOURCES = "/v1beta/workspaces/acme/sources"
JSON = {"content-type": "application/json"}
# 2 million array elements, 4,000,001 bytes: under the 4 MiB body limit, seconds to parse
HUGE = b"[" + b"0," * 1_999_999 + b"0]"
ROUNDS = 5


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    database = tmp_path / "configapi.db"
    tokens = {
        "write": seed(database, "acme"),
        "read": seed(database, "acme", scopes="workspace:read"),
        "other": seed(database, "globex"),
    }
    server = start_server(database, rate_limit=1)
    yield server, tokens
    stop(server)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **JSON}


async def test_the_body_is_parsed_only_after_the_caller_is_admitted(
    served: tuple[ServerProcess, dict[str, str]],
) -> None:
    server, tokens = served
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}") as client:
        no_token = await client.post(SOURCES, content=b"{not json", headers=JSON)
        read_only = await client.post(SOURCES, content=b"{not json", headers=bearer(tokens["read"]))
        limited = await client.post(SOURCES, content=b"{not json", headers=bearer(tokens["write"]))
        spent = await client.post(SOURCES, content=b"{not json", headers=bearer(tokens["write"]))
        oversized = await client.post(SOURCES, content=b" " * (4 * 1024 * 1024 + 1), headers=JSON)
    assert no_token.status_code == 401  # not 400: the body was never parsed
    assert read_only.status_code == 403
    assert limited.status_code == 400  # admitted (its one request a minute), then parsed
    assert spent.status_code == 429  # rate limited before its body is looked at
    assert "retry-after" in spent.headers
    assert oversized.status_code == 400  # size first, before anything else
    assert oversized.json()["message"] == "request body exceeds 4194304 bytes"


async def test_a_huge_body_without_a_token_is_refused_at_once_and_stalls_nobody(
    tmp_path: Path,
) -> None:
    database = tmp_path / "configapi.db"
    seed(database, "acme")
    other = seed(database, "globex")
    server = start_server(database)
    try:
        url = f"http://127.0.0.1:{server.http_port}"
        async with (
            httpx.AsyncClient(base_url=url, timeout=60) as attacker,
            httpx.AsyncClient(base_url=url) as tenant,
        ):
            refusals, reads = [], []
            for _ in range(ROUNDS):
                refusal, latencies = await asyncio.gather(
                    timed_post(attacker), timed_gets(tenant, other, 5)
                )
                refusals.append(refusal)
                reads.extend(latencies)
    finally:
        stop(server)
    # before the fix: 401 after 2.35 s (the body parsed first), another tenant's GET 2.06 s
    assert statistics.median(refusals) < 1.0
    assert statistics.median(reads) < 0.25


async def timed_post(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    reply = await client.post(SOURCES, content=HUGE, headers=JSON)
    assert reply.status_code == 401
    return time.perf_counter() - started


async def timed_gets(client: httpx.AsyncClient, token: str, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        reply = await client.get("/v1beta/workspaces/globex", headers=bearer(token))
        latencies.append(time.perf_counter() - started)
        assert reply.status_code == 200
    return latencies
