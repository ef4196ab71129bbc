"""Vanishing and exploding gradients in a deep MLP: per-layer gradient norms at initialisation, then
whether the net learns.

Backpropagation multiplies the gradient, layer after layer, by W^T diag(f'(z)). Sigmoid has
f' <= 1/4, so with Xavier-sized weights each sigmoid layer shrinks the gradient about 4x: in a
10-hidden-layer net the first layer's weight gradient is about a million times smaller than the
last layer's, and plain SGD leaves the first layers where they started. ReLU with He (Kaiming) init
keeps the product near 1, so every layer gets a gradient of the same size and the net learns.

Multiplying every initial weight by S > 1 (`init_scale`) does the opposite: the forward signal grows
S-fold per layer towards the output and the backward signal S-fold per layer towards the input, so
every weight gradient is about S^depth times too large, the first SGD steps throw the weights far
away and the loss becomes inf/NaN. `clip` rescales the gradients to a joint norm of at most C
before each step (nn.utils.clip_grad_norm_), which keeps every step bounded.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import functional as F
from ..data import DataLoader
from ..diagnostics import GradientFlow
from ..diagnostics.gradient_flow import first_over_last
from ..nn import MLP
from ..nn.init import INITIALIZERS
from ..optim import OPTIMIZERS, by_name
from ..tensor import Tensor
from ..train import Step, evaluate, fit
from ..viz.experiment_plots import plot_gradient_norms, plot_loss_curves
from ..viz.tables import Number, Table
from .common import batches, seeded_mlp
from .protocol import About, DataSettings, activations_knob, knob

COMPARED_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu")
ABOUT = About("vanishing", "Vanishing gradients",
              "gradient norms per layer of a deep MLP, per activation (vanishing/exploding)")


@dataclass(frozen=True)
class Settings(DataSettings):
    activations: tuple[str, ...] = activations_knob(COMPARED_ACTIVATIONS)
    depth: int = knob(10, "hidden layers", at_least=1)
    width: int = knob(128, "units per hidden layer", at_least=1)
    init: str = knob("auto", "weight init for every activation (auto: the one matching each)",
                     choices=("auto", *INITIALIZERS))
    init_scale: float = knob(1.0, "multiply the initial weights by S (S=2 with relu: exploding gradients)", above=0)
    clip: float | None = knob(None, "also train with the gradients' joint norm clipped to C "
                                    "(nn.utils.clip_grad_norm_)", above=0, metavar="C")
    steps: int = knob(500, "training steps", quick=150, at_least=1)
    optimizer: str = knob("sgd", "optimizer (sgd shows the raw gradients)", choices=tuple(OPTIMIZERS))
    lr: float = knob(0.02, "learning rate", above=0)
    batch_size: int = knob(128, "images per step", at_least=1)
    probe_size: int = knob(256, "images in the fixed batch of the norms", at_least=1)


@dataclass
class GradientProfile:
    """The weight-gradient L2 norm of every Linear layer (input layer first) after one backward of
    cross-entropy on a fixed batch, at initialisation."""

    activation: str
    init: str
    norms: list[float]  # ||dL/dW|| per Linear
    signal_norms: list[float]  # ||dL/dz|| per Linear output z = W h + b: the backpropagated signal

    @property
    def ratio(self) -> float:
        """||dL/dW_first|| / ||dL/dW_last||: about 1 when gradients flow, far below 1 when they vanish."""
        return first_over_last(self.norms)

    @property
    def signal_ratio(self) -> float:
        """||dL/dz_first|| / ||dL/dz_last||: how much the backward signal grew (> 1) or shrank (< 1)
        on its way from the output to the first layer."""
        return first_over_last(self.signal_norms)


@dataclass
class TrainingRun:
    """One training run: the loss at every step until the budget or the first non-finite loss."""

    activation: str
    clip: float | None
    losses: list[float]
    test_accuracy: float  # NaN when the run diverged

    @property
    def diverged_at(self) -> int | None:
        """The step (from 1) whose loss was inf/NaN, where training stopped; None if none was."""
        return None if math.isfinite(self.losses[-1]) else len(self.losses)

    @property
    def final_loss(self) -> float:
        """The mean loss over the last tenth of the steps (NaN when the run diverged)."""
        if self.diverged_at is not None:
            return math.nan
        tail = max(1, len(self.losses) // 10)
        return float(np.mean(self.losses[-tail:]))

    @property
    def largest_loss(self) -> float:
        """The largest finite loss the run went through."""
        finite = [loss for loss in self.losses if math.isfinite(loss)]
        return max(finite) if finite else math.nan


@dataclass
class Result:
    """Gradient profiles at init and training runs of one deep MLP per activation, with the settings."""

    settings: Settings
    sizes: tuple[int, int, int]  # images in the probe batch, the training set and the test set
    profiles: list[GradientProfile] = field(default_factory=list)
    runs: list[TrainingRun] = field(default_factory=list)

    def profile(self, activation: str) -> GradientProfile:
        return next(profile for profile in self.profiles if profile.activation == activation)

    def run(self, activation: str, clip: float | None = None) -> TrainingRun:
        return next(run for run in self.runs if run.activation == activation and run.clip == clip)


def deep_mlp(activation: str, settings: Settings, n_inputs: int = 784) -> MLP:
    """MLP([n_inputs, width x depth, 10], activation), seeded, with the settings' init (auto: the
    activation's matching init), every weight then multiplied by `init_scale` (biases start at 0)."""
    model = seeded_mlp(settings.seed, [n_inputs, *[settings.width] * settings.depth, 10], activation,
                       init=settings.init)
    if settings.init_scale != 1.0:
        for linear in model.linears():
            linear.weight.data *= np.asarray(settings.init_scale, dtype=linear.weight.data.dtype)
    return model


def gradient_profile(model: MLP, images: np.ndarray, labels: np.ndarray) -> tuple[list[float], list[float]]:
    """After one backward of the mean cross-entropy, for each Linear of `model` (input first):
    ||dL/dW|| and ||dL/dz|| of its output z = W h + b (both from diagnostics.GradientFlow).

    dL/dW = dL/dz h^T: with weights S times too large, the backward signal dL/dz grows S-fold per
    layer towards the input while the forward signal h grows S-fold per layer towards the output,
    so the weight gradients are all too large by a factor of the order of S^depth, rather than
    growing towards the input.
    """
    with GradientFlow(model, outputs=True) as flow:
        F.cross_entropy(model(Tensor(images)), Tensor(labels)).backward()
    model.zero_grad()
    return list(flow.norms().values()), list(flow.output_norms().values())


def train(model: MLP, train_loader: DataLoader, test_loader: DataLoader, settings: Settings,
          clip: float | None) -> TrainingRun:
    """`steps` optimizer steps on mini-batches of `train_loader` (cycled), clipping the joint
    gradient norm to `clip` when given, stopping at the first inf/NaN loss; then the test accuracy
    (NaN if the run diverged)."""
    losses: list[float] = []

    def diverged(step: Step) -> bool:
        losses.append(step.loss)
        return not math.isfinite(step.loss)

    fit(model, train_loader, by_name(settings.optimizer, model.parameters(), lr=settings.lr), epochs=None,
        progress=False, max_steps=settings.steps, until=diverged, max_grad_norm=clip)
    accuracy = evaluate(model, test_loader)[1] if math.isfinite(losses[-1]) else math.nan
    return TrainingRun(model.activation, clip, losses, accuracy)


def run(settings: Settings) -> Result:
    """For each activation: the per-layer gradient norms of a fresh deep MLP on a fixed batch of
    `probe_size` training images, then `steps` steps of training from that same init and the test
    accuracy. With `clip`, every activation is trained twice: without clipping and with it.

    Plain SGD is the default because it shows the gradients as they are: Adam divides each
    parameter's step by its own gradient's running RMS, which hides (and partly repairs) the scale
    differences between layers. With init_scale > 1 the overflow of a diverging run is the point of
    the demonstration, so numpy's overflow warnings are silenced there and the run is reported as
    diverged at the first inf/NaN loss.
    """
    s = settings
    (train_x, train_y), (test_x, test_y) = s.load_data()
    probe = np.random.default_rng(s.seed).choice(len(train_x), size=min(s.probe_size, len(train_x)), replace=False)
    test_loader = batches((test_x, test_y))
    result = Result(s, (len(probe), len(train_x), len(test_x)))
    for activation in s.activations:
        model = deep_mlp(activation, s, train_x.shape[1])
        start = {name: tensor.data.copy() for name, tensor in model.state_dict().items()}
        blowup = np.errstate(over="ignore", invalid="ignore") if s.init_scale > 1.0 else nullcontext()
        with blowup:
            result.profiles.append(GradientProfile(activation, model.init,
                                                   *gradient_profile(model, train_x[probe], train_y[probe])))
            for clip in [None] if s.clip is None else [None, s.clip]:
                model.load_state_dict(start)
                result.runs.append(train(model, batches((train_x, train_y), s.batch_size, s.seed), test_loader, s, clip))
    return result


def tables(result: Result) -> list[Table]:
    """The weight-gradient norm ||dL/dW|| at init of each Linear layer (input first) per activation,
    with the ratios first layer / last layer of ||dL/dW|| and of the backward signal ||dL/dz||; then
    each training run's first, final and largest loss, divergence and test accuracy."""
    s, profiles, (probe_size, train_size, test_size) = result.settings, result.profiles, result.sizes
    scale = "" if s.init_scale == 1.0 else f", initial weights x{s.init_scale:g}"
    rows = [["init", *(p.init for p in profiles)]]
    rows += [[str(layer + 1), *(Number(p.norms[layer], ".2e") for p in profiles)] for layer in range(s.depth + 1)]
    rows.append(["first/last", *(Number(p.ratio, ".2g") for p in profiles)])
    rows.append(["dL/dz first/last", *(Number(p.signal_ratio, ".2g") for p in profiles)])
    gradients = Table(["layer", *(p.activation for p in profiles)], rows,
                      f"{s.dataset}: MLP with {s.depth} hidden layers of {s.width}{scale}; gradient norms ||dL/dW|| "
                      f"after one backward of cross-entropy on {probe_size} training images")
    rows = [[run.activation, "-" if run.clip is None else f"{run.clip:g}", run.losses[0], run.final_loss,
             run.largest_loss, "-" if run.diverged_at is None else str(run.diverged_at), run.test_accuracy]
            for run in result.runs]
    training = Table(["activation", "clip", "first loss", "final loss", "largest loss", "diverged at step",
                      "test accuracy"], rows,
                     f"training: {s.steps} steps of {s.optimizer} (lr {s.lr}, batch {s.batch_size}) on "
                     f"{train_size} images; test accuracy on {test_size} (chance: 0.1)", formats={6: ".4f"})
    return [gradients, training]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    folder = Path(folder)
    plot_gradient_norms(result, folder / "gradient_norms.png")
    plot_gradient_norms(result, folder / "backward_signal.png", signal=True)
    plot_loss_curves(result, folder / "loss_curves.png")
    return {folder / "gradient_norms.png": "weight-gradient norms per layer at init",
            folder / "backward_signal.png": "backward signal ||dL/dz|| per layer at init",
            folder / "loss_curves.png": "training loss per step"}


def notes(result: Result) -> list[str]:
    """One sentence per activation: how the first layer's gradient compares with the last's, and the outcome."""
    sentences = []
    for profile in result.profiles:
        run = result.run(profile.activation)
        if not math.isfinite(profile.ratio) or profile.ratio == 0.0:
            size = "no gradient reaches the first layer"
        elif profile.ratio < 1.0:
            size = f"the first layer's gradient is {1.0 / profile.ratio:.3g}x smaller than the last's"
        else:
            size = f"the first layer's gradient is {profile.ratio:.3g}x the last's"
        outcome = (f"diverged (inf/NaN loss) at step {run.diverged_at}" if run.diverged_at is not None
                   else f"test accuracy {run.test_accuracy:.3f}")
        sentences.append(f"{profile.activation}: {size}; unclipped training: {outcome}")
    return sentences
