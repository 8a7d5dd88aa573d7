"""Has anything been committed to a SQLite file? Asked of the WAL index, without a statement.

In WAL mode every connection to a database, in every process, shares the file `<database>-shm`
(the WAL index). Its first 96 bytes are two copies of the WAL-index header, which a writer
rewrites as part of each commit and which SQLite's own readers compare to learn whether the
database changed (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): `iChange`
counts transactions, `mxFrame` and the checksums move with every frame appended, the salts with
every restart of the log. So equal headers at two moments mean that no commit became visible in
between, in this process or any other sharing the file.

The writer stores the second copy first and the first copy last, with a memory barrier between;
a reader that finds the two copies different caught a commit half-way and must not trust either
(SQLite retries; `stamp` answers None, "don't know"). Reading the header is a read of mapped
memory: no system call, no lock, nothing that can block the event loop.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path
from typing import Final

_COPY: Final = 48  # bytes in one copy of the header
_VERSION: Final = 3007000  # iVersion of the WAL-index format SQLite has written since 3.7.0
_VERSION_AND_INIT: Final = struct.Struct("=I8xB")  # iVersion, (unused, iChange), isInit


class WalIndex:
    """A read-only view of one database's WAL-index header."""

    def __init__(self, database: Path) -> None:
        """Map `<database>-shm`; OSError when it is missing (the database is not in WAL mode,
        or no connection has opened it yet) or too short to hold the header."""
        path = database.with_name(database.name + "-shm")
        with path.open("rb") as file:
            self._map = mmap.mmap(file.fileno(), 2 * _COPY, access=mmap.ACCESS_READ)

    def stamp(self) -> bytes | None:
        """The header as it is now, or None while a commit is rewriting it (or the index is not
        initialised): equal stamps mean nothing was committed between them."""
        first = self._map[:_COPY]
        if first != self._map[_COPY : 2 * _COPY]:
            return None
        version, initialised = _VERSION_AND_INIT.unpack_from(first)
        if version != _VERSION or not initialised:
            return None
        return first

    def close(self) -> None:
        """Unmap the header."""
        self._map.close()
