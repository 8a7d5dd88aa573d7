"""Online backup and restore of the SQLite database (README "Backups").

`backup` copies a live database with SQLite's online backup API, in one step, inside one read
transaction: the copy is the database as of one instant, whatever the server writes meanwhile,
and in WAL mode the server's writers never wait for it. The copy is a single self-contained file
(its journal mode is switched out of WAL), checked with `PRAGMA quick_check`, then moved into
place atomically (written beside the target, fsynced, renamed, directory fsynced).

`restore` puts a backup back as the database of a *stopped* server: it refuses while another
connection holds the database open (a running server does), refuses to overwrite an existing
database unless forced, removes the old `-wal`/`-shm` files and renames the copy into place.

The rate-limit buckets (`<database>-ratelimit`) are not backed up: losing them only resets
the budgets.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from pathlib import Path

from configapi.storage.schema import MIGRATIONS

_BUSY_TIMEOUT_MS = 5000


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def backup(database: Path, target: Path, *, force: bool = False) -> int:
    """Copy the live `database` to `target`; returns the copy's schema version."""
    if not database.is_file():
        raise BackupError(f"database {database} does not exist")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose a new file or pass --force")
    temporary = _sibling(target)
    try:
        source = _open(database, read_only=True)
        try:
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                source.backup(copy)  # pages=-1: everything in one step, one snapshot
                copy.execute("PRAGMA journal_mode = DELETE")
                version = _check(copy, temporary)
            finally:
                copy.close()
        finally:
            source.close()
        _replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return version


def restore(source: Path, database: Path, *, force: bool = False) -> int:
    """Make the backup `source` the database at `database`; returns its schema version."""
    if not source.is_file():
        raise BackupError(f"backup {source} does not exist")
    checked = _open(source, read_only=True)
    try:
        version = _check(checked, source)
    finally:
        checked.close()
    if database.exists():
        if not force:
            raise BackupError(f"database {database} exists; pass --force to replace it")
        _refuse_if_in_use(database)
    temporary = _sibling(database)
    try:
        temporary.write_bytes(source.read_bytes())
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        _replace(temporary, database)
    finally:
        temporary.unlink(missing_ok=True)
    return version


def _open(path: Path, *, read_only: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    except sqlite3.Error as error:
        raise BackupError(f"cannot open {path}: {error}") from None
    return conn


def _check(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of a sound database of ours; BackupError otherwise."""
    try:
        (result,) = conn.execute("PRAGMA quick_check").fetchone()
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a usable database: {error}") from None
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")
    if not 1 <= version <= len(MIGRATIONS) or "resources" not in tables:
        raise BackupError(f"{path} is not a configapi database this version can open")
    return int(version)


def _refuse_if_in_use(database: Path) -> None:
    """Leaving WAL mode needs the only connection to the file: a running server holds one."""
    conn = _open(database, read_only=False)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        (mode,) = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError:
        mode = "wal"
    finally:
        conn.close()
    if str(mode).lower() == "wal":
        raise BackupError(
            f"database {database} is in use (is a server running on it?); stop it first"
        )


def _sibling(path: Path) -> Path:
    """A temporary file beside `path`, so the final rename stays within one file system."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _replace(temporary: Path, target: Path) -> None:
    """Durably move `temporary` to `target`: fsync the file, rename, fsync the directory."""
    with temporary.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # not every file system syncs directories
            os.fsync(directory)
    finally:
        os.close(directory)
