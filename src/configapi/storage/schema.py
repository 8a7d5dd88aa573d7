"""The SQLite schema and its migrations, applied in order on open (tracked in user_version).

A database whose version is newer than this code's is refused at open (`SchemaVersionError`):
its rows may mean what this version cannot know, so neither reads nor writes are safe.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import aiosqlite

MIGRATIONS: tuple[str, ...] = (
    # 1: resources of every kind in one table; `seq` is creation order (the keyset position),
    # names are unique across kinds, and (kind, parent, seq) serves every listing.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    CREATE TABLE resources (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        name TEXT NOT NULL UNIQUE,
        parent TEXT NOT NULL,
        data BLOB NOT NULL
    );
    CREATE INDEX resources_by_parent ON resources (kind, parent, seq);
    CREATE TABLE access_tokens (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        secret_hash BLOB NOT NULL UNIQUE,
        data BLOB NOT NULL
    );
    CREATE TABLE token_workspaces (
        token TEXT NOT NULL REFERENCES access_tokens (name) ON DELETE CASCADE,
        workspace TEXT NOT NULL,
        PRIMARY KEY (token, workspace)
    );
    INSERT INTO meta (key, value) VALUES ('page_token_secret', randomblob(32));
    """,
)


class SchemaVersionError(Exception):
    """The database's schema is newer than this server's; the message says what to do."""


def newer_schema(path: Path, version: int) -> SchemaVersionError:
    """The refusal of a database at `version`, newer than `len(MIGRATIONS)`."""
    return SchemaVersionError(
        f"database {path} has schema version {version}, newer than this configapi's "
        f"{len(MIGRATIONS)}: run a configapi release that knows version {version}"
    )


async def user_version(connection: aiosqlite.Connection) -> int:
    """The schema version the database stores now."""
    rows = list(await connection.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def migrate(connection: aiosqlite.Connection, path: Path) -> None:
    """Apply every migration newer than the database's user_version, each in a transaction;
    refuse a database newer than this code (`SchemaVersionError`)."""
    version = await user_version(connection)
    if version > len(MIGRATIONS):
        raise newer_schema(path, version)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await connection.execute("BEGIN IMMEDIATE")
        try:
            current = await user_version(connection)  # another process may have migrated
            if current > len(MIGRATIONS):
                raise newer_schema(path, current)
            if current < number:
                for statement in filter(str.strip, script.split(";")):
                    await connection.execute(statement)
                await connection.execute(f"PRAGMA user_version = {number}")
            await connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                await connection.execute("ROLLBACK")
            raise
