"""The IDX file format of MNIST and Fashion-MNIST: a big-endian header, then a uint8 payload.

Header: a 4-byte magic number, then one big-endian uint32 per dimension. The magic's third byte
is the element type (0x08 = unsigned byte, the only one these datasets use) and its fourth byte
the number of dimensions, so images (count, rows, cols) have magic 0x0803 = 2051 and labels
(count,) have magic 0x0801 = 2049. The payload is the elements in row-major order.
"""

from __future__ import annotations

import gzip
import zlib

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
_KIND = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}


class IdxFormatError(ValueError):
    """A file that is not a well-formed IDX file (bad magic number, truncated, or with extra bytes)."""


def parse_idx(content: bytes, expected_magic: int, source: str = "IDX data") -> np.ndarray:
    """The uint8 array stored in `content` (the bytes of an uncompressed IDX file).

    Raises IdxFormatError, naming `source`, if the magic number is not `expected_magic` or the
    payload is shorter or longer than the dimensions in the header say.
    """
    if len(content) < 4:
        raise IdxFormatError(f"{source} is truncated: {len(content)} bytes, too short for an IDX header")
    magic = int.from_bytes(content[:4], "big")
    if magic != expected_magic:
        raise IdxFormatError(
            f"{source}: bad magic number {magic} (0x{magic:08x}), expected {expected_magic} "
            f"(IDX {_KIND.get(expected_magic, 'data')}); is it the right file?"
        )
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise IdxFormatError(
            f"{source} is truncated: {len(content)} bytes, but its header alone needs {header_size} "
            f"(magic and {ndim} dimensions)"
        )
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    payload_size = len(content) - header_size
    expected_size = int(np.prod(shape))
    if payload_size < expected_size:
        raise IdxFormatError(
            f"{source} is truncated: its header says shape {shape} ({expected_size} bytes of data), "
            f"but only {payload_size} bytes follow the header"
        )
    if payload_size > expected_size:
        raise IdxFormatError(
            f"{source} has {payload_size - expected_size} bytes more than its header's shape {shape} "
            f"holds ({expected_size} bytes of data); is it the right file?"
        )
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(shape)


def decompress(raw: bytes, source: str) -> bytes:
    """The uncompressed bytes of a file read as `raw`: gunzipped if it is gzip (by content, not name)."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as error:
        raise IdxFormatError(f"{source} is a damaged or truncated gzip file ({error})") from None
