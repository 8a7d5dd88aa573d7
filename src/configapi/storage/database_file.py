"""Whether a path the operator names as `--database` can be ours, checked read-only before a
server or a command opens it (DESIGN rule 7): an SQLite file of another program must never be
migrated into, and a file that is not SQLite at all must not end in a driver traceback.

A newer schema version than this server knows is not judged here: opening refuses it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

# The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"


def database_file_problem(path: Path) -> str | None:
    """Why `path` cannot be used as a configapi database, or None (absent, empty, or ours)."""
    if path.is_dir():
        return "is a directory, not a database file"
    if not path.exists():
        return None
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if not header:
        return None  # SQLite treats an empty file as a new database
    if header != SQLITE_HEADER:
        return "is not an SQLite database"
    return _foreign_schema(path)


def _foreign_schema(path: Path) -> str | None:
    """Tables in a file our migrations never touched (user_version 0) belong to someone else."""
    try:
        version, tables = _version_and_tables(path)
    except sqlite3.Error as error:
        return f"cannot be read as an SQLite database: {error}"
    if version == 0 and tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        return (
            f"is the SQLite database of another program (tables {shown});"
            " configapi needs a file of its own"
        )
    return None


def _version_and_tables(path: Path) -> tuple[int, list[str]]:
    """`PRAGMA user_version` and the names of the tables, read without writing anything."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = sorted(name for (name,) in rows if not name.startswith("sqlite_"))
    return int(version), tables
