"""The default floating-point dtype (float32 unless changed) and the conversion of user data to arrays."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

_default_dtype = np.dtype(np.float32)


def get_default_dtype() -> np.dtype:
    """The dtype given to float data that names no dtype of its own (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Make `dtype` (float32 or float64) the dtype of new float tensors, as torch.set_default_dtype."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: the default dtype must be a float dtype, got {dtype}")
    _default_dtype = dtype


@contextlib.contextmanager
def default_dtype(dtype: Any) -> Iterator[None]:
    """`with default_dtype(np.float64):` makes new float tensors float64 inside the block only."""
    previous = _default_dtype
    set_default_dtype(dtype)
    try:
        yield
    finally:
        set_default_dtype(previous)


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert user data to an ndarray: float data gets the default dtype unless `dtype` is given.

    An ndarray that already has the wanted dtype is used as it is, without a copy (like
    torch.as_tensor): writes through `tensor.data` are seen by that array.
    """
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ValueError(
            "Tensor: data is ragged (nested sequences of different lengths) or not numeric; "
            f"every row must have the same length ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor: data must be numbers or booleans, got an array of dtype {array.dtype} "
            f"(first element {array.flat[0]!r})"
            if array.size
            else f"Tensor: data must be numbers or booleans, got dtype {array.dtype}"
        )
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if array.dtype.kind == "f" and array.dtype != _default_dtype:
        return array.astype(_default_dtype)
    return array
