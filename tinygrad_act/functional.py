"""F.*: the stateless forms of activations, linear, dropout and the losses.

Every registered activation appears here as `F.<name>(input, **params)` (added by the registry, with
its signature and its formula as docstring), so `F.relu`, `F.leaky_relu(x, 0.2)` and a user's own
activation all work the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import fused
from .activations import ActivationSpec, generated_function, on_register
from .rng import generator
from .tensor import Tensor, apply

_REDUCTIONS = ("mean", "sum", "none")


def _add_activation(spec: ActivationSpec) -> Callable[[], None] | None:
    """F.<name> for `spec` (a layer-only activation such as prelu has none); returns its undo."""
    if spec.learnable:
        return None
    if spec.name in globals():
        raise ValueError(f"register_activation: {spec.name!r} would replace F.{spec.name}; choose another name")
    globals()[spec.name] = generated_function(spec, "input")
    return lambda: globals().pop(spec.name, None)


on_register(_add_activation)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """input @ weight.T + bias, with weight of shape (out_features, in_features), as one fused node.

    The input must be floating point like the weight (PyTorch raises "mat1 and mat2 must have the
    same dtype"): integer pixels or labels fed to a layer are a bug, not something to cast silently.
    """
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


def _class_dim(name: str, input: Tensor) -> int:  # noqa: A002
    """PyTorch's layout: classes along dim 0 of a 1-d input (C,), along dim 1 of (N, C, d1, ...)."""
    ndim = input.data.ndim
    if ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    return 0 if ndim == 1 else 1


def _picked_targets(target: Any, name: str, input: Tensor, class_dim: int, ignore_index: int,  # noqa: A002
                    class_weight: np.ndarray | None) -> fused.PickedTargets:
    """The integer class targets of a classification loss, checked against the input (one per
    sample, i.e. the input's shape without its class dim, each in 0..C-1 or ignore_index), as the
    fused kernels read them."""
    array = target.data if isinstance(target, Tensor) else np.asarray(target)
    input_shape = input.data.shape
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: target must hold integer class indices, got dtype {array.dtype}; convert labels "
            "with .long() or astype(np.int64) (class probabilities need a float target of the input's "
            f"shape {input_shape})"
        )
    expected = input_shape[:class_dim] + input_shape[class_dim + 1:]
    if array.shape != expected:
        classes_last = "; it would fit classes in the last dim: move them to dim 1" \
            if len(input_shape) > 2 and array.shape == input_shape[:-1] else ""
        raise ValueError(
            f"{name}: input of shape {input_shape} needs a target of shape {expected}, got {array.shape} "
            f"(classes are along dim {class_dim}, as in PyTorch{classes_last})"
        )
    classes = input_shape[class_dim]
    # As unsigned integers the negative targets become huge, so one max checks both ends of the range.
    unsigned = array.view(f"u{array.itemsize}") if array.dtype.kind == "i" else array
    if array.size == 0 or np.maximum.reduce(unsigned, axis=None) < classes:  # the common case
        # every target is a class, so none is ignore_index unless it is a class too
        ignored = ignore_index if 0 <= ignore_index < classes else None
        return fused.PickedTargets(array, classes, class_weight, ignored, input.data.dtype)
    out_of_range = ((array < 0) | (array >= classes)) & (array != ignore_index)
    if out_of_range.any():
        raise IndexError(f"{name}: target {array[out_of_range].flat[0]} is out of range for {classes} classes "
                         f"(0..{classes - 1}) and is not ignore_index ({ignore_index})")
    if classes == 0:  # every target is ignore_index: PyTorch's nan mean of nothing (README, Differences)
        raise ValueError(f"{name}: input of shape {input_shape} has no classes (its class dim {class_dim} is empty)")
    return fused.PickedTargets(array, classes, class_weight, ignore_index, input.dtype)


def _class_weight(name: str, weight: Any, classes: int, dtype: np.dtype) -> np.ndarray | None:
    """The per-class weights as an array of the input's dtype, checked to have one per class."""
    if weight is None:
        return None
    array = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if array.shape != (classes,):
        raise ValueError(f"{name}: weight must have one value per class, shape ({classes},), got {array.shape}")
    return array


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {', '.join(_REDUCTIONS)}, got {reduction!r}")


def _reduce(losses: Tensor, reduction: str, denominator: float | None = None) -> Tensor:
    """PyTorch's `reduction=`, the one step every loss ends with: "none" keeps the per-element losses,
    "sum" adds them, "mean" divides their sum by `denominator` (the element count, or for a
    class-weighted loss the sum of the counted samples' weights), nan when that is 0."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return apply(fused.LossMean, losses, losses.numel() if denominator is None else denominator)


def _loss(kernel: type, *inputs: Any, reduction: str, denominator: float | None = None, **params: Any) -> Tensor:
    """A per-element loss kernel, then `_reduce`; for "mean" the two run as one node (fused.MeanOf,
    the same arithmetic as LossMean), which saves a node on every training step."""
    if reduction == "mean":
        return apply(fused.MeanOf, *inputs, kernel=kernel, denominator=denominator, **params)
    return _reduce(apply(kernel, *inputs, **params), reduction, denominator)


def cross_entropy(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """-log softmax(input)[target] along the class dim (dim 1, or 0 for a 1-d input), as PyTorch's.

    Integer targets (shape of input without its class dim) go through one fused node, shifted by the
    max (finite for logits of +-1e4): per sample (1 - e) w_t (-log p_t) + (e / C) sum_c w_c (-log p_c)
    with class weights w (`weight`, ones by default) and label smoothing e; a target equal to
    ignore_index counts for nothing, and the mean divides by the sum of w_t over the samples that
    count (nan if none do). A float target of the input's shape holds class probabilities q: per
    sample -sum_c w_c q'_c log p_c with q' = (1 - e) q + e / C, and the mean divides by the number of
    samples. Gradient (softmax - onehot) / N in the plain case.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0 and 1, got {label_smoothing}")
    class_dim = _class_dim("cross_entropy", input)
    class_weight = _class_weight("cross_entropy", weight, input.data.shape[class_dim], input.data.dtype)
    if _is_probability_target(target, input):
        return _cross_entropy_with_probabilities(input, target, class_weight, class_dim, reduction, label_smoothing)
    picked = _picked_targets(target, "cross_entropy", input, class_dim, ignore_index, class_weight)
    return _loss(fused.CrossEntropy, input, picked, reduction=reduction, denominator=picked.denominator,
                 weight=class_weight, label_smoothing=label_smoothing, class_dim=class_dim)


def _is_probability_target(target: Any, input: Tensor) -> bool:  # noqa: A002
    """A float target of the input's shape holds class probabilities (PyTorch's rule)."""
    array = target.data if isinstance(target, Tensor) else np.asarray(target)
    return array.dtype.kind == "f" and array.shape == input.data.shape


def _cross_entropy_with_probabilities(input: Tensor, target: Any, weight: np.ndarray | None,  # noqa: A002
                                      class_dim: int, reduction: str, label_smoothing: float) -> Tensor:
    """-sum_c w_c q'_c log softmax(input)_c per sample, composed from log_softmax (a gradient
    reaches a target Tensor that requires one, as in PyTorch); the mean divides by the sample count."""
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target), dtype=input.dtype)
    classes = input.shape[class_dim]
    if label_smoothing:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    weighted = input.log_softmax(dim=class_dim) * target
    if weight is not None:
        weighted = weighted * weight.reshape((classes,) + (1,) * (input.ndim - class_dim - 1))
    losses = -weighted.sum(dim=class_dim)
    return _reduce(losses, reduction)


def nll_loss(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """-w_t input[target] along the class dim (dim 1, or 0 for a 1-d input), where input holds
    log-probabilities (from log_softmax); ignore_index and the weighted mean as in cross_entropy."""
    _check_reduction("nll_loss", reduction)
    class_dim = _class_dim("nll_loss", input)
    class_weight = _class_weight("nll_loss", weight, input.shape[class_dim], input.dtype)
    picked = _picked_targets(target, "nll_loss", input, class_dim, ignore_index, class_weight)
    return _loss(fused.NegativeLogLikelihood, input, picked, reduction=reduction, denominator=picked.denominator,
                 class_dim=class_dim)


def _check_same_shape(name: str, input: Tensor, target: Any) -> Tensor:  # noqa: A002
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target), dtype=input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"{name}: input shape {input.shape} and target shape {target.shape} differ")
    return target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """(input - target)^2 per element, then reduced; d/dinput = 2 (input - target) / N for the mean."""
    _check_reduction("mse_loss", reduction)
    target = _check_same_shape("mse_loss", input, target)
    return _loss(fused.SquaredError, input, target, reduction=reduction)


def _check_probabilities(name: str, values: np.ndarray, what: str) -> None:
    """PyTorch's check, with its exception class: every value in [0, 1] (a nan is not)."""
    if values.size and not ((values >= 0) & (values <= 1)).all():
        bad = values[~((values >= 0) & (values <= 1))].flat[0]
        hint = "; for logits use binary_cross_entropy_with_logits" if what == "input" else ""
        raise RuntimeError(f"{name}: all elements of {what} should be probabilities in [0, 1], found {bad}{hint}")


def _weighted(name: str, losses: Tensor, weight: Any, label: str = "weight") -> Tensor:
    """losses times `weight`, which must broadcast to their shape (PyTorch's rule)."""
    if weight is None:
        return losses
    weight = weight if isinstance(weight, Tensor) else Tensor(np.asarray(weight), dtype=losses.dtype)
    if np.broadcast_shapes(weight.shape, losses.shape) != losses.shape:
        raise ValueError(f"{name}: {label} of shape {weight.shape} does not broadcast to the input's {losses.shape}")
    return losses * weight


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """-w (t log p + (1 - t) log(1 - p)) for probabilities p; each log is clamped at -100 as in
    PyTorch, so p = 0 or 1 gives a large finite loss instead of inf. d/dp = w (p - t) / (p (1 - p)),
    d/dt = w (log(1 - p) - log p). Input and target must lie in [0, 1] (RuntimeError, as PyTorch)."""
    _check_reduction("binary_cross_entropy", reduction)
    target = _check_same_shape("binary_cross_entropy", input, target)
    _check_probabilities("binary_cross_entropy", input.data, "input")
    _check_probabilities("binary_cross_entropy", target.data, "target")
    losses = apply(fused.BinaryCrossEntropy, input, target)
    return _reduce(_weighted("binary_cross_entropy", losses, weight), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """BCE of sigmoid(x) computed from the logit x, as PyTorch's: w ((1 - t) x + l softplus(-x)) with
    l = 1 + (pos_weight - 1) t (l = 1 without pos_weight, giving softplus(x) - x t), where
    softplus(x) = max(x, 0) + log(1 + e^-|x|) is finite for any x; d/dx = w ((1 - t) - l sigmoid(-x)),
    i.e. w (sigmoid(x) - t) without pos_weight. pos_weight (one per class, broadcast along the last
    dim) weighs the positive term."""
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _check_same_shape("binary_cross_entropy_with_logits", input, target)
    if pos_weight is None:
        exact_softplus = input.softplus(1.0, math.inf)  # log(1 + e^x) in its stable form, no cut-off
        losses = exact_softplus - input * target
    else:
        positive_weight = _weighted("binary_cross_entropy_with_logits", target, pos_weight, "pos_weight")
        log_weight = positive_weight - target + 1.0
        losses = (1.0 - target) * input + log_weight * (-input).softplus(1.0, math.inf)
    return _reduce(_weighted("binary_cross_entropy_with_logits", losses, weight), reduction)
