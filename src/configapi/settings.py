"""One frozen settings object, from command-line flags and CONFIGAPI_* environment variables.

Operator input is checked here, table-driven, before anything is built (DESIGN rule 7): each
numeric option is a row of `NUMBER_OPTIONS` with its allowed range, and a mistake raises
`SettingError`, one line that names the flag or variable, the range and the value given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from configapi.http_limits import ListenerLimits

DEFAULT_GRPC_ADDRESS = "127.0.0.1:50051"
DEFAULT_HTTP_ADDRESS = "127.0.0.1:8080"
MAX_PORT = 65535


class SettingError(ValueError):
    """An operator mistake in a flag, a variable or a file they name: one line, exit status 2."""


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs to build a server."""

    # a SQLite file, or a postgresql:// URL (str; storage/backends.py `parse_database`)
    database: Path | str
    grpc_address: str = DEFAULT_GRPC_ADDRESS
    # "" serves no REST gateway on this process
    http_address: str = DEFAULT_HTTP_ADDRESS
    rate_limit: int = 200  # requests per minute per token; 0 turns limiting off
    # where the buckets live (SPEC §9): "memory" (one process, the default) or "database" (a
    # file beside the SQLite database that every process on it shares: `serve --workers N`)
    rate_limit_store: str = "memory"
    # redis://…: rate limits and revocation shared with every replica (SPEC §9); "" for none
    redis_url: str = ""
    # share the listeners' ports with sibling processes (SO_REUSEPORT): `serve --workers N`
    reuse_port: bool = False
    catalog_files: tuple[Path, ...] = ()
    # how long a token stays cached: the bound on how late another process sees a deletion
    token_cache_seconds: float = 1.0
    # memory for rows of repeated point reads of a SQLite database (`storage/read_cache.py`)
    read_cache_mib: int = 16
    max_body_bytes: int = 4 * 1024 * 1024
    # the REST listener's timeouts, header limit and connection cap (`http_limits`)
    http_limits: ListenerLimits = field(default_factory=ListenerLimits)
    shutdown_grace_seconds: float = 10.0
    # operability (README "Operating it")
    # "" serves /metrics on the REST listener; HOST:PORT serves it (and the probes) there instead
    metrics_address: str = ""
    tls_cert: Path | None = None  # PEM chain for every listener; with tls_key, or neither
    tls_key: Path | None = None
    log_format: str = "json"  # request lines: "json" or "text"
    log_level: str = "info"  # request lines are info (server faults error)


@dataclass(frozen=True)
class NumberOption:
    """A numeric flag (`--name`) and its variable (`CONFIGAPI_NAME`), with its allowed range."""

    name: str  # the flag without its dashes, e.g. "rate-limit"
    integer: bool
    minimum: float
    maximum: float
    default: float
    meaning: str  # what the number is, for --help and for error messages

    @property
    def flag(self) -> str:
        return "--" + self.name

    @property
    def variable(self) -> str:
        return "CONFIGAPI_" + self.name.upper().replace("-", "_")

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")

    def allowed(self) -> str:
        """The allowed values: `an integer from 0 to 1000000`."""
        kind = "an integer" if self.integer else "a number"
        return f"{kind} from {plain_number(self.minimum)} to {plain_number(self.maximum)}"

    def rule(self) -> str:
        """The allowed values and what they mean, as the error message states them."""
        return f"must be {self.allowed()} ({self.meaning})"

    def parse(self, text: str, source: str) -> int | float:
        """`text` as this option's number; `source` (a flag or a variable) names it in errors."""
        value = _number(text.strip(), self.integer)
        if value is None or not self.minimum <= value <= self.maximum:
            raise SettingError(f"{source}: {self.rule()}, not {text!r}")
        return value


MIB = 1024 * 1024

# Every numeric option of every command; a new one is a row here (cli.py adds the flag).
NUMBER_OPTIONS = {
    option.name: option
    for option in (
        NumberOption(
            "rate-limit", True, 0, 1_000_000, 200, "requests per minute per token; 0 turns it off"
        ),
        NumberOption(
            "token-cache-seconds", False, 0, 3600, 1.0, "how long a token check is reused"
        ),
        # below 1 KiB no ordinary request fits; above 1 GiB one request could exhaust memory
        NumberOption("max-body-bytes", True, 1024, 1024 * MIB, 4 * MIB, "largest request body"),
        NumberOption("workers", True, 1, 256, 1, "server processes sharing the listeners"),
        NumberOption(
            "read-cache-mib", True, 0, 4096, 16, "memory for repeated point reads; 0 turns it off"
        ),
    )
}

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(text: str, integer: bool) -> int | float | None:
    """A plain decimal number (no `nan`, `inf` or `_` separators), or None."""
    if _INTEGER.fullmatch(text):
        return int(text)
    if not integer and _DECIMAL.fullmatch(text):
        return float(text)
    return None


def plain_number(number: float) -> str:
    """`200`, `2.5`: a number as an operator writes it."""
    return str(int(number)) if number == int(number) else str(number)


def split_address(address: str) -> tuple[str, int]:
    """`host:port` (or `[v6]:port`) → (host, port); the port is 0 (any free one) to 65535."""
    host, _, port = address.rpartition(":")
    if not host or not (port.isascii() and port.isdigit()) or int(port) > MAX_PORT:
        raise ValueError(f'"{address}" is not HOST:PORT (a port from 0 to {MAX_PORT})')
    return host.strip("[]"), int(port)
