"""Functions that make new leaf tensors: zeros, ones, full, rand, randn, arange, eye and the *_like forms."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .device import check_device
from .dtypes import get_default_dtype
from .rng import generator
from .tensor import Tensor


def _on_cpu(create: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Let a creation function take PyTorch's `device=` keyword: the CPU is accepted, anything else
    is an error that says this framework runs on the CPU."""

    @functools.wraps(create)
    def create_on_cpu(*args: Any, device: Any = None, **kwargs: Any) -> Tensor:
        if device is not None:
            check_device(device)
        return create(*args, **kwargs)

    return create_on_cpu


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _float_dtype(dtype: Any) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def _random_dtype(name: str, dtype: Any) -> np.dtype:
    """The float dtype of a random tensor; samples of a continuous distribution cannot be integers."""
    dtype = _float_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{name}: random samples need a float dtype, got {dtype}")
    return dtype


@_on_cpu
def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of `data`, as torch.tensor: Python floats get the default
    dtype, an ndarray or a Tensor keeps its own (`Tensor(array)` shares the array instead)."""
    source = data.data if isinstance(data, Tensor) else data
    if dtype is None and isinstance(source, (np.ndarray, np.generic)) and source.dtype.kind == "f":
        dtype = source.dtype
    result = Tensor(source, requires_grad=requires_grad, dtype=dtype)
    if isinstance(source, np.ndarray) and np.shares_memory(result.data, source):  # a list is always converted
        result.data = result.data.copy()
    return result


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing `array`'s memory and keeping its dtype (float64 stays float64), as
    torch.from_numpy: writes through either are seen by both."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: can't convert an array of dtype {array.dtype}; numbers and bools only")
    return Tensor(array, dtype=array.dtype)


@_on_cpu
def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given shape."""
    return Tensor(np.zeros(_shape(size), _float_dtype(dtype)), requires_grad, dtype)


@_on_cpu
def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given shape."""
    return Tensor(np.ones(_shape(size), _float_dtype(dtype)), requires_grad, dtype)


@_on_cpu
def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape `size` filled with `fill_value`."""
    return Tensor(np.full(_shape((size,)), fill_value, _float_dtype(dtype)), requires_grad, dtype)


@_on_cpu
def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    data = generator().random(_shape(size), dtype=_random_dtype("rand", dtype))
    return Tensor(data, requires_grad, dtype)


@_on_cpu
def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    data = generator().standard_normal(_shape(size), dtype=_random_dtype("randn", dtype))
    return Tensor(data, requires_grad, dtype)


@_on_cpu
def arange(
    start: float, end: float | None = None, step: float = 1, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Values from start (or 0) up to, not including, end, `step` apart; integers stay int64, floats get
    the default dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step sign (start {start}, end {end}, "
            f"step {step})"
        )
    data = np.arange(start, end, step)
    return Tensor(data, requires_grad, dtype)


@_on_cpu
def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    return Tensor(np.linspace(start, end, steps), requires_grad, _float_dtype(dtype))


@_on_cpu
def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return Tensor(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, dtype)


def _like_dtype(other: Tensor, dtype: Any) -> Any:
    return other.dtype if dtype is None else dtype


@_on_cpu
def zeros_like(other: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of the shape (and dtype) of `other`."""
    return zeros(other.shape, dtype=_like_dtype(other, dtype), requires_grad=requires_grad)


@_on_cpu
def ones_like(other: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of the shape (and dtype) of `other`."""
    return ones(other.shape, dtype=_like_dtype(other, dtype), requires_grad=requires_grad)


@_on_cpu
def full_like(other: Tensor, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in the shape (and dtype) of `other`."""
    return full(other.shape, fill_value, dtype=_like_dtype(other, dtype), requires_grad=requires_grad)


@_on_cpu
def rand_like(other: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) of the shape of `other`."""
    return rand(other.shape, dtype=_like_dtype(other, dtype), requires_grad=requires_grad)


@_on_cpu
def randn_like(other: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples of the shape of `other`."""
    return randn(other.shape, dtype=_like_dtype(other, dtype), requires_grad=requires_grad)


# Also reachable as Tensor.zeros(...), Tensor.randn(...), as the design shows.
for _creator in (zeros, ones, full, rand, randn, arange, linspace, eye):
    setattr(Tensor, _creator.__name__, staticmethod(_creator))
