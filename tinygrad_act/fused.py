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


def _classes_last(array: np.ndarray, class_dim: int) -> np.ndarray:
    """`array` with its class dim moved last, C-contiguous, so that a (samples, classes) reshape is a
    view; (N, C) is returned as it is (np.moveaxis costs microseconds, on the MNIST hot path)."""
    if class_dim in (-1, array.ndim - 1):
        return array
    return np.ascontiguousarray(np.moveaxis(array, class_dim, -1))


def _classes_back(array: np.ndarray, class_dim: int) -> np.ndarray:
    """The inverse of _classes_last: the last dim moved back to class_dim."""
    return array if class_dim in (-1, array.ndim - 1) else np.moveaxis(array, -1, class_dim)


def _log_softmax_last(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last dim, shifted by the max (finite for any finite logits)."""
    shifted = shift_by_max(logits, -1)
    with np.errstate(divide="ignore"):  # an empty batch sums to nothing; its log is never used
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class _PickedTargets:
    """The class index of each sample of a flattened batch, with what PyTorch's class-index losses
    need from it: the index to read (0 for an ignored target), each sample's weight w[target]
    (0 where ignored; None when every sample counts 1) and the mean's denominator, the sum of the
    weights of the samples that count (0 when none do: the mean is then nan, as 0/0 in PyTorch)."""

    def __init__(self, target: np.ndarray, weight: np.ndarray | None, ignore_index: int, dtype: np.dtype) -> None:
        flat = target.reshape(-1)
        ignored = flat == ignore_index
        self.rows = np.arange(flat.size)
        self.kept = None if not ignored.any() else (~ignored).astype(dtype)
        self.index = flat if self.kept is None else np.where(ignored, 0, flat)
        sample_weight = None if weight is None else weight[self.index].astype(dtype, copy=False)
        if self.kept is not None:
            sample_weight = self.kept if sample_weight is None else sample_weight * self.kept
        self.sample_weight = sample_weight
        self.denominator = float(flat.size if sample_weight is None else sample_weight.sum())

    def reduce(self, losses: np.ndarray, reduction: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
        """Per-sample losses (already weighted) summed, averaged over the weights, or reshaped."""
        if reduction == "none":
            return losses.reshape(shape)
        total = losses.sum()
        if reduction == "sum":
            return np.asarray(total, dtype=dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # no sample counts: nan, as in PyTorch
            return np.asarray(total / self.denominator, dtype=dtype)

    def scale(self, grad_output: np.ndarray, reduction: str) -> np.ndarray:
        """Each flattened sample's share of grad_output: g_i, g, or g / the mean's denominator (0
        when no sample counts, as PyTorch gives zero gradients to an all-ignored batch)."""
        if reduction == "none":
            return grad_output.reshape(-1, 1)
        if reduction == "mean":
            return grad_output / self.denominator if self.denominator else np.zeros_like(grad_output)
        return grad_output


class CrossEntropy(Function):
    """-log softmax(logits)[target] per sample, over the class dim, with PyTorch's weight,
    ignore_index and label_smoothing, summed, averaged or per sample.

    With p = softmax(z), per sample i of target t, class weights w (ones when not given), W = sum w,
    and smoothing e over C classes, the loss is (1 - e) w_t (-log p_t) + (e / C) sum_c w_c (-log p_c)
    and its gradient (1 - e) w_t (p - onehot(t)) + (e / C) (W p - w); an ignored sample has loss
    and gradient 0, and the mean divides by the sum of w_t over the samples that count. The fused
    form never takes log(0) and never builds the one-hot matrix.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0,
                class_dim: int = -1) -> np.ndarray:
        log_probabilities = _log_softmax_last(_classes_last(logits, class_dim))
        flat = log_probabilities.reshape(-1, log_probabilities.shape[-1])
        picked = _PickedTargets(target, weight, ignore_index, logits.dtype)
        losses = -flat[picked.rows, picked.index]
        if picked.sample_weight is not None:
            losses *= picked.sample_weight
        if label_smoothing:
            losses = (1.0 - label_smoothing) * losses + self._smoothing_losses(flat, weight, picked, label_smoothing)
        self.log_probabilities, self.picked, self.weight = log_probabilities, picked, weight
        self.reduction, self.label_smoothing, self.class_dim = reduction, label_smoothing, class_dim
        return picked.reduce(losses, reduction, target.shape, logits.dtype)

    @staticmethod
    def _smoothing_losses(flat: np.ndarray, weight: np.ndarray | None, picked: _PickedTargets,
                          label_smoothing: float) -> np.ndarray:
        """(e / C) sum_c w_c (-log p_c) per sample, 0 for an ignored one."""
        weighted = flat if weight is None else flat * weight
        smooth = weighted.sum(axis=-1) * (-label_smoothing / flat.shape[-1])
        return smooth if picked.kept is None else smooth * picked.kept

    def backward(self, grad_output: np.ndarray) -> Gradients:
        grad = np.exp(self.log_probabilities)
        flat = grad.reshape(-1, grad.shape[-1])
        picked, smoothing = self.picked, self.label_smoothing
        if picked.sample_weight is None and not smoothing:  # the common case: p - onehot
            flat[picked.rows, picked.index] -= 1.0
        else:
            self._weighted_gradient(flat, picked, smoothing)
        flat *= picked.scale(grad_output, self.reduction)
        return _classes_back(grad, self.class_dim), None

    def _weighted_gradient(self, probabilities: np.ndarray, picked: _PickedTargets, smoothing: float) -> None:
        """(1 - e) w_t (p - onehot(t)) + (e / C) (W p - w) per sample, in place of p."""
        samples, classes = probabilities.shape
        dtype = probabilities.dtype
        target_weight = np.ones(samples, dtype) if picked.sample_weight is None else picked.sample_weight
        kept = np.ones(samples, dtype) if picked.kept is None else picked.kept
        weight = np.ones(classes, dtype) if self.weight is None else self.weight
        share = (smoothing / classes) * kept
        probabilities *= ((1.0 - smoothing) * target_weight + share * weight.sum())[:, None]
        probabilities[picked.rows, picked.index] -= (1.0 - smoothing) * target_weight
        if smoothing:
            probabilities -= share[:, None] * weight


class NegativeLogLikelihood(Function):
    """-w_t input[target] per sample, over the class dim, for log-probabilities `input`: PyTorch's
    nll_loss with weight and ignore_index; the mean divides by the sum of w_t over the samples
    that count. d/dinput is -w_t g at the target of each sample and 0 elsewhere."""

    def forward(self, log_probabilities: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None,
                ignore_index: int = -100, reduction: str = "mean", class_dim: int = -1) -> np.ndarray:
        classes_last = _classes_last(log_probabilities, class_dim)
        flat = classes_last.reshape(-1, classes_last.shape[-1])
        picked = _PickedTargets(target, weight, ignore_index, log_probabilities.dtype)
        losses = -flat[picked.rows, picked.index]
        if picked.sample_weight is not None:
            losses = losses * picked.sample_weight
        self.picked, self.classes_last_shape = picked, classes_last.shape
        self.reduction, self.class_dim = reduction, class_dim
        return picked.reduce(losses, reduction, target.shape, log_probabilities.dtype)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        picked = self.picked
        grad = np.zeros(self.classes_last_shape, dtype=grad_output.dtype)
        flat = grad.reshape(-1, grad.shape[-1])
        share = -picked.scale(grad_output, self.reduction).reshape(-1)
        if picked.sample_weight is not None:
            share = share * picked.sample_weight
        flat[picked.rows, picked.index] = share
        return _classes_back(grad, self.class_dim), None


_BCE_EPSILON = float(np.float32(1e-12))  # PyTorch's floor of p (1 - p): 1e-12 as a float32 constant


class BinaryCrossEntropy(Function):
    """-(t log p + (1 - t) log(1 - p)) per element, each log clamped at -100 (PyTorch's rule, so
    p = 0 or 1 gives a loss of 100, not inf); d/dp = (p - t) / max(p (1 - p), 1e-12) and
    d/dt = log(1 - p) - log(p), whose logs PyTorch does not clamp (+-inf at p = 0 or 1)."""

    def forward(self, probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(probabilities), -100.0)
            log_not_p = np.maximum(np.log1p(-probabilities), -100.0)
        self.probabilities, self.target = probabilities, target
        return -(target * log_p + (1.0 - target) * log_not_p)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        p = self.probabilities
        grad_input = grad_output * (p - self.target) / np.maximum(p * (1.0 - p), _BCE_EPSILON)
        grad_target = grad_output * (np.log1p(-p) - np.log(p)) if self.needs_input_grad[1] else None
        return grad_input, grad_target


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
