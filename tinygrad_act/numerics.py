"""Numerically safe array pieces the activation rules and the fused kernels share: stable sigmoid,
softplus, log-softmax, the max shift, and the masks that keep inf * 0 from becoming nan.

Plain numpy on arrays, no graph: a fused kernel imports these without importing the registry.
"""

from __future__ import annotations

import numpy as np

# Branches are chosen with arithmetic masks (max/min, or multiplying by a 0/1 mask), never np.where:
# on a batch where the condition is an unpredictable mix, np.where is ten times slower than relu.
# A product with a 0 mask is not a select when the other factor is inf or nan (inf * 0 = nan), so
# the rules whose derivative is an exact 0 by selection (relu below 0, hardtanh outside its bounds)
# pass their result through `zero_where`, which repairs those positions only when needed.


def all_finite(array: np.ndarray) -> bool:
    """No inf or nan in `array`: max and min are fast reductions (a tenth of np.isfinite().all())
    and either is inf or nan when an element is."""
    if array.size == 0:
        return True
    return bool(np.isfinite(np.maximum.reduce(array, axis=None)) and np.isfinite(np.minimum.reduce(array, axis=None)))


def zero_where(result: np.ndarray, condition: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
    """`result` (grad_output times a mask that is 0 where `condition` holds) made exactly 0 there
    even when grad_output is inf or nan, as PyTorch's select gives; finite gradients pay only for
    the check."""
    if all_finite(grad_output):
        return result
    result = np.asarray(result)  # a 0-d product is a numpy scalar, which cannot be written into
    np.copyto(result, 0, where=condition)
    return result


# Below this many elements a select costs less than the product and its finiteness check (the
# calls dominate); above, np.where's branch on every element makes the product ten times cheaper.
_SMALL = 4096


# A 0-d zero per float dtype: np.where with a Python 0 spends longer resolving its dtype than
# selecting a small array.
_ZEROS = {np.dtype(dtype): np.zeros((), dtype) for dtype in (np.float16, np.float32, np.float64)}


def select_zero(condition: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
    """grad_output, with exactly 0 where `condition` holds (even for an inf or nan gradient)."""
    if grad_output.size <= _SMALL:
        zero = _ZEROS.get(grad_output.dtype)
        return np.where(condition, zero if zero is not None else 0, grad_output)
    return zero_where(grad_output * ~condition, condition, grad_output)


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
    peak = np.max(x, axis=dim, keepdims=True, initial=-np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        return x - peak


def log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """x_i - m - log sum_j e^(x_j - m) along dim, m the max: every exponent is at most 0, so it is
    finite for any finite x (log(softmax(x)) would be log(0) = -inf once a probability underflows).

    A row of nan (from +inf) stays nan, as in PyTorch; an empty dim sums to 0, whose log is unused.
    """
    shifted = shift_by_max(x, dim)
    with np.errstate(invalid="ignore", divide="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
