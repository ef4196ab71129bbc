"""A ReLU MLP's training step written by hand in numpy: the reference our autograd is measured
against (same arithmetic, no graph)."""

from __future__ import annotations

import numpy as np


def mlp_loss_and_gradients(x: np.ndarray, y: np.ndarray, layers: list) -> tuple[float, list]:
    """Cross-entropy of a ReLU MLP (ReLU after every layer but the last) on (x, y) and the gradient
    of every (weight, bias) pair, with weights of shape (out, in) as nn.Linear keeps them.

    The weights' memory order is the caller's: row-major (the plain numpy way) or column-major (as
    nn.Linear stores them); each weight gradient is computed in its weight's order, so that the
    update `w -= lr * gw` reads both arrays in the same order."""
    rows = np.arange(len(y))
    inputs = [x]
    for i, (w, b) in enumerate(layers):
        h = inputs[-1] @ w.T
        h += b
        inputs.append(np.maximum(h, 0) if i < len(layers) - 1 else h)
    logits = inputs.pop()
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probabilities[rows, y].mean()
    grad = np.exp(log_probabilities)
    grad[rows, y] -= 1.0
    grad *= 1.0 / len(y)
    gradients = []
    for (w, _), layer_input in zip(reversed(layers), reversed(inputs)):
        grad_weight = (layer_input.T @ grad).T if w.flags.f_contiguous and not w.flags.c_contiguous \
            else grad.T @ layer_input
        gradients.append((grad_weight, grad.sum(0)))
        if layer_input is not x:
            grad = grad @ w
            grad *= layer_input > 0
    return float(loss), gradients[::-1]
