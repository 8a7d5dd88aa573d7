"""Python function calls per gRPC GetSource, ours and bare grpc.aio's: the bench's noise-free
companion.

    .venv/bin/python -m bench.call_count [CALLS]      # CALLS GetSource requests, default 2,000

Throughput on a shared machine swings by a third from run to run; what the interpreter does per
call does not. Each server runs under this module (`--serve`), which counts every Python and C
function call its main thread makes (`sys.setprofile`) between SIGUSR1 and SIGUSR2; h2load sends
CALLS GetSource requests (16 streams on one connection) in between, after a warm-up. Prints the
calls per request of both servers and the functions ours calls more often than bare. Counting
slows the servers down many times over: the counts are the measure, not the time.
"""

from __future__ import annotations

import collections
import os
import re
import runpy
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from bench import grpc_client, world
from bench.cells import SOURCES_PATH, get_source_request
from bench.processes import LOAD_CPU, ServerProcess, python_module, start_server

WARM_UP = 1_000
STREAMS = 16


def serve_counted(out: Path, argv: list[str]) -> None:
    """Run `argv` (`configapi …` or a bench module and its arguments), counting calls on the
    main thread from SIGUSR1 to SIGUSR2, then writing `count<TAB>function` lines to `out`."""
    counts: collections.Counter[str] = collections.Counter()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            code = frame.f_code
            counts[f"{Path(code.co_filename).name}:{code.co_name}"] += 1
        elif event == "c_call":
            counts[f"C {getattr(arg, '__qualname__', arg)}"] += 1

    def start(*_: object) -> None:
        counts.clear()
        sys.setprofile(profile)

    def stop(*_: object) -> None:
        sys.setprofile(None)
        text = "".join(f"{n}\t{name}\n" for name, n in counts.most_common())
        out.with_suffix(".tmp").write_text(text)
        out.with_suffix(".tmp").rename(out)  # whole, or not there yet

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    if argv[0] == "configapi":
        from configapi.cli import main

        raise SystemExit(main(argv[1:]))
    sys.argv = argv
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


def counted(out: Path, *argv: str) -> list[str]:
    """argv running `argv` under this module's `--serve`, its counts going to `out`."""
    return python_module("bench.call_count", "--serve", str(out), *argv)


def count(server: ServerProcess, out: Path, body: Path, token: str, calls: int) -> dict[str, int]:
    """Warm `server` up, count `calls` GetSource requests, and read its counts."""
    argv = [
        *("taskset", "-c", str(LOAD_CPU), "h2load", "-c", "1", "-m", str(STREAMS)),
        *("-H", "content-type: application/grpc", "-H", "te: trailers"),
        *("-H", f"authorization: Bearer {token}", "-d", str(body)),
        f"http://{server.grpc_target}{SOURCES_PATH}GetSource",
    ]
    _h2load([*argv, "-n", str(WARM_UP)], WARM_UP)
    os.kill(server.pid, signal.SIGUSR1)
    _h2load([*argv, "-n", str(calls)], calls)
    os.kill(server.pid, signal.SIGUSR2)
    deadline = time.monotonic() + 60
    while not out.exists():  # the server writes it from its signal handler
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} wrote no counts to {out}")
        time.sleep(0.05)
    rows = (line.split("\t") for line in out.read_text().splitlines())
    return {name: int(n) for n, name in rows}


def _h2load(argv: list[str], expected: int) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=True)
    answered = re.search(r"status codes: (\d+) 2xx", done.stdout)
    if answered is None or int(answered.group(1)) != expected:
        raise RuntimeError(f"h2load: not every request answered 200:\n{done.stdout}")


def main(calls: int) -> None:
    """Both servers, counted; the report on stdout."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        database, log = folder / "configapi.db", folder / "servers.log"
        token = world.create_database(database)
        ours_argv = counted(folder / "ours.tsv", "configapi", *world.serve_args(database))
        with start_server("configapi", ours_argv, log, grpc=True, rest=True) as ours:
            world.seed_reads(ours, token, 0)
            body = grpc_client.write_frame(folder / "get.bin", get_source_request())
            reply = grpc_client.call_framed(
                ours.grpc_target, SOURCES_PATH + "GetSource", body, token
            )
            mine = count(ours, folder / "ours.tsv", body, token, calls)
        (folder / "source.bin").write_bytes(reply)
        bare_argv = counted(folder / "bare.tsv", "bench.baseline_grpc", str(folder / "source.bin"))
        with start_server("bare grpc.aio", bare_argv, log, grpc=True, rest=False) as bare:
            theirs = count(bare, folder / "bare.tsv", body, token, calls)
    print(f"Python function calls per gRPC GetSource ({calls:,} calls, {STREAMS} streams):")
    print(f"  configapi      {sum(mine.values()) / calls:7.1f}")
    print(f"  bare grpc.aio  {sum(theirs.values()) / calls:7.1f}")
    print("Calls configapi makes more often than bare grpc.aio, per request:")
    extra = {name: (n - theirs.get(name, 0)) / calls for name, n in mine.items()}
    for name, more in sorted(extra.items(), key=lambda item: -item[1]):
        if more >= 0.5:
            print(f"  {more:+6.1f}  {name}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_counted(Path(sys.argv[2]), sys.argv[3:])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
