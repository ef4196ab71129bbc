"""Dying ReLU: training conditions that kill ReLU units, and the fixes, tracked layer by layer.

A ReLU unit is dead when its input is negative for every sample: its output is 0, its derivative
is 0, so the weights feeding it get no gradient and it never comes back. Two ways to get there:
- a too-large learning rate: one big update pushes a unit's bias (or weights) far negative;
  with Adam every parameter moves by about lr per step whatever its gradient, so lr 0.03 is plenty;
- biases initialised to a negative constant: units start off for most inputs, and when a whole
  layer is off for every input the network is constant and nothing upstream can learn.
The fixes: activations whose derivative is never 0 (leaky_relu, elu, selu: a unit can always
recover), a small positive bias init, a smaller learning rate. The dead fraction of each layer is
measured by diagnostics.DeadUnits (f'(x) = 0 for every sample) on a fixed batch of training
images, at initialisation and after every epoch. Dead on that batch is not dead on every training
image: a unit off for all of the batch may still fire for a few other images, get a gradient from
them and come back (on full MNIST, the negative-bias ReLU net goes from about half its units dead
at init to about a quarter; on the 1,000-image quick subset, which is also the batch, it cannot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..autograd import no_grad
from ..diagnostics import DeadUnits
from ..nn import MLP
from ..optim import OPTIMIZERS, by_name
from ..tensor import Tensor
from ..train import evaluate, fit
from ..viz.experiment_plots import plot_dying
from ..viz.tables import Table
from .common import batches, mlp_name, seeded_mlp
from .protocol import About, DataSettings, Result, knob

ABOUT = About("dying-relu", "Dying ReLU", "dead ReLU units: what kills them, what fixes them (--born-dead: at init)")


@dataclass(frozen=True)
class Settings(DataSettings):
    hidden: tuple[int, ...] = knob((128, 128, 128), "hidden sizes", at_least=1)
    epochs: int = knob(5, "passes over the training set", quick=3, at_least=1)
    batch_size: int = knob(128, "images per step", at_least=1)
    optimizer: str = knob("adam", "optimizer", choices=tuple(OPTIMIZERS))
    large_lr: float = knob(0.03, "the too-large learning rate", above=0)
    small_lr: float = knob(1e-3, "the normal learning rate", above=0)
    negative_bias: float = knob(-0.5, "the bias init that kills units")
    positive_bias: float = knob(0.01, "the small positive bias init (a fix)")
    probe_size: int = knob(1000, "training images the dead fraction is measured on", at_least=1)


@dataclass(frozen=True)
class Variant:
    """One training condition: `kind` is "kills units" for the problems and "fix" for the remedies."""

    name: str
    activation: str
    lr: float
    bias_init: float
    kind: str


def default_variants(settings: Settings) -> list[Variant]:
    """The two ReLU conditions that kill units, then each fix: leaky_relu, elu and selu under both
    conditions, and ReLU with a small positive bias or a smaller learning rate."""
    large, small, negative, positive = settings.large_lr, settings.small_lr, settings.negative_bias, settings.positive_bias
    variants = [Variant(f"relu, lr {large:g} (too large)", "relu", large, 0.0, "kills units"),
                Variant(f"relu, bias {negative:g}", "relu", small, negative, "kills units")]
    for activation in ("leaky_relu", "elu", "selu"):
        variants += [Variant(f"{activation}, lr {large:g}", activation, large, 0.0, "fix"),
                     Variant(f"{activation}, bias {negative:g}", activation, small, negative, "fix")]
    return variants + [Variant(f"relu, bias +{positive:g}", "relu", small, positive, "fix"),
                       Variant(f"relu, lr {small:g}", "relu", small, 0.0, "fix")]


@dataclass
class DyingRun:
    """One trained variant: the dead fraction of each activation layer at init and after every epoch."""

    variant: Variant
    dead: dict[str, list[float]]  # layer name -> [at init, after epoch 1, ...]
    loss: list[float] = field(default_factory=list)  # training loss per epoch
    test_accuracy: float = float("nan")

    @property
    def final_dead(self) -> list[float]:
        """The dead fraction of each layer (input side first) after the last epoch."""
        return [fractions[-1] for fractions in self.dead.values()]

    @property
    def mean_dead(self) -> float:
        """The dead fraction after the last epoch, averaged over the layers."""
        return float(np.mean(self.final_dead))

    def mean_dead_history(self) -> list[float]:
        """The mean dead fraction over layers at init and after every epoch."""
        return np.mean(list(self.dead.values()), axis=0).tolist()


def dead_fractions(model: MLP, inputs: Tensor) -> dict[str, float]:
    """Each activation layer's dead fraction on `inputs` (one forward, no graph)."""
    with DeadUnits(model) as dead, no_grad():
        model(inputs)
    return dead.fractions()


def train_variant(variant: Variant, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                  probe: np.ndarray, settings: Settings) -> DyingRun:
    """Train MLP([784, *hidden, 10], variant.activation, biases = variant.bias_init) with the
    settings' optimizer at variant.lr, measuring the dead fractions on the training images `probe`
    after each epoch."""
    s = settings
    model = seeded_mlp(s.seed, [train[0].shape[1], *s.hidden, 10], variant.activation, bias_init=variant.bias_init)
    opt = by_name(s.optimizer, model.parameters(), lr=variant.lr)
    loader = batches(train, s.batch_size, s.seed)
    probe_inputs = Tensor(probe)
    run = DyingRun(variant, {name: [value] for name, value in dead_fractions(model, probe_inputs).items()})
    for _ in range(s.epochs):
        run.loss += fit(model, loader, opt, progress=False).loss
        for name, value in dead_fractions(model, probe_inputs).items():
            run.dead[name].append(value)
    run.test_accuracy = evaluate(model, batches(test))[1]
    return run


def run(settings: Settings) -> Result:
    """Train every variant from the same seed; the dead fractions are measured on the first
    `probe_size` training images."""
    train, test = settings.load_data()
    probe = train[0][:settings.probe_size]
    return Result(settings, [train_variant(variant, train, test, probe, settings)
                             for variant in default_variants(settings)])


def tables(result: Result) -> list[Table]:
    """One row per variant: the dead fraction of each layer at the end, their mean, the mean at
    init, and the test accuracy; then the mean dead fraction after each epoch."""
    s, runs = result.settings, result.runs
    layers = len(s.hidden)
    final = Table(["variant", "kind", *(f"dead L{index + 1}" for index in range(layers)), "mean dead",
                   "mean dead at init", "test accuracy"],
                  [[run.variant.name, run.variant.kind, *run.final_dead, run.mean_dead, run.mean_dead_history()[0],
                    run.test_accuracy] for run in runs],
                  f"{s.dataset}: {mlp_name([784, *s.hidden, 10])}, {s.epochs} epochs of {s.optimizer} (batch {s.batch_size}); "
                  f"dead = f'(x) = 0 on all of {s.probe_size} training images, after the last epoch",
                  formats={**{column: ".2f" for column in range(2, layers + 4)}, layers + 4: ".4f"})
    by_epoch = Table(["variant", *(f"epoch {epoch}" for epoch in range(s.epochs + 1))],
                     [[run.variant.name, *run.mean_dead_history()] for run in runs],
                     "mean dead fraction over layers at initialisation (epoch 0) and after each epoch",
                     formats={column: ".2f" for column in range(1, s.epochs + 2)})
    return [final, by_epoch]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    s, path = result.settings, Path(folder) / "dead_units.png"
    plot_dying(result.runs, path, f"{mlp_name([784, *s.hidden, 10])}, {s.optimizer}, {s.epochs} epochs: mean share of dead units "
                                  f"(f' = 0 on all {s.probe_size} probe images); red kills units, green is a fix")
    return {path: "mean dead fraction over layers per epoch, one panel per variant"}


def notes(result: Result) -> list[str]:
    return []
