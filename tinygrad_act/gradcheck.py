"""Gradient checking: analytic gradients against central finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .dtypes import default_dtype
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check the gradient of `fn(*inputs)` with respect to every input that requires grad.

    The check runs in float64 (inputs are copied to float64, and so are tensors `fn` creates).
    For a random projection `v` of the output, the analytic gradient of sum(v * fn(x)) is compared,
    element by element, with (L(x + eps e_i) - L(x - eps e_i)) / (2 eps); agreement within
    atol + rtol * |numeric| returns True, otherwise GradcheckError names the input, the worst element
    and both values. (One projection checks the vector-Jacobian product that backward computes;
    PyTorch's fast mode does the same.)
    """
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    with default_dtype(np.float64):
        leaves = [
            Tensor(x.data.astype(np.float64), requires_grad=True)
            if isinstance(x, Tensor) and x.requires_grad
            else x
            for x in inputs
        ]
        checked = [i for i, x in enumerate(leaves) if isinstance(x, Tensor) and x.requires_grad]
        if not checked:
            raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
        output = fn(*leaves)
        if not isinstance(output, Tensor) or output.dtype.kind != "f":
            raise TypeError(f"gradcheck: fn must return a float Tensor, got {output!r}")
        projection = np.random.default_rng(seed).uniform(0.5, 1.5, size=output.shape)

        def projected(arguments: list) -> float:
            return float(np.sum(projection * fn(*arguments).data))

        (output * Tensor(projection)).sum().backward()
        for i in checked:
            leaf = leaves[i]
            analytic = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad.data
            if analytic.shape != leaf.shape:
                raise GradcheckError(
                    f"gradcheck: gradient of input {i} has shape {analytic.shape} but the input has "
                    f"shape {leaf.shape}"
                )
            numeric = np.zeros(leaf.shape)
            values = leaf.data
            for position in np.ndindex(leaf.shape):
                original = values[position]
                values[position] = original + eps
                plus = projected(leaves)
                values[position] = original - eps
                minus = projected(leaves)
                values[position] = original
                numeric[position] = (plus - minus) / (2 * eps)
            error = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
            if np.any(error > 0) or not np.all(np.isfinite(analytic) == np.isfinite(numeric)):
                worst = np.unravel_index(np.nanargmax(np.where(np.isnan(error), np.inf, error)), leaf.shape)
                raise GradcheckError(
                    f"gradcheck: gradient of input {i} (shape {leaf.shape}) is wrong at element "
                    f"{tuple(int(j) for j in worst)}: analytic {float(analytic[worst])!r}, numeric "
                    f"{float(numeric[worst])!r} (atol={atol}, rtol={rtol})"
                )
    return True
