"""Which repository a `--database` value names (SPEC §9): a SQLite file, or a PostgreSQL URL.

A value that looks like a URL (`scheme:…`) is never taken for a file name, so a mistyped URL is
an error instead of a file or folder named `postgresql:`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from configapi.storage import postgres_repository, schema
from configapi.storage.postgres_repository import PostgresRepository
from configapi.storage.sqlite import CACHE_BYTES
from configapi.storage.sqlite_repository import SqliteRepository

POSTGRES_SCHEMES = ("postgresql", "postgres")
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
Database = Path | str  # a SQLite file, or a postgresql:// URL
AnyRepository = SqliteRepository | PostgresRepository


class DatabaseError(Exception):
    """The database named cannot be used: a bad URL, or a server that does not answer."""


def parse_database(value: str) -> Database:
    """A `--database` value: a checked postgresql:// URL (str), else a file path."""
    if not _URL_LIKE.match(value) or re.match(r"^[A-Za-z]:[\\/]", value):
        return Path(value)
    parts = urlsplit(value)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise DatabaseError(
            f'--database: "{parts.scheme}:" is not a supported URL scheme;'
            " give a SQLite file path or a postgresql://USER@HOST:PORT/DATABASE URL"
        )
    if not parts.netloc and "host=" not in parts.query:
        raise DatabaseError(
            f"--database: {redact(value)} names no server; write postgresql://USER@HOST:PORT/DB"
        )
    try:
        _ = parts.port  # a non-numeric port raises here rather than at connect time
    except ValueError as error:
        raise DatabaseError(f"--database: {redact(value)}: {error}") from None
    return value


def check_redis_url(value: str) -> None:
    """`--redis`: a redis:// or rediss:// URL naming a server, else a `DatabaseError`."""
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise DatabaseError(f"--redis: {redact(value)} is not a redis://HOST:PORT/DB URL")
    try:
        _ = parts.port
    except ValueError as error:
        raise DatabaseError(f"--redis: {redact(value)}: {error}") from None


def is_postgres(database: Database) -> bool:
    """Whether `database` is a PostgreSQL URL."""
    return isinstance(database, str)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def make_repository(
    database: Database,
    *,
    observe: Callable[[str, float], None] | None = None,
    read_cache_bytes: int = CACHE_BYTES,
) -> AnyRepository:
    """The repository for `database` (not opened yet); `read_cache_bytes` bounds SQLite's
    point-read cache (0: none; PostgreSQL reads are not cached)."""
    if isinstance(database, str):
        return PostgresRepository(database, observe=observe)
    return SqliteRepository(database, observe=observe, read_cache_bytes=read_cache_bytes)


def expected_schema_version(database: Database) -> int:
    """The schema version this server migrates `database` to (readiness)."""
    if is_postgres(database):
        return postgres_repository.SCHEMA_VERSION
    return len(schema.MIGRATIONS)


async def open_repository(repository: AnyRepository, database: Database) -> None:
    """Open `repository`; a PostgreSQL server that cannot be reached is a `DatabaseError`."""
    if not isinstance(database, str):
        await repository.open()
        return
    try:
        await repository.open()
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        await repository.close()
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatabaseError(f"cannot use PostgreSQL at {redact(database)}: {reason}") from None
