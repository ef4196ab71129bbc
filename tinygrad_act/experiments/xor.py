"""XOR: the smallest problem that needs a non-linearity.

No straight line separates {(0,1), (1,0)} from {(0,0), (1,1)}, so a network of linear layers (or
identity activations, which collapse into one linear map) cannot reach more than 3/4 accuracy; a step
activation has derivative 0, so its hidden weights never receive a gradient and never move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..data.datasets import xor
from ..nn import MLP
from ..rng import manual_seed
from ..tensor import Tensor
from .common import format_table, make_optimizer

COMPARED_ACTIVATIONS = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu")


@dataclass
class XorRun:
    """One trained 2-H-1 network: its predictions on the four points and what moved."""

    activation: str
    seed: int
    probabilities: np.ndarray  # sigmoid of the output for each of the four inputs
    loss: float
    hidden_weight_change: float  # L2 norm of (first-layer weights after - before)

    @property
    def accuracy(self) -> float:
        _, target = xor()
        return float(((self.probabilities > 0.5) == (target.reshape(-1) > 0.5)).mean())

    @property
    def solved(self) -> bool:
        return self.accuracy == 1.0


def train_xor(activation: str = "tanh", hidden: int = 4, steps: int = 1000, lr: float = 0.05,
              optimizer: str = "adam", seed: int = 0) -> XorRun:
    """Train MLP([2, hidden, 1], activation) on XOR, full batch, with binary cross-entropy on the
    output logit, and report predictions and how far the hidden weights moved."""
    manual_seed(seed)
    inputs, target = xor()
    model = MLP([2, hidden, 1], activation=activation, bias_init=None)
    first_weights = model[0].weight.data.copy()
    opt = make_optimizer(optimizer, model.parameters(), lr=lr)
    x, y = Tensor(inputs), Tensor(target)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        opt.step()
    with no_grad():
        logits = model(x)
        final_loss = F.binary_cross_entropy_with_logits(logits, y).item()
        probabilities = logits.sigmoid().data.reshape(-1)
    change = float(np.linalg.norm(model[0].weight.data - first_weights))
    return XorRun(activation, seed, probabilities, final_loss, change)


def truth_table(run: XorRun) -> str:
    """The four inputs with target, predicted probability and predicted class."""
    inputs, target = xor()
    rows = [(int(a), int(b), int(t), f"{p:.3f}", int(p > 0.5), "ok" if (p > 0.5) == (t > 0.5) else "WRONG")
            for (a, b), t, p in zip(inputs, target.reshape(-1), run.probabilities)]
    return format_table(("x1", "x2", "target", "p(1)", "predicted", ""), rows)


@dataclass
class ComparisonRow:
    activation: str
    runs: list[XorRun]

    @property
    def success_rate(self) -> float:
        return float(np.mean([run.solved for run in self.runs]))

    @property
    def mean_accuracy(self) -> float:
        return float(np.mean([run.accuracy for run in self.runs]))

    @property
    def max_accuracy(self) -> float:
        return float(np.max([run.accuracy for run in self.runs]))

    @property
    def max_hidden_weight_change(self) -> float:
        return float(np.max([run.hidden_weight_change for run in self.runs]))


def compare(activations: Sequence[str] = COMPARED_ACTIVATIONS, seeds: Sequence[int] = range(10),
            **train_options) -> list[ComparisonRow]:
    """Train one network per activation and seed; returns a row of runs per activation."""
    return [ComparisonRow(name, [train_xor(name, seed=seed, **train_options) for seed in seeds])
            for name in activations]


def comparison_table(rows: Sequence[ComparisonRow], markdown: bool = False) -> str:
    headers = ("activation", "solved", "mean accuracy", "best accuracy", "hidden weights moved")
    body = [(row.activation, f"{sum(run.solved for run in row.runs)}/{len(row.runs)}",
             f"{row.mean_accuracy:.2f}", f"{row.max_accuracy:.2f}",
             "no (gradient is 0)" if row.max_hidden_weight_change == 0.0 else f"yes ({row.max_hidden_weight_change:.3g})")
            for row in rows]
    return format_table(headers, body, markdown=markdown)
