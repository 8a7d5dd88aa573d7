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

**The descriptor stays open.** SQLite coordinates processes with POSIX locks on this file, and
a process loses every POSIX lock it holds on a file as soon as it closes *any* descriptor of
that file. Had the mapping's descriptor been closed once mapped, the server's SQLite connections
would silently lose their locks, and another process would take the database for unused
(`configapi restore` would replace it under the server; a new connection would reset the index).
So one descriptor per file is opened per process, shared by every `WalIndex` of that file, and
closed with the last of them, which `Database.close` does after its connections are closed.
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path
from typing import Final

_COPY: Final = 48  # bytes in one copy of the header
_VERSION: Final = 3007000  # iVersion of the WAL-index format SQLite has written since 3.7.0
_VERSION_AND_INIT: Final = struct.Struct("=I8xB")  # iVersion, (unused, iChange), isInit


class _Mapped:
    """One open descriptor of a WAL-index file and its mapped header, with its users."""

    def __init__(self, fd: int) -> None:
        if os.fstat(fd).st_size < 2 * _COPY:
            raise OSError("the WAL index is shorter than its header")
        self.fd = fd
        self.header = mmap.mmap(fd, 2 * _COPY, access=mmap.ACCESS_READ)
        self.users = 0


_MAPPED: dict[tuple[int, int], _Mapped] = {}  # by the file's (device, inode), in this process


class WalIndex:
    """A read-only view of one database's WAL-index header."""

    def __init__(self, database: Path) -> None:
        """Map `<database>-shm`; OSError when it is missing (the database is not in WAL mode,
        or no connection has opened it yet) or too short to hold the header."""
        path = database.with_name(database.name + "-shm")
        info = os.stat(path)
        key = (info.st_dev, info.st_ino)
        mapped = _MAPPED.get(key)
        if mapped is None:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            # Not closed if it cannot be used (too short): closing could drop this process's
            # SQLite locks (above); one descriptor is left open instead, and the cache is off.
            info = os.fstat(fd)
            key = (info.st_dev, info.st_ino)
            mapped = _MAPPED[key] = _MAPPED.get(key) or _Mapped(fd)
        mapped.users += 1
        self._key, self._mapped = key, mapped
        self._map = mapped.header

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
        """Stop using the header; the last user of the file unmaps it and closes the
        descriptor, which releases any POSIX lock this process still holds on the file: call
        it only once this process's connections to the database are closed."""
        mapped = self._mapped
        mapped.users -= 1
        if mapped.users == 0 and _MAPPED.get(self._key) is mapped:
            del _MAPPED[self._key]
            mapped.header.close()
            os.close(mapped.fd)
