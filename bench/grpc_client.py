"""gRPC from the driver: framed request bodies for h2load, the check that those exact bytes
return OK, and the seeding and page walks (asyncio, many calls in flight)."""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message
from segment.config.v1beta import destinations_pb2, sources_pb2

JAVASCRIPT = "catalog/sources/javascript"
PACKAGE = "/segment.config.v1beta."
M = TypeVar("M", bound=Message)


class VerifyError(Exception):
    """A request the bench is about to replay does not return OK."""


def frame(message: Message) -> bytes:
    """The gRPC length-prefixed message: flag 0 (uncompressed), 4-byte length, bytes."""
    data = message.SerializeToString()
    return b"\x00" + struct.pack(">I", len(data)) + data


def write_frame(path: Path, message: Message) -> Path:
    """Write `frame(message)` to `path` (an h2load `-d` body)."""
    path.write_bytes(frame(message))
    return path


def call_framed(target: str, method_path: str, body: Path, token: str) -> bytes:
    """Send the exact bytes of a framed body with a real gRPC client; the OK reply's bytes.

    h2load cannot see `grpc-status`; this proves the bytes it replays succeed.
    """
    data = body.read_bytes()[5:]
    with grpc.insecure_channel(target) as channel:
        call = channel.unary_unary(method_path)  # no serializers: bytes in, bytes out
        try:
            reply, outcome = call.with_call(
                data, metadata=(("authorization", f"Bearer {token}"),), timeout=30
            )
        except grpc.RpcError as error:
            raise VerifyError(f"{method_path}: {error}") from error
    if outcome.code() != grpc.StatusCode.OK:
        raise VerifyError(f"{method_path}: {outcome.code()}")
    return bytes(reply)


def method(channel: grpc.aio.Channel, path: str, reply: type[M]) -> Callable[..., Awaitable[M]]:
    """A typed unary method on an asyncio channel (`path`: `SourceService/GetSource`)."""
    call: Callable[..., Awaitable[M]] = channel.unary_unary(
        PACKAGE + path, request_serializer=_serialize, response_deserializer=reply.FromString
    )
    return call


def _serialize(message: Any) -> bytes:
    data: bytes = message.SerializeToString()
    return data


@asynccontextmanager
async def channel_to(target: str) -> AsyncIterator[grpc.aio.Channel]:
    """An asyncio channel, closed afterwards."""
    channel = grpc.aio.insecure_channel(target)
    try:
        yield channel
    finally:
        await channel.close()


def source_request(parent: str, slug: str, **fields: object) -> sources_pb2.CreateSourceRequest:
    """CreateSource for `parent/sources/slug` from the javascript catalog entry."""
    source = sources_pb2.Source(name=f"{parent}/sources/{slug}", catalog_name=JAVASCRIPT)
    json_format.ParseDict(fields, source)
    return sources_pb2.CreateSourceRequest(parent=parent, source=source)


async def seed_sources(
    target: str, token: str, parent: str, slugs: Iterator[str], concurrency: int = 64
) -> int:
    """Create a source per slug through the API, `concurrency` calls in flight; the count."""
    metadata = (("authorization", f"Bearer {token}"),)
    created = 0
    async with channel_to(target) as channel:
        create = method(channel, "SourceService/CreateSource", sources_pb2.Source)

        async def worker() -> None:
            nonlocal created
            for slug in slugs:  # one iterator shared by every worker
                await create(source_request(parent, slug), metadata=metadata)
                created += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return created


async def create_source(
    target: str, token: str, request: sources_pb2.CreateSourceRequest
) -> sources_pb2.Source:
    """One CreateSource call."""
    async with channel_to(target) as channel:
        create = method(channel, "SourceService/CreateSource", sources_pb2.Source)
        return await create(request, metadata=(("authorization", f"Bearer {token}"),))


async def create_destination(
    target: str, token: str, request: destinations_pb2.CreateDestinationRequest
) -> destinations_pb2.Destination:
    """One CreateDestination call."""
    async with channel_to(target) as channel:
        create = method(
            channel, "DestinationService/CreateDestination", destinations_pb2.Destination
        )
        return await create(request, metadata=(("authorization", f"Bearer {token}"),))


async def walk_pages(
    target: str, token: str, parent: str, page_size: int, stop_after: int | None = None
) -> tuple[int, str, float]:
    """Follow ListSources pages from the first: (items seen, the next token, seconds).

    Stops after `stop_after` pages when given (the token is then that of the next page).
    """
    metadata = (("authorization", f"Bearer {token}"),)
    seen, token_next, pages = 0, "", 0
    started = time.perf_counter()
    async with channel_to(target) as channel:
        list_sources = method(channel, "SourceService/ListSources", sources_pb2.ListSourcesResponse)
        while True:
            request = sources_pb2.ListSourcesRequest(
                parent=parent, page_size=page_size, page_token=token_next
            )
            reply = await list_sources(request, metadata=metadata)
            seen += len(reply.sources)
            token_next, pages = reply.next_page_token, pages + 1
            if not token_next or (stop_after is not None and pages >= stop_after):
                return seen, token_next, time.perf_counter() - started
