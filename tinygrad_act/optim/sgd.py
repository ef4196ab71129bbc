"""SGD with optional momentum, dampening, Nesterov momentum and L2 weight decay (PyTorch's update)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's formulas and defaults:

        g = grad + weight_decay p
        b = g at the first step, else momentum b + (1 - dampening) g      (if momentum != 0)
        g = g + momentum b if nesterov else b                             (if momentum != 0)
        p = p - lr g
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0) -> None:
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        nesterov, weight_decay = group["nesterov"], group["weight_decay"]
        for param, grad in self._gradients(group, weight_decay):
            if momentum:
                state = self.state.setdefault(param, {})
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = grad.copy(order="K")  # in the parameter's layout
                else:
                    buffer *= momentum
                    buffer += (1.0 - dampening) * grad if dampening else grad
                grad = grad + momentum * buffer if nesterov else buffer
            param.data -= lr * grad
