"""Fused kernels, where one node instead of several pays: linear layers, and the per-element losses
(softmax cross-entropy, NLL, BCE, squared error) with the one mean node every loss's reduction uses."""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import Function, Gradients
from .numerics import log_softmax
from .ops import spread


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
        if x.dtype.kind != "f" and weight.dtype.kind == "f":
            raise RuntimeError(
                f"Linear: input of dtype {x.dtype} cannot be multiplied by a weight of dtype {weight.dtype}; "
                "convert the input with .float() (or .to(weight.dtype))"
            )
        out = x @ weight.T
        if bias is not None:
            out += bias
        self.x, self.weight = x, weight
        return out

    def backward(self, grad_output: np.ndarray) -> Gradients:
        needs = self.needs_input_grad
        needs_x, needs_weight, needs_bias = needs[0], needs[1], len(needs) == 3 and needs[2]
        x = self.x
        if grad_output.ndim != 2:  # a batch of sequences (N, L, features): the rows of every sample
            grad_2d, x = grad_output.reshape(-1, grad_output.shape[-1]), x.reshape(-1, x.shape[-1])
        else:
            grad_2d = grad_output
        return (
            grad_output @ self.weight if needs_x else None,
            _weight_gradient(grad_2d, x, self.weight) if needs_weight else None,
            np.add.reduce(grad_2d, axis=0) if needs_bias else None,
        )


def _weight_gradient(grad_2d: np.ndarray, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """dW = g^T x, in the memory layout of W: for a column-major W (nn.Linear's) computed as
    dW^T = x^T g straight into a column-major array, so the optimizer's update reads both in
    the same order."""
    if weight.flags.c_contiguous or not weight.flags.f_contiguous:
        return grad_2d.T @ x
    grad_weight = np.empty(weight.shape, np.result_type(grad_2d, x), order="F")
    np.matmul(x.T, grad_2d, out=grad_weight.T)
    return grad_weight


def _classes_last(array: np.ndarray, class_dim: int) -> np.ndarray:
    """`array` with its class dim moved last, C-contiguous, so that a (samples, classes) reshape is a
    view; (N, C) is returned as it is (np.moveaxis costs microseconds, on the MNIST hot path)."""
    if class_dim in (-1, array.ndim - 1):
        return array
    return np.ascontiguousarray(np.moveaxis(array, class_dim, -1))


def _classes_back(array: np.ndarray, class_dim: int) -> np.ndarray:
    """The inverse of _classes_last: the last dim moved back to class_dim."""
    return array if class_dim in (-1, array.ndim - 1) else np.moveaxis(array, -1, class_dim)


class PickedTargets:
    """The class index of each sample of a flattened batch, with what PyTorch's class-index losses
    need from it: the index to read (0 for an ignored target), its position in the flattened
    (samples, classes) array (`position`: one 1-d take or put instead of a 2-d fancy index, 3-4x
    cheaper on a batch), each sample's weight w[target] (0 where ignored; None when every sample
    counts 1) and the mean's denominator, the sum of the weights of the samples that count (0 when
    none do: the mean is then nan, as 0/0 in PyTorch). An ignore_index of None says that no target
    is ignored."""

    def __init__(self, target: np.ndarray, classes: int, weight: np.ndarray | None, ignore_index: int | None,
                 dtype: np.dtype) -> None:
        flat = target.reshape(-1)
        ignored = None if ignore_index is None else flat == ignore_index
        self.shape = target.shape
        self.kept = None if ignored is None or not ignored.any() else (~ignored).astype(dtype)
        self.index = flat if self.kept is None else np.where(ignored, 0, flat)
        self.position = np.arange(0, flat.size * classes, classes) + self.index
        sample_weight = None if weight is None else weight[self.index].astype(dtype, copy=False)
        if self.kept is not None:
            sample_weight = self.kept if sample_weight is None else sample_weight * self.kept
        self.sample_weight = sample_weight
        self.denominator = float(flat.size if sample_weight is None else sample_weight.sum())


class CrossEntropy(Function):
    """-log softmax(logits)[target] per sample, over the class dim, with PyTorch's weight,
    ignore_index and label_smoothing; the reduction is applied after (functional's one step).

    With p = softmax(z), per sample i of target t, class weights w (ones when not given), W = sum w,
    and smoothing e over C classes, the loss is (1 - e) w_t (-log p_t) + (e / C) sum_c w_c (-log p_c)
    and its gradient g_i ((1 - e) w_t (p - onehot(t)) + (e / C) (W p - w)); an ignored sample has loss
    and gradient 0. The fused form never takes log(0) and never builds the one-hot matrix.
    """

    def forward(self, logits: np.ndarray, picked: PickedTargets, weight: np.ndarray | None = None,
                label_smoothing: float = 0.0, class_dim: int = -1) -> np.ndarray:
        log_probabilities = log_softmax(_classes_last(logits, class_dim), -1)
        flat = log_probabilities.reshape(-1, log_probabilities.shape[-1])
        losses = -flat.take(picked.position)
        if picked.sample_weight is not None:
            losses *= picked.sample_weight
        if label_smoothing:
            losses = (1.0 - label_smoothing) * losses + self._smoothing_losses(flat, weight, picked, label_smoothing)
        self.log_probabilities, self.picked, self.weight = log_probabilities, picked, weight
        self.label_smoothing, self.class_dim = label_smoothing, class_dim
        return losses.reshape(picked.shape)

    @staticmethod
    def _smoothing_losses(flat: np.ndarray, weight: np.ndarray | None, picked: PickedTargets,
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
            flat.put(picked.position, flat.take(picked.position) - 1.0)
        else:
            self._weighted_gradient(flat, picked, smoothing)
        flat *= grad_output.reshape(-1, 1)
        return _classes_back(grad, self.class_dim), None

    def _weighted_gradient(self, probabilities: np.ndarray, picked: PickedTargets, smoothing: float) -> None:
        """(1 - e) w_t (p - onehot(t)) + (e / C) (W p - w) per sample, in place of p."""
        samples, classes = probabilities.shape
        dtype = probabilities.dtype
        target_weight = np.ones(samples, dtype) if picked.sample_weight is None else picked.sample_weight
        kept = np.ones(samples, dtype) if picked.kept is None else picked.kept
        weight = np.ones(classes, dtype) if self.weight is None else self.weight
        share = (smoothing / classes) * kept
        probabilities *= ((1.0 - smoothing) * target_weight + share * weight.sum())[:, None]
        position = picked.position
        probabilities.put(position, probabilities.take(position) - (1.0 - smoothing) * target_weight)
        if smoothing:
            probabilities -= share[:, None] * weight


class NegativeLogLikelihood(Function):
    """-w_t input[target] per sample, over the class dim, for log-probabilities `input`: PyTorch's
    nll_loss with weight and ignore_index, before the reduction. d/dinput is -w_t g_i at the target
    of each sample and 0 elsewhere."""

    def forward(self, log_probabilities: np.ndarray, picked: PickedTargets, class_dim: int = -1) -> np.ndarray:
        classes_last = _classes_last(log_probabilities, class_dim)
        flat = classes_last.reshape(-1, classes_last.shape[-1])
        losses = -flat.take(picked.position)
        if picked.sample_weight is not None:
            losses = losses * picked.sample_weight
        self.picked, self.classes_last_shape, self.class_dim = picked, classes_last.shape, class_dim
        return losses.reshape(picked.shape)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        picked = self.picked
        grad = np.zeros(self.classes_last_shape, dtype=grad_output.dtype)
        flat = grad.reshape(-1, grad.shape[-1])
        share = -grad_output.reshape(-1)
        if picked.sample_weight is not None:
            share = share * picked.sample_weight
        flat.put(picked.position, share)
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


class SquaredError(Function):
    """(input - target)^2 per element; d/dinput = 2 (input - target) g, and the negative for the target."""

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:  # noqa: A002
        difference = input - target
        self.difference = difference
        return difference * difference

    def backward(self, grad_output: np.ndarray) -> Gradients:
        grad = self.difference * (2.0 * grad_output)
        return grad, (-grad if self.needs_input_grad[1] else None)


class LossMean(Function):
    """sum(losses) / denominator: the mean of every loss's reduction="mean", with the element count
    as denominator, or the sum of the counted samples' class weights (PyTorch's weighted mean).
    A denominator of 0 (an empty batch, or every target ignored) gives nan, as 0/0 does in PyTorch,
    and zero gradients; d/dlosses = g / denominator for each element."""

    name = "mean"  # as graphs show it: the loss's reduction step

    def forward(self, losses: np.ndarray, denominator: float) -> np.ndarray:
        self.losses_shape, self.denominator = losses.shape, denominator
        return np.asarray(np.add.reduce(losses, axis=None) / denominator if denominator else np.nan,
                          dtype=losses.dtype)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return spread(self.share(grad_output), self.losses_shape, None, False)

    def share(self, grad_output: np.ndarray) -> np.ndarray:
        """d/dloss_i, the same for every element, as a 0-d array."""
        return np.asarray(grad_output / self.denominator if self.denominator else np.zeros_like(grad_output))


class MeanOf(LossMean):
    """A per-element loss kernel and LossMean as one node (a loss's commonest reduction, on every
    training step, so one node instead of two): the mean rule is LossMean's, and d/dinputs is the
    kernel's backward of LossMean's gradient, given as the one 0-d share that every kernel's rule
    broadcasts. Graphs show it under the kernel's name."""

    __slots__ = ("kernel_name",)  # kept after backward, so a drawn graph still names the loss

    def forward(self, *inputs: Any, kernel: type[Function], denominator: float | None = None,
                **params: Any) -> np.ndarray:
        self.kernel = kernel()
        self.kernel_name = kernel.__name__.lower()  # Function.name, without a property call per step
        losses = self.kernel.forward(*inputs, **params)
        return super().forward(losses, losses.size if denominator is None else denominator)

    def backward(self, grad_output: np.ndarray) -> Gradients:
        self.kernel.parents = self.parents  # so the kernel knows which inputs need a gradient
        return self.kernel.backward(self.share(grad_output))

    @property
    def name(self) -> str:
        return self.kernel_name
