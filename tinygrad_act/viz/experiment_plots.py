"""The experiments' figures: each takes an experiment's result (its runs) and a path, draws with
matplotlib's Figure (no pyplot state), saves PNG or SVG by the extension, and returns the Figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .diagnostic_plots import plot_dead_units, plot_gradient_flow
from .figures import save_figure


def plot_gradient_norms(result: Any, path: str | Path, signal: bool = False) -> Any:
    """Per-layer weight-gradient norms ||dL/dW|| at init (or, with `signal`, the backward signal
    ||dL/dz||), one line per activation, log scale (viz.plot_gradient_flow)."""
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


def plot_loss_curves(result: Any, path: str | Path) -> Any:
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
    s = result.settings
    axes.set_title(f"{s.depth} hidden layers, {s.optimizer} lr {s.lr}"
                   + ("" if s.init_scale == 1.0 else f", initial weights x{s.init_scale:g}"))
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(figure, path)
    return figure


def plot_dying(runs: Sequence[Any], path: str | Path) -> Any:
    """The mean dead fraction of each variant at init and after every epoch (viz.plot_dead_units)."""
    figure = plot_dead_units({run.variant.name: run.mean_dead_history() for run in runs},
                             xlabel="epoch (0 = at initialisation)")
    axes = figure.axes[0]
    evaluations = len(runs[0].mean_dead_history())
    axes.set_xticks(range(1, evaluations + 1), [str(epoch) for epoch in range(evaluations)])
    axes.set_ylabel("mean dead fraction over layers")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    figure.set_size_inches(8.0, 3.6)
    save_figure(figure, path)
    return figure


def plot_born_dead(estimates: Sequence[Any], path: str | Path) -> Any:
    """P(born dead) against depth, one line per width with its 95% band, one panel per input dimension."""
    from matplotlib.figure import Figure

    dims = sorted({estimate.input_dim for estimate in estimates})
    figure = Figure(figsize=(5.0 * len(dims), 3.8), layout="constrained")
    panels = figure.subplots(1, len(dims), squeeze=False).flat
    for panel, dim in zip(panels, dims):
        for index, width in enumerate(sorted({e.width for e in estimates if e.input_dim == dim})):
            curve = sorted((e for e in estimates if e.input_dim == dim and e.width == width), key=lambda e: e.depth)
            depths = [e.depth for e in curve]
            lows, highs = zip(*(e.interval for e in curve))
            panel.plot(depths, [e.probability for e in curve], marker="o", markersize=3, color=f"C{index}",
                       label=f"width {width}")
            panel.fill_between(depths, lows, highs, color=f"C{index}", alpha=0.2)
        panel.set_ylim(-0.02, 1.02)
        panel.set_xlabel("depth (hidden layers)")
        panel.set_ylabel("P(network constant at init)")
        panel.set_title(f"born dead, {dim}-D input (95% Wilson bands)")
        panel.grid(True, alpha=0.3)
        panel.legend(fontsize=8)
    save_figure(figure, path)
    return figure


def plot_selu(results: Sequence[Any], path: str | Path) -> Any:
    """Two panels, mean and std of the activations against depth, one line per activation."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10.0, 3.8), layout="constrained")
    mean_panel, std_panel = figure.subplots(1, 2)
    for result in results:
        layers = range(1, len(result.means) + 1)
        label = f"{result.activation} ({result.init})"
        mean_panel.plot(layers, result.means, label=label)
        std_panel.plot(layers, result.stds, label=label)
    for panel, name, target in ((mean_panel, "mean", 0.0), (std_panel, "std", 1.0)):
        panel.axhline(target, color="grey", linestyle=":", linewidth=1)
        panel.set_xlabel("layer")
        panel.set_ylabel(f"{name} of the activations")
        panel.set_title(f"activation {name} by depth")
        panel.grid(True, alpha=0.3)
        panel.legend(fontsize=8)
    save_figure(figure, path)
    return figure


def plot_speed(runs: Sequence[Any], path: str | Path) -> Any:
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
