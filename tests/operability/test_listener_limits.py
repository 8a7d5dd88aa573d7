"""The REST listener's limits (issue #13 items 4 and 5), with real sockets against a real server.

Idle, half-header and half-body connections are closed; an oversized header is 431 and closed,
however large it grows, without slowing other clients; connections beyond the cap are refused
at once while the held ones keep working; a WebSocket upgrade is a clean 4xx on every path.
Timeouts are set short here (`ListenerLimits`); out-of-range limits are refused (at the bottom).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from configapi.http_limits import ListenerLimits
from tests.operability.conftest import Serve, Served

SHORT = ListenerLimits(header_timeout_seconds=0.3, body_timeout_seconds=0.3)
PATIENCE = 10.0  # how long a test waits for what must happen well before (never a sync sleep)


@contextlib.asynccontextmanager
async def connection(
    served: Served,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.server.http_port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def read_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    return await asyncio.wait_for(reader.read(), PATIENCE)


async def test_an_idle_connection_is_closed_without_an_answer(serve: Serve) -> None:
    served = await serve(http_limits=SHORT)
    async with connection(served) as (reader, _):
        assert await read_until_closed(reader) == b""


async def test_a_half_sent_header_is_408_and_closed(serve: Serve) -> None:
    served = await serve(http_limits=SHORT)
    async with connection(served) as (reader, writer):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        answer = await read_until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_slow_header_on_a_kept_alive_connection_is_408_too(serve: Serve) -> None:
    served = await serve(http_limits=SHORT)
    async with connection(served) as (reader, writer):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), PATIENCE)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        answer = await read_until_closed(reader)
    assert first.startswith(b"HTTP/1.1 200 ")
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_half_sent_body_is_closed(serve: Serve) -> None:
    served = await serve(http_limits=SHORT)
    async with connection(served) as (reader, writer):
        writer.write(
            b"POST /v1beta/workspaces/acme/sources HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + served.token.encode() + b"\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"source"'
        )
        assert await read_until_closed(reader) == b""
    async with httpx.AsyncClient(base_url=served.rest) as client:
        listed = await client.get(
            "/v1beta/workspaces/acme/sources", headers={"authorization": f"Bearer {served.token}"}
        )
    assert listed.json()["sources"] == []  # nothing half-written


async def test_an_oversized_header_is_431_and_closed(serve: Serve) -> None:
    served = await serve()
    async with connection(served) as (reader, writer):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 100_000 + b"\r\n\r\n")
        answer = await read_until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 431 ")


async def test_a_20_kb_cookie_is_within_the_limit(serve: Serve) -> None:
    served = await serve()
    async with httpx.AsyncClient(base_url=served.rest) as client:
        reply = await client.get(
            "/v1beta/workspaces/acme",
            headers={"authorization": f"Bearer {served.token}", "cookie": "c=" + "x" * 20_000},
        )
    assert reply.status_code == 200


async def get_latencies(served: Served, count: int) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(base_url=served.rest) as client:
        for _ in range(count):
            started = time.perf_counter()
            reply = await client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            assert reply.status_code == 200
    return latencies


async def send_endless_header(served: Served, megabytes: int) -> int:
    """Send up to `megabytes` of one unfinished header; the bytes sent before the server hung up."""
    sent = 0
    async with connection(served) as (_, writer):
        with contextlib.suppress(ConnectionError):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: ")
            chunk = b"a" * (1 << 20)
            for _ in range(megabytes):
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
    return sent


async def test_an_80_mb_unfinished_header_is_cut_off_and_slows_nobody(serve: Serve) -> None:
    served = await serve()
    quiet = statistics.median(await get_latencies(served, 20))
    attack = asyncio.create_task(send_endless_header(served, 80))
    during = await get_latencies(served, 20)
    sent = await asyncio.wait_for(attack, PATIENCE * 3)
    assert sent < 80 * (1 << 20)  # the server hung up long before the end
    assert statistics.median(during) < max(10 * quiet, 0.05)


async def test_connections_beyond_the_cap_are_refused_while_others_are_served(
    serve: Serve,
) -> None:
    served = await serve(http_limits=ListenerLimits(max_connections=3))
    async with (
        connection(served) as (_, _),
        connection(served) as (_, _),
        httpx.AsyncClient(base_url=served.rest) as client,  # the third
    ):
        assert (await client.get("/healthz")).status_code == 200
        async with connection(served) as (reader, _):  # the fourth
            assert (await read_until_closed(reader)).startswith(b"HTTP/1.1 503 ")
        assert (await client.get("/healthz")).status_code == 200  # still served


@pytest.mark.parametrize("path", ["/healthz", "/v1beta/workspaces", "/nowhere"])
async def test_a_websocket_upgrade_is_a_clean_4xx(
    serve: Serve, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    served = await serve()
    with caplog.at_level(logging.WARNING):
        async with connection(served) as (reader, writer):
            upgrade = (
                f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            )
            writer.write(upgrade.encode())
            status_line = await asyncio.wait_for(reader.readline(), PATIENCE)
    status = int(status_line.split()[1])
    assert 400 <= status < 500
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("header_timeout_seconds", 0),
        ("body_timeout_seconds", -1),
        ("keep_alive_seconds", 0),
        ("max_header_bytes", 10),
        ("max_connections", 0),
    ],
)
def test_limits_out_of_range_are_refused_naming_the_field(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"{field} must be between"):
        ListenerLimits(**{field: value})
