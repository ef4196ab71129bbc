"""Numerically safe array pieces the activation rules and the fused kernels share: stable sigmoid,
softplus, log-softmax, the max shift, and the masks that keep inf * 0 from becoming nan.

Plain numpy on arrays, no graph: a fused kernel imports these without importing the registry.
"""

from __future__ import annotations

import numpy as np

# Branches on large arrays are chosen with max/min, masks and bit operations, never np.where: on a
# batch where the condition is an unpredictable mix, np.where is ten times slower than relu. The
# derivatives that are an exact 0 by selection (relu below 0, hardtanh outside its bounds, clamp)
# go through `select_zero`, which selects on the bits; a rule that scales as it masks (hardsigmoid,
# hardswish) multiplies by the mask, and since inf * 0 = nan is not a select, passes its result
# through `zero_where`, which repairs those positions only when needed.


def zero_where(result: np.ndarray, condition: np.ndarray) -> np.ndarray:
    """`result` (a gradient times a mask that is 0 where `condition` holds) made exactly 0 there even
    where the gradient was inf or nan, as PyTorch's select gives.

    inf * 0 and nan * anything are nan, so a result without nan needs nothing: one max (which
    propagates nan) checks it, and only a result with nan is repaired (a nan where the mask is 1
    stays, as it should).
    """
    if np.size(result) == 0 or not np.isnan(np.maximum.reduce(result, axis=None)):
        return result
    result = np.asarray(result)  # a 0-d product is a numpy scalar, which cannot be written into
    np.copyto(result, 0, where=condition)
    return result


# Below this many elements the fixed cost of each numpy call dominates, and select_zero and relu
# take their one-call forms (np.where, np.maximum with a number); above, their vectorised forms.
_SMALL = 4096


# A 0-d 0 and 1 per float dtype: numpy converts a Python number to an array's dtype more slowly
# than it computes max(x, 0), 1 - y or a select on a small array.
_FLOATS = (np.float16, np.float32, np.float64)
_ZEROS = {np.dtype(dtype): np.zeros((), dtype) for dtype in _FLOATS}
_ONES = {np.dtype(dtype): np.ones((), dtype) for dtype in _FLOATS}


def zero_of(x: np.ndarray) -> np.ndarray | int:
    """0 in the dtype of `x`: a cached 0-d array for a float dtype, else the Python 0."""
    return _ZEROS.get(x.dtype, 0)


def one_of(x: np.ndarray) -> np.ndarray | int:
    """1 in the dtype of `x`: a cached 0-d array for a float dtype, else the Python 1."""
    return _ONES.get(x.dtype, 1)


# Zeros to compare a large array with, block by block (see relu), one read-only block per dtype.
_ZERO_BLOCK_SIZE = 1 << 16
_ZERO_BLOCKS = {np.dtype(dtype): np.zeros(_ZERO_BLOCK_SIZE, dtype) for dtype in _FLOATS}
for _block in _ZERO_BLOCKS.values():
    _block.flags.writeable = False


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), in the dtype of x (nan stays nan).

    numpy's vectorised max loop runs for two contiguous arrays, not for an array and a scalar (three
    times slower on a 128 x 256 batch), so a large contiguous float x is compared with a block of
    zeros, one block at a time.
    """
    if x.size <= _SMALL or x.dtype not in _ZERO_BLOCKS or not x.flags.c_contiguous:
        return np.maximum(x, _ZEROS.get(x.dtype, 0))
    zeros = _ZERO_BLOCKS[x.dtype]
    out = np.empty_like(x)
    flat_x, flat_out, size = x.reshape(-1), out.reshape(-1), x.size
    for start in range(0, size, _ZERO_BLOCK_SIZE):
        stop = min(start + _ZERO_BLOCK_SIZE, size)
        np.maximum(flat_x[start:stop], zeros[:stop - start], out=flat_out[start:stop])
    return out


# The signed integer of each float's width: a select on a large array is done on the bits.
_SAME_WIDTH_INTEGERS = {np.dtype(np.float16): np.dtype(np.int16), np.dtype(np.float32): np.dtype(np.int32),
                        np.dtype(np.float64): np.dtype(np.int64)}


def select_zero(condition: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
    """grad_output, with exactly +0 where `condition` holds (even for an inf or nan gradient).

    A small array takes np.where. On a large one np.where branches on every element (ten times
    slower), so the select is done on the bits: the condition as integers 1 / 0, minus 1, is 0
    where it holds and all ones (-1) elsewhere, and an AND with the gradient's bits clears it or
    keeps it, exactly, in vectorised integer passes (a product with the condition as a float mask
    would be slower and would turn inf * 0 into nan).
    """
    if grad_output.size <= _SMALL:
        return np.where(condition, _ZEROS.get(grad_output.dtype, 0), grad_output)
    integer = _SAME_WIDTH_INTEGERS.get(grad_output.dtype)
    if integer is None or condition.shape != grad_output.shape:  # an integer gradient, a broadcast condition
        return np.where(condition, 0, grad_output)
    keep = condition.view(np.int8).astype(integer)
    keep -= 1
    np.bitwise_and(keep, grad_output.view(integer), out=keep)
    return keep.view(grad_output.dtype)


def lowest_finite(x: np.ndarray) -> np.ndarray:
    """x with -inf raised to the most negative finite value: in f(x) = x g(x) with g(-inf) = 0,
    the product is then the limit -0 instead of -inf * 0 = nan."""
    return np.maximum(x, np.finfo(x.dtype).min)


def finite(x: np.ndarray) -> np.ndarray:
    """x with +-inf clipped to the largest finite values (nan stays nan): a derivative written
    as x times a factor that is 0 far out then has its limit at +-inf, not inf * 0 = nan."""
    info = np.finfo(x.dtype)
    return np.clip(x, info.min, info.max)


def clip_magnitude(x: np.ndarray, limit: float) -> np.ndarray:
    """x limited to [-limit, limit]: where a function has saturated, larger inputs change nothing
    but could overflow an intermediate (x^2, x^3)."""
    return np.clip(x, -limit, limit)


def mask(condition: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A boolean condition as 0/1 in the float dtype of `like` (so products keep that dtype)."""
    return condition.astype(like.dtype)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: with e = e^-|x| <= 1, it is 1/(1+e) for x >= 0 and e/(1+e)
    below, i.e. max(e, [x >= 0]) / (1 + e)."""
    e = np.exp(-np.abs(x))
    return np.maximum(e, x >= 0) / (1.0 + e)


def sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigmoid(x), sigmoid(-x)) from one exponential, each accurate where it is tiny (1 - sigmoid
    would cancel)."""
    e = np.exp(-np.abs(x))
    denominator = 1.0 + e
    return np.maximum(e, x >= 0) / denominator, np.maximum(e, x < 0) / denominator


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for every finite x."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def shift_by_max(x: np.ndarray, dim: int) -> np.ndarray:
    """x - max(x) along dim, so exp never overflows (the largest exponent is 0).

    As in PyTorch, a row holding +inf, or only -inf, becomes nan (inf - inf), and x - max may
    round to -inf when the row spans more than the float range: both without a warning. An empty
    dim gives an empty result.
    """
    peak = max_keepdims(x, dim)
    with np.errstate(invalid="ignore", over="ignore"):
        return x - peak


def log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """x_i - m - log sum_j e^(x_j - m) along dim, m the max: every exponent is at most 0, so it is
    finite for any finite x (log(softmax(x)) would be log(0) = -inf once a probability underflows).

    A row of nan (from +inf) stays nan, as in PyTorch. Each sum is at least 1 (the max's term is
    e^0), so its log is finite and never warns; an empty dim has nothing to normalise.
    """
    shifted = shift_by_max(x, dim)
    if shifted.shape[dim] == 0:
        return shifted
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True))


def max_keepdims(x: np.ndarray, dim: int) -> np.ndarray:
    """The max of x along dim, keeping dim (-inf for an empty dim).

    Along a short last axis of a tall matrix (a batch of 128 logits over 10 classes) numpy pays a
    fixed cost per row; the transposed copy reduces in one vectorised pass per class instead, 2-3x
    faster below about 32 classes and from 32 rows (a max is exact, so the result is the same).
    """
    if x.ndim == 2 and dim in (1, -1) and x.shape[1] <= 32 <= x.shape[0]:
        return np.maximum.reduce(np.ascontiguousarray(x.T), axis=0, initial=-np.inf)[:, None]
    return np.maximum.reduce(x, axis=dim, keepdims=True, initial=-np.inf)
