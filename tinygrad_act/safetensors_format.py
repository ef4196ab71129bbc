"""The safetensors file format, read and written with numpy alone (no extra needed).

Layout (https://github.com/huggingface/safetensors): an unsigned 64-bit little-endian header length
N, N bytes of JSON, then the tensors' bytes. The JSON maps each tensor's name to its dtype ("F32"),
shape and [begin, end) byte offsets into the data, which the tensors must cover exactly, without gaps
or overlaps; the optional "__metadata__" entry maps strings to strings. Data is little-endian and
C-contiguous. The header is padded with spaces to a multiple of 8 bytes, as the reference writer does,
so every tensor can be read aligned.
"""

from __future__ import annotations

import json
import struct
from typing import BinaryIO

import numpy as np

METADATA_KEY = "__metadata__"
# safetensors' names of the dtypes numpy has (bfloat16 and the float8s have no numpy dtype).
_DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2", "F16": "<f2", "U32": "<u4",
           "I32": "<i4", "F32": "<f4", "U64": "<u8", "I64": "<i8", "F64": "<f8"}
_NAMES = {np.dtype(code).newbyteorder("="): name for name, code in _DTYPES.items()}
_HEADER_LIMIT = 100_000_000  # the reference reader's limit: a larger "length" means a damaged file


class SafetensorsFormatError(ValueError):
    """Bytes that are not a well-formed safetensors file; the message says what is wrong."""


def dtype_name(dtype: np.dtype) -> str | None:
    """The safetensors name of `dtype` ("F32"), or None if the format cannot hold it."""
    return _NAMES.get(np.dtype(dtype).newbyteorder("="))


def looks_like_safetensors(start: bytes) -> bool:
    """Whether the first 9+ bytes of a file are a plausible header length followed by '{'."""
    return len(start) >= 9 and start[8:9] == b"{" and 2 <= struct.unpack("<Q", start[:8])[0] <= _HEADER_LIMIT


def write(file: BinaryIO, tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    """Write `tensors` (in the order given) and the string `metadata` to `file` as safetensors."""
    header: dict[str, object] = {METADATA_KEY: metadata} if metadata else {}
    offset = 0
    for name, array in tensors.items():
        name_of_dtype = dtype_name(array.dtype)
        if name_of_dtype is None:
            raise TypeError(f"safetensors cannot store {name!r}: its dtype {array.dtype} is not one of "
                            f"{', '.join(_DTYPES)}")
        header[name] = {"dtype": name_of_dtype, "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    text += b" " * (-len(text) % 8)
    file.write(struct.pack("<Q", len(text)) + text)
    for name, array in tensors.items():
        file.write(np.ascontiguousarray(array, dtype=_DTYPES[header[name]["dtype"]]).tobytes())


def read(content: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The tensors (native byte order, writable copies, in the file's order) and metadata of a
    safetensors file's `content`; SafetensorsFormatError if it is not well formed."""
    if len(content) < 8:
        raise SafetensorsFormatError(f"it has {len(content)} bytes, fewer than the 8 of the header length")
    (length,) = struct.unpack("<Q", content[:8])
    if length > len(content) - 8:
        raise SafetensorsFormatError(f"its header claims {length} bytes, but only {len(content) - 8} follow")
    try:
        header = json.loads(content[8:8 + length])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafetensorsFormatError(f"its header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise SafetensorsFormatError("its header is not a JSON object")
    metadata = header.pop(METADATA_KEY, None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(value, str) for value in metadata.values()):
        raise SafetensorsFormatError(f"its {METADATA_KEY} is not a mapping of strings to strings")
    data = memoryview(content)[8 + length:]
    tensors = {name: _tensor(name, entry, data) for name, entry in header.items()}
    _check_coverage(header, len(data))
    return tensors, metadata


def _tensor(name: str, entry: object, data: memoryview) -> np.ndarray:
    try:
        dtype = np.dtype(_DTYPES[entry["dtype"]])
        shape = tuple(int(size) for size in entry["shape"])
        begin, end = (int(offset) for offset in entry["data_offsets"])
    except (KeyError, TypeError, ValueError) as error:
        dtype_text = entry.get("dtype") if isinstance(entry, dict) else entry
        raise SafetensorsFormatError(
            f"its entry for {name!r} is malformed or has a dtype numpy lacks ({dtype_text!r}; readable: "
            f"{', '.join(_DTYPES)}): {type(error).__name__} {error}"
        ) from None
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if min(shape, default=0) < 0 or not 0 <= begin <= end <= len(data) or end - begin != expected:
        raise SafetensorsFormatError(
            f"its entry for {name!r} (shape {list(shape)}, {entry['dtype']}, bytes [{begin}, {end})) does not fit "
            f"the {len(data)} data bytes"
        )
    array = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def _check_coverage(header: dict[str, dict], size: int) -> None:
    """The tensors' byte ranges must tile the data exactly: a gap or an overlap means damage."""
    ranges = sorted(tuple(entry["data_offsets"]) for entry in header.values())
    position = 0
    for begin, end in ranges:
        if begin != position:
            raise SafetensorsFormatError(f"its tensors' bytes leave a gap or overlap at byte {min(begin, position)}")
        position = end
    if position != size:
        raise SafetensorsFormatError(f"its tensors cover {position} of the {size} data bytes")
