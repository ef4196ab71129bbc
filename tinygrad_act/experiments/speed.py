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

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..optim import by_name
from ..train import Step, evaluate, fit
from ..viz.experiment_plots import plot_speed
from ..viz.tables import Table
from .common import batches, mlp_name, seeded_mlp
from .protocol import About, DataSettings, Result, activations_knob, knob

COMPARED_ACTIVATIONS = ("relu", "tanh", "sigmoid")
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


def race_to_target(activation: str, train: tuple[np.ndarray, np.ndarray], settings: Settings) -> SpeedRun:
    """Train MLP([784, *hidden, 10], activation) with SGD(lr, momentum) until the accuracy on the
    first `eval_size` training images, measured every `eval_every` steps, reaches `target`, or
    until `budget` steps."""
    s, (train_x, train_y) = settings, train
    model = seeded_mlp(s.seed, [train_x.shape[1], *s.hidden, 10], activation)
    loader = batches(train, s.batch_size, s.seed)
    probe_labels = train_y[:s.eval_size]
    probe = [(train_x[:s.eval_size], probe_labels)]  # one batch: the fixed training subset
    curve: list[tuple[int, float]] = []

    def reached_target(step: Step) -> bool:
        if step.number % s.eval_every and step.number != s.budget:
            return False
        curve.append((step.number, evaluate(model, probe)[1]))
        return curve[-1][1] >= s.target

    history = fit(model, loader, by_name("sgd", model.parameters(), lr=s.lr, momentum=s.momentum),
                  epochs=None, progress=False, max_steps=s.budget, until=reached_target)
    steps = curve[-1][0]
    return SpeedRun(activation, s.target, steps if curve[-1][1] >= s.target else None, steps, len(loader), curve,
                    len(probe_labels), sum(history.seconds))


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


def ratio_text(ratio: float, relation: str, digits: int) -> str:
    """A step ratio as a table or a sentence shows it: "2.0", or "> 5.0" when it is a bound."""
    return f"{ratio:.{digits}f}" if relation == "=" else f"{relation} {ratio:.{digits}f}"


def run(settings: Settings) -> Result:
    """race_to_target for each activation on the training set, from the same seed."""
    train, _ = settings.load_data()
    return Result(settings, [race_to_target(activation, train, settings) for activation in settings.activations])


def tables(result: Result) -> list[Table]:
    """One row per activation: steps and epochs to the target, steps relative to the first
    activation's, best accuracy seen, and wall time."""
    s, baseline = result.settings, result.runs[0]
    rows = []
    for run in result.runs:
        reached = run.steps_to_target is not None
        rows.append([run.activation, str(run.steps_to_target) if reached else f"> {run.steps_taken}",
                     f"{run.epochs_to_target:.2f}" if reached else f"> {run.steps_taken / run.steps_per_epoch:.2f}",
                     ratio_text(*step_ratio(run, baseline), 2), run.best_accuracy, run.seconds])
    return [Table(["activation", "steps to target", "epochs", f"steps / {baseline.activation}'s", "best accuracy",
                   "seconds"], rows,
                  f"{s.dataset}: {mlp_name([784, *s.hidden, 10])}, SGD lr {s.lr} momentum {s.momentum}, batch {s.batch_size}; steps "
                  f"until the accuracy on {baseline.eval_samples} training images (checked every {s.eval_every} "
                  f"steps) reaches {s.target:g}, at most {s.budget}",
                  units=["", "steps", "epochs", "", "", "s"], formats={4: ".4f", 5: ".1f"})]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    s, path = result.settings, Path(folder) / "speed.png"
    plot_speed(result.runs, path, f"{s.dataset}: {mlp_name([784, *s.hidden, 10])}, SGD lr {s.lr:g} momentum {s.momentum:g}, batch "
                                  f"{s.batch_size}:\nsteps until {s.target:g} training accuracy")
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
        here = ratio_text(ratio, relation, 1) + "x"
        sentences.append(f"Krizhevsky et al. (2012) report that ReLU reached 25% training error on CIFAR-10 about "
                         f"6x faster than tanh (a 4-layer CNN); here, tanh/relu steps on {result.settings.dataset} "
                         f"with this MLP: {here}")
    return sentences
