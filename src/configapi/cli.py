"""Command line: `configapi serve | gateway | workspaces create | tokens create | backup |
restore` (DESIGN, README "Operating it").

Every flag can also be set as a CONFIGAPI_* environment variable (`--grpc-address` →
CONFIGAPI_GRPC_ADDRESS); a flag given on the command line wins.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from configapi import admin, event_loop, workers
from configapi.app import ConfigApiServer, ProxyGateway
from configapi.auth.tokens import SCOPE_WRITE, SCOPES
from configapi.catalog import CatalogFileError
from configapi.errors import ApiError
from configapi.event_loop import EVENT_LOOPS
from configapi.observability.logs import LOG_FORMATS, LOG_LEVELS, configure_logging
from configapi.settings import DEFAULT_GRPC_ADDRESS, DEFAULT_HTTP_ADDRESS, Settings
from configapi.storage import backup
from configapi.storage.backends import (
    DatabaseError,
    check_redis_url,
    is_postgres,
    make_repository,
    open_repository,
    parse_database,
    redact,
)
from configapi.storage.backup import BackupError
from configapi.tls import TlsFiles

DEMO_WORKSPACE = "demo"


def _env(name: str, default: str) -> str:
    return os.environ.get("CONFIGAPI_" + name.upper().replace("-", "_"), default)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="configapi", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve gRPC and REST")
    _database_flag(serve)
    serve.add_argument("--grpc-address", default=_env("grpc-address", DEFAULT_GRPC_ADDRESS))
    serve.add_argument(
        "--http-address",
        default=_env("http-address", DEFAULT_HTTP_ADDRESS),
        help='REST listener; "" for none',
    )
    serve.add_argument(
        "--rate-limit",
        type=int,
        default=int(_env("rate-limit", "200")),
        help="requests per minute per token; 0 turns it off",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=int(_env("workers", "1")),
        help="server processes sharing the listeners (SO_REUSEPORT) and the database",
    )
    serve.add_argument(
        "--rate-limit-store",
        choices=("memory", "database"),
        default=_env("rate-limit-store", "memory"),
        help="where rate-limit buckets live without --redis; --workers N uses database",
    )
    # set by --workers N for its processes: bind the listeners with SO_REUSEPORT
    serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument(
        "--redis",
        default=_env("redis", ""),
        help="redis://HOST:PORT/DB: rate limits and revocation shared by every replica",
    )
    serve.add_argument(
        "--catalog",
        type=Path,
        action="append",
        default=[Path(p) for p in _env("catalog", "").split(os.pathsep) if p],
        help="catalog dump file (YAML or JSON); repeatable",
    )
    serve.add_argument(
        "--token-cache-seconds", type=float, default=float(_env("token-cache-seconds", "2"))
    )
    serve.add_argument(
        "--max-body-bytes", type=int, default=int(_env("max-body-bytes", str(4 * 1024 * 1024)))
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="on a new database, create workspace 'demo' and print a write token",
    )
    _operability_flags(serve)
    gateway = commands.add_parser("gateway", help="serve REST in front of an upstream gRPC server")
    gateway.add_argument("--upstream", required=True, help="HOST:PORT of the gRPC server")
    gateway.add_argument("--http-address", default=_env("http-address", DEFAULT_HTTP_ADDRESS))
    gateway.add_argument(
        "--max-body-bytes", type=int, default=int(_env("max-body-bytes", str(4 * 1024 * 1024)))
    )
    _operability_flags(gateway)
    gateway.add_argument(
        "--upstream-ca",
        type=Path,
        default=_path_env("upstream-ca"),
        help="PEM CA certificate(s) to trust: the upstream serves gRPC with TLS",
    )
    _backup_commands(commands)
    workspaces = commands.add_parser("workspaces").add_subparsers(dest="action", required=True)
    create_ws = workspaces.add_parser("create", help="create a workspace")
    create_ws.add_argument("slug")
    create_ws.add_argument("--display-name", default="")
    _database_flag(create_ws)
    tokens = commands.add_parser("tokens").add_subparsers(dest="action", required=True)
    create_token = tokens.add_parser("create", help="create a token; prints it alone on stdout")
    create_token.add_argument("--workspace", action="append", required=True, dest="workspaces")
    create_token.add_argument("--scopes", choices=SCOPES, required=True)
    create_token.add_argument("--description", default="created with the configapi command")
    _database_flag(create_token)
    return parser


def _operability_flags(parser: argparse.ArgumentParser) -> None:
    """Logs, metrics and TLS: the same flags for `serve` and `gateway`."""
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, default=_env("log-level", "info").lower()
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=_env("log-format", "json").lower(),
        help="request lines and the process's own records: JSON lines or text",
    )
    parser.add_argument(
        "--metrics-address",
        default=_env("metrics-address", ""),
        help="serve /metrics (and the probes) on HOST:PORT instead of the REST listener",
    )
    parser.add_argument(
        "--event-loop",
        choices=EVENT_LOOPS,
        default=_env("event-loop", "asyncio").lower(),
        help="uvloop: more requests a second, longer tails under saturation (README)",
    )
    parser.add_argument("--tls-cert", type=Path, default=_path_env("tls-cert"), help="PEM chain")
    parser.add_argument("--tls-key", type=Path, default=_path_env("tls-key"), help="PEM key")


def _backup_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    copy = commands.add_parser("backup", help="copy a database, even while a server runs")
    _database_flag(copy)
    copy.add_argument("--to", type=Path, required=True, help="the new backup file")
    copy.add_argument("--force", action="store_true", help="overwrite an existing file")
    put_back = commands.add_parser("restore", help="put a backup back (the server is stopped)")
    put_back.add_argument("--from", type=Path, required=True, dest="source", help="backup file")
    _database_flag(put_back)
    put_back.add_argument("--force", action="store_true", help="replace an existing database")


def _path_env(name: str) -> Path | None:
    value = _env(name, "")
    return Path(value) if value else None


def _database_flag(parser: argparse.ArgumentParser) -> None:
    default = _env("database", "")
    parser.add_argument(
        "--database",
        default=default or None,
        required=not default,
        help="SQLite file, or postgresql://USER@HOST:PORT/DB (CONFIGAPI_DATABASE)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        database=args.database,
        grpc_address=args.grpc_address,
        http_address=args.http_address,
        rate_limit=args.rate_limit,
        redis_url=args.redis,
        rate_limit_store=args.rate_limit_store,
        reuse_port=args.reuse_port,
        catalog_files=tuple(args.catalog),
        token_cache_seconds=args.token_cache_seconds,
        max_body_bytes=args.max_body_bytes,
        metrics_address=args.metrics_address,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        log_format=args.log_format,
        log_level=args.log_level,
    )


async def _serve(args: argparse.Namespace) -> None:
    stop = _stop_on_signals()  # before anything is printed: a reader may signal at once
    fresh = is_postgres(args.database) or not args.database.exists()
    server = ConfigApiServer(_settings(args))
    await server.start()
    # PostgreSQL has no file to be new: the demo workspace is made unless it exists
    fresh = fresh and await server.repository.workspaces.get(f"workspaces/{DEMO_WORKSPACE}") is None
    print(f"serving gRPC on {args.grpc_address.rpartition(':')[0]}:{server.grpc_port}", flush=True)
    scheme = "https" if server.tls else "http"
    if server.http_port:
        print(
            f"serving REST on {scheme}://{args.http_address.rpartition(':')[0]}:{server.http_port}",
            flush=True,
        )
    _print_metrics_address(args, scheme, server.metrics_port)
    if args.demo and fresh:
        await _print_demo(server)
    elif args.demo:
        shown = redact(args.database) if is_postgres(args.database) else args.database
        print(
            f"using the existing database {shown}; make a token with:\n"
            f"  configapi tokens create --workspace {DEMO_WORKSPACE} --scopes {SCOPE_WRITE}"
            f" --database {shown}",
            flush=True,
        )
    await _wait_for(stop)
    await server.stop()


async def _gateway(args: argparse.Namespace) -> None:
    stop = _stop_on_signals()
    tls = TlsFiles.from_options(args.tls_cert, args.tls_key)
    gateway = ProxyGateway(
        args.upstream,
        args.http_address,
        args.max_body_bytes,
        tls=tls,
        upstream_ca=args.upstream_ca,
        metrics_address=args.metrics_address,
        log_format=args.log_format,
        log_level=args.log_level,
    )
    await gateway.start()
    host = args.http_address.rpartition(":")[0]
    scheme = "https" if tls else "http"
    print(f"serving REST on {scheme}://{host}:{gateway.http_port} for {args.upstream}", flush=True)
    _print_metrics_address(args, scheme, gateway.metrics_port)
    await _wait_for(stop)
    await gateway.stop()


def _print_metrics_address(args: argparse.Namespace, scheme: str, port: int) -> None:
    if port:
        host = args.metrics_address.rpartition(":")[0]
        print(f"serving metrics on {scheme}://{host}:{port}/metrics", flush=True)


def _backup_or_restore(args: argparse.Namespace) -> str:
    if args.command == "backup":
        version = backup.backup(args.database, args.to, force=args.force)
        return f"backed up {args.database} to {args.to} (schema version {version})"
    version = backup.restore(args.source, args.database, force=args.force)
    return f"restored {args.source} to {args.database} (schema version {version})"


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _wait_for(stop: asyncio.Event) -> None:
    await stop.wait()
    # a log record, not a print: stderr holds only lines in the chosen --log-format
    logging.getLogger("configapi").info("shutting down: finishing in-flight calls")


async def _print_demo(server: ConfigApiServer) -> None:
    await admin.create_workspace(server.repository, DEMO_WORKSPACE, "Demo")
    token = await admin.create_token(
        server.repository, [DEMO_WORKSPACE], SCOPE_WRITE, "demo token made by --demo"
    )
    host = server.settings.http_address.rpartition(":")[0]
    print(f"created workspace '{DEMO_WORKSPACE}' and a write token:\n  {token.token}")
    print(
        "try:\n  curl -H 'Authorization: Bearer " + token.token + "' "
        f"http://{host}:{server.http_port}/v1beta/workspaces/{DEMO_WORKSPACE}",
        flush=True,
    )


async def _with_repository(args: argparse.Namespace) -> str:
    repository = make_repository(args.database)
    await open_repository(repository, args.database)
    try:
        if args.command == "workspaces":
            workspace = await admin.create_workspace(repository, args.slug, args.display_name)
            return workspace.name
        token = await admin.create_token(repository, args.workspaces, args.scopes, args.description)
        return token.token
    finally:
        await repository.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit code 0 on success, 1 on a refused request, 2 on bad usage."""
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "workers", 1) < 1 or getattr(args, "workers", 1) > 256:
            print("configapi: --workers: must be 1 to 256", file=sys.stderr)
            return 2
        if getattr(args, "redis", ""):
            check_redis_url(args.redis)
        if getattr(args, "database", None) is not None:
            args.database = parse_database(args.database)
            if args.command in ("backup", "restore") and is_postgres(args.database):
                raise DatabaseError(
                    f"{args.command} copies SQLite files; back PostgreSQL up with pg_dump or"
                    " pg_basebackup (README)"
                )
    except DatabaseError as error:
        print(f"configapi: {error}", file=sys.stderr)
        return 2
    try:
        configure_logging(
            getattr(args, "log_level", None) or _env("log-level", "info"),
            getattr(args, "log_format", None) or _env("log-format", "json"),
        )
        if args.command == "serve" and args.workers > 1:
            own = list(sys.argv[1:] if argv is None else argv)
            listeners = (args.grpc_address, args.http_address, args.metrics_address)
            return workers.supervise(own, args.workers, listeners, args.redis)
        if args.command == "serve":
            event_loop.run(_serve(args), args.event_loop)
        elif args.command == "gateway":
            event_loop.run(_gateway(args), args.event_loop)
        elif args.command in ("backup", "restore"):
            print(_backup_or_restore(args))
        else:
            print(asyncio.run(_with_repository(args)))
    except DatabaseError as error:  # SPEC §9: a bad URL or an unreachable server at start
        print(f"configapi: {error}", file=sys.stderr)
        return 2
    except (ApiError, CatalogFileError, BackupError, ValueError, OSError) as error:
        print(f"configapi: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
