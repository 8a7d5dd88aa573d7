"""The start and the end of every call, from either transport: its request id, its log line
and its metrics (`calls` explains how the layers in between annotate it)."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterable
from typing import Final

import grpc
from google.protobuf.descriptor import MethodDescriptor

from configapi.observability import calls
from configapi.observability.calls import Call
from configapi.observability.logs import RequestLog
from configapi.observability.metrics import UNROUTED, Metrics

_REQUEST_ID_HEADER: Final = calls.REQUEST_ID_KEY.encode()


class CallObserver:
    """Starts and finishes calls; a server or gateway process has one."""

    def __init__(self, log: RequestLog | None, metrics: Metrics | None) -> None:
        self._log = log
        self._metrics = metrics
        # Our request ids: a random prefix per process, then a counter. Unique without a
        # random draw per call; ids need not be secret.
        self._id_prefix = secrets.token_hex(6) + "-"
        self._counter = itertools.count(1)

    def flush(self) -> None:
        """Write the log lines still waiting for their batch (a process calls it on stop)."""
        if self._log is not None:
            self._log.flush()

    def start_grpc(self, method: MethodDescriptor, metadata: Iterable[tuple[str, object]]) -> Call:
        """A gRPC call begins; its id is the `x-request-id` metadata if valid, else a new one."""
        request_id = ""
        for key, value in metadata:
            if key == calls.REQUEST_ID_KEY and isinstance(value, str):
                request_id = value
                break
        call = self._start(calls.GRPC, request_id)
        call.method = method
        return call

    def start_rest(self, http_method: str, headers: Iterable[tuple[bytes, bytes]]) -> Call:
        """A REST request begins; its id is the `X-Request-Id` header if valid, else a new one."""
        request_id = ""
        for key, value in headers:
            if key == _REQUEST_ID_HEADER:  # ASGI header names are lowercase
                request_id = value.decode("latin-1")
                break
        call = self._start(calls.REST, request_id)
        call.http_method = http_method
        return call

    def _start(self, transport: str, request_id: str) -> Call:
        if not (request_id and calls.valid_request_id(request_id)):
            request_id = self._id_prefix + str(next(self._counter))
        call = Call(transport, request_id, time.perf_counter())
        calls.begin(call)
        if self._metrics is not None:
            self._metrics.call_started(transport)
        return call

    def finish(self, call: Call) -> None:
        """The call's answer is ready (or it was abandoned): log it and count it."""
        seconds = time.perf_counter() - call.started
        calls.end(call)
        code = call.code or _code_without_note(call)
        if self._metrics is not None:
            method = call.method.full_name if call.method is not None else UNROUTED
            self._metrics.call_finished(call.transport, method, code._name_, seconds)
        if self._log is not None:
            self._log.emit(call, code, seconds)


def _code_without_note(call: Call) -> grpc.StatusCode:
    """The code of a call nobody noted one for (errors are always noted): a REST request
    answered 200 succeeded; a call never answered was abandoned (its client went away)."""
    if call.http_status == 200:
        return grpc.StatusCode.OK
    return grpc.StatusCode.CANCELLED if call.http_status == 0 else grpc.StatusCode.UNKNOWN
