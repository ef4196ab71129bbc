"""A parsed .npy copy of a data file, so a second load skips decompressing, checking and parsing.

A cache file's name carries a key made of its source's path, size and modification time: a changed
(or replaced) source gets a new key, so the stale copy is never read, and it is deleted when the
new one is written. Beside each copy, `<name>.sha256` holds the sha256 of its bytes: a copy damaged
on disk (a flipped bit, a truncated write) no longer matches it, and is parsed again from its
source and rewritten rather than used. The cache is an optimisation only: an unreadable or damaged
copy is ignored, and when no folder can be written the data is simply parsed again next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..files import atomic_write
from .download import md5_hex

_FORMAT_VERSION = 1


def cache_folders(data_subfolder: Path, subfolder: str) -> list[Path]:
    """Where caches for the dataset in `data_subfolder` may go, best first: its own cache/ folder,
    then ~/.cache/tinygrad_act/cache/<subfolder> (for read-only data folders), then a temp folder."""
    return [
        data_subfolder / "cache",
        Path.home() / ".cache" / "tinygrad_act" / "cache" / subfolder,
        Path(tempfile.gettempdir()) / "tinygrad_act-cache" / subfolder,
    ]


def cached_array(source: Path, folders: Sequence[Path], compute: Callable[[], np.ndarray]) -> np.ndarray:
    """The array parsed from `source`: read from the first cache in `folders` that holds a current
    copy, else made by `compute()` and saved into the first folder that can be written."""
    name, stale_pattern = _cache_name(source)
    for folder in folders:
        cached = _read_verified(folder / name)
        if cached is not None:
            return cached
    array = compute()
    for folder in folders:
        if _save(array, folder, name, stale_pattern):
            break
    return array


def checksum_path(cache_file: Path) -> Path:
    """The file beside `cache_file` that holds the sha256 of its bytes."""
    return cache_file.with_name(cache_file.name + ".sha256")


def is_writable(folder: Path) -> bool:
    """Whether files may be created in `folder` (or in the nearest existing folder above it).

    A folder without write bits counts as read-only even for root, who could write there anyway:
    a shared data folder marked read-only must not be changed.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    mode = existing.stat().st_mode
    return stat.S_ISDIR(mode) and bool(mode & 0o222) and os.access(existing, os.W_OK | os.X_OK)


def _cache_name(source: Path) -> tuple[str, str]:
    """The cache file name for `source`'s current state, and a glob matching its older copies."""
    status = source.stat()
    resolved = source.resolve()
    location_key = md5_hex(str(resolved).encode())[:8]
    state_key = md5_hex(f"{_FORMAT_VERSION}:{status.st_size}:{status.st_mtime_ns}".encode())[:8]
    stem = resolved.name.removesuffix(".gz")
    return f"{stem}-{location_key}-{state_key}.npy", f"{stem}-{location_key}-*.npy"


def _sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read_verified(cache_file: Path) -> np.ndarray | None:
    """The array in `cache_file` if its bytes have the sha256 recorded beside them, else None."""
    try:
        content = cache_file.read_bytes()
        recorded = checksum_path(cache_file).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if _sha256_hex(content) != recorded:
        return None
    try:
        return np.load(io.BytesIO(content), allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None


def _save(array: np.ndarray, folder: Path, name: str, stale_pattern: str) -> bool:
    """Write `array` to folder/name and its checksum beside it, each atomically, and remove older
    copies; False if the folder is unusable."""
    if not is_writable(folder):
        return False
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    content = buffer.getvalue()
    # The copy first, then its checksum: a crash between them leaves a copy without a matching
    # checksum, which the next load ignores and rebuilds.
    cache_file = folder / name
    if not (_write_atomically(cache_file, content)
            and _write_atomically(checksum_path(cache_file), _sha256_hex(content).encode("ascii"))):
        return False
    with contextlib.suppress(OSError):
        for stale in [*folder.glob(stale_pattern), *folder.glob(stale_pattern + ".sha256")]:
            if stale.name not in (name, checksum_path(cache_file).name):
                stale.unlink()
    return True


def _write_atomically(path: Path, content: bytes) -> bool:
    """Write `content` to `path` atomically (files.atomic_write); False on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as file:
            file.write(content)
    except OSError:
        return False
    return True
