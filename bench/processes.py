"""Server processes pinned to the server core, the tools the bench needs, and peak RSS."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

SERVER_CPU = 0
LOAD_CPU = 1
REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
_GRPC_LINE = re.compile(r"serving gRPC on (\S+)")
_REST_LINE = re.compile(r"serving REST on (\S+)")
_DEBIAN_PACKAGES = {"wrk": "wrk", "h2load": "nghttp2-client", "taskset": "util-linux"}


class StartError(Exception):
    """A server process did not come up."""


@dataclass
class ServerProcess:
    """A running server: its process and the addresses it printed."""

    name: str
    process: subprocess.Popen[str]
    grpc_target: str = ""  # host:port
    rest_url: str = ""  # http://host:port
    lines: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        """The server's pid (taskset execs the server in place)."""
        return self.process.pid

    def peak_rss_mib(self) -> float:
        """The process's peak resident set size so far (VmHWM)."""
        return _status_kib(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        """The process's resident set size now (VmRSS)."""
        return _status_kib(self.pid, "VmRSS") / 1024

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def start_server(
    name: str,
    argv: Sequence[str],
    log: Path,
    *,
    grpc: bool,
    rest: bool,
    timeout: float = 60,
    cpus: str = str(SERVER_CPU),
) -> ServerProcess:
    """Start `argv` on the server core (or `cpus`); wait for its "serving gRPC/REST on" lines."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("a") as stderr:
        process = subprocess.Popen(
            ["taskset", "-c", cpus, *argv],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=env,
        )
    server = ServerProcess(name, process)
    try:
        _await_addresses(server, grpc, rest, timeout, log)
    except BaseException:
        server.stop()
        raise
    return server


def _await_addresses(
    server: ServerProcess, grpc: bool, rest: bool, timeout: float, log: Path
) -> None:
    lines: list[str] = []
    reader = threading.Thread(target=_drain, args=(server.process, lines), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(lines):
            if (found := _GRPC_LINE.search(line)) is not None:
                server.grpc_target = found.group(1)
            if (found := _REST_LINE.search(line)) is not None:
                server.rest_url = found.group(1).rstrip("/")
        if (server.grpc_target or not grpc) and (server.rest_url or not rest):
            server.lines = lines
            return
        if server.process.poll() is not None:
            break
        time.sleep(0.05)
    raise StartError(f"{server.name} did not start; stdout: {lines!r}; see {log}")


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    """Read the server's stdout to its end, so it never blocks on a full pipe."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time the processes have used so far, all their threads."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def ensure_tools() -> None:
    """Install wrk and h2load from Debian when missing (`apt-get update` only if needed)."""
    missing = sorted({_DEBIAN_PACKAGES[t] for t in _DEBIAN_PACKAGES if shutil.which(t) is None})
    if not missing:
        return
    print(f"installing {' '.join(missing)} with apt-get", flush=True)
    install = ["apt-get", "install", "-y", "-q", *missing]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, check=False, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)


def pin_to_load_core() -> None:
    """Keep the driver itself off the server core."""
    os.sched_setaffinity(0, {LOAD_CPU})


def python_module(module: str, *args: str) -> list[str]:
    """argv running a bench module with this interpreter."""
    return [sys.executable, "-m", module, *args]


def configapi(*args: str) -> list[str]:
    """argv running the project's command line from this venv."""
    return [str(BIN / "configapi"), *args]
