"""Fetch a file from a list of mirrors: md5-checked, retried once, renamed into place only when good."""

from __future__ import annotations

import hashlib
import sys
import urllib.request
from collections.abc import Sequence
from http.client import HTTPException
from pathlib import Path

from tqdm import tqdm

from ..files import atomic_write

TIMEOUT_SECONDS = 60.0
ATTEMPTS_PER_MIRROR = 2
_CHUNK_BYTES = 1 << 20


class ChecksumError(ValueError):
    """A file whose md5 is not the one known for it (corrupt, truncated, or not the official file)."""


class DownloadError(OSError):
    """No mirror gave the file with the right checksum; the message lists every failed attempt."""


def md5_hex(content: bytes) -> str:
    """The md5 of `content` as 32 hex digits (a checksum against corruption, not a security measure)."""
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def download(filename: str, mirrors: Sequence[str], destination: Path, md5: str) -> Path:
    """Download `filename` from the first of `mirrors` (base URLs) that serves it with the md5 `md5`.

    Each mirror is tried twice (a retry for a dropped connection or a corrupt transfer) before the
    next. The file is written under a temporary name beside `destination` and renamed to it only
    once its md5 matches, so an interrupted download never leaves a bad file behind. Raises
    DownloadError naming every URL tried and why it failed.
    """
    failures = []
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{filename}"
        errors = []
        for _ in range(ATTEMPTS_PER_MIRROR):
            try:
                _fetch(url, destination, md5)
                return destination
            except (OSError, HTTPException, ValueError) as error:
                errors.append(str(error))
        # one line per URL: the same failure twice (no network) is said once
        said = errors[0] if len(set(errors)) == 1 else "; then ".join(errors)
        failures.append(f"{url}: {said} ({len(errors)} attempts)")
    tried = "\n".join(f"  {failure}" for failure in failures) or "  (no mirrors given)"
    raise DownloadError(f"could not download {filename}:\n{tried}")


def _fetch(url: str, destination: Path, md5: str) -> None:
    print(f"downloading {url}", file=sys.stderr)
    digest = hashlib.md5(usedforsecurity=False)
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
        length = response.headers.get("Content-Length")
        with atomic_write(destination) as part, tqdm(
            total=int(length) if length else None, unit="B", unit_scale=True, unit_divisor=1024,
            desc=destination.name, leave=False, disable=None,
        ) as progress:
            while chunk := response.read(_CHUNK_BYTES):
                part.write(chunk)
                digest.update(chunk)
                progress.update(len(chunk))
            if digest.hexdigest() != md5:  # raised inside the block: the partial file is deleted
                raise ChecksumError(f"corrupt transfer: md5 {digest.hexdigest()}, expected {md5}")
