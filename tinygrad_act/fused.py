"""Fused kernels, where one node instead of several pays: linear layers and softmax cross-entropy."""

from __future__ import annotations

import numpy as np

from .activations import shift_by_max
from .autograd import Function, Gradients


class Linear(Function):
    """y = x W^T + b for W of shape (out, in); dx = g W, dW = g^T x, db = sum of g over the batch.

    One node instead of three (matmul, transpose, add) and the bias added in place into the fresh
    product: the same work as hand-written numpy.
    """

    def forward(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        if x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"input has {x.shape[-1]} features (shape {x.shape}) but the weight expects "
                f"{weight.shape[1]} (weight shape {weight.shape})"
            )
        out = x @ weight.T
        if bias is not None:
            out += bias
        self.x, self.weight = x, weight
        return out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs_x, needs_weight, needs_bias = (self.needs_input_grad + (False,))[:3]
        x = self.x
        grad_2d = grad_output.reshape(-1, grad_output.shape[-1])
        return (
            grad_output @ self.weight if needs_x else None,
            grad_2d.T @ x.reshape(-1, x.shape[-1]) if needs_weight else None,
            grad_2d.sum(axis=0) if needs_bias else None,
        )


class CrossEntropy(Function):
    """Mean (or sum, or per-sample) of -log softmax(logits)[target], over the last dim.

    d/dlogits = (softmax(logits) - onehot(target)) * g / N for the mean: the fused form never
    takes log(0) and never builds the one-hot matrix.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        shifted = shift_by_max(logits, -1)
        log_normaliser = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        log_probabilities = shifted - log_normaliser
        rows = np.arange(target.size)
        picked = log_probabilities.reshape(-1, logits.shape[-1])[rows, target.reshape(-1)]
        losses = -picked.reshape(target.shape)
        self.log_probabilities, self.target, self.reduction = log_probabilities, target, reduction
        if reduction == "mean":
            return np.asarray(losses.mean() if losses.size else np.nan, dtype=logits.dtype)
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=logits.dtype)
        return losses

    def backward(self, grad_output: np.ndarray) -> Gradients:
        grad = np.exp(self.log_probabilities)
        classes = grad.shape[-1]
        flat = grad.reshape(-1, classes)
        flat[np.arange(flat.shape[0]), self.target.reshape(-1)] -= 1.0
        if self.reduction == "none":
            return grad * grad_output[..., None], None
        if self.reduction == "mean":
            return grad * (grad_output / max(1, self.target.size)), None
        return grad * grad_output, None


class BinaryCrossEntropy(Function):
    """-(t log p + (1 - t) log(1 - p)) per element, each log clamped at -100 (PyTorch's rule, so
    p = 0 or 1 gives a loss of 100, not inf); d/dp = (p - t) / max(p (1 - p), 1e-12)."""

    def forward(self, probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(probabilities), -100.0)
            log_not_p = np.maximum(np.log1p(-probabilities), -100.0)
        self.probabilities, self.target = probabilities, target
        return -(target * log_p + (1.0 - target) * log_not_p)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        p = self.probabilities
        return grad_output * (p - self.target) / np.maximum(p * (1.0 - p), 1e-12), None


class MeanSquaredError(Function):
    """(input - target)^2 averaged ("mean"), summed ("sum") or per element ("none");
    d/dinput = 2 (input - target) g / N for the mean, and the negative of that for the target."""

    def forward(self, input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:  # noqa: A002
        difference = input - target
        squared = difference * difference
        self.difference, self.reduction = difference, reduction
        if reduction == "none":
            return squared
        total = squared.sum()
        if reduction == "sum":
            return np.asarray(total)
        return np.asarray(total / squared.size if squared.size else np.nan, dtype=squared.dtype)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        scale = 2.0 * grad_output
        if self.reduction == "mean":
            scale = scale / self.difference.size
        grad = self.difference * scale
        return grad, (-grad if self.needs_input_grad[1] else None)
