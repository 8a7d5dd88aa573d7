"""Operator input checked against the world before anything is created (DESIGN rule 7).

`configapi serve` resolves and test-binds its listen addresses and looks at its database file
before it opens storage, so a mistake is one line and exit status 2, with no database file left
behind; `Cleanup` removes what a start that fails later anyway (a catalog file, a race for a
port) created. With several worker processes, the parent runs these checks once, before any
worker binds.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from pathlib import Path

from configapi.settings import SettingError, split_address
from configapi.storage.database_file import database_file_problem


def check_listen_address(flag: str, address: str) -> None:
    """`address` parses as HOST:PORT, its host resolves, and (unless the port is 0) nothing
    listens there yet."""
    try:
        host, port = split_address(address)
    except ValueError as error:
        raise SettingError(f"{flag}: {error}") from None
    try:
        family, kind, proto, _, where = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise SettingError(f'{flag} {address}: cannot resolve "{host}": {error.strerror}') from None
    if port == 0:
        return
    with socket.socket(family, kind, proto) as probe:
        # as our listeners do: a port in TIME_WAIT after a restart is free, a listener is not
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
            probe.listen()
        except OSError as error:
            reason = "in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise SettingError(f"{flag} {address}: cannot listen there: {reason}") from None


def check_database(path: Path) -> None:
    """`--database` names a configapi database, or a file that does not exist yet."""
    problem = database_file_problem(path)
    if problem is not None:
        raise SettingError(f"--database {path}: {problem}")


class Cleanup:
    """What a start creates around the database (the file, its -wal/-shm, sibling files, the
    missing directories above it), removed again if the start fails."""

    def __init__(self, database: Path) -> None:
        self._database = database.absolute()
        self._missing_dirs = [p for p in self._database.parents if not p.exists()]
        self._siblings = set(self._matching()) if not self._missing_dirs else set()

    def _matching(self) -> list[Path]:
        folder = self._database.parent
        if not folder.is_dir():
            return []
        return [p for p in folder.iterdir() if p.name.startswith(self._database.name)]

    def undo(self) -> None:
        """Remove the files and directories that did not exist when this was made."""
        for path in self._matching():
            if path not in self._siblings:
                with contextlib.suppress(OSError):
                    path.unlink()
        for folder in self._missing_dirs:  # deepest first; only if left empty
            with contextlib.suppress(OSError):
                folder.rmdir()
