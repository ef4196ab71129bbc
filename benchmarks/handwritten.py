"""The 784-256-256-10 ReLU MLP's training step written by hand in numpy: the reference our autograd
is measured against (same arithmetic, no graph)."""

from __future__ import annotations

import numpy as np


def mlp_loss_and_gradients(x: np.ndarray, y: np.ndarray, layers: list) -> tuple[float, list]:
    """Cross-entropy of a 3-layer ReLU MLP on (x, y) and the gradient of every (weight, bias) pair,
    with weights of shape (out, in) as nn.Linear keeps them."""
    (w1, b1), (w2, b2), (w3, b3) = layers
    rows = np.arange(len(y))
    h1 = x @ w1.T
    h1 += b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ w2.T
    h2 += b2
    a2 = np.maximum(h2, 0)
    logits = a2 @ w3.T
    logits += b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probabilities[rows, y].mean()
    g3 = np.exp(log_probabilities)
    g3[rows, y] -= 1.0
    g3 *= 1.0 / len(y)
    g2 = g3 @ w3
    g2 *= a2 > 0
    g1 = g2 @ w2
    g1 *= a1 > 0
    return float(loss), [(g1.T @ x, g1.sum(0)), (g2.T @ a1, g2.sum(0)), (g3.T @ a2, g3.sum(0))]
