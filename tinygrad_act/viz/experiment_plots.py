"""The experiments' figures: each takes an experiment's result (its runs) and a path, draws with
matplotlib's Figure (no pyplot state), saves PNG or SVG by the extension, and returns the Figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .diagnostic_plots import plot_gradient_flow
from .figures import is_noisy, moving_average, save_figure, series_style

_KIND_COLOURS = {"kills units": "tab:red", "fix": "tab:green"}


def _deep_mlp_title(settings: Any) -> str:
    """The net of a vanishing-gradient result in words: "10-hidden-layer MLP (width 128)", with the
    initial weights' scale when it is not 1."""
    scale = "" if settings.init_scale == 1.0 else f", initial weights x{settings.init_scale:g}"
    init = "each activation with its matching init" if settings.init == "auto" else f"{settings.init} init"
    return f"{settings.depth}-hidden-layer MLP (width {settings.width}), {init}{scale}"


def plot_gradient_norms(result: Any, path: str | Path, signal: bool = False) -> Any:
    """Per-layer weight-gradient norms ||dL/dW|| at init (or, with `signal`, the backward signal
    ||dL/dz||), one line per activation (viz.plot_gradient_flow: distinct colours and markers, a
    line lying on another one named so, the axis chosen from the data's spread)."""
    runs = {f"{p.activation} ({p.init})": {str(layer + 1): norm for layer, norm
                                           in enumerate(p.signal_norms if signal else p.norms)}
            for p in result.profiles}
    what = "backward signal ||dL/dz|| per layer" if signal else "weight-gradient norm ||dL/dW|| per layer"
    figure = plot_gradient_flow(runs, title=f"{_deep_mlp_title(result.settings)}:\n{what} at initialisation")
    axes = figure.axes[0]
    axes.set_xlabel(f"Linear layer (1 = next to the input, {result.settings.depth + 1} = output layer)")
    if signal:
        axes.set_ylabel("||dL/dz|| of the layer's output")
    save_figure(figure, path)
    return figure


def plot_loss_curves(result: Any, path: str | Path) -> Any:
    """Training loss per step, one colour and marker per run (a clipped run is dashed); a noisy curve
    is drawn smoothed, over its raw values in a faint line; a run that diverged ends at its last
    finite loss, marked with a large cross."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.5, 4.2), layout="constrained")
    axes = figure.subplots()
    curves = [[loss for loss in run.losses if math.isfinite(loss) and loss > 0] for run in result.runs]
    # Noise is judged on the log axis it is drawn on; one noisy run smooths them all, so they compare.
    smooth = any(is_noisy(np.log(finite)) for finite in curves)
    for index, (run, finite) in enumerate(zip(result.runs, curves)):
        style = series_style(index)
        steps = range(1, len(finite) + 1)
        label = run.activation if run.clip is None else f"{run.activation}, gradients clipped to norm {run.clip:g}"
        shown = finite
        if smooth:
            axes.plot(steps, finite, color=style["color"], linewidth=0.6, alpha=0.25)
            shown = moving_average(finite, max(5, len(finite) // 25))
        axes.plot(steps, shown, linestyle="--" if run.clip is not None else "-", linewidth=1.4,
                  markevery=max(1, len(finite) // 8), label=label, **style)
        if run.diverged_at is not None and finite:
            axes.plot([len(finite)], [finite[-1]], "x", color=style["color"], markersize=12, markeredgewidth=2.5)
            axes.annotate(f"{run.activation}: inf/NaN at step {run.diverged_at}", (len(finite), finite[-1]),
                          textcoords="offset points", xytext=(10, -4), va="top", fontsize=8, color=style["color"])
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("training loss (cross-entropy)")
    s = result.settings
    what = "training loss per step" + (" (moving average; raw values faint)" if smooth else "")
    figure.suptitle(f"{_deep_mlp_title(s)}, {s.optimizer} lr {s.lr:g}:\n{what}", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    save_figure(figure, path)
    return figure


def plot_dying(runs: Sequence[Any], path: str | Path, title: str = "") -> Any:
    """Small multiples: one panel per variant with its mean dead fraction over layers at init and
    after every epoch, on a common 0-1 axis, red for the conditions that kill units and green for
    the fixes, the final value written in each panel (eight fixes at 0 on one axis could not be
    told apart)."""
    from matplotlib.figure import Figure

    columns = min(len(runs), 5)
    rows = math.ceil(len(runs) / columns)
    figure = Figure(figsize=(2.3 * columns, 2.1 * rows + 0.6), layout="constrained")
    panels = figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for panel, run in zip(panels.flat, runs):
        history = run.mean_dead_history()
        colour = _KIND_COLOURS.get(run.variant.kind, "tab:blue")
        panel.plot(range(len(history)), history, color=colour, marker="o", markersize=4)
        panel.fill_between(range(len(history)), history, color=colour, alpha=0.15)
        panel.set_title(run.variant.name, fontsize=8.5, color=colour)
        panel.text(0.97, 0.93, f"{history[-1]:.0%} dead", transform=panel.transAxes, ha="right", va="top",
                   fontsize=9, fontweight="bold", color=colour)
        panel.set_ylim(-0.03, 1.03)
        panel.set_xticks(range(len(history)))
        panel.grid(True, alpha=0.3)
        panel.tick_params(labelsize=7)
    for panel in list(panels.flat)[len(runs):]:
        panel.set_visible(False)
    for panel in panels[:, 0]:
        panel.set_ylabel("mean dead fraction", fontsize=8)
    for panel in panels[-1, :]:
        panel.set_xlabel("epoch (0 = init)", fontsize=8)
    figure.suptitle(title or "dead units per variant (red: kills units, green: a fix)", fontsize=10)
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


def plot_selu(results: Sequence[Any], path: str | Path, title: str = "") -> Any:
    """Two panels, mean and std of the activations against depth, one line per activation, the
    legend below both panels (inside, it would cover tanh's steep fall)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10.0, 4.3), layout="constrained")
    mean_panel, std_panel = figure.subplots(1, 2)
    for index, result in enumerate(results):
        layers = range(1, len(result.means) + 1)
        style = series_style(index)
        every = max(1, len(result.means) // 10)
        mean_panel.plot(layers, result.means, markevery=every, label=f"{result.activation} ({result.init})", **style)
        std_panel.plot(layers, result.stds, markevery=every, **style)
    for panel, name, target in ((mean_panel, "mean", 0.0), (std_panel, "std", 1.0)):
        panel.axhline(target, color="grey", linestyle=":", linewidth=1)
        panel.set_xlabel("hidden layer")
        panel.set_ylabel(f"{name} of the activations")
        panel.set_title(f"{name} of each layer's activations (self-normalised: {target:g})", fontsize=9)
        panel.grid(True, alpha=0.3)
    figure.legend(loc="outside lower center", ncols=len(results), fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    save_figure(figure, path)
    return figure


def plot_speed(runs: Sequence[Any], path: str | Path, title: str = "") -> Any:
    """Accuracy on the fixed training subset against steps, one line per activation, on a log step
    axis (the fast runs finish in the first tenth of the slowest one), the target dashed, and each
    run's step at the target marked by a star and a dotted line, and said in the legend
    ("relu: at step 750"; "sigmoid: not reached in 500 steps")."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.3), layout="constrained")
    axes = figure.subplots()
    target = runs[0].target
    for index, run in enumerate(runs):
        style = series_style(index)
        steps, accuracies = zip(*run.curve)
        reached = run.steps_to_target is not None
        label = (f"{run.activation}: at step {run.steps_to_target:,}" if reached
                 else f"{run.activation}: not reached in {run.steps_taken:,} steps")
        axes.plot(steps, accuracies, markevery=max(1, len(steps) // 12), markersize=4, label=label, **style)
        if reached:
            axes.axvline(run.steps_to_target, color=style["color"], linestyle=":", linewidth=1)
            axes.plot([run.steps_to_target], [accuracies[steps.index(run.steps_to_target)]], marker="*",
                      markersize=14, color=style["color"], markeredgecolor="black", linestyle="none")
    axes.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"target {target:g}")
    axes.set_xscale("log")
    axes.set_xlabel("SGD step (log scale)")
    axes.set_ylabel(f"training accuracy ({runs[0].eval_samples} fixed images)")
    axes.set_title(title or f"steps to {target:g} training accuracy", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    save_figure(figure, path)
    return figure
