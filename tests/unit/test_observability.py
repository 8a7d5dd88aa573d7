"""The parts of request logging, metrics and readiness that need no server."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import sys

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor
from prometheus_client.parser import text_string_to_metric_families

from configapi import contract
from configapi.auth.tokens import Caller
from configapi.observability import calls
from configapi.observability.calls import Call
from configapi.observability.health import Readiness
from configapi.observability.logs import (
    JsonFormatter,
    LineBatcher,
    RequestLog,
    TextFormatter,
    configure_logging,
)
from configapi.observability.metrics import LATENCY_BUCKETS, Histogram, Metrics
from configapi.observability.observer import CallObserver

METHOD: MethodDescriptor = contract.methods()[0]
CALLER = Caller(
    "access-tokens/abc", b"h" * 32, "workspace", frozenset({"workspaces/b", "workspaces/a"})
)


def finished(call: Call, code: grpc.StatusCode, lines: list[str], **log: str) -> dict[str, object]:
    RequestLog(lines.append, **log).emit(call, code, 0.0012345)
    parsed: dict[str, object] = json.loads(lines[-1])
    return parsed


def test_a_line_for_a_call_that_knows_nothing_yet_is_valid_json_with_nulls() -> None:
    lines: list[str] = []
    line = finished(Call("rest", "id-1", 0.0), grpc.StatusCode.NOT_FOUND, lines)
    assert lines[0].endswith("}\n") and lines[0].count("\n") == 1
    assert {k: line[k] for k in ("method", "route", "http_method", "token", "workspaces")} == {
        "method": None,
        "route": None,
        "http_method": None,
        "token": None,
        "workspaces": None,
    }
    assert (line["duration_ms"], line["http_status"]) == (1.234, None)


def test_a_callers_workspaces_are_listed_in_order() -> None:
    call = Call("grpc", "id-1", 0.0)
    call.caller, call.method = CALLER, METHOD
    line = finished(call, grpc.StatusCode.OK, [])
    assert (line["token"], line["workspaces"]) == (
        "access-tokens/abc",
        ["workspaces/a", "workspaces/b"],
    )
    assert line["method"] == METHOD.full_name


@pytest.mark.parametrize(
    ("level", "code", "written"),
    [
        ("info", grpc.StatusCode.OK, True),
        ("warning", grpc.StatusCode.NOT_FOUND, False),
        ("warning", grpc.StatusCode.INTERNAL, True),
        ("error", grpc.StatusCode.UNKNOWN, True),
        ("error", grpc.StatusCode.UNAVAILABLE, False),
    ],
)
def test_levels_decide_which_lines_are_written(
    level: str, code: grpc.StatusCode, written: bool
) -> None:
    lines: list[str] = []
    RequestLog(lines.append, level=level).emit(Call("rest", "x", 0.0), code, 0.001)
    assert bool(lines) == written
    if written:
        assert json.loads(lines[0])["level"] == ("info" if code == grpc.StatusCode.OK else "error")


@pytest.mark.parametrize(("option", "value"), [("log_format", "xml"), ("level", "loud")])
def test_unknown_formats_and_levels_are_refused(option: str, value: str) -> None:
    with pytest.raises(ValueError, match=value):
        RequestLog(None, **{option: value})


def test_request_ids_from_callers_are_kept_only_when_safe() -> None:
    observer = CallObserver(None, None)
    kept = observer.start_rest("GET", [(b"x-request-id", b"abc-123_x.y:z")])
    calls.end(kept)
    unsafe = observer.start_grpc(METHOD, [("x-request-id", "a\nb")])
    calls.end(unsafe)
    fresh = [observer.start_grpc(METHOD, []) for _ in range(3)]
    for call in reversed(fresh):  # a context variable is reset last in, first out
        calls.end(call)
    assert kept.request_id == "abc-123_x.y:z"
    assert unsafe.request_id != "a\nb"
    assert len({unsafe.request_id, *(c.request_id for c in fresh)}) == 4


def test_a_call_is_in_flight_from_start_to_finish() -> None:
    metrics = Metrics()
    observer = CallObserver(None, metrics)

    def in_flight() -> float:
        families = text_string_to_metric_families(metrics.exposition().decode())
        family = next(f for f in families if f.name == "configapi_requests_in_flight")
        return next(s.value for s in family.samples if s.labels["transport"] == "grpc")

    call = observer.start_grpc(METHOD, [])
    assert calls.current() is call and in_flight() == 1
    call.code = grpc.StatusCode.OK
    observer.finish(call)
    assert calls.current() is None and in_flight() == 0


def test_notes_outside_a_call_do_nothing() -> None:
    calls.note_caller(CALLER)
    calls.note_code(grpc.StatusCode.INTERNAL)
    assert calls.current() is None
    assert calls.with_request_id([("a", "b")]) == (("a", "b"),)


def test_a_value_on_a_bucket_bound_falls_in_that_bucket() -> None:
    histogram = Histogram()
    for value in (LATENCY_BUCKETS[0], LATENCY_BUCKETS[0] * 1.01, 1e9):
        histogram.observe(value)
    buckets = dict(histogram.buckets())
    assert buckets[repr(LATENCY_BUCKETS[0])] == 1
    assert buckets[repr(LATENCY_BUCKETS[1])] == 2
    assert buckets["+Inf"] == 3


async def test_readiness_is_negative_while_not_accepting_or_when_the_probe_fails() -> None:
    async def failing() -> str | None:
        raise RuntimeError("boom /secret/path")

    readiness = Readiness(failing)
    assert await readiness.problem() == "not serving: starting or shutting down"
    readiness.accepting = True
    assert await readiness.problem() == "dependency check failed"  # no internals in the reason


def test_process_records_are_json_lines_with_their_traceback() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.LogRecord("configapi.x", logging.ERROR, "f", 1, "failed %s", ("it",), None)
        record.exc_info = sys.exc_info()
    document = json.loads(JsonFormatter().format(record))
    assert (document["level"], document["logger"], document["msg"]) == (
        "error",
        "configapi.x",
        "failed it",
    )
    assert "ValueError: bad" in document["exc"]
    text = TextFormatter().format(record)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR configapi.x failed it\n", text)


def test_configure_logging_sends_records_to_one_stream_in_the_format() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("warning", "json", stream)
        logging.getLogger("configapi.test").info("hidden")
        logging.getLogger("configapi.test").warning("shown")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["msg"] == "shown"


def test_contextvars_keep_concurrent_calls_apart() -> None:
    observer = CallObserver(None, None)

    async def one(number: int) -> str:
        call = observer.start_rest("GET", [(b"x-request-id", f"r{number}".encode())])
        await asyncio.sleep(0)  # let the others start in between
        current = calls.current()
        observer.finish(call)
        assert current is not None
        return current.request_id

    async def all_of_them() -> list[str]:
        return list(await asyncio.gather(*(one(n) for n in range(5))))

    assert asyncio.run(all_of_them()) == [f"r{n}" for n in range(5)]


class Recorder(io.StringIO):
    """A stream that keeps each write apart and tells a waiter about the first one."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []
        self.written = asyncio.get_running_loop().create_future()

    def write(self, text: str) -> int:
        self.writes.append(text)
        if not self.written.done():
            self.written.set_result(None)
        return len(text)


async def test_lines_wait_for_their_batch_and_share_one_write() -> None:
    stream = Recorder()
    batcher = LineBatcher(stream, interval=0.01)
    batcher("a\n")
    batcher("b\n")
    assert stream.writes == []  # not yet: the batch is still open
    await asyncio.wait_for(stream.written, timeout=10)  # the batch's timer wrote it
    assert stream.writes == ["a\nb\n"]


async def test_a_full_batch_and_a_flush_are_written_at_once() -> None:
    stream = Recorder()
    batcher = LineBatcher(stream, interval=60, max_lines=2)
    batcher("a\n")
    batcher("b\n")
    assert stream.writes == ["a\nb\n"]
    batcher("c\n")
    batcher.flush()  # what a stopping server does
    assert stream.writes == ["a\nb\n", "c\n"]


def test_without_a_running_loop_a_line_is_written_at_once() -> None:
    stream = io.StringIO()
    LineBatcher(stream)("a\n")
    assert stream.getvalue() == "a\n"
