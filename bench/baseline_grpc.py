"""Baseline: a bare grpc.aio server whose SourceService.GetSource returns a constant `Source`
(the message the real server returned for the benchmarked source, so same fields and size).

    python -m bench.baseline_grpc SOURCE.bin [--generic-only]

`--generic-only` registers the handlers the way `configapi.grpc.server` does (generic
handlers alone, without grpc's registered-method fast path); used for experiments only.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import grpc
from segment.config.v1beta import sources_pb2

SERVICE = "segment.config.v1beta.SourceService"


def add_constant_get_source(server: grpc.aio.Server, source: sources_pb2.Source) -> None:
    """SourceService with GetSource only, answering `source`, registered as the generated
    `add_SourceServiceServicer_to_server` registers a servicer's methods."""

    async def get_source(
        request: sources_pb2.GetSourceRequest, context: grpc.aio.ServicerContext
    ) -> sources_pb2.Source:
        return source

    handlers = {
        "GetSource": grpc.unary_unary_rpc_method_handler(
            get_source,
            request_deserializer=sources_pb2.GetSourceRequest.FromString,
            response_serializer=sources_pb2.Source.SerializeToString,
        )
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    if "--generic-only" not in sys.argv:
        server.add_registered_method_handlers(SERVICE, handlers)


async def serve(source: sources_pb2.Source) -> None:
    """Serve on a free loopback port, printing "serving gRPC on HOST:PORT"."""
    # the server options configapi.grpc.server uses
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    add_constant_get_source(server, source)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"serving gRPC on 127.0.0.1:{port}", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(sources_pb2.Source.FromString(Path(sys.argv[1]).read_bytes())))
