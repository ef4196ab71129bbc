"""Adam and AdamW: per-parameter step sizes from running moments of the gradient (PyTorch's update)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


def _check_adam_arguments(lr: float, betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps < 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), with PyTorch's formulas and defaults; at step t:

        g = grad + weight_decay p                      (L2 penalty added to the gradient)
        m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
        v_max = max(v_max, v) with amsgrad, and v_max replaces v below
        p = p - lr / (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    decoupled_weight_decay = False

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False) -> None:
        _check_adam_arguments(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        l2_penalty = 0.0 if self.decoupled_weight_decay else weight_decay
        for param, grad in self._gradients(group, l2_penalty):
            if self.decoupled_weight_decay and weight_decay:
                param.data *= 1.0 - lr * weight_decay
            state = self.state.get(param)
            if state is None:
                state = self.state[param] = {"step": 0, "exp_avg": np.zeros_like(param.data),
                                             "exp_avg_sq": np.zeros_like(param.data)}
                if amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(param.data)
            state["step"] += 1
            step, exp_avg, exp_avg_sq = state["step"], state["exp_avg"], state["exp_avg_sq"]
            # One scratch array holds each intermediate in turn, instead of a new array per operation;
            # the step keeps its own product, so it rounds as (lr / (1 - beta1^t)) m / denominator.
            scratch = np.multiply(grad, 1.0 - beta1, out=np.empty_like(param.data))
            exp_avg *= beta1
            exp_avg += scratch
            np.multiply(grad, 1.0 - beta2, out=scratch)
            scratch *= grad
            exp_avg_sq *= beta2
            exp_avg_sq += scratch
            if amsgrad:
                np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                exp_avg_sq = state["max_exp_avg_sq"]
            denominator = np.sqrt(exp_avg_sq, out=scratch)
            denominator *= 1.0 / math.sqrt(1.0 - beta2**step)
            denominator += eps
            param.data -= np.divide((lr / (1.0 - beta1**step)) * exp_avg, denominator, out=scratch)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): before the Adam step,
    p = p (1 - lr weight_decay), instead of adding weight_decay p to the gradient. Default
    weight_decay 1e-2, as in PyTorch."""

    decoupled_weight_decay = True

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
