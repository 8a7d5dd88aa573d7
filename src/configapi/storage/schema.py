"""The SQLite schema and its migrations, applied in order on open (tracked in user_version)."""

from __future__ import annotations

import sqlite3

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


def migrate(connection: sqlite3.Connection) -> None:
    """Apply every migration newer than the database's user_version, each in a transaction."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            (current,) = connection.execute("PRAGMA user_version").fetchone()
            if current < number:  # another process may have migrated meanwhile
                for statement in filter(str.strip, script.split(";")):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
