"""The backprop explorer: train a small network on a 2-D dataset and write one interactive page.

The page steps through the forward pass of the trained network's loss op by op, then through the
backward pass in the engine's own order, showing each node's value, gradient and the local rule it
applies (an activation's derivative comes from the registry, a user's own included); a slider
scrubs through the recorded training: loss and accuracy, the decision boundary over the input
plane, each hidden unit's output over the plane, dead and saturated units, and the weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import functional as F
from ..data.datasets import xor
from ..data.planar import PLANAR_DATASETS
from ..optim import OPTIMIZERS, by_name
from ..tensor import Tensor
from ..viz.explorer import Explorer, Timeline, explore, record_values
from ..viz.tables import Table
from .common import seeded_mlp
from .protocol import About, SettingsBase, activation_knob, knob, seed_knob

DATA_CHOICES = ("xor", *PLANAR_DATASETS)
ABOUT = About(
    "explore",
    "The backprop explorer",
    "train a small net and write the interactive backprop explorer page",
    out_dir=False,
    report=({"out": "explore/explorer.html"},),
)
SHOWN_FRAMES = 6  # rows of the timeline table: evenly spaced recorded frames


@dataclass(frozen=True)
class Settings(SettingsBase):
    activation: str = activation_knob("tanh")
    data: str = knob("xor", "the dataset: the four XOR points or a generated 2-D one", choices=DATA_CHOICES)
    hidden: tuple[int, ...] = knob((4,), "units of each hidden layer (--hidden 4 4: two layers)", at_least=1)
    steps: int = knob(200, "full-batch training steps", quick=40, at_least=0)
    record_every: int = knob(10, "record a timeline frame every this many steps", at_least=1)
    lr: float = knob(0.05, "learning rate", above=0)
    optimizer: str = knob("adam", "optimizer", choices=tuple(OPTIMIZERS))
    points: int = knob(200, "points of a generated dataset", at_least=2)
    noise: float | None = knob(None, "noise of a generated dataset (default: the dataset's own)", at_least=0)
    grid: int = knob(40, "cells per side of the input-plane grid", at_least=2)
    seed: int = seed_knob()
    out: str = knob("explorer.html", "where to write the page", suffixes=(".html",), metavar="FILE")


@dataclass
class Result:
    settings: Settings
    timeline: Timeline
    explorer: Explorer


def dataset(settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """The training points (float32 (n, 2)) and 0/1 labels (float32 (n, 1)) the settings name."""
    if settings.data == "xor":
        return xor()
    options = {} if settings.noise is None else {"noise": settings.noise}
    return PLANAR_DATASETS[settings.data](settings.points, seed=settings.seed, **options)


def run(settings: Settings) -> Result:
    """Train MLP([2, *hidden, 1]) full batch with a logit and binary cross-entropy, recording a
    frame every `record_every` steps (and the last), then explore the trained network's loss."""
    s = settings
    inputs, targets = dataset(s)  # from its own generator, seeded by s.seed
    model = seeded_mlp(s.seed, [2, *s.hidden, 1], s.activation, bias_init=None)
    optimizer = by_name(s.optimizer, model.parameters(), lr=s.lr)
    timeline = Timeline(model, inputs, targets, grid_size=s.grid)
    x, y = Tensor(inputs), Tensor(targets)
    for step in range(s.steps + 1):
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        if step % s.record_every == 0 or step == s.steps:
            timeline.record(step, loss.item())
        if step < s.steps:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    # The input requires grad here only so the page shows it as a node (with dL/dx).
    with record_values():
        loss = F.binary_cross_entropy_with_logits(model(Tensor(inputs, requires_grad=True)), y)
    title = f"Backprop explorer: {s.data}, 2-{'-'.join(map(str, s.hidden))}-1 {s.activation} network"
    return Result(s, timeline, explore(loss, params=model, timeline=timeline, title=title))


def tables(result: Result) -> list[Table]:
    frames = result.timeline.frames
    shown = sorted(
        {round(index) for index in np.linspace(0, len(frames) - 1, min(SHOWN_FRAMES, len(frames)))}
    )
    rows = [
        [
            frames[index]["step"],
            frames[index]["loss"],
            frames[index]["accuracy"],
            sum(unit["dead"] for unit in frames[index]["units"]),
            sum(unit["saturated"] for unit in frames[index]["units"]),
        ]
        for index in shown
    ]
    s = result.settings
    return [
        Table(
            ["step", "loss", "accuracy", "dead units", "saturated units"],
            rows,
            f"{s.data}, {s.activation}, hidden {' '.join(map(str, s.hidden))}: "
            f"{len(frames)} recorded frames of {s.steps} steps",
            formats={1: ".4f", 2: ".2f"},
        )
    ]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    path = result.explorer.write(Path(folder) / result.settings.out)
    return {path: "the backprop explorer: open it in a browser"}


def notes(result: Result) -> list[str]:
    last = result.timeline.frames[-1]
    hidden = len(last["units"])
    return [
        f"after {last['step']} steps: loss {last['loss']:.4f}, accuracy {last['accuracy']:.2f}, "
        f"{sum(unit['dead'] for unit in last['units'])} of {hidden} hidden units dead"
    ]
