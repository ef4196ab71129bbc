"""XOR: the smallest problem that needs a non-linearity.

No straight line separates {(0,1), (1,0)} from {(0,0), (1,1)}, so a network of linear layers (or
identity activations, which collapse into one linear map) cannot reach more than 3/4 accuracy; a step
activation has derivative 0, so its hidden weights never receive a gradient and never move.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..data.datasets import xor
from ..optim import OPTIMIZERS, by_name
from ..tensor import Tensor
from ..train import fit
from ..viz.tables import Table
from .common import seeded_mlp
from .protocol import About, Result, SettingsBase, activation_knob, activations_knob, knob

COMPARED_ACTIVATIONS = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu")
ABOUT = About("xor", "XOR: why a non-linearity is needed", "learn XOR with one hidden layer; --compare activations",
              out_dir=False, report=({"compare": True},))
FOOTNOTES = {"identity": "identity: a stack of linear maps is linear, so at most 3 of the 4 points can be right.",
             "step": "step: its derivative is 0, so the hidden weights never move."}


@dataclass(frozen=True)
class Settings(SettingsBase):
    activation: str = activation_knob("tanh")
    hidden: int = knob(4, "hidden units", at_least=1)
    steps: int = knob(1000, "full-batch training steps", quick=300, at_least=0)
    lr: float = knob(0.05, "learning rate", above=0)
    optimizer: str = knob("adam", "optimizer", choices=tuple(OPTIMIZERS))
    seed: int = knob(0, "seed (--compare: the first of --seeds consecutive seeds)")
    compare: bool = knob(False, "train every activation of --activations over --seeds and print success rates")
    activations: tuple[str, ...] = activations_knob(COMPARED_ACTIVATIONS, "activations for --compare")
    seeds: int = knob(10, "seeds per activation for --compare", quick=3, at_least=1)


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


def train_xor(settings: Settings, activation: str, seed: int) -> XorRun:
    """Train MLP([2, hidden, 1], activation) on XOR, full batch, with binary cross-entropy on the
    output logit, and report predictions and how far the hidden weights moved."""
    model = seeded_mlp(seed, [2, settings.hidden, 1], activation, bias_init=None)
    first_weights = model[0].weight.data.copy()
    opt = by_name(settings.optimizer, model.parameters(), lr=settings.lr)
    x, y = (Tensor(array) for array in xor())
    fit(model, itertools.repeat((x, y), settings.steps), opt, F.binary_cross_entropy_with_logits, progress=False)
    with no_grad():
        logits = model(x)
        final_loss = F.binary_cross_entropy_with_logits(logits, y).item()
        probabilities = logits.sigmoid().data.reshape(-1)
    change = float(np.linalg.norm(model[0].weight.data - first_weights))
    return XorRun(activation, seed, probabilities, final_loss, change)


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


def run(settings: Settings) -> Result:
    """One network (`activation`, `seed`); with `compare`, one per activation of `activations` and
    each of `seeds` consecutive seeds from `seed`."""
    s = settings
    activations, seeds = (s.activations, s.seeds) if s.compare else ((s.activation,), 1)
    return Result(s, [ComparisonRow(name, [train_xor(s, name, seed) for seed in range(s.seed, s.seed + seeds)])
                      for name in activations])


def tables(result: Result) -> list[Table]:
    """With --compare, one row per activation: seeds solved, mean and best accuracy, whether the
    hidden weights moved; else the four inputs with target, predicted probability and class."""
    s = result.settings
    if s.compare:
        return [Table(["activation", "solved", "mean accuracy", "best accuracy", "hidden weights moved"],
                      [[row.activation, f"{sum(run.solved for run in row.runs)}/{len(row.runs)}", row.mean_accuracy,
                        row.max_accuracy, "no (gradient is 0)" if row.max_hidden_weight_change == 0.0
                        else f"yes ({row.max_hidden_weight_change:.3g})"] for row in result.runs],
                      f"XOR with a 2-{s.hidden}-1 network, {s.steps} steps of {s.optimizer} (lr {s.lr}), {s.seeds} "
                      f"seeds per activation ({s.seed}..{s.seed + s.seeds - 1})", formats={2: ".2f", 3: ".2f"})]
    inputs, target = xor()
    rows = [[int(a), int(b), int(t), float(p), int(p > 0.5), "ok" if (p > 0.5) == (t > 0.5) else "WRONG"]
            for (a, b), t, p in zip(inputs, target.reshape(-1), result.runs[0].runs[0].probabilities)]
    return [Table(["x1", "x2", "target", "p(1)", "predicted", ""], rows,
                  f"XOR, 2-{s.hidden}-1 network with {s.activation}, {s.steps} steps of {s.optimizer}",
                  formats={3: ".3f"})]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    return {}


def notes(result: Result) -> list[str]:
    if result.settings.compare:
        return [FOOTNOTES[row.activation] for row in result.runs if row.activation in FOOTNOTES]
    single = result.runs[0].runs[0]
    return [f"loss {single.loss:.4f}, accuracy {single.accuracy:.2f}, "
            f"hidden weights moved by {single.hidden_weight_change:.4g}"]
