"""Atomic file writes: checkpoints, downloads and cached data are written to a temporary file beside
their path and renamed over it when complete, so a reader (or a crash) sees the old file or the new
one, never a part of it.

    with atomic_write(path) as file:
        file.write(content)   # an exception here leaves `path` as it was and deletes the temporary
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted there, which protects a live write anyway
    fcntl = None


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write `path`'s new content into: a temporary file in the same folder
    (`.<name>.<8 random characters>.tmp`, locked while open), which, when the block ends without an
    error, is flushed to disk and renamed over `path` with the old file's mode (or 0644); the rename
    itself is then made durable. If the block raises, the temporary file is deleted and `path` is
    left as it was."""
    directory, name = os.path.split(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            if fcntl is not None:  # held until the file is closed, or its process dies: marks a live write
                fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            yield file
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the old file's mode, or the usual 0644.
        os.chmod(temporary, os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        directory_descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)


def remove_stale_temporaries(path: str | Path) -> None:
    """Delete the temporary files that writes of `path` killed midway left behind.

    Only the names atomic_write makes for this path are touched, and none that a write still
    running holds locked.
    """
    directory, name = os.path.split(os.path.abspath(path))
    pattern = re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if pattern.fullmatch(entry.name) and not _is_locked_by_a_live_write(entry.path):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _is_locked_by_a_live_write(temporary: str) -> bool:
    if fcntl is None:
        return False
    try:
        descriptor = os.open(temporary, os.O_RDONLY)
    except OSError:
        return True  # vanished or unreadable: leave it alone
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
