"""Rows of point reads, kept while nothing is committed to the database (by any process).

Every entry belongs to one stamp: what the database's change marker read just before the row
was fetched (`Database`: its own count of writes and the WAL-index header, `wal_index`). A
look-up first reads the marker; if it moved since the entries were stored, they are all dropped.
So a hit is a row that no commit can have changed since it was read, and a read that starts
after a write was acknowledged never sees the row from before it. A row fetched under an older
stamp than the cache's is not stored (it may predate the commit that moved the stamp).

Bounded by the bytes of its rows' values; when full, the oldest entries go first.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Final

MISS: Final[Any] = object()  # `get` found nothing usable


class ReadCache:
    """Rows by key (SQL and parameters), valid for one stamp at a time."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._stamp: object = MISS  # no stamp yet: the first look-up sets it
        self._entries: dict[Hashable, tuple[Any, int]] = {}  # key → (row, its size)
        self._bytes = 0

    @property
    def max_bytes(self) -> int:
        """The bound on the bytes of the rows kept; 0 keeps none."""
        return self._max_bytes

    def get(self, stamp: object, key: Hashable) -> Any:
        """The row stored for `key` under `stamp`, or MISS; a new stamp drops every entry."""
        if stamp != self._stamp:
            self._drop_all(stamp)
            return MISS
        entry = self._entries.get(key)
        return MISS if entry is None else entry[0]

    def put(self, stamp: object, key: Hashable, row: Any) -> None:
        """Keep `row` (a tuple of immutable values, or None), fetched after `stamp` was read."""
        if stamp != self._stamp:
            return  # fetched under an older stamp, or the cache moved on meanwhile
        size = _size(row)
        if size > self._max_bytes:
            return
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self._bytes -= replaced[1]
        while self._bytes + size > self._max_bytes:
            self._bytes -= self._entries.pop(next(iter(self._entries)))[1]  # the oldest
        self._entries[key] = (row, size)
        self._bytes += size

    def _drop_all(self, stamp: object) -> None:
        self._stamp = stamp
        self._entries.clear()
        self._bytes = 0


def _size(row: tuple[Any, ...] | None) -> int:
    """What a row costs the cache: the bytes of its values, and a floor per entry."""
    if row is None:
        return 64
    return 64 + sum(len(value) if isinstance(value, bytes | str) else 8 for value in row)
