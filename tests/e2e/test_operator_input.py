"""Operator mistakes (issue 13 item 6, DESIGN rule 7): each one, made with the real `configapi`
command, ends in one line on stderr and exit status 2, with no traceback and nothing created."""

from __future__ import annotations

import datetime
import json
import os
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from configapi.settings import NUMBER_OPTIONS, NumberOption
from tests.e2e.conftest import CLI
from tests.operability.support import self_signed_certificate

ANY_PORTS = ("--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0")


def configapi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit status 2 and one line on stderr that says each of `expected`."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """An empty folder that holds nothing else when the test ends but what it put there."""
    before = set(tmp_path.iterdir())
    yield tmp_path
    assert set(tmp_path.iterdir()) == before | set(_made_by_test(tmp_path)), "a file was created"


def _made_by_test(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith("given")]


@pytest.fixture
def listening() -> Iterator[str]:
    """HOST:PORT of a socket already listening (another program's port)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield f"127.0.0.1:{taken.getsockname()[1]}"


# --- numbers: every row of the table, by flag and by variable ----------------------------------


def _bad_numbers(option: NumberOption) -> list[str]:
    below = option.minimum - 1
    above = option.maximum * 2 + 1
    return [str(int(below)), str(int(above)), "abc", "nan", "1_0", ""]


NUMBER_CASES = [
    pytest.param(option, text, id=f"{option.name}={text or 'empty'}")
    for option in NUMBER_OPTIONS.values()
    for text in _bad_numbers(option)
]


@pytest.mark.parametrize(("option", "text"), NUMBER_CASES)
def test_a_bad_number_in_a_flag_names_the_flag_and_its_range(
    folder: Path, option: NumberOption, text: str
) -> None:
    database = folder / "config.db"
    result = configapi("serve", "--database", str(database), *ANY_PORTS, option.flag, text)
    assert_refused(result, option.flag, option.rule(), repr(text))
    assert not database.exists()


@pytest.mark.parametrize("option", NUMBER_OPTIONS.values(), ids=NUMBER_OPTIONS.keys())
def test_a_bad_number_in_a_variable_names_the_variable(folder: Path, option: NumberOption) -> None:
    database = folder / "config.db"
    result = configapi("serve", "--database", str(database), *ANY_PORTS, env={option.variable: "x"})
    assert_refused(result, option.variable, option.rule())
    assert not database.exists()


def test_a_variable_of_another_command_is_not_read(folder: Path) -> None:
    """`CONFIGAPI_RATE_LIMIT=abc` in the environment does not break `workspaces create`."""
    database = folder / "config.db"
    env = {"CONFIGAPI_RATE_LIMIT": "abc", "CONFIGAPI_MAX_BODY_BYTES": "-5"}
    created = configapi("workspaces", "create", "acme", "--database", str(database), env=env)
    assert (created.returncode, created.stdout) == (0, "workspaces/acme\n"), created.stderr
    database.unlink()
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def test_a_bad_choice_in_a_variable_names_the_variable(folder: Path) -> None:
    result = configapi(
        "serve", "--database", str(folder / "c.db"), *ANY_PORTS, env={"CONFIGAPI_LOG_LEVEL": "loud"}
    )
    assert_refused(result, "CONFIGAPI_LOG_LEVEL", "debug, info, warning, error", "'loud'")


# --- addresses --------------------------------------------------------------------------------

ADDRESS_FLAGS = ("--grpc-address", "--http-address", "--metrics-address")
BAD_ADDRESSES = {
    "no port": ("nonsense", "is not HOST:PORT"),
    "port out of range": ("127.0.0.1:70000", "a port from 0 to 65535"),
    "port not a number": ("127.0.0.1:http", "is not HOST:PORT"),
    "host that does not resolve": ("no-such-host.invalid:8080", 'cannot resolve "no-such-host'),
}


@pytest.mark.parametrize("flag", ADDRESS_FLAGS)
@pytest.mark.parametrize(("address", "message"), BAD_ADDRESSES.values(), ids=BAD_ADDRESSES.keys())
def test_a_bad_address_is_refused_before_the_database_is_created(
    folder: Path, flag: str, address: str, message: str
) -> None:
    database = folder / "config.db"
    result = configapi("serve", "--database", str(database), *ANY_PORTS, flag, address)
    assert_refused(result, flag, message)
    assert "Event loop is closed" not in result.stderr


@pytest.mark.parametrize("flag", ADDRESS_FLAGS)
def test_an_address_in_use_is_refused_before_the_database_is_created(
    folder: Path, listening: str, flag: str
) -> None:
    result = configapi("serve", "--database", str(folder / "c.db"), *ANY_PORTS, flag, listening)
    assert_refused(result, flag, listening, "in use")


def test_an_address_in_use_leaves_an_existing_database_as_it_was(
    tmp_path: Path, listening: str
) -> None:
    database = tmp_path / "config.db"
    assert configapi("workspaces", "create", "acme", "--database", str(database)).returncode == 0
    before = database.read_bytes()
    result = configapi("serve", "--database", str(database), "--grpc-address", listening)
    assert_refused(result, "--grpc-address", "in use")
    assert database.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--upstream", "nonsense"), "--upstream"),
        (("--upstream", "127.0.0.1:1", "--http-address", "nonsense"), "--http-address"),
        (("--upstream", "127.0.0.1:1", "--max-body-bytes", "-5"), "--max-body-bytes"),
    ],
    ids=["upstream", "http-address", "max-body-bytes"],
)
def test_the_standalone_gateway_refuses_bad_input_the_same_way(
    args: tuple[str, ...], message: str
) -> None:
    assert_refused(configapi("gateway", *args), message)


# --- the database file ------------------------------------------------------------------------


def _not_sqlite(path: Path) -> None:
    path.write_text("name,value\nacme,1\n")


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.close()


def _directory(path: Path) -> None:
    path.mkdir()


NOT_A_DATABASE = {
    "a text file": (_not_sqlite, "is not an SQLite database"),
    "another program's SQLite file": (_foreign_sqlite, "another program (tables invoices)"),
    "a directory": (_directory, "is a directory"),
}


@pytest.mark.parametrize("command", ["serve", "workspaces", "tokens"])
@pytest.mark.parametrize(("make", "message"), NOT_A_DATABASE.values(), ids=NOT_A_DATABASE.keys())
def test_a_database_that_is_not_ours_is_refused_untouched(
    folder: Path, command: str, make: object, message: str
) -> None:
    given = folder / "given.db"
    assert callable(make)
    make(given)
    before = given.read_bytes() if given.is_file() else None
    args = {
        "serve": ("serve", *ANY_PORTS),
        "workspaces": ("workspaces", "create", "acme"),
        "tokens": ("tokens", "create", "--workspace", "acme", "--scopes", "workspace"),
    }[command]
    result = configapi(*args, "--database", str(given))
    assert_refused(result, f"--database {given}", message)
    if before is not None:
        assert given.read_bytes() == before


# --- catalog files ----------------------------------------------------------------------------

DEPTH = 100_000
DEEP_FILES = {
    "deep.json": json.dumps({"sources": []})[:-2] + "[" * DEPTH + "]" * DEPTH + "]}",
    "deep.yml": "sources:\n- " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n",
    "deep-block.yml": "sources:\n" + "".join("  " * i + "- \n" for i in range(1, 2000)),
}


@pytest.mark.parametrize("name", DEEP_FILES)
def test_a_deeply_nested_catalog_file_is_refused_and_nothing_is_created(
    folder: Path, name: str
) -> None:
    catalog = folder / f"given-{name}"
    catalog.write_text(DEEP_FILES[name])
    database = folder / "var" / "config.db"  # its folder is made by the start, then removed
    result = configapi("serve", "--database", str(database), *ANY_PORTS, "--catalog", str(catalog))
    assert_refused(result, str(catalog), "nest")
    assert not database.parent.exists()


# --- TLS certificates -------------------------------------------------------------------------

NOW = datetime.datetime.now(datetime.UTC)
OUT_OF_DATE = {
    "expired": (NOW - datetime.timedelta(days=30), NOW - datetime.timedelta(days=1), "expired on"),
    "not yet valid": (
        NOW + datetime.timedelta(days=1),
        NOW + datetime.timedelta(days=30),
        "is not valid before",
    ),
}


@pytest.mark.parametrize("command", ["serve", "gateway"])
@pytest.mark.parametrize(
    ("valid_from", "valid_until", "message"), OUT_OF_DATE.values(), ids=OUT_OF_DATE.keys()
)
def test_a_certificate_out_of_its_validity_is_refused(
    folder: Path,
    command: str,
    valid_from: datetime.datetime,
    valid_until: datetime.datetime,
    message: str,
) -> None:
    tls = folder / "given-tls"
    tls.mkdir()
    certificate = self_signed_certificate(tls, valid_from=valid_from, valid_until=valid_until)
    args = {
        "serve": ("serve", "--database", str(folder / "config.db"), *ANY_PORTS),
        "gateway": ("gateway", "--upstream", "127.0.0.1:1", "--http-address", "127.0.0.1:0"),
    }[command]
    result = configapi(
        *args, "--tls-cert", str(certificate.cert), "--tls-key", str(certificate.key)
    )
    assert_refused(result, f"TLS certificate 1 of 1 in {certificate.cert}", message)
