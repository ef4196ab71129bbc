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
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import functional as F
from ..data import DataLoader, TensorDataset
from ..diagnostics import GradientFlow
from ..nn import MLP, Linear
from ..nn.utils import clip_grad_norm_
from ..rng import manual_seed
from ..tensor import Tensor
from ..train import evaluate
from ..viz.figures import save_figure
from .common import format_table, make_optimizer
from .mnist import load_split

COMPARED_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu")


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
        return _ratio(self.norms)

    @property
    def signal_ratio(self) -> float:
        """||dL/dz_first|| / ||dL/dz_last||: how much the backward signal grew (> 1) or shrank (< 1)
        on its way from the output to the first layer."""
        return _ratio(self.signal_norms)


def _ratio(norms: list[float]) -> float:
    return norms[0] / norms[-1] if norms[-1] else math.nan


@dataclass
class TrainingRun:
    """One training run: the loss at every step until the budget or the first non-finite loss."""

    activation: str
    clip: float | None
    losses: list[float]
    test_accuracy: float  # NaN when the run diverged
    diverged_at: int | None  # the step whose loss was inf/NaN (training stopped there), or None

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
class VanishingResult:
    """Gradient profiles at init and training runs of one deep MLP per activation, with the settings."""

    profiles: list[GradientProfile]
    runs: list[TrainingRun]
    settings: dict[str, Any] = field(default_factory=dict)

    def profile(self, activation: str) -> GradientProfile:
        return next(profile for profile in self.profiles if profile.activation == activation)

    def run(self, activation: str, clip: float | None = None) -> TrainingRun:
        return next(run for run in self.runs if run.activation == activation and run.clip == clip)


def deep_mlp(activation: str, n_inputs: int = 784, depth: int = 10, width: int = 128, n_classes: int = 10,
             init: str = "auto", init_scale: float = 1.0) -> MLP:
    """MLP([n_inputs, width x depth, n_classes], activation) with `init` (auto: the activation's
    matching init), every weight then multiplied by `init_scale` (biases start at 0)."""
    model = MLP([n_inputs, *[width] * depth, n_classes], activation=activation, init=init)
    if init_scale != 1.0:
        for linear in model.linears():
            linear.weight.data *= np.asarray(init_scale, dtype=linear.weight.data.dtype)
    return model


def gradient_profile(model: MLP, images: np.ndarray, labels: np.ndarray) -> tuple[list[float], list[float]]:
    """After one backward of the mean cross-entropy, for each Linear of `model` (input first):
    ||dL/dW|| (from diagnostics.GradientFlow) and ||dL/dz|| of its output z = W h + b.

    dL/dW = dL/dz h^T: with weights S times too large, the backward signal dL/dz grows S-fold per
    layer towards the input while the forward signal h grows S-fold per layer towards the output,
    so the weight gradients are all too large by a factor of the order of S^depth, rather than
    growing towards the input.
    """
    signal_norms: dict[int, float] = {}

    def watch_output(index: int) -> Any:
        def record(grad: Tensor) -> None:
            signal_norms[index] = float(np.linalg.norm(grad.data.astype(np.float64)))

        def hook_output(module: Linear, inputs: tuple, output: Tensor) -> None:
            output.register_hook(record)

        return hook_output

    hooks = [linear.register_forward_hook(watch_output(index)) for index, linear in enumerate(model.linears())]
    with GradientFlow(model) as flow:
        F.cross_entropy(model(Tensor(images)), Tensor(labels)).backward()
    for hook in hooks:
        hook.remove()
    model.zero_grad()
    return list(flow.norms().values()), [signal_norms[index] for index in sorted(signal_norms)]


def _endless_batches(loader: DataLoader) -> Iterator[tuple[Tensor, Tensor]]:
    while True:
        yield from loader


def train_steps(model: MLP, loader: DataLoader, steps: int, optimizer: str = "sgd", lr: float = 0.02,
                clip: float | None = None) -> tuple[list[float], int | None]:
    """`steps` optimizer steps on mini-batches of `loader` (cycled), clipping the joint gradient
    norm to `clip` when given. Returns the loss of every step and the step (1-based) whose loss
    was inf/NaN, where training stops (None if none was)."""
    opt = make_optimizer(optimizer, model.parameters(), lr=lr)
    losses: list[float] = []
    for step, (inputs, target) in zip(range(1, steps + 1), _endless_batches(loader)):
        opt.zero_grad()
        loss = F.cross_entropy(model(inputs), target)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            return losses, step
        loss.backward()
        if clip is not None:
            clip_grad_norm_(model.parameters(), clip)
        opt.step()
    return losses, None


def run_vanishing(activations: Sequence[str] = COMPARED_ACTIVATIONS, dataset: str = "mnist", quick: bool = False,
                  depth: int = 10, width: int = 128, init: str = "auto", init_scale: float = 1.0,
                  steps: int = 500, optimizer: str = "sgd", lr: float = 0.02, batch_size: int = 128,
                  clip: float | None = None, probe_size: int = 256, seed: int = 0,
                  root: str | None = None) -> VanishingResult:
    """For each activation: the per-layer gradient norms of a fresh deep MLP on a fixed batch of
    `probe_size` training images, then `steps` steps of training from that same init and the test
    accuracy. With `clip`, every activation is trained twice: without clipping and with it.

    Plain SGD is the default because it shows the gradients as they are: Adam divides each
    parameter's step by its own gradient's running RMS, which hides (and partly repairs) the scale
    differences between layers. With init_scale > 1 the overflow of a diverging run is the point of
    the demonstration, so numpy's overflow warnings are silenced there and the run is reported as
    diverged at the first inf/NaN loss.
    """
    (train_x, train_y), (test_x, test_y) = load_split(dataset, quick, root)
    probe = np.random.default_rng(seed).choice(len(train_x), size=min(probe_size, len(train_x)), replace=False)
    test_loader = DataLoader(TensorDataset(test_x, test_y), batch_size=1000)
    clips = [None] if clip is None else [None, clip]
    profiles, runs = [], []
    for activation in activations:
        manual_seed(seed)
        model = deep_mlp(activation, train_x.shape[1], depth, width, 10, init, init_scale)
        start = {name: tensor.data.copy() for name, tensor in model.state_dict().items()}
        blowup = np.errstate(over="ignore", invalid="ignore") if init_scale > 1.0 else nullcontext()
        with blowup:
            profiles.append(GradientProfile(activation, model.init,
                                            *gradient_profile(model, train_x[probe], train_y[probe])))
            for clip_norm in clips:
                model.load_state_dict(start)
                loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True, seed=seed)
                losses, diverged_at = train_steps(model, loader, steps, optimizer, lr, clip_norm)
                accuracy = math.nan if diverged_at is not None else evaluate(model, test_loader)[1]
                runs.append(TrainingRun(activation, clip_norm, losses, accuracy, diverged_at))
    settings = dict(dataset=dataset, quick=quick, depth=depth, width=width, init=init, init_scale=init_scale,
                    steps=steps, optimizer=optimizer, lr=lr, batch_size=batch_size, clip=clip,
                    probe_size=len(probe), seed=seed, train_samples=len(train_x), test_samples=len(test_x))
    return VanishingResult(profiles, runs, settings)


def gradient_table(result: VanishingResult, markdown: bool = False) -> str:
    """One row per Linear layer (input first), one column per activation: ||dL/dW|| at init; then
    the ratio first layer / last layer of ||dL/dW|| and of the backward signal ||dL/dz||."""
    headers = ["layer", *(p.activation for p in result.profiles)]
    depth = max(len(profile.norms) for profile in result.profiles)
    rows = [["init", *(p.init for p in result.profiles)]]
    rows += [[str(layer + 1), *(f"{p.norms[layer]:.2e}" for p in result.profiles)] for layer in range(depth)]
    rows.append(["first/last", *(f"{p.ratio:.2g}" for p in result.profiles)])
    rows.append(["dL/dz first/last", *(f"{p.signal_ratio:.2g}" for p in result.profiles)])
    return format_table(headers, rows, markdown=markdown)


def training_table(result: VanishingResult, markdown: bool = False) -> str:
    """One row per training run: first loss, final loss, largest loss, divergence and test accuracy."""
    headers = ("activation", "clip", "first loss", "final loss", "largest loss", "diverged at step",
               "test accuracy")
    rows = [(run.activation, "-" if run.clip is None else f"{run.clip:g}", f"{run.losses[0]:.4g}",
             f"{run.final_loss:.4g}", f"{run.largest_loss:.4g}",
             "-" if run.diverged_at is None else str(run.diverged_at), f"{run.test_accuracy:.4f}")
            for run in result.runs]
    return format_table(headers, rows, markdown=markdown)


def plot_gradient_norms(result: VanishingResult, path: str | Path, signal: bool = False) -> Any:
    """Per-layer weight-gradient norms ||dL/dW|| at init (or, with `signal`, the backward signal
    ||dL/dz||), one line per activation, log scale (viz.plot_gradient_flow)."""
    from ..viz import plot_gradient_flow

    runs = {f"{p.activation} ({p.init})": {str(layer + 1): norm for layer, norm
                                           in enumerate(p.signal_norms if signal else p.norms)}
            for p in result.profiles}
    figure = plot_gradient_flow(runs)
    if signal:
        figure.axes[0].set_ylabel("||dL/dz|| of the layer's output")
        figure.axes[0].set_title("backward signal at initialisation")
    else:
        figure.axes[0].set_title("weight-gradient norms at initialisation")
    save_figure(figure, path)
    return figure


def plot_loss_curves(result: VanishingResult, path: str | Path) -> Any:
    """Training loss per step, one line per run (dashed for clipped runs); a run that diverged ends
    at its last finite loss, marked with a cross."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.0, 4.0), layout="constrained")
    axes = figure.subplots()
    for run in result.runs:
        colour = f"C{result.profiles.index(result.profile(run.activation)) % 10}"
        finite = [loss for loss in run.losses if math.isfinite(loss)]
        label = run.activation if run.clip is None else f"{run.activation}, clip {run.clip:g}"
        axes.plot(range(1, len(finite) + 1), finite, "--" if run.clip is not None else "-", color=colour,
                  linewidth=1.0, label=label)
        if run.diverged_at is not None and finite:
            axes.plot([len(finite)], [finite[-1]], "x", color=colour, markersize=9)
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("training loss (cross-entropy)")
    scale = result.settings.get("init_scale", 1.0)
    axes.set_title(f"{result.settings.get('depth')} hidden layers, {result.settings.get('optimizer')} "
                   f"lr {result.settings.get('lr')}" + ("" if scale == 1.0 else f", initial weights x{scale:g}"))
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(figure, path)
    return figure
