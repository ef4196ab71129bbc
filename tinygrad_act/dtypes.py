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
        dtype = np.dtype(dtype)
        if dtype.kind not in "biuf":
            raise TypeError(f"Tensor: dtype must be a number or bool dtype (float32, int64, bool, ...), got {dtype}")
        return array.astype(dtype, copy=False)
    if array.dtype.kind == "f" and array.dtype != _default_dtype:
        return array.astype(_default_dtype)
    return array


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
_SCALAR_CATEGORY = {bool: 0, int: 1, float: 2}


def result_type(*operands: Any) -> np.dtype:
    """The dtype of a binary op's result under PyTorch's promotion rules.

    Operands are ndarrays or Python scalars. Categories rank bool < integer < float; the result takes
    the highest category present, and within it the dtype of the most "dimensioned" operands:
    arrays with dims first, then 0-d arrays, then Python scalars, which give the default dtype of
    their category (float32 for a float). So int64 tensor * 1.5 is float32 and float32 ** int64 tensor
    stays float32, where numpy would give float64.
    """
    best: np.dtype | None = None
    for rank in (2, 1, 0):
        dtypes = []
        for operand in operands:
            if isinstance(operand, np.ndarray):
                if min(operand.ndim, 1) + 1 == rank:
                    dtypes.append(operand.dtype)
            elif rank == 0:
                dtypes.append(_scalar_dtype(operand))
        if not dtypes:
            continue
        top = max(_CATEGORY[d.kind] for d in dtypes)
        group = np.result_type(*[d for d in dtypes if _CATEGORY[d.kind] == top])
        if best is None or _CATEGORY[group.kind] > _CATEGORY[best.kind]:
            best = group
    assert best is not None, "result_type needs at least one operand"
    return best


def _scalar_dtype(value: Any) -> np.dtype:
    """The dtype PyTorch gives a Python (or numpy) scalar operand: bool, int64 or the default float."""
    category = _SCALAR_CATEGORY.get(type(value))
    if category is None:
        kind = np.asarray(value).dtype.kind
        category = _CATEGORY.get(kind)
        if category is None:
            raise TypeError(f"unsupported operand {value!r} of type {type(value).__name__}")
    return (np.dtype(bool), np.dtype(np.int64), _default_dtype)[category]
