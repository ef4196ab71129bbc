"""F.*: the stateless forms of activations, linear, dropout and the losses.

Every registered activation appears here as `F.<name>(x, **params)` (added by the registry), so
`F.relu`, `F.leaky_relu(x, 0.2)` and a user's own activation all work the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import fused
from .activations import ActivationSpec, on_register
from .rng import generator
from .tensor import Tensor, apply

_REDUCTIONS = ("mean", "sum", "none")


def _add_activation(spec: ActivationSpec) -> None:
    existing = globals().get(spec.name)
    if existing is not None and not isinstance(existing, ActivationSpec):
        raise ValueError(f"register_activation: {spec.name!r} would replace F.{spec.name}; choose another name")
    globals()[spec.name] = spec


on_register(_add_activation)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """input @ weight.T + bias, with weight of shape (out_features, in_features), as one fused node."""
    if bias is None:
        return apply(fused.Linear, input, weight)
    return apply(fused.Linear, input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:  # noqa: A002
    """Zero each element with probability p and scale the rest by 1/(1-p) (inverted dropout)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = generator().random(input.shape) >= p
    return input * np.multiply(keep, 1.0 / (1.0 - p), dtype=input.dtype)


def _target_array(target: Any, name: str, logits_shape: tuple, classes: int) -> np.ndarray:
    """The integer class targets of a classification loss, checked against the logits."""
    array = target.data if isinstance(target, Tensor) else np.asarray(target)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: target must hold integer class indices, got dtype {array.dtype}; "
            "convert labels with .long() or astype(np.int64)"
        )
    expected = logits_shape[:-1]
    if array.shape != expected:
        raise ValueError(
            f"{name}: input of shape {logits_shape} needs a target of shape {expected}, got {array.shape}"
        )
    if array.size and (array.min() < 0 or array.max() >= classes):
        bad = array[(array < 0) | (array >= classes)].flat[0]
        raise IndexError(f"{name}: target {bad} is out of range for {classes} classes (0..{classes - 1})")
    return array


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {', '.join(_REDUCTIONS)}, got {reduction!r}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """-log softmax(input)[target] over the last dim, fused and shifted by the max (finite for
    logits of +-1e4); gradient (softmax - onehot) / N for the mean."""
    _check_reduction("cross_entropy", reduction)
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dimension, got a 0-d tensor")
    classes = input.shape[-1]
    target_array = _target_array(target, "cross_entropy", input.shape, classes)
    return apply(fused.CrossEntropy, input, target_array, reduction=reduction)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """-input[target] over the last dim, where input holds log-probabilities (from log_softmax)."""
    _check_reduction("nll_loss", reduction)
    target_array = _target_array(target, "nll_loss", input.shape, input.shape[-1])
    flat = input.reshape(-1, input.shape[-1])
    picked = flat[np.arange(target_array.size), target_array.reshape(-1)].reshape(target_array.shape)
    return _reduce(-picked, reduction)


def _check_same_shape(name: str, input: Tensor, target: Any) -> Tensor:  # noqa: A002
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target), dtype=input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"{name}: input shape {input.shape} and target shape {target.shape} differ")
    return target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """(input - target)^2, averaged (or summed) in one fused node; d/dinput = 2 (input - target) / N."""
    _check_reduction("mse_loss", reduction)
    target = _check_same_shape("mse_loss", input, target)
    return apply(fused.MeanSquaredError, input, target, reduction=reduction)


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """-(t log p + (1 - t) log(1 - p)) for probabilities p; each log is clamped at -100 as in
    PyTorch, so p = 0 or 1 gives a large finite loss instead of inf."""
    _check_reduction("binary_cross_entropy", reduction)
    target = _check_same_shape("binary_cross_entropy", input, target)
    if input.numel() and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1]; for logits use "
                         "binary_cross_entropy_with_logits")
    return _reduce(apply(fused.BinaryCrossEntropy, input, target), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """BCE of sigmoid(x) computed from the logit x as softplus(x) - x t, where softplus(x) =
    max(x, 0) + log(1 + e^-|x|): finite for any x; d/dx = sigmoid(x) - t."""
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _check_same_shape("binary_cross_entropy_with_logits", input, target)
    exact_softplus = input.softplus(1.0, math.inf)  # log(1 + e^x) in its stable form, no cut-off
    return _reduce(exact_softplus - input * target, reduction)
