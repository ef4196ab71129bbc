"""The lab's figures: signal propagation (phase diagram, Jacobian spectra, layer statistics, the
order-to-chaos line), the unit time-lapse of diagnostics.Recorder (ridge plots, a unit-status
heatmap, the death curve) and the reproduction cards' pictures. Each takes data and a path, draws
with matplotlib's Figure (no pyplot state), saves by the extension and returns the Figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..diagnostics.recorder import STATUS_NAMES
from .figures import save_figure


def _figure(width: float = 7.0, height: float = 4.0, columns: int = 1, rows: int = 1) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.subplots(rows, columns, squeeze=False)


# ====================================================================== signal propagation


def plot_phase_diagram(diagram: Any, path: str | Path) -> Any:
    """Measured accuracy over (sigma_w^2, depth) as a heatmap, the theory's depth bound 6 xi_c as a
    white line over it and the critical sigma_w^2 as a dashed line (Schoenholz et al. 2017, Fig. 5)."""
    figure, axes = _figure(7.0, 4.5)
    axes = axes[0, 0]
    weights, depths = np.asarray(diagram.sigma_w2), np.asarray(diagram.depths)
    image = axes.imshow(diagram.accuracy.T, origin="lower", aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0,
                        extent=(-0.5, len(weights) - 0.5, -0.5, len(depths) - 0.5))
    figure.colorbar(image, ax=axes, label="test accuracy after the budget")
    bound = np.array([theory.trainable_depth() for theory in diagram.theory])
    # depth -> row position by interpolation, so the bound is drawn on the heatmap's index axes; a bound
    # beyond the grid sits on its edge
    positions = np.interp(bound, depths, np.arange(len(depths)), left=-0.5, right=len(depths) - 0.5)
    axes.plot(np.arange(len(weights)), positions, "w-o", linewidth=2, label="theory: depth = 6 xi_c")
    for row, column in zip(*np.nonzero(diagram.trained != diagram.predicted)):
        axes.plot(row, column, "rx", markersize=10)
    if diagram.critical_sigma_w2 is not None and weights[0] <= diagram.critical_sigma_w2 <= weights[-1]:
        critical = np.interp(diagram.critical_sigma_w2, weights, np.arange(len(weights)))
        axes.axvline(critical, color="white", linestyle="--", linewidth=1, label="critical sigma_w^2 (chi_1 = 1)")
    axes.set_xticks(range(len(weights)), [f"{value:g}" for value in weights])
    axes.set_yticks(range(len(depths)), [str(depth) for depth in depths])
    axes.set_xlabel("sigma_w^2")
    axes.set_ylabel("depth (hidden layers)")
    axes.set_title(f"{diagram.activation}, sigma_b^2 = {diagram.sigma_b2:g}: red x = theory and measurement disagree")
    axes.legend(loc="upper left", bbox_to_anchor=(0.0, -0.15), ncols=2, fontsize=8, facecolor="0.35",
                labelcolor="white")  # a grey box, so the white lines show in the legend
    save_figure(figure, path)
    return figure


def plot_jacobian_spectra(spectra: Sequence[Any], path: str | Path) -> Any:
    """Left: the distribution of log10 singular values at the deepest depth, one per setup. Right: the
    spread (std of log singular values) against depth (Pennington et al. 2017, Fig. 2)."""
    figure, axes = _figure(10.0, 4.0, columns=2)
    left, right = axes[0]
    setups = list(dict.fromkeys(spectrum.setup for spectrum in spectra))
    deepest = max(spectrum.depth for spectrum in spectra)
    for index, setup in enumerate(setups):
        colour = f"C{index}"
        mine = sorted((s for s in spectra if s.setup == setup), key=lambda s: s.depth)
        last = next(s for s in mine if s.depth == deepest)
        values = np.log10(last.nonzero)
        left.hist(values, bins=40, histtype="step", linewidth=1.5, color=colour, label=setup.label)
        right.plot([s.depth for s in mine], [s.log_spread for s in mine], "-o", color=colour, label=setup.label)
    left.set_xlabel("log10 singular value")
    left.set_ylabel("count")
    left.set_title(f"nonzero Jacobian singular values at depth {deepest}")
    left.legend(fontsize=8)
    right.set_xscale("log", base=2)
    right.set_xlabel("depth")
    right.set_ylabel("std of log singular values")
    right.set_title("spread grows with depth unless orthogonal and critical")
    right.grid(True, alpha=0.3)
    save_figure(figure, path)
    return figure


def plot_layer_statistics(comparisons: Sequence[Any], path: str | Path) -> Any:
    """Per activation: measured variance of z and mean of f(z) per layer (dots) against the mean-field
    length map (lines)."""
    figure, axes = _figure(10.0, 4.0, columns=2)
    left, right = axes[0]
    for index, comparison in enumerate(comparisons):
        colour, layers = f"C{index}", np.arange(1, len(comparison.measured_q) + 1)
        label = f"{comparison.activation} (sigma_w^2 {comparison.sigma_w2:.3g})"
        left.plot(layers, comparison.predicted_q, "-", color=colour, label=label)
        left.plot(layers, comparison.measured_q, "o", color=colour, markersize=4)
        right.plot(layers, comparison.predicted_mean, "-", color=colour, label=label)
        right.plot(layers, comparison.measured_mean, "o", color=colour, markersize=4)
    left.set_ylabel("variance of the pre-activations z (q)")
    right.set_ylabel("mean of the activations f(z)")
    for panel in (left, right):
        panel.set_xlabel("layer")
        panel.grid(True, alpha=0.3)
    left.set_title("dots: measured (mean over random nets); lines: mean-field theory")
    right.legend(fontsize=8)
    save_figure(figure, path)
    return figure


def plot_critical_line(activation: str, line: Sequence[tuple[float, float | None]], path: str | Path) -> Any:
    """The order-to-chaos line sigma_w^2(sigma_b^2): ordered below-right of it, chaotic above-left."""
    figure, axes = _figure(5.5, 4.0)
    axes = axes[0, 0]
    points = [(bias, weight) for bias, weight in line if weight is not None]
    axes.plot([weight for _, weight in points], [bias for bias, _ in points], "k-o")
    axes.set_xlabel("sigma_w^2")
    axes.set_ylabel("sigma_b^2")
    axes.set_title(f"{activation}: chi_1 = 1 (order left, chaos right)")
    axes.grid(True, alpha=0.3)
    save_figure(figure, path)
    return figure


# ====================================================================== the unit time-lapse


def plot_ridges(steps: Sequence[int], edges: np.ndarray, counts: Sequence[np.ndarray], path: str | Path,
                title: str = "", xlabel: str = "value") -> Any:
    """A ridge plot: one histogram per recorded step, stacked upwards with time (Glorot & Bengio
    2010, Fig. 2 shows the same drift as mean and std)."""
    figure, axes = _figure(6.5, 5.0)
    axes = axes[0, 0]
    centres = 0.5 * (edges[:-1] + edges[1:])
    shown = np.linspace(0, len(steps) - 1, min(len(steps), 16)).round().astype(int)
    spacing = 1.0
    colours = np.linspace(0.15, 0.85, len(shown))
    from matplotlib import colormaps

    for rank, (index, shade) in enumerate(zip(shown[::-1], colours[::-1])):
        density = counts[index] / max(counts[index].max(), 1)
        base = (len(shown) - 1 - rank) * spacing * 0.6
        axes.fill_between(centres, base, base + density, color=colormaps["viridis"](shade), alpha=0.9, zorder=rank)
        axes.plot(centres, base + density, color="black", linewidth=0.6, zorder=rank)
    axes.set_yticks([position * 0.6 for position in range(len(shown))], [str(steps[index]) for index in shown])
    axes.set_ylabel("step")
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    save_figure(figure, path)
    return figure


def plot_unit_status(steps: Sequence[int], status: np.ndarray, path: str | Path, title: str = "") -> Any:
    """A units x time heatmap of each unit's status: alive, saturated or dead."""
    from matplotlib.colors import ListedColormap

    figure, axes = _figure(7.0, 4.5)
    axes = axes[0, 0]
    colours = ListedColormap(["#2ca02c", "#ffbf00", "#222222"])
    image = axes.imshow(status, aspect="auto", interpolation="nearest", cmap=colours, vmin=-0.5, vmax=2.5,
                        extent=(steps[0] - 0.5, steps[-1] + 0.5, status.shape[0] - 0.5, -0.5))
    bar = figure.colorbar(image, ax=axes, ticks=[0, 1, 2])
    bar.ax.set_yticklabels(STATUS_NAMES)
    axes.set_xlabel("step")
    axes.set_ylabel("unit (sorted by when it died)")
    axes.set_title(title)
    save_figure(figure, path)
    return figure


def plot_death_curve(curves: Mapping[str, tuple[Sequence[int], Sequence[float]]], path: str | Path,
                     title: str = "dead units over training") -> Any:
    """The share of dead units against the step, one line per layer."""
    figure, axes = _figure(6.5, 4.0)
    axes = axes[0, 0]
    for name, (steps, fractions) in curves.items():
        axes.plot(steps, fractions, "-", marker=".", label=f"layer {name}")
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("step")
    axes.set_ylabel("dead units (f' = 0 on the whole batch)")
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(figure, path)
    return figure


# ====================================================================== reproduction cards


def plot_zigzag(paths: Mapping[str, np.ndarray], optimum: Sequence[float], path: str | Path) -> Any:
    """The trajectories of two weights under per-example gradient steps: with all-positive inputs
    (sigmoid outputs) every step moves both weights the same way, a staircase; with zero-centred
    inputs (tanh) the steps point anywhere."""
    figure, axes = _figure(5.5, 5.0)
    axes = axes[0, 0]
    for index, (label, trajectory) in enumerate(paths.items()):
        axes.plot(trajectory[:, 0], trajectory[:, 1], "-", marker=".", markersize=3, linewidth=1, color=f"C{index}",
                  label=label)
    axes.plot(trajectory[0, 0], trajectory[0, 1], "ks", label="start")
    axes.plot(*optimum, "r*", markersize=14, label="optimum")
    axes.set_xlabel("w1")
    axes.set_ylabel("w2")
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_title("two weights into one unit, per-example SGD")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(figure, path)
    return figure


def plot_glorot(rows: Sequence[Any], path: str | Path) -> Any:
    """Per layer at init: the std of the activations (left) and of the back-propagated gradients
    dL/dz (right, log scale), for each activation and init (Glorot & Bengio 2010, Fig. 6-7)."""
    figure, axes = _figure(10.0, 4.0, columns=2)
    left, right = axes[0]
    names = list(dict.fromkeys(row.activation for row in rows))
    for row in rows:
        colour = f"C{names.index(row.activation)}"
        # normalised: solid line, filled markers; standard: dashed, hollow (the legend shows both)
        style = dict(linestyle="-", markerfacecolor=colour) if row.init == "normalised" else \
            dict(linestyle="--", markerfacecolor="white")
        layers = np.arange(1, len(row.activation_std) + 1)
        for panel, values in ((left, row.activation_std), (right, row.gradient_std)):
            panel.plot(layers, values, marker="o", color=colour, label=f"{row.activation}, {row.init}", **style)
    left.set_ylabel("std of the activations")
    right.set_ylabel("std of dL/dz (back-propagated)")
    right.set_yscale("log")
    for panel in (left, right):
        panel.set_xlabel("hidden layer")
        panel.set_xticks(layers)
        panel.grid(True, alpha=0.3)
    left.set_title("activations per layer")
    right.set_title("back-propagated gradients per layer")
    figure.suptitle(f"{len(layers)} hidden layers at initialisation, normalised (Xavier, solid) against "
                    "standard init (dashed): Glorot & Bengio 2010")
    right.legend(fontsize=7)
    save_figure(figure, path)
    return figure


def plot_born_dead_rai(rows: Sequence[tuple[int, int, float, float]], path: str | Path) -> Any:
    """P(born dead) against depth, symmetric init (solid) and randomized asymmetric init (dashed),
    one colour per width; rows are (width, depth, symmetric, asymmetric)."""
    figure, axes = _figure(6.5, 4.0)
    axes = axes[0, 0]
    widths = sorted({row[0] for row in rows})
    for index, width in enumerate(widths):
        mine = sorted((row for row in rows if row[0] == width), key=lambda row: row[1])
        depths = [row[1] for row in mine]
        axes.plot(depths, [row[2] for row in mine], "-o", color=f"C{index}", label=f"width {width}, symmetric")
        axes.plot(depths, [row[3] for row in mine], "--s", color=f"C{index}", label=f"width {width}, RAI")
    axes.set_xlabel("depth")
    axes.set_ylabel("P(net is constant at init)")
    axes.set_ylim(-0.02, 1.02)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(figure, path)
    return figure

