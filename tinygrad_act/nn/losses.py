"""Loss modules: the F.* losses as layers that remember their `reduction` and weights, as in torch.nn."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .module import Module


class _Loss(Module):
    """A loss with `reduction` = "mean" (average over elements), "sum" or "none" (one loss per sample)."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)  # the one list of valid reductions, F's
        self.reduction = reduction

    def _register_weight(self, name: str, weight: Any) -> None:
        """Keep a weight as a buffer (in state_dict, converted by .double(), as PyTorch's)."""
        if weight is not None and not isinstance(weight, Tensor):
            array = np.asarray(weight)
            weight = Tensor(array, dtype=array.dtype if array.dtype.kind == "f" else None)
        self.register_buffer(name, weight)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """-log softmax(logits)[target] along dim 1 for integer class targets, with PyTorch's weight,
    ignore_index and label_smoothing, or for class-probability targets (F.cross_entropy)."""

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self._register_weight("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """-w_t input[target] along dim 1 for log-probabilities `input` (after log_softmax) and integer
    class targets, with PyTorch's weight and ignore_index (F.nll_loss)."""

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self._register_weight("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """(input - target)^2 per element."""

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """-w (t log p + (1 - t) log(1 - p)) for probabilities p, each log clamped at -100."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self._register_weight("weight", weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCE of sigmoid(x) computed from the logit x: finite for any x, with PyTorch's weight and
    pos_weight (one per class, weighing the positive term)."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self._register_weight("weight", weight)
        self._register_weight("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
