"""README "Operating it", step by step against real processes: a certificate made by the
README's own `openssl` line, a TLS server on both listeners with metrics on a port of their
own, JSON request logs in a file, a backup taken under write load, and a restore."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from segment.config.v1beta import workspaces_pb2, workspaces_pb2_grpc

from tests.e2e.conftest import CLI

README = Path(__file__).resolve().parents[2] / "README.md"
WRITES_BEFORE_BACKUP = 20
MAX_WRITES = 3000
CREATE_SOURCE = "segment.config.v1beta.SourceService.CreateSource"


def operator_block() -> str:
    section = README.read_text().split("### From a fresh clone", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README lost its operator walk-through"
    return match.group(1)


def readme_command(starting: str) -> str:
    """The README command beginning with `starting`, with its continuation lines."""
    lines = operator_block().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(starting))
    command = [lines[first]]
    while command[-1].endswith("\\"):
        command.append(lines[first + len(command)])
    return "\n".join(command)


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


@dataclass
class Deployment:
    """What the walk-through has made: its folder, environment, token and certificate."""

    root: Path
    env: dict[str, str]
    token: str

    @property
    def database(self) -> Path:
        return self.root / "var" / "configapi.db"

    @property
    def cert(self) -> Path:
        return self.root / "var" / "tls.crt"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@dataclass
class Serving:
    process: subprocess.Popen[str]
    grpc: str
    rest: str
    metrics: str
    log: Path


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    """Steps 1 and 2: the README's certificate, a workspace and a write token."""
    (tmp_path / "var").mkdir()
    made = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_command("openssl req")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    env = {**os.environ, "CONFIGAPI_DATABASE": str(tmp_path / "var" / "configapi.db")}
    assert run_cli("workspaces", "create", "acme", env=env).returncode == 0
    token = run_cli("tokens", "create", "--workspace", "acme", "--scopes", "workspace", env=env)
    assert token.returncode == 0, token.stderr
    return Deployment(tmp_path, env, token.stdout.strip())


@pytest.fixture
def serving(deployment: Deployment) -> Iterator[Serving]:
    """Step 3, on free ports and without a rate limit: TLS, a metrics listener, JSON logs
    appended to a file."""
    log = deployment.root / "var" / "configapi.log"
    with log.open("a") as stderr:
        process = subprocess.Popen(
            [
                *CLI,
                "serve",
                *("--tls-cert", "var/tls.crt", "--tls-key", "var/tls.key"),
                *("--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"),
                *("--metrics-address", "127.0.0.1:0"),
                # the write load below goes past the default 200 calls a minute of one token
                *("--rate-limit", "0"),
            ],
            cwd=deployment.root,
            env=deployment.env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None
    printed = {}
    for line in process.stdout:  # blocks until the server prints: no sleeping
        kind, address = line.split()[1], line.split()[-1]
        printed[kind] = address
        if kind == "metrics":
            break
    yield Serving(process, printed["gRPC"], printed["REST"], printed["metrics"], log)
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)


class Writer(threading.Thread):
    """Creates sources `w-0000`, `w-0001`, ... one after another over REST until told to stop."""

    def __init__(self, rest: str, token: str, context: ssl.SSLContext) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=rest, verify=context, headers={"Authorization": f"Bearer {token}"}
        )
        self.acked = 0
        self.warmed_up = threading.Event()
        self.stop = threading.Event()
        self.failure: str | None = None

    def run(self) -> None:
        with self.client:
            while not self.stop.is_set() and self.acked < MAX_WRITES:
                reply = self.client.post(
                    "/v1beta/workspaces/acme/sources",
                    json={
                        "source": {
                            "name": f"workspaces/acme/sources/w-{self.acked:04d}",
                            "catalog_name": "catalog/sources/javascript",
                        }
                    },
                )
                if reply.status_code != 200:
                    self.failure = reply.text
                    break
                self.acked += 1
                if self.acked >= WRITES_BEFORE_BACKUP:
                    self.warmed_up.set()
        self.warmed_up.set()


def sources_in(database: Path) -> list[int]:
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT name FROM resources WHERE kind = 'source' ORDER BY name"
        ).fetchall()
    return [int(name.rsplit("-", 1)[1]) for (name,) in rows]


def test_the_operator_walk_through(deployment: Deployment, serving: Serving) -> None:
    context = deployment.tls_context()
    assert serving.rest.startswith("https://") and serving.metrics.startswith("https://")
    # step 4: ready, then called over both transports with TLS
    assert httpx.get(f"{serving.rest}/readyz", verify=context).json() == {"status": "ready"}
    credentials = grpc.ssl_channel_credentials(root_certificates=deployment.cert.read_bytes())
    with grpc.secure_channel(serving.grpc, credentials) as channel:
        _, call = workspaces_pb2_grpc.WorkspaceServiceStub(channel).GetWorkspace.with_call(
            workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme"),
            metadata=(
                ("authorization", f"Bearer {deployment.token}"),
                ("x-request-id", "guide-1"),
            ),
        )
    assert dict(call.trailing_metadata())["x-request-id"] == "guide-1"

    # step 5: a backup while a client writes, and a restore the running server refuses
    writer = Writer(serving.rest, deployment.token, context)
    writer.start()
    writer.warmed_up.wait(timeout=120)
    before = writer.acked
    copy = deployment.root / "backups" / "configapi.db"
    backed_up = run_cli("backup", "--to", str(copy), env=deployment.env)
    after = writer.acked
    writer.stop.set()
    writer.join(timeout=120)
    assert writer.failure is None
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout.startswith(f"backed up {deployment.database} to {copy}")
    in_copy = sources_in(copy)
    assert in_copy == list(range(len(in_copy)))  # one instant: a prefix of the writes
    assert before <= len(in_copy) <= after + 1
    refused = run_cli("restore", "--from", str(copy), "--force", env=deployment.env)
    assert refused.returncode == 2 and "in use" in refused.stderr

    # the metrics count exactly the calls made
    scraped = httpx.get(serving.metrics, verify=context)
    counts = {
        (s.labels["transport"], s.labels["method"], s.labels["code"]): s.value
        for family in text_string_to_metric_families(scraped.text)
        if family.name == "configapi_requests"
        for s in family.samples
    }
    assert counts == {
        ("grpc", "segment.config.v1beta.WorkspaceService.GetWorkspace", "OK"): 1,
        ("rest", CREATE_SOURCE, "OK"): writer.acked,
    }

    # SIGTERM: a clean stop; then the log holds one JSON line per call, and no secret
    serving.process.send_signal(signal.SIGTERM)
    assert serving.process.wait(timeout=30) == 0
    text = serving.log.read_text()
    assert deployment.token not in text
    lines = [json.loads(line) for line in text.splitlines()]
    calls = [line for line in lines if line["logger"] == "configapi.access"]
    assert len(calls) == writer.acked + 1
    [grpc_line] = [line for line in calls if line["request_id"] == "guide-1"]
    assert (grpc_line["transport"], grpc_line["code"]) == ("grpc", "OK")
    assert {line["method"] for line in calls if line["transport"] == "rest"} == {CREATE_SOURCE}

    # restore, and serve what was restored
    restored = deployment.root / "var" / "restored.db"
    put_back = run_cli(
        "restore", "--from", str(copy), "--database", str(restored), env=deployment.env
    )
    assert put_back.returncode == 0, put_back.stderr
    assert sources_in(restored) == in_copy


def test_the_readme_documents_every_setting() -> None:
    readme = README.read_text()
    section = readme.split("## Operating it", 1)[1]
    for command in ("serve", "gateway", "backup", "restore"):
        shown = subprocess.run(
            [*CLI, command, "--help"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        for flag in sorted(set(re.findall(r"(--[a-z][a-z-]+)", shown)) - {"--help"}):
            shown_in_readme = re.search(rf"(?<![\w-]){flag}(?![\w-])", section)
            assert shown_in_readme, f"configapi {command} {flag} is not in the README"
            if command in ("serve", "gateway") and flag not in ("--demo", "--upstream"):
                variable = "CONFIGAPI_" + flag[2:].upper().replace("-", "_")
                assert f"`{variable}`" in section, f"{variable} is not in the README"
