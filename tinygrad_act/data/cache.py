"""A parsed .npy copy of a data file, so a second load skips decompressing, checking and parsing.

A cache file's name carries a key made of its source's path, size and modification time: a changed
(or replaced) source gets a new key, so the stale copy is never read, and it is deleted when the
new one is written. The cache is an optimisation only: an unreadable copy is ignored, and when no
folder can be written the data is simply parsed again next time.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

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
        try:
            return np.load(folder / name, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            continue
    array = compute()
    for folder in folders:
        if _save(array, folder, name, stale_pattern):
            break
    return array


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


def _save(array: np.ndarray, folder: Path, name: str, stale_pattern: str) -> bool:
    """Write `array` to folder/name atomically and remove older copies; False if the folder is unusable."""
    if not is_writable(folder):
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = tempfile.NamedTemporaryFile(dir=folder, prefix=f"{name}.", suffix=".part", delete=False)
    except OSError:
        return False
    try:
        with part:
            np.save(part, array, allow_pickle=False)
        os.replace(part.name, folder / name)
    except OSError:
        return False
    finally:
        Path(part.name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        for stale in folder.glob(stale_pattern):
            if stale.name != name:
                stale.unlink()
    return True
