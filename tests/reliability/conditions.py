"""Storage conditions a test can impose on a running server process, and lift again.

- a full disk: `RLIMIT_FSIZE` set on the server process from outside (`prlimit`), so each of its
  writes past the limit fails with EFBIG exactly as a full disk fails one (Python ignores
  SIGXFSZ, so the process lives on); or, where mounting is allowed, a real tmpfs filled to the
  last byte (ENOSPC);
- an unwritable file: the immutable attribute (`chattr +i`, FS_IOC_SETFLAGS), which even root
  cannot write through, also on descriptors already open; without it, and not root, `chmod`.
"""

from __future__ import annotations

import array
import contextlib
import errno
import fcntl
import os
import resource
import stat
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

_FS_IOC_GETFLAGS = 0x80086601
_FS_IOC_SETFLAGS = 0x40086602
_FS_IMMUTABLE_FL = 0x00000010


@contextlib.contextmanager
def file_size_limit(pid: int, limit: int) -> Iterator[None]:
    """While inside, process `pid` cannot write at or past byte `limit` of any file."""
    soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))


def _set_immutable(path: Path, on: bool) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
        flags[0] = flags[0] | _FS_IMMUTABLE_FL if on else flags[0] & ~_FS_IMMUTABLE_FL
        fcntl.ioctl(fd, _FS_IOC_SETFLAGS, flags, True)
    finally:
        os.close(fd)


def immutable_supported(directory: Path) -> bool:
    """Whether this process may set the immutable attribute on files in `directory`."""
    probe = directory / "immutable-probe"
    probe.touch()
    try:
        _set_immutable(probe, True)
        _set_immutable(probe, False)
    except OSError as error:
        if error.errno in (errno.EPERM, errno.ENOTTY, errno.EOPNOTSUPP, errno.EINVAL):
            return False
        raise
    finally:
        probe.unlink()
    return True


@contextlib.contextmanager
def unwritable(paths: Sequence[Path], *, open_files_too: bool) -> Iterator[str]:
    """While inside, nobody can write `paths`; yields how ("immutable" or "chmod").

    `open_files_too`: the server already has the files open, so only the immutable attribute
    does (permissions are checked at open); the test is skipped where it cannot be set.
    """
    existing = [p for p in paths if p.exists()]
    if existing and immutable_supported(existing[0].parent):
        for path in existing:
            _set_immutable(path, True)
        try:
            yield "immutable"
        finally:
            for path in existing:
                _set_immutable(path, False)
        return
    if open_files_too or os.geteuid() == 0:
        pytest.skip("needs the immutable attribute (CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)")
    modes = {path: path.stat().st_mode for path in existing}
    for path in existing:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        yield "chmod"
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
            # SQLite creates `-wal` and `-shm` with the database file's mode: an operator fixing
            # the permissions fixes theirs too
            for suffix in ("-wal", "-shm"):
                sibling = path.with_name(path.name + suffix)
                if sibling.exists() and sibling not in modes:
                    sibling.chmod(mode)


@contextlib.contextmanager
def small_filesystem(directory: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `directory`; skipped where mounting is not permitted."""
    directory.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


@contextlib.contextmanager
def filled(directory: Path) -> Iterator[None]:
    """While inside, the filesystem of `directory` has no free byte (a file takes it all)."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
    finally:
        os.close(fd)
    try:
        yield
    finally:
        filler.unlink()
