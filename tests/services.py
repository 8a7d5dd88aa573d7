"""PostgreSQL and Redis for the tests: real servers in temp dirs on free ports (SPEC §9).

`bash tools/install-services.sh` installs them (Debian packages) and makes the system user
`configapi-test`: PostgreSQL refuses to run as root, so as root the server runs as that user,
in a temp dir it owns. Each test gets a database of its own (`PostgresServer.new_database`).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

TEST_USER = "configapi-test"


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `bash tools/install-services.sh`")
    return found[-1].parent


def _as_test_user(command: list[str]) -> list[str]:
    """`command`, run as the unprivileged test user when we are root."""
    return ["runuser", "-u", TEST_USER, "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A PostgreSQL cluster in a temp dir, listening on 127.0.0.1:`port`, trusting local users."""

    def __init__(self, *, durable: bool = False, cpus: str = "") -> None:
        # tests need no fsync (a replica dies, not the machine); the bench's writes are durable
        self._fsync = "on" if durable else "off"
        self._cpus = cpus  # taskset -c CPUS for the server's processes (the bench pins them)
        self.folder = Path(tempfile.mkdtemp(prefix="configapi-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self._names = itertools.count(1)
        if os.geteuid() == 0:
            user = pwd.getpwnam(TEST_USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        """initdb, then start on a free port and wait until it accepts connections."""
        bin_ = _pg_bin()
        self._run(
            str(bin_ / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.port = free_port()
        self.restart()

    def url(self, database: str = "postgres") -> str:
        """The URL of one database of this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"t{next(self._names)}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run `sql` with psql; its output."""
        done = subprocess.run(
            ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, self.url(database)],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def halt(self) -> None:
        """Stop the server at once (an outage); `restart` brings it back on the same port."""
        self._run(str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def restart(self) -> None:
        """Start the server (again, after `halt`): same port, same data; wait until it is up."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            f" -c fsync={self._fsync} -c max_connections=300"
        )
        log = str(self.folder / "log")
        pin = ["taskset", "-c", self._cpus] if self._cpus else []
        pg_ctl = str(_pg_bin() / "pg_ctl")
        self._run(*pin, pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        if self.port:
            self._run(str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, *command: str) -> None:
        # cwd: a folder the test user may enter (PostgreSQL's tools fail in an unreadable cwd,
        # such as a clone under /root)
        done = subprocess.run(
            _as_test_user(list(command)), capture_output=True, text=True, cwd=self.folder
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")


class RedisServer:
    """redis-server in a temp dir on 127.0.0.1:`port`, no persistence."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="configapi-redis-"))
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start and wait for its 'Ready to accept connections' line."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed: run `bash tools/install-services.sh`"
            )
        self.port = self.port or free_port()  # the same port again after `kill`
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert self._process.stdout is not None
        for line in self._process.stdout:
            if "Ready to accept connections" in line:
                return
        raise RuntimeError("redis-server exited before accepting connections")

    def url(self) -> str:
        """redis://127.0.0.1:PORT/0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        """SIGKILL the server (an outage); `start` brings it back on the same port."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    def stop(self) -> None:
        """Kill it and remove its folder."""
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
