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

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..data import DataLoader, TensorDataset
from ..nn import MLP
from ..rng import manual_seed
from ..tensor import Tensor
from ..viz.experiment_plots import plot_speed
from ..viz.tables import Table, render
from .common import make_optimizer
from .mnist import load_split
from .protocol import About, DataSettings, activations_knob, knob

COMPARED_ACTIVATIONS = ("relu", "tanh", "sigmoid")
__all__ = ["plot_speed"]  # the figure, drawn in viz
ABOUT = About("speed", "Training speed: steps to a target accuracy",
              "steps to reach a target training accuracy: relu against tanh and sigmoid")


@dataclass(frozen=True)
class Settings(DataSettings):
    activations: tuple[str, ...] = activations_knob(COMPARED_ACTIVATIONS, "activations to race (the first is the "
                                                                          "baseline of the ratios)")
    target: float = knob(0.95, "training accuracy to reach", above=0, at_most=1)
    hidden: tuple[int, ...] = knob((256, 256), "hidden sizes", at_least=1)
    lr: float = knob(0.01, "learning rate", above=0)
    momentum: float = knob(0.9, "SGD momentum", at_least=0)
    batch_size: int = knob(64, "images per step", at_least=1)
    budget: int = knob(15000, "most steps per activation", quick=500, at_least=1)
    eval_every: int = knob(50, "steps between accuracy checks", quick=10, at_least=1)
    eval_size: int = knob(2000, "training images the accuracy is measured on", at_least=1)


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


RELATIONS = {"=": "{:.1f}x", ">": "more than {:.1f}x", "<": "at most {:.1f}x", "?": "an unknown multiple of"}


def speed_data(runs: Sequence[SpeedRun], baseline: str = "relu", caption: str = "") -> Table:
    """One row per activation: steps and epochs to the target, steps relative to `baseline`, best
    accuracy seen, and wall time."""
    reference = next(run for run in runs if run.activation == baseline)
    rows = []
    for run in runs:
        ratio, relation = step_ratio(run, reference)
        reached = run.steps_to_target is not None
        rows.append([run.activation, str(run.steps_to_target) if reached else f"> {run.steps_taken}",
                     f"{run.epochs_to_target:.2f}" if reached else f"> {run.steps_taken / run.steps_per_epoch:.2f}",
                     f"{ratio:.2f}" if relation == "=" else f"{relation} {ratio:.2f}", run.best_accuracy, run.seconds])
    return Table(["activation", "steps to target", "epochs", f"steps / {baseline}'s", "best accuracy", "seconds"],
                 rows, caption, units=["", "steps", "epochs", "", "", "s"], formats={4: ".4f", 5: ".1f"})


def speed_table(runs: Sequence[SpeedRun], baseline: str = "relu", markdown: bool = False) -> str:
    return render(speed_data(runs, baseline), markdown)


@dataclass
class Result:
    settings: Settings
    runs: list[SpeedRun]


def run(settings: Settings) -> Result:
    s = settings
    return Result(s, run_speed(s.activations, s.dataset, s.subset, s.target, s.hidden, s.lr, s.momentum,
                               s.batch_size, s.budget, s.eval_every, s.eval_size, s.seed, s.root))


def tables(result: Result) -> list[Table]:
    s, baseline = result.settings, result.runs[0]
    sizes = "-".join(str(size) for size in [784, *s.hidden, 10])
    return [speed_data(result.runs, baseline.activation,
                       f"{s.dataset}: {sizes} MLP, SGD lr {s.lr} momentum {s.momentum}, batch {s.batch_size}; steps "
                       f"until the accuracy on {baseline.eval_samples} training images (checked every {s.eval_every} "
                       f"steps) reaches {s.target:g}, at most {s.budget}")]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    path = Path(folder) / "speed.png"
    plot_speed(result.runs, path)
    return {path: "accuracy on the fixed training subset against steps"}


def notes(result: Result) -> list[str]:
    baseline, by_name = result.runs[0], {run.activation: run for run in result.runs}
    sentences = []
    for run in result.runs[1:]:
        ratio, relation = step_ratio(run, baseline)
        sentences.append(f"{run.activation} needs {RELATIONS[relation].format(ratio)} the steps of "
                         f"{baseline.activation}")
    if {"relu", "tanh"} <= set(by_name):
        ratio, relation = step_ratio(by_name["tanh"], by_name["relu"])
        here = f"{ratio:.1f}x" if relation == "=" else f"{relation} {ratio:.1f}x"
        sentences.append(f"Krizhevsky et al. (2012) report that ReLU reached 25% training error on CIFAR-10 about "
                         f"6x faster than tanh (a 4-layer CNN); here, tanh/relu steps on {result.settings.dataset} "
                         f"with this MLP: {here}")
    return sentences
