"""`configapi serve --workers N` (SPEC §9 "one host, every core"): N server processes on the
same ports (SO_REUSEPORT: the kernel spreads connections over them) and the same database.

The supervisor reserves each port first (a bound socket with SO_REUSEPORT that never listens,
so port 0 becomes one real port all workers share), starts the first worker (it alone gets
`--demo`, and its output is ours), then the others once it serves. Each worker is
`configapi serve --workers 1 --reuse-port` with the rate-limit budget shared: through Redis when
`--redis` is given, else the database's bucket table (`--rate-limit-store database`, exact:
no early refusal). A deleted token is refused by the worker that deleted it at once; the others
drop it from their caches within `--token-cache-seconds` (with Redis: at once). SIGTERM/SIGINT
are passed to every worker; if a worker dies, the others are stopped and the supervisor exits 1,
so that the process manager restarts the whole set.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import IO

from configapi.settings import split_address


def reserve(address: str) -> tuple[socket.socket, str]:
    """A socket bound to `address` with SO_REUSEPORT (never listening) and `HOST:PORT` with the
    real port: what every worker binds."""
    host, port = split_address(address)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    shown = f"[{host}]" if ":" in host else host
    return sock, f"{shown}:{sock.getsockname()[1]}"


def worker_argv(
    argv: Sequence[str], addresses: Sequence[str], store: str, *, first: bool
) -> list[str]:
    """The command line of one worker: the supervisor's own, ports fixed, one process."""
    own = [a for a in argv if first or a != "--demo"]
    grpc_address, http_address, metrics_address = addresses
    return [
        *(sys.executable, "-m", "configapi", *own),
        *("--workers", "1", "--reuse-port", "--rate-limit-store", store),
        *("--grpc-address", grpc_address, "--http-address", http_address),
        *("--metrics-address", metrics_address),
    ]


def supervise(argv: Sequence[str], count: int, listeners: Sequence[str], redis: str) -> int:
    """Run `count` workers until a signal (exit 0) or until one of them dies (exit 1).
    `listeners`: the gRPC, REST and metrics addresses ("" for none)."""
    reserved = [reserve(a) if a else None for a in listeners]
    addresses = [r[1] if r else "" for r in reserved]
    store = "memory" if redis else "database"  # with Redis the store flag is not consulted
    workers: list[subprocess.Popen[str]] = []
    stopping = threading.Event()

    def stop_all(signum: int, frame: FrameType | None = None) -> None:
        stopping.set()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop_all)
    first = subprocess.Popen(
        worker_argv(argv, addresses, store, first=True),
        stdout=subprocess.PIPE,
        text=True,
    )
    workers.append(first)
    assert first.stdout is not None
    # a worker serves once it prints its last listener's line
    _, http, metrics = listeners
    ready = "serving metrics on" if metrics else "serving REST on" if http else "serving gRPC on"
    if _copy_until_serving(first.stdout, ready, True):
        command = worker_argv(argv, addresses, store, first=False)
        others = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(count - 1)
        ]
        workers += others
        if all(_copy_until_serving(w.stdout, ready, False) for w in others if w.stdout):
            print(f"serving with {count} workers", flush=True)
    return _wait(workers, stopping, stop_all, [r[0] for r in reserved if r])


def _copy_until_serving(stream: IO[str], ready: str, shown: bool) -> bool:
    """Read a worker's output (copied to ours when `shown`: the first worker's) until its line
    `ready`; a thread reads the rest. False if it exited first."""
    for line in stream:
        _copy(line, shown)
        if line.startswith(ready):
            threading.Thread(target=_copy_rest, args=(stream, shown), daemon=True).start()
            return True
    return False


def _copy_rest(stream: IO[str], shown: bool) -> None:
    for line in stream:
        _copy(line, shown)


def _copy(line: str, shown: bool) -> None:
    if shown:
        sys.stdout.write(line)
        sys.stdout.flush()


def _wait(
    workers: list[subprocess.Popen[str]],
    stopping: threading.Event,
    stop_all: Callable[[int, FrameType | None], None],
    reserved: list[socket.socket],
) -> int:
    """Wait for any worker to exit; then stop the rest and wait for them all."""
    failed = False
    try:
        pid, _ = os.wait()
        failed = not stopping.is_set()
        if failed:
            print(f"configapi: worker {pid} exited; stopping the others", file=sys.stderr)
        stop_all(signal.SIGTERM, None)
        for worker in workers:
            worker.wait()
    finally:
        for sock in reserved:
            sock.close()
    return 1 if failed else 0
