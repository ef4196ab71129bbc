"""Adagrad: step sizes shrink with the sum of all past squared gradients (PyTorch's update)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), with PyTorch's formulas and defaults; at step t:

        g = grad + weight_decay p
        lr_t = lr / (1 + (t - 1) lr_decay)
        s = s + g^2                      (s starts at initial_accumulator_value)
        p = p - lr_t g / (sqrt(s) + eps)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> None:
        for name, value in (("lr", lr), ("lr_decay", lr_decay), ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value), ("eps", eps)):
            if value < 0.0:
                raise ValueError(f"Invalid {name} value: {value}")
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps, weight_decay = group["lr"], group["lr_decay"], group["eps"], group["weight_decay"]
        for param, grad in self._gradients(group, weight_decay):
            state = self.state.get(param)
            if state is None:
                state = self.state[param] = {
                    "step": 0, "sum": np.full_like(param.data, group["initial_accumulator_value"])}
            state["step"] += 1
            accumulator = state["sum"]
            accumulator += grad * grad
            denominator = np.sqrt(accumulator)
            denominator += eps
            param.data -= (lr / (1.0 + (state["step"] - 1) * lr_decay)) * grad / denominator
