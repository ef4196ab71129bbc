"""Differentiable primitives: each op's forward rule on numpy arrays with its derivative beside it.

Every op here works on plain ndarrays; `Tensor` methods apply them (see tensor.py). Gradients may
keep the broadcast shape of the output: the engine sums them back to each input's shape.
Activations live in activations.py and fused kernels (linear, cross-entropy) in fused.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .autograd import Function, Gradients
from .numerics import select_zero

Axes = int | tuple[int, ...] | None  # numpy's `axis`

# ---------------------------------------------------------------- elementwise arithmetic


class Add(Function):
    """a + b; d/da = 1, d/db = 1."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        return a + b

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output, grad_output


class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        return a - b

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output, (-grad_output if self.needs_input_grad[1] else None)


class Mul(Function):
    """a * b; d/da = b, d/db = a."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_a, needs_b = self.needs_input_grad
        return (
            grad_output * self.b if needs_a else None,
            grad_output * self.a if needs_b else None,
        )


class Div(Function):
    """a / b; d/da = 1/b, d/db = -a/b^2 = -(a/b)/b."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a / b
        self.b, self.out = b, out
        return out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_a, needs_b = self.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            grad_a = grad_output / self.b
            return (grad_a if needs_a else None, -grad_a * self.out if needs_b else None)


class Neg(Function):
    """-a; d/da = -1."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return -grad_output


class Pow(Function):
    """a ** b; d/da = b a^(b-1) (0 where b = 0, even at a = 0), d/db = a^b log(a) (0 where a = 0 and
    b >= 0, the limit; -inf for a = 0 and b < 0): PyTorch's rules, so x**0 and x**x at 0 have gradient 0."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.power(a, b)
        self.a, self.b, self.out = a, b, out
        return out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_a, needs_b = self.needs_input_grad
        a, b = self.a, self.b
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if needs_a:
                grad_a = np.where(np.equal(b, 0), 0, grad_output * b * np.power(a, b - 1))
            if needs_b:
                zero_base = np.equal(a, 0) & np.greater_equal(b, 0)
                grad_b = grad_output * np.where(zero_base, 0, self.out * np.log(a))
        return grad_a, grad_b


class Remainder(Function):
    """a % b with the sign of b (Python's and PyTorch's remainder); d/da = 1, d/db = -floor(a / b)."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        self.a, self.b = a, b
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(a, b)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_a, needs_b = self.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_b = -grad_output * np.floor_divide(self.a, self.b) if needs_b else None
        return (grad_output if needs_a else None), grad_b


class Maximum(Function):
    """maximum(a, b) elementwise; the gradient goes to the larger input, split in half on a tie
    (as in PyTorch)."""

    combine, select = staticmethod(np.maximum), staticmethod(np.greater)

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        self.a, self.b = a, b
        return self.combine(a, b)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_a, needs_b = self.needs_input_grad
        a_wins, tie = self.select(self.a, self.b), np.equal(self.a, self.b)
        half = grad_output * 0.5
        return (
            np.where(a_wins, grad_output, np.where(tie, half, 0)) if needs_a else None,
            np.where(a_wins | tie, np.where(tie, half, 0), grad_output) if needs_b else None,
        )


class Minimum(Maximum):
    """minimum(a, b) elementwise; the gradient goes to the smaller input, split in half on a tie."""

    combine, select = staticmethod(np.minimum), staticmethod(np.less)


class Sin(Function):
    """sin a; d/da = cos a."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.sin(a)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output * np.cos(self.a)


class Cos(Function):
    """cos a; d/da = -sin a."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.cos(a)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output * -np.sin(self.a)


class Rsqrt(Function):
    """1 / sqrt(a); d/da = -1/2 a^(-3/2) = -out^3 / 2."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            self.out = 1.0 / np.sqrt(a)
        return self.out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        with np.errstate(over="ignore", invalid="ignore"):
            return grad_output * (-0.5 * self.out * self.out * self.out)


class Exp(Function):
    """e^a; d/da = e^a (the output, which is what backward keeps)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            self.out = np.exp(a)
        return self.out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output * self.out


class Log(Function):
    """log a (NaN for a < 0, -inf at 0, as in PyTorch); d/da = 1/a."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad_output / self.a


class Sqrt(Function):
    """sqrt a; d/da = 1 / (2 sqrt a) (inf at 0)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            self.out = np.sqrt(a)
        return self.out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad_output / (2 * self.out)


class Abs(Function):
    """|a|; d/da = sign(a), 0 at a = 0 (PyTorch's choice)."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.abs(a)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output * np.sign(self.a)


class Clamp(Function):
    """min(max(a, low), high); d/da = 1 where low <= a <= high, else exactly 0 (selected, so an
    infinite upstream gradient stays 0 outside, as in PyTorch)."""

    def forward(self, a: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray:
        self.a, self.low, self.high = a, low, high
        return np.clip(a, low, high)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        inside = np.ones(self.a.shape, dtype=bool)
        if self.low is not None:
            inside &= self.a >= self.low
        if self.high is not None:
            inside &= self.a <= self.high
        return select_zero(~inside, grad_output)


class Clone(Function):
    """A copy of a with its own memory; d/da = 1."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a.copy()

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output


class Expand(Function):
    """a broadcast to a larger shape (a read-only view); the engine sums the gradient back to a's shape."""

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(a, shape)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output


class CopyFrom(Function):
    """`a.copy_(source)`: a's values replaced by source's (broadcast); d/da = 0, d/dsource = 1."""

    def forward(self, a: np.ndarray, source: np.ndarray) -> np.ndarray:
        return np.broadcast_to(source, a.shape).astype(a.dtype)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_a, _ = self.needs_input_grad
        return (np.zeros_like(grad_output) if needs_a else None), grad_output


class Cast(Function):
    """a converted to another float dtype; the gradient is converted back to a's dtype."""

    def forward(self, a: np.ndarray, dtype: np.dtype) -> np.ndarray:
        self.dtype_in = a.dtype
        return a.astype(dtype)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output.astype(self.dtype_in)


class Where(Function):
    """where(condition, a, b); the gradient goes to a where condition holds, to b elsewhere."""

    def forward(self, condition: np.ndarray, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        _, needs_a, needs_b = self.needs_input_grad
        zero = np.zeros((), dtype=grad_output.dtype)
        return (
            None,
            np.where(self.condition, grad_output, zero) if needs_a else None,
            np.where(self.condition, zero, grad_output) if needs_b else None,
        )


# ---------------------------------------------------------------- reductions


def spread(grad_output, shape, axis, keepdims, scale=None):
    """The gradient of a reduction, spread back over the input's shape (times `scale`)."""
    if scale is not None:
        grad_output = grad_output * scale
    if axis is None:  # every element gets the one value (np.full, written out: it costs 5x more)
        spread = np.empty(shape, grad_output.dtype)
        spread[...] = grad_output
        return spread
    if not keepdims:
        grad_output = np.expand_dims(grad_output, axis)
    return np.broadcast_to(grad_output, shape)


class Sum(Function):
    """sum over `axis`; d/da = 1 for every summed element."""

    def forward(self, a: np.ndarray, axis: Axes = None, keepdims: bool = False) -> np.ndarray:
        self.shape_in, self.axis, self.keepdims = a.shape, axis, keepdims
        return np.asarray(a.sum(axis=axis, keepdims=keepdims))

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return spread(grad_output, self.shape_in, self.axis, self.keepdims)


class Mean(Function):
    """mean over `axis`; d/da = 1/n for each of the n averaged elements."""

    def forward(self, a: np.ndarray, axis: Axes = None, keepdims: bool = False) -> np.ndarray:
        self.shape_in, self.axis, self.keepdims = a.shape, axis, keepdims
        total = np.asarray(a.sum(axis=axis, keepdims=keepdims))
        self.count = a.size // total.size if total.size else 0
        if self.count == 0:
            return np.full(total.shape, np.nan, dtype=total.dtype)
        return total / self.count

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return spread(grad_output, self.shape_in, self.axis, self.keepdims, 1.0 / max(1, self.count))


class Max(Function):
    """max over `axis` (torch.amax); the gradient is shared equally by the elements that tie for it.

    A NaN is the max of its slice and takes the gradient (as in PyTorch), although NaN != NaN.
    """

    reduce = staticmethod(np.max)

    def forward(self, a: np.ndarray, axis: Axes = None, keepdims: bool = False) -> np.ndarray:
        if a.size == 0:
            raise ValueError(f"cannot take the {self.name} of an empty tensor of shape {a.shape}")
        out = self.reduce(a, axis=axis, keepdims=True)
        self.winners = a == out
        if np.isnan(out).any():
            self.winners |= np.isnan(a) & np.isnan(out)
        self.axis = axis
        return np.asarray(out if keepdims else np.squeeze(out, axis=axis))

    def backward(self, grad_output: np.ndarray) -> Gradients:
        ties = self.winners.sum(axis=self.axis, keepdims=True)
        return self.winners * (grad_output.reshape(ties.shape) / ties)


class Min(Max):
    """min over `axis` (torch.amin); the gradient is shared equally by the elements that tie for it.

    A NaN is the min of its slice and takes the gradient, as for Max.
    """

    reduce = staticmethod(np.min)


class Var(Function):
    """sum((a - mean)^2) / (n - correction) over `axis`; d/da = 2 (a - mean) / (n - correction).

    With n - correction <= 0 the result is inf or NaN, and an empty input gives NaN, as in PyTorch.
    """

    def forward(self, a: np.ndarray, axis: Axes = None, keepdims: bool = False, correction: float = 1) -> np.ndarray:
        count = a.size if axis is None else int(np.prod([a.shape[d] for d in np.atleast_1d(axis)]))
        with np.errstate(divide="ignore", invalid="ignore"):
            centred = a - a.mean(axis=axis, keepdims=True) if a.size else a
            squares = np.asarray((centred * centred).sum(axis=axis, keepdims=keepdims))
            self.divisor = np.asarray(max(count - correction, 0), dtype=a.dtype)
            out = squares / self.divisor if count else np.full(squares.shape, np.nan, dtype=a.dtype)
        self.centred, self.axis, self.keepdims = centred, axis, keepdims
        return np.asarray(out, dtype=a.dtype)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        if self.axis is not None and not self.keepdims:
            grad_output = np.expand_dims(grad_output, self.axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.centred * (2.0 * grad_output / self.divisor)


class Std(Var):
    """sqrt(var(a)); d/da = var'(a) / (2 std), taken as 0 where std = 0 (constant data, as in PyTorch)."""

    def forward(self, a: np.ndarray, axis: Axes = None, keepdims: bool = False, correction: float = 1) -> np.ndarray:
        self.out = np.sqrt(super().forward(a, axis, keepdims, correction))
        return self.out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_var = np.where(self.out == 0, 0, grad_output / (2.0 * self.out))
        return super().backward(grad_var.astype(grad_output.dtype, copy=False))


class Prod(Function):
    """product over `axis`; d/da_i = product of the other elements, computed from running products
    on each side of i (no division, so zeros are handled exactly)."""

    def forward(self, a: np.ndarray, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
        self.a, self.axis, self.keepdims = a, axis, keepdims
        return np.asarray(np.prod(a, axis=axis, keepdims=keepdims))

    def backward(self, grad_output: np.ndarray) -> Gradients:
        a = self.a if self.axis is not None else self.a.reshape(-1)
        along = np.moveaxis(a, 0 if self.axis is None else self.axis, 0)
        before, after = np.ones_like(along), np.ones_like(along)  # products of the elements before / after i
        np.cumprod(along[:-1], axis=0, out=before[1:])
        np.cumprod(along[::-1][:-1], axis=0, out=after[1:])
        others = np.moveaxis(before * after[::-1], 0, 0 if self.axis is None else self.axis)
        if self.axis is not None and not self.keepdims:
            grad_output = np.expand_dims(grad_output, self.axis)
        return others.reshape(self.a.shape) * grad_output


class LogSumExp(Function):
    """log sum exp(a) over `axis`, shifted by the max so exp never overflows;
    d/da = exp(a - out) (the softmax of a)."""

    def forward(self, a: np.ndarray, axis: Axes = None, keepdims: bool = False) -> np.ndarray:
        peak = np.max(a, axis=axis, keepdims=True) if a.size else np.zeros((1,) * a.ndim, a.dtype)
        peak = np.where(np.isfinite(peak), peak, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.exp(a - peak).sum(axis=axis, keepdims=True)) + peak
        self.a, self.out_kept, self.axis = a, out, axis
        return np.asarray(out if keepdims else np.squeeze(out, axis=axis))

    def backward(self, grad_output: np.ndarray) -> Gradients:
        with np.errstate(invalid="ignore", over="ignore"):
            softmax = np.exp(self.a - self.out_kept)
        return softmax * grad_output.reshape(self.out_kept.shape)


# ---------------------------------------------------------------- linear algebra


class MatMul(Function):
    """a @ b with numpy's rules (1-D, 2-D, batched); d/da = g @ b^T, d/db = a^T @ g."""

    def forward(self, a: ArrayLike, b: ArrayLike) -> np.ndarray:
        self.a, self.b = a, b
        return np.matmul(a, b)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        a, b = self.a, self.b
        needs_a, needs_b = self.needs_input_grad
        # matmul treats a 1-D b as a column and a 1-D a as a row and drops those dims from the
        # output; put them back (b's first: for two vectors the output is 0-d) to use matrix rules.
        grad = grad_output
        if b.ndim == 1:
            grad = grad[..., None]
            b = b[:, None]
        if a.ndim == 1:
            grad = grad[..., None, :]
            a = a[None, :]
        grad_a = grad_b = None
        if needs_a:
            grad_a = np.matmul(grad, np.swapaxes(b, -1, -2))
            if self.a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if needs_b:
            grad_b = np.matmul(np.swapaxes(a, -1, -2), grad)
            if self.b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b


# ---------------------------------------------------------------- movement


class Reshape(Function):
    """a viewed with a new shape; the gradient is reshaped back."""

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.shape_in = a.shape
        return a.reshape(shape)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return grad_output.reshape(self.shape_in)


class Permute(Function):
    """a with its dimensions reordered; the gradient is permuted back by the inverse order."""

    def forward(self, a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        self.inverse = tuple(np.argsort(dims))
        return np.transpose(a, dims)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return np.transpose(grad_output, self.inverse)


class Index(Function):
    """a[index] for slices, ints, integer arrays and boolean masks.

    The gradient is scattered back with np.add.at, so an element picked twice receives both
    gradients (basic slices, which cannot repeat, take a plain assignment).
    """

    def forward(self, a: np.ndarray, index: Any) -> np.ndarray:
        self.shape_in, self.dtype_in, self.index = a.shape, a.dtype, index
        return a[index]

    def backward(self, grad_output: np.ndarray) -> Gradients:
        grad = np.zeros(self.shape_in, dtype=grad_output.dtype)
        if _is_basic_index(self.index):
            grad[self.index] = grad_output
        else:
            np.add.at(grad, self.index, grad_output)
        return grad


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(part, (int, np.integer, slice)) or part is None or part is Ellipsis
        for part in parts
    )


class Concatenate(Function):
    """cat(tensors, dim); each input receives its slice of the gradient."""

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = axis
        self.splits = np.cumsum([array.shape[axis] for array in arrays])[:-1]
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        return tuple(np.split(grad_output, self.splits, axis=self.axis))


class Stack(Function):
    """stack(tensors, dim); each input receives its slice of the gradient along the new dim."""

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        count = grad_output.shape[self.axis]
        return tuple(np.take(grad_output, i, axis=self.axis) for i in range(count))
