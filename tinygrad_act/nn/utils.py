"""nn.utils: gradient clipping, the guard against one exploding step undoing a model's training.

clip_grad_norm_ rescales all gradients together (keeping the step's direction); clip_grad_value_
clamps each gradient element on its own."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Rescale the gradients of `parameters` so that their joint norm is at most `max_norm`.

    total = (sum over all gradient elements of |g|^p)^(1/p) (max |g| for p = inf), as if every
    gradient were one vector. When total > max_norm each gradient is multiplied by
    max_norm / (total + 1e-6), PyTorch's rule, which keeps the direction of the step. Parameters
    without a gradient are skipped. Returns the total norm before clipping, as a 0-d Tensor.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    norm_type = float(norm_type)
    grads = [parameter.grad for parameter in parameters if parameter.grad is not None]
    if not grads:
        return Tensor(0.0)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(grad.data))) if grad.data.size else 0.0 for grad in grads)
    else:
        # float64 powers, so float32 gradients near 1e19 do not overflow when squared
        powers = (np.sum(np.abs(grad.data, dtype=np.float64) ** norm_type) for grad in grads)
        total = float(sum(powers)) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; set "
            "error_if_nonfinite=False to clip anyway"
        )
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for grad in grads:
            # A new array, not an in-place write: the engine may share a gradient array elsewhere.
            grad.data = np.asarray(grad.data * np.asarray(scale, dtype=grad.data.dtype))
    return Tensor(total, dtype=grads[0].dtype)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element of `parameters` into [-clip_value, clip_value], as PyTorch.

    Unlike clip_grad_norm_, this changes the step's direction (each element is cut on its own).
    Each `.grad` Tensor keeps its identity and gets a new clamped array: the engine may share the
    old array elsewhere. Parameters without a gradient are skipped.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for parameter in parameters:
        if parameter.grad is not None:
            grad = parameter.grad
            grad.data = np.asarray(np.clip(grad.data, -clip_value, clip_value))
