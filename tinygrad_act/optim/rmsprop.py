"""RMSprop: divide the gradient by a running root-mean-square of recent gradients (PyTorch's update)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), with PyTorch's formulas and defaults:

        g = grad + weight_decay p
        s = alpha s + (1 - alpha) g^2
        centered: a = alpha a + (1 - alpha) g and d = sqrt(s - a^2) + eps, else d = sqrt(s) + eps
        momentum > 0: b = momentum b + g / d and p = p - lr b, else p = p - lr g / d
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        for name, value in (("lr", lr), ("alpha", alpha), ("eps", eps), ("weight_decay", weight_decay),
                            ("momentum", momentum)):
            if value < 0.0:
                raise ValueError(f"Invalid {name} value: {value}")
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
        for param, grad in self._gradients(group, weight_decay):
            state = self.state.get(param)
            if state is None:
                state = self.state[param] = {"step": 0, "square_avg": np.zeros_like(param.data)}
                if momentum > 0:
                    state["momentum_buffer"] = np.zeros_like(param.data)
                if centered:
                    state["grad_avg"] = np.zeros_like(param.data)
            state["step"] += 1
            square_avg = state["square_avg"]
            square_avg *= alpha
            square_avg += (1.0 - alpha) * grad * grad
            if centered:
                grad_avg = state["grad_avg"]
                grad_avg *= alpha
                grad_avg += (1.0 - alpha) * grad
                denominator = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                denominator = np.sqrt(square_avg)
            denominator += eps
            if momentum > 0:
                buffer = state["momentum_buffer"]
                buffer *= momentum
                buffer += grad / denominator
                param.data -= lr * buffer
            else:
                param.data -= lr * grad / denominator
