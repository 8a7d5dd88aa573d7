"""One frozen settings object, from command-line flags and CONFIGAPI_* environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_GRPC_ADDRESS = "127.0.0.1:50051"
DEFAULT_HTTP_ADDRESS = "127.0.0.1:8080"


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
    token_cache_seconds: float = 2.0
    max_body_bytes: int = 4 * 1024 * 1024
    shutdown_grace_seconds: float = 10.0
    # operability (README "Operating it")
    # "" serves /metrics on the REST listener; HOST:PORT serves it (and the probes) there instead
    metrics_address: str = ""
    tls_cert: Path | None = None  # PEM chain for every listener; with tls_key, or neither
    tls_key: Path | None = None
    log_format: str = "json"  # request lines: "json" or "text"
    log_level: str = "info"  # request lines are info (server faults error)


def split_address(address: str) -> tuple[str, int]:
    """`host:port` (or `[v6]:port`) → (host, port)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f'"{address}" is not HOST:PORT')
    return host.strip("[]"), int(port)
