"""Online backup and restore of the SQLite database (README "Backups").

Both directions copy through SQLite's own backup API, never the file's bytes: a database's
latest writes may live in its `-wal` file (always so after a crash), and only SQLite reads the
two as one. This is the command line, not the server, so the standard `sqlite3` module's backup
API is used directly.

`backup` copies a live database in one step, inside one read transaction: the copy is the
database as of one instant, whatever the server writes meanwhile, and in WAL mode the server's
writers never wait for it. `restore` puts a backup back as the database of a *stopped* server:
it refuses while another connection holds the database open (a running server does) and refuses
to overwrite an existing database unless forced. Either way the copy is written beside its
target as a single self-contained file (journal mode switched out of WAL), must pass
`PRAGMA quick_check` and carry a schema this version knows, and is then moved into place
atomically (fsynced, renamed, directory fsynced), the target's old `-wal`/`-shm` removed.

A target that is the source itself or one of its `-wal`/`-shm`/`-journal` files is refused,
whatever path names it (resolved symlinks, and the same device and inode for hard links):
replacing a live database's file under its server loses data and corrupts the next writes.

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
    _refuse_same_file(database, target)  # before --force is even looked at
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose a new file or pass --force")
    return _copy_into_place(database, target)


def restore(source: Path, database: Path, *, force: bool = False) -> int:
    """Make the backup `source` the database at `database`; returns its schema version."""
    if not source.is_file():
        raise BackupError(f"backup {source} does not exist")
    _refuse_same_file(source, database)  # before --force is even looked at
    checked = _open(source, read_only=True)
    try:
        _check(checked, source)
    finally:
        checked.close()
    if database.exists():
        if not force:
            raise BackupError(f"database {database} exists; pass --force to replace it")
        _refuse_if_in_use(database)
    return _copy_into_place(source, database)


def _copy_into_place(source: Path, target: Path) -> int:
    """Copy `source` (its `-wal` included) with the backup API into a file beside `target`,
    check the copy, then move it into place; returns its schema version."""
    temporary = _sibling(target)
    try:
        origin = _open(source, read_only=True)
        try:
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                origin.backup(copy)  # pages=-1: everything in one step, one snapshot
                copy.execute("PRAGMA journal_mode = DELETE")
                version = _check(copy, temporary)
            finally:
                copy.close()
        except sqlite3.Error as error:
            raise BackupError(f"cannot copy {source}: {error}") from None
        finally:
            origin.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        _replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return version


def _refuse_same_file(database: Path, target: Path) -> None:
    """Refuse a `target` that is `database` or one of its companion files, by any name."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = Path(f"{database}{suffix}")
        if _same_file(companion, target) or _same_file(Path(f"{target}{suffix}"), database):
            what = "the database itself" if suffix == "" else f"its {suffix[1:]} file"
            raise BackupError(f"{target} is {what} ({database}); choose another file")


def _same_file(a: Path, b: Path) -> bool:
    """One file under both names: the same resolved path, or the same device and inode."""
    if a.resolve() == b.resolve():
        return True
    try:
        first, second = a.stat(), b.stat()
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


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
