"""Logs: one line per call (the request log) and the process's own records, as JSON or text.

Every line goes to one stream (stderr by default), in one format chosen by `--log-format`:
- `json` (the default): one JSON object per line, for a log shipper;
- `text`: the same fields, space-separated, for a person at a terminal.

Request lines are written by `RequestLog`, not through the `logging` module: a call's line is
formatted by hand from values that are safe to print as they are (names from the protos, codes,
our token names, request ids checked by `calls.valid_request_id`), which costs a few
microseconds where `logging` plus `json.dumps` cost tens. The token's secret and the
`Authorization` header are never part of a line: only the token's resource name and workspaces.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Final, TextIO

import grpc

from configapi.auth.tokens import Caller
from configapi.observability.calls import Call

LOG_FORMATS: Final = ("json", "text")
LOG_LEVELS: Final = ("debug", "info", "warning", "error")
ACCESS_LOGGER: Final = "configapi.access"  # the `logger` field of request lines

# Codes that mean the server, not the caller, is at fault: their lines are errors, so that
# `--log-level error` still shows them.
_SERVER_FAULTS: Final = frozenset({"INTERNAL", "UNKNOWN", "DATA_LOSS"})
_MAX_CACHED: Final = 10_000

Write = Callable[[str], object]


class UtcClock:
    """RFC 3339 UTC timestamps with milliseconds; the part up to the second is reused."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        """The current time, `2026-01-02T03:04:05.678Z`."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"


class RequestLog:
    """Writes one line per finished call, if the level lets INFO (or ERROR) lines through."""

    def __init__(
        self, write: Write | None = None, *, log_format: str = "json", level: str = "info"
    ) -> None:
        if log_format not in LOG_FORMATS:
            raise ValueError(f'log format "{log_format}" is not one of {", ".join(LOG_FORMATS)}')
        self._batcher: LineBatcher | None = None
        if write is None:
            write = self._batcher = LineBatcher()
        self._write: Write = write
        self._json = log_format == "json"
        self._threshold = level_number(level)
        self._clock = UtcClock()
        # Parts of a line that repeat from call to call, made once: what was called (per route,
        # method or verb; the object is kept so that its id cannot be reused) and by whom (per
        # token hash). Both formats at once: (json, text).
        self._targets: dict[int | str, tuple[object, str, str]] = {}
        self._callers: dict[bytes, tuple[str, str]] = {}

    def emit(self, call: Call, code: grpc.StatusCode, seconds: float) -> None:
        """Write the line for `call`, which ended with `code` after `seconds`."""
        name = code._name_
        error = name in _SERVER_FAULTS
        if (logging.ERROR if error else logging.INFO) < self._threshold:
            return
        _, target_json, target_text = self._target(call)
        caller_json, caller_text = self._caller(call.caller)
        if self._json:
            line = (
                f'{{"time":"{self._clock.now()}","level":"{"error" if error else "info"}",'
                f'"logger":"{ACCESS_LOGGER}","transport":"{call.transport}",{target_json},'
                f'"code":"{name}","http_status":{call.http_status or "null"},'
                f'"duration_ms":{seconds * 1000:.3f},"request_id":"{call.request_id}",'
                f"{caller_json}}}\n"
            )
        else:
            line = (
                f"{self._clock.now()} {'ERROR' if error else 'INFO'} {call.transport}"
                f" {target_text} {name} {call.http_status or '-'} {seconds * 1000:.3f}ms"
                f" request_id={call.request_id} {caller_text}\n"
            )
        self._write(line)

    def flush(self) -> None:
        """Write the lines still waiting for their batch (`LineBatcher`)."""
        if self._batcher is not None:
            self._batcher.flush()

    def _target(self, call: Call) -> tuple[object, str, str]:
        """The method, HTTP verb and route template of a call, in both formats."""
        anchor: object = call.route or call.method
        key: int | str = call.http_method if anchor is None else id(anchor)
        cached = self._targets.get(key)
        if cached is None or cached[0] is not anchor:
            if len(self._targets) >= _MAX_CACHED:
                self._targets.clear()
            cached = self._targets[key] = (anchor, *_describe_target(call))
        return cached

    def _caller(self, caller: Caller | None) -> tuple[str, str]:
        """The token's resource name and workspaces, in both formats."""
        if caller is None:
            return '"token":null,"workspaces":null', "token=- workspaces=-"
        cached = self._callers.get(caller.secret_hash)
        if cached is None:
            if len(self._callers) >= _MAX_CACHED:
                self._callers.clear()
            workspaces = sorted(caller.workspace_names)
            cached = self._callers[caller.secret_hash] = (
                f'"token":{json.dumps(caller.token_name)},"workspaces":{json.dumps(workspaces)}',
                f"token={caller.token_name} workspaces={','.join(workspaces)}",
            )
        return cached


def _describe_target(call: Call) -> tuple[str, str]:
    method = call.method.full_name if call.method is not None else None
    route = call.route.template.source if call.route is not None else None
    verb = call.http_method or None
    as_json = f'"method":{json.dumps(method)},"http_method":{json.dumps(verb)},"route":' + (
        json.dumps(route)
    )
    return as_json, f"{verb or '-'} {route or '-'} {method or '-'}"


class LineBatcher:
    """Writes lines to stderr (or `stream`) in batches: `interval` seconds after the first
    line of a batch, at once when `max_lines` wait, and on `flush()` (a server flushes when it
    stops). One write(2) per batch instead of one per call: at thousands of calls a second the
    per-call write was a tenth of a GetSource's CPU. Without a running loop, at once."""

    def __init__(
        self, stream: TextIO | None = None, *, interval: float = 0.02, max_lines: int = 256
    ) -> None:
        self._stream = stream
        self._interval = interval
        self._max_lines = max_lines
        self._pending: list[str] = []
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, line: str) -> None:
        pending = self._pending
        pending.append(line)
        if len(pending) == 1:
            try:
                self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)
            except RuntimeError:
                self.flush()
        elif len(pending) >= self._max_lines:
            self.flush()

    def flush(self) -> None:
        """Write what is pending."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        lines, self._pending = self._pending, []
        if lines:
            stream = self._stream or sys.stderr  # looked up late: follows a redirected stderr
            stream.write("".join(lines))
            stream.flush()


def level_number(level: str) -> int:
    """`info` → logging.INFO; ValueError for a level we do not offer."""
    if level.lower() not in LOG_LEVELS:
        raise ValueError(f'log level "{level}" is not one of {", ".join(LOG_LEVELS)}')
    number: int = logging.getLevelNamesMapping()[level.upper()]
    return number


class JsonFormatter(logging.Formatter):
    """The process's own log records as JSON lines, with the fields request lines use."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": rfc3339(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            document["exc"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """The process's own log records as text lines, timed in UTC like request lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return rfc3339(record.created)


def rfc3339(seconds: float) -> str:
    """A POSIX time as RFC 3339 UTC with milliseconds, `2026-01-02T03:04:05.678Z`."""
    whole = int(seconds)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
    return f"{stamp}.{int((seconds - whole) * 1000):03d}Z"


def configure_logging(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Send the process's log records to `stream` (stderr) in `log_format` at `level` and up."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f'log format "{log_format}" is not one of {", ".join(LOG_FORMATS)}')
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level_number(level))
