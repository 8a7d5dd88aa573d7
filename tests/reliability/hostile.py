"""A target for hostile requests: one in-process server with a seeded workspace, and clients that
send bytes exactly as given (no client-side normalisation of paths, headers or messages)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from segment.config.v1beta import workspaces_pb2

from configapi import admin
from configapi.app import ConfigApiServer
from configapi.settings import Settings
from tests.integration.api import unpack
from tests.integration.harness import DOMAIN, create_destination_request, create_source_request
from tests.reliability.process import fingerprint

CANONICAL_ERROR_KEYS = {"error", "code", "message", "details"}
_DETAILS_KEY = "grpc-status-details-bin"


@dataclass
class Target:
    """A running server, its database file and a write token for workspace acme."""

    server: ConfigApiServer
    database: Path
    token: str
    channel: grpc.aio.Channel

    @property
    def http_port(self) -> int:
        return self.server.http_port

    def written(self) -> str:
        """The database's fingerprint (compare before and after: nothing written)."""
        return fingerprint(self.database)

    async def assert_serving(self) -> None:
        """A well-formed call still succeeds over both transports."""
        status, _, body = await raw_http(self.http_port, "GET", "/v1beta/workspaces/acme", self)
        assert status == 200, body
        request = workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme").SerializeToString()
        response = await grpc_call(
            self, "/segment.config.v1beta.WorkspaceService/GetWorkspace", request
        )
        assert isinstance(response, bytes)


async def open_target(database: Path) -> AsyncIterator[Target]:
    """Serve on `database` with acme, source `web` and its destination `heap` stored."""
    settings = Settings(
        database=database, grpc_address="127.0.0.1:0", http_address="127.0.0.1:0", rate_limit=0
    )
    server = ConfigApiServer(settings)
    await server.start()
    await admin.create_workspace(server.repository, "acme")
    await admin.create_workspace(server.repository, "globex")
    token = (await admin.create_token(server.repository, ["acme"], "workspace", "hostile")).token
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.grpc_port}")
    target = Target(server, database, token, channel)
    for method, request in (
        ("SourceService/CreateSource", create_source_request("web")),
        ("DestinationService/CreateDestination", create_destination_request("web", "heap")),
    ):
        await grpc_call(target, f"/segment.config.v1beta.{method}", request.SerializeToString())
    try:
        yield target
    finally:
        await channel.close()
        await server.stop(grace=0)


# ---- REST, byte for byte -----------------------------------------------------------------------


async def raw_http(
    port: int,
    method: str,
    path: str | bytes,
    target: Target | None = None,
    body: bytes = b"",
    headers: dict[str, bytes] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request written to a socket as given; (status, headers, body).

    With `target`, its token goes in `Authorization` unless `headers` sets that header.
    """
    fields: dict[str, bytes] = {"host": b"test", "connection": b"close"}
    if target is not None:
        fields["authorization"] = b"Bearer " + target.token.encode()
    if body:
        fields["content-type"] = b"application/json"
        fields["content-length"] = str(len(body)).encode()
    fields.update(headers or {})
    target_path = path if isinstance(path, bytes) else path.encode("latin-1")
    head = method.encode() + b" " + target_path + b" HTTP/1.1\r\n"
    head += b"".join(k.encode() + b": " + v + b"\r\n" for k, v in fields.items())
    return await exchange(port, head + b"\r\n", body)


async def exchange(port: int, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Write `head` then `body` to a new connection; the parsed response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        sending = asyncio.create_task(_send(writer, head, body))
        response = await asyncio.wait_for(_receive(reader), 60)
        await sending
    finally:
        writer.close()
    return _parse_response(response)


async def _send(writer: asyncio.StreamWriter, head: bytes, body: bytes) -> None:
    """Write the request; the server may answer and close before the whole body is written
    (an oversized body is refused on its Content-Length), which is not an error here."""
    try:
        writer.write(head)
        for start in range(0, len(body), 1 << 16):
            writer.write(body[start : start + (1 << 16)])
            await writer.drain()
        await writer.drain()
    except (ConnectionResetError, BrokenPipeError):
        pass


async def _receive(reader: asyncio.StreamReader) -> bytes:
    """Everything until the server closes (`connection: close`), or up to a reset."""
    chunks = []
    try:
        while chunk := await reader.read(1 << 16):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def _parse_response(response: bytes) -> tuple[int, dict[str, str], bytes]:
    assert response, "the server closed the connection without answering"
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def rest_error(status: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The canonical error body (SPEC §2), checked: keys, code, and one ErrorInfo of ours."""
    assert headers.get("content-type") == "application/json", (status, headers, body[:200])
    error: dict[str, Any] = json.loads(body)
    assert set(error) == CANONICAL_ERROR_KEYS, error
    assert error["error"] == error["message"] and error["message"], error
    infos = [d for d in error["details"] if d["@type"].endswith("google.rpc.ErrorInfo")]
    assert len(infos) == 1 and infos[0]["domain"] == DOMAIN, error
    return error


# ---- gRPC, byte for byte -----------------------------------------------------------------------


class GrpcFailure(Exception):
    """A failed raw gRPC call: its code, message and our Status if the server sent one."""

    def __init__(self, code: grpc.StatusCode, message: str, status: status_pb2.Status | None):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def error_info(self) -> error_details_pb2.ErrorInfo:
        assert self.status is not None, f"no google.rpc.Status in the trailers of {self}"
        infos = [
            d
            for d in map(unpack, self.status.details)
            if isinstance(d, error_details_pb2.ErrorInfo)
        ]
        assert len(infos) == 1 and infos[0].domain == DOMAIN, self.status
        return infos[0]


_DEFAULT = object()


async def grpc_call(
    target: Target, method_path: str, payload: bytes, authorization: object = _DEFAULT
) -> bytes:
    """Send `payload` as the request bytes of `method_path`; the response bytes, or raise
    GrpcFailure. `authorization` None sends no header; a str sends that header value."""
    if authorization is _DEFAULT:
        authorization = f"Bearer {target.token}"
    metadata = () if authorization is None else (("authorization", str(authorization)),)
    rpc = target.channel.unary_unary(
        method_path, request_serializer=lambda b: b, response_deserializer=lambda b: b
    )
    try:
        response: bytes = await rpc(payload, metadata=metadata, timeout=60)
    except grpc.aio.AioRpcError as error:
        raw = next((v for k, v in (error.trailing_metadata() or ()) if k == _DETAILS_KEY), None)
        status = None if raw is None else status_pb2.Status.FromString(raw)
        raise GrpcFailure(error.code(), error.details() or "", status) from None
    return response
