"""How many steps each activation needs to reach a target training accuracy, with the same net,
data order and optimizer.

Krizhevsky, Sutskever and Hinton (2012) report that a 4-layer convolutional net with ReLUs reached
25% training error on CIFAR-10 six times faster than the same net with tanh units (SGD with momentum
0.9). The reason: tanh and sigmoid saturate, so their derivative is small wherever |x| is large,
while ReLU's is exactly 1 on its active side. Here: an MLP (784-256-256-10 by default) on MNIST, SGD
with momentum 0.9 at lr 0.01 (the paper's optimizer, no adaptive step sizes that would mask the
difference), each activation with its matching init, the same seed, batches and budget; the
training accuracy is measured every `eval_every` steps on a fixed subset of the training images,
and the count is the first evaluation at or above the target. Whatever ratio comes out is printed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..data import DataLoader, TensorDataset
from ..nn import MLP
from ..rng import manual_seed
from ..tensor import Tensor
from ..viz.figures import save_figure
from .common import format_table, make_optimizer
from .mnist import load_split

COMPARED_ACTIVATIONS = ("relu", "tanh", "sigmoid")


@dataclass
class SpeedRun:
    """One activation's race to the target training accuracy."""

    activation: str
    target: float
    steps_to_target: int | None  # None: not reached within the budget
    steps_taken: int
    steps_per_epoch: int
    curve: list[tuple[int, float]]  # (step, accuracy on the fixed training subset) at each evaluation
    eval_samples: int  # size of that subset
    seconds: float

    @property
    def epochs_to_target(self) -> float | None:
        return None if self.steps_to_target is None else self.steps_to_target / self.steps_per_epoch

    @property
    def best_accuracy(self) -> float:
        return max(accuracy for _, accuracy in self.curve)


def race_to_target(activation: str, train: tuple[np.ndarray, np.ndarray], target: float = 0.95,
                   hidden: Sequence[int] = (256, 256), lr: float = 0.01, momentum: float = 0.9,
                   batch_size: int = 64, budget: int = 15000, eval_every: int = 50, eval_size: int = 2000,
                   seed: int = 0) -> SpeedRun:
    """Train MLP([784, *hidden, 10], activation) with SGD(lr, momentum) until the accuracy on the
    first `eval_size` training images, measured every `eval_every` steps, reaches `target`, or
    until `budget` steps."""
    train_x, train_y = train
    manual_seed(seed)
    model = MLP([train_x.shape[1], *hidden, 10], activation=activation)
    opt = make_optimizer("sgd", model.parameters(), lr=lr, momentum=momentum)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True, seed=seed)
    probe_x, probe_y = Tensor(train_x[:eval_size]), train_y[:eval_size]
    curve: list[tuple[int, float]] = []
    reached, step, start = None, 0, time.perf_counter()
    while reached is None and step < budget:
        for inputs, labels in loader:
            opt.zero_grad()
            F.cross_entropy(model(inputs), labels).backward()
            opt.step()
            step += 1
            if step % eval_every == 0 or step == budget:
                with no_grad():
                    accuracy = float((model(probe_x).data.argmax(axis=1) == probe_y).mean())
                curve.append((step, accuracy))
                if accuracy >= target:
                    reached = step
            if reached is not None or step == budget:
                break
    return SpeedRun(activation, target, reached, step, len(loader), curve, len(probe_y),
                    time.perf_counter() - start)


def run_speed(activations: Sequence[str] = COMPARED_ACTIVATIONS, dataset: str = "mnist", quick: bool = False,
              target: float = 0.95, hidden: Sequence[int] = (256, 256), lr: float = 0.01, momentum: float = 0.9,
              batch_size: int = 64, budget: int = 15000, eval_every: int = 50, eval_size: int = 2000,
              seed: int = 0, root: str | None = None) -> list[SpeedRun]:
    """race_to_target for each activation on the training set of `dataset` (the built-in MNIST
    subset when quick), from the same seed."""
    train, _ = load_split(dataset, quick, root)
    return [race_to_target(activation, train, target, hidden, lr, momentum, batch_size, budget, eval_every,
                           eval_size, seed) for activation in activations]


def step_ratio(run: SpeedRun, baseline: SpeedRun) -> tuple[float, str]:
    """(ratio, relation) of run's steps to baseline's: relation is "=" when both reached the target,
    ">" when only the baseline did (the ratio is then a lower bound, from the steps taken), "<"
    when only `run` did (an upper bound), "?" (ratio NaN) when neither did."""
    if run.steps_to_target is not None and baseline.steps_to_target is not None:
        return run.steps_to_target / baseline.steps_to_target, "="
    if baseline.steps_to_target is not None:
        return run.steps_taken / baseline.steps_to_target, ">"
    if run.steps_to_target is not None:
        return run.steps_to_target / baseline.steps_taken, "<"
    return float("nan"), "?"


def speed_table(runs: Sequence[SpeedRun], baseline: str = "relu", markdown: bool = False) -> str:
    """One row per activation: steps and epochs to the target, best accuracy seen, steps relative
    to `baseline`, and wall time."""
    reference = next(run for run in runs if run.activation == baseline)
    headers = ("activation", "steps to target", "epochs", f"steps / {baseline}'s", "best accuracy", "seconds")
    rows = []
    for run in runs:
        ratio, relation = step_ratio(run, reference)
        reached = run.steps_to_target is not None
        rows.append((run.activation, str(run.steps_to_target) if reached else f"> {run.steps_taken}",
                     f"{run.epochs_to_target:.2f}" if reached else f"> {run.steps_taken / run.steps_per_epoch:.2f}",
                     f"{ratio:.2f}" if relation == "=" else f"{relation} {ratio:.2f}", f"{run.best_accuracy:.4f}",
                     f"{run.seconds:.1f}"))
    return format_table(headers, rows, markdown=markdown)


def plot_speed(runs: Sequence[SpeedRun], path: str | Path) -> Any:
    """Accuracy on the fixed training subset against steps, one line per activation, target dashed."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4.0), layout="constrained")
    axes = figure.subplots()
    for run in runs:
        steps, accuracies = zip(*run.curve)
        axes.plot(steps, accuracies, label=run.activation)
    axes.axhline(runs[0].target, color="grey", linestyle="--", linewidth=1, label=f"target {runs[0].target:g}")
    axes.set_xlabel("step")
    axes.set_ylabel("training accuracy (fixed subset)")
    axes.set_title("steps to the target accuracy")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(figure, path)
    return figure
