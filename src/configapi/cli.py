"""Command line: `configapi serve | gateway | workspaces create | tokens create | backup |
restore` (DESIGN, README "Operating it").

Every flag can also be set as a CONFIGAPI_* environment variable (`--grpc-address` →
CONFIGAPI_GRPC_ADDRESS); a flag given on the command line wins.

Exit status: 0 done, 1 a request the API refused (a duplicate workspace, ...), 2 an operator
mistake (a bad flag or variable, an address in use, a file that is not what it should be): one
line on stderr, no traceback, nothing created (DESIGN rule 7).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from configapi import admin, event_loop, workers
from configapi.app import ConfigApiServer, ProxyGateway
from configapi.auth.tokens import SCOPE_WRITE, SCOPES
from configapi.catalog import CatalogFileError
from configapi.errors import ApiError
from configapi.event_loop import EVENT_LOOPS
from configapi.observability.logs import LOG_FORMATS, LOG_LEVELS, configure_logging
from configapi.preflight import Cleanup, check_database, check_listen_address
from configapi.settings import (
    DEFAULT_GRPC_ADDRESS,
    DEFAULT_HTTP_ADDRESS,
    NUMBER_OPTIONS,
    SettingError,
    Settings,
    plain_number,
    split_address,
)
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
from configapi.storage.schema import SchemaVersionError
from configapi.tls import TlsFiles

DEMO_WORKSPACE = "demo"


# Options with a fixed set of values whose default may come from a variable: argparse checks
# the flag's value, `_resolve_choices` the variable's.
RATE_LIMIT_STORES = ("memory", "database")
CHOICE_OPTIONS = {
    "log-level": LOG_LEVELS,
    "log-format": LOG_FORMATS,
    "event-loop": EVENT_LOOPS,
    "rate-limit-store": RATE_LIMIT_STORES,
}


def _env(name: str, default: str) -> str:
    return os.environ.get(_variable(name), default)


def _variable(name: str) -> str:
    return "CONFIGAPI_" + name.upper().replace("-", "_")


class _Parser(argparse.ArgumentParser):
    """argparse with a usage mistake as one line (`configapi serve: argument ...`), status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _number_flags(parser: argparse.ArgumentParser, *names: str) -> None:
    """Flags from `NUMBER_OPTIONS`, read as text: `_resolve_numbers` checks them and their
    variables against the table."""
    for name in names:
        option = NUMBER_OPTIONS[name]
        allowed, default = option.allowed(), plain_number(option.default)
        help_text = f"{option.meaning}: {allowed}; default {default} ({option.variable})"
        parser.add_argument(option.flag, metavar="N", help=help_text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="configapi", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve gRPC and REST")
    _database_flag(serve)
    serve.add_argument("--grpc-address", default=_env("grpc-address", DEFAULT_GRPC_ADDRESS))
    serve.add_argument(
        "--http-address",
        default=_env("http-address", DEFAULT_HTTP_ADDRESS),
        help='REST listener; "" for none',
    )
    _number_flags(
        serve, "rate-limit", "token-cache-seconds", "max-body-bytes", "workers", "read-cache-mib"
    )
    serve.add_argument(
        "--rate-limit-store",
        choices=RATE_LIMIT_STORES,
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
        "--demo",
        action="store_true",
        help="on a new database, create workspace 'demo' and print a write token",
    )
    _operability_flags(serve)
    gateway = commands.add_parser("gateway", help="serve REST in front of an upstream gRPC server")
    gateway.add_argument("--upstream", required=True, help="HOST:PORT of the gRPC server")
    gateway.add_argument("--http-address", default=_env("http-address", DEFAULT_HTTP_ADDRESS))
    _number_flags(gateway, "max-body-bytes")
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


def _backup_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
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
        read_cache_mib=args.read_cache_mib,
        max_body_bytes=args.max_body_bytes,
        metrics_address=args.metrics_address,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        log_format=args.log_format,
        log_level=args.log_level,
    )


def _resolve_numbers(args: argparse.Namespace) -> None:
    """Each numeric option of the command: its flag, else its variable, else its default,
    checked against its range in `NUMBER_OPTIONS`."""
    for option in NUMBER_OPTIONS.values():
        if not hasattr(args, option.attribute):
            continue  # not an option of this command: its variable is not read
        given = getattr(args, option.attribute)
        if given is not None:
            value = option.parse(given, option.flag)
        elif option.variable in os.environ:
            value = option.parse(os.environ[option.variable], option.variable)
        else:
            value = int(option.default) if option.integer else option.default
        setattr(args, option.attribute, value)


def _resolve_choices(args: argparse.Namespace) -> None:
    """A value outside its choices can only have come from the variable (argparse checks flags)."""
    for name, choices in CHOICE_OPTIONS.items():
        value = getattr(args, name.replace("-", "_"), None)
        if value is not None and value not in choices:
            allowed = ", ".join(choices)
            raise SettingError(f"{_variable(name)}: must be one of {allowed}, not {value!r}")


def _check_serve(args: argparse.Namespace) -> None:
    """Everything `serve` can check before it creates anything."""
    if not args.reuse_port:  # a worker of `--workers N`: its parent checked and holds them
        check_listen_address("--grpc-address", args.grpc_address)
        for flag in ("--http-address", "--metrics-address"):
            address = getattr(args, flag[2:].replace("-", "_"))
            if address:
                check_listen_address(flag, address)
    if not is_postgres(args.database):
        check_database(args.database)
    TlsFiles.from_options(args.tls_cert, args.tls_key)


def _check_gateway(args: argparse.Namespace) -> None:
    """What `gateway` can check before it starts (the upstream may come up later)."""
    try:
        split_address(args.upstream)
    except ValueError as error:
        raise SettingError(f"--upstream: {error}") from None
    check_listen_address("--http-address", args.http_address)
    if args.metrics_address:
        check_listen_address("--metrics-address", args.metrics_address)
    TlsFiles.from_options(args.tls_cert, args.tls_key)


async def _start(server: ConfigApiServer) -> None:
    """Start `server`; if that fails, stop what started and remove the files it created."""
    database = server.settings.database
    cleanup = None if is_postgres(database) else Cleanup(Path(database))
    try:
        await server.start()
    except BaseException:
        # a partial start: close what opened, quietly, so that the start's error is the one
        # line the operator sees (and no grpc server outlives the loop)
        with contextlib.suppress(Exception):
            await server.stop(grace=0)
        if cleanup is not None:
            cleanup.undo()
        raise


async def _serve(args: argparse.Namespace) -> None:
    stop = _stop_on_signals()  # before anything is printed: a reader may signal at once
    fresh = is_postgres(args.database) or not args.database.exists()
    server = ConfigApiServer(_settings(args))
    await _start(server)
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
    if not is_postgres(args.database):
        check_database(args.database)
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
    """Run one command; exit code 0 on success, 1 on a refused request, 2 on an operator
    mistake (bad usage, a bad setting, a file or an address that cannot be used, a backup or
    restore refused, a database newer than this version)."""
    args = _parser().parse_args(argv)
    try:
        _resolve_numbers(args)
        _resolve_choices(args)
        _resolve_storage(args)
        configure_logging(
            getattr(args, "log_level", None) or _env("log-level", "info"),
            getattr(args, "log_format", None) or _env("log-format", "json"),
        )
        return _run(args, argv)
    except (
        SettingError,
        CatalogFileError,
        BackupError,
        SchemaVersionError,
        DatabaseError,  # SPEC §9: a bad URL or an unreachable server at start
    ) as error:
        print(f"configapi: {error}", file=sys.stderr)
        return 2
    except (ApiError, ValueError, OSError, RuntimeError) as error:
        print(f"configapi: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    if args.command == "serve":
        _check_serve(args)  # once, in the parent too: workers never race to report a mistake
        if args.workers > 1:
            own = list(sys.argv[1:] if argv is None else argv)
            listeners = (args.grpc_address, args.http_address, args.metrics_address)
            return workers.supervise(own, args.workers, listeners, args.redis)
        event_loop.run(_serve(args), args.event_loop)
    elif args.command == "gateway":
        _check_gateway(args)
        event_loop.run(_gateway(args), args.event_loop)
    elif args.command in ("backup", "restore"):
        print(_backup_or_restore(args))
    else:
        print(asyncio.run(_with_repository(args)))
    return 0


def _resolve_storage(args: argparse.Namespace) -> None:
    """`--database` as a file path or a checked PostgreSQL URL, and a checked `--redis` URL."""
    if getattr(args, "redis", ""):
        check_redis_url(args.redis)
    if getattr(args, "database", None) is None:
        return
    args.database = parse_database(args.database)
    if args.command in ("backup", "restore") and is_postgres(args.database):
        raise DatabaseError(
            f"{args.command} copies SQLite files; back PostgreSQL up with pg_dump or"
            " pg_basebackup (README)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
