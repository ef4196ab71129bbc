"""Plots of the diagnostics: gradient norms by layer, dead units over training, activation histograms,
and loss / accuracy curves. Each function returns a matplotlib Figure and, given `path` (.png or
.svg), saves it there; matplotlib's Figure is used directly, so no GUI backend or pyplot state."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

from ..diagnostics import DeadUnits, GradientFlow
from ..diagnostics.monitor import activation_layers, record_layers
from ..nn import Module
from ..tensor import Tensor
from .figures import coinciding, save_figure, series_style

_COLUMNS = 4


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _integer_steps(axes: Any) -> None:
    """Label the x axis (steps, epochs) with whole numbers only."""
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))


def _finish(figure: Any, path: str | Path | None) -> Any:
    if path is not None:
        save_figure(figure, path)
    return figure


def _is_number_sequence(value: Any) -> bool:
    return (isinstance(value, (list, tuple, np.ndarray)) and len(value) > 0
            and all(isinstance(item, (Real, np.number)) for item in value))


# ============================================================================ gradient flow


def _layer_norms(run: Any) -> tuple[list[str], list[float]]:
    """(layer labels, gradient norms) of one run, input layer first: a GradientFlow (its latest norms;
    layers counted from 1, each with its module path: "1\n(0)"), a dict layer -> norm (its keys), or
    a sequence of norms (layers counted from 1)."""
    if isinstance(run, GradientFlow):
        norms = run.norms()
        if not norms:
            raise ValueError("plot_gradient_flow: the GradientFlow has recorded no backward yet")
        return [f"{number}\n({path})" for number, path in enumerate(norms, 1)], list(norms.values())
    if isinstance(run, Mapping):
        return [str(name) for name in run], [float(value) for value in run.values()]
    if _is_number_sequence(run):
        return [str(number) for number in range(1, len(run) + 1)], [float(value) for value in run]
    raise TypeError(
        f"plot_gradient_flow: expected a GradientFlow, a dict layer -> norm or a list of norms, "
        f"got {type(run).__name__}"
    )


_FLAT_SPREAD = 2.0  # largest / smallest norm below this: every layer gets about the same gradient
_LOG_SPREAD = 10.0  # a log axis only once the norms span a decade; below, it magnifies small differences


def gradient_verdict(norms: list[float]) -> str:
    """One word for a profile of per-layer norms (input first): "flat" when the largest is under
    2x the smallest, else "vanishing toward the input" or "growing toward the input"."""
    positive = [norm for norm in norms if norm > 0 and math.isfinite(norm)]
    if len(positive) < 2 or max(positive) / min(positive) < _FLAT_SPREAD:
        return "flat"
    return "vanishing toward the input" if norms[0] < norms[-1] else "growing toward the input"


def plot_gradient_flow(flow_or_dict: GradientFlow | Mapping[str, Any], path: str | Path | None = None,
                       log: bool | None = None, title: str | None = None) -> Any:
    """Weight-gradient L2 norm of each layer, input layer on the left (layers counted from 1).

    Give one GradientFlow (its latest backward), or a dict run name -> GradientFlow or -> list of
    per-layer norms to draw one line per run (e.g. one per activation): a line falling towards the
    input is a vanishing gradient, a rising one an exploding gradient. `log=None` chooses the axis
    from the data: logarithmic once the norms span more than a decade, else linear from 0 (a log
    axis on 0.15-0.19 would make a flat profile look like vanishing). The title says what is drawn
    and, for one run, whether the profile is flat; a line that lies on an earlier one is dashed
    with hollow markers and named in the legend ("relu = leaky_relu here").
    """
    if isinstance(flow_or_dict, GradientFlow):
        runs = {"weight-gradient norm": flow_or_dict}
    elif isinstance(flow_or_dict, Mapping) and flow_or_dict:
        runs = dict(flow_or_dict)
    else:
        raise ValueError("plot_gradient_flow: give a GradientFlow or a non-empty dict name -> GradientFlow/norms")
    curves = {str(name): _layer_norms(run) for name, run in runs.items()}
    labels = max((layers for layers, _ in curves.values()), key=len)
    every_norm = [norm for _, norms in curves.values() for norm in norms if norm > 0 and math.isfinite(norm)]
    if log is None:
        log = bool(every_norm) and max(every_norm) / min(every_norm) > _LOG_SPREAD
    twins = coinciding({name: norms for name, (_, norms) in curves.items()})
    legend_width = 0.0 if len(curves) == 1 else 0.075 * max(len(name) for name in curves) + 1.5
    figure = _new_figure(max(5.0, 0.45 * len(labels) + 2.0) + legend_width, 3.8)
    axes = figure.subplots()
    for index, (name, (_, norms)) in enumerate(curves.items()):
        style = series_style(index)
        if name in twins:
            axes.plot(range(len(norms)), norms, linestyle="--", markerfacecolor="none", markersize=9,
                      label=f"{name} (= {twins[name].split(' (')[0]} here)", **style)
        else:
            axes.plot(range(len(norms)), norms, label=name, **style)
    if log:
        axes.set_yscale("log")
    else:
        axes.set_ylim(0.0, 1.15 * max(every_norm, default=1.0))
    axes.set_xticks(range(len(labels)), labels, fontsize=8)
    with_paths = any("\n" in label for label in labels)
    axes.set_xlabel("layer, from the input (1) to the output" + (", with its module path" if with_paths else ""))
    axes.set_ylabel("weight-gradient L2 norm")
    if title is None:
        title = "weight-gradient norm per layer"
        if len(curves) == 1:
            norms = next(iter(curves.values()))[1]
            title += f": {gradient_verdict(norms)} (largest / smallest = {max(norms) / min(norms):.3g})"
    axes.set_title(title, fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    if len(curves) > 1:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _finish(figure, path)


# ============================================================================ dead units


def _mean_over_layers(dead: DeadUnits) -> list[float]:
    """The mean dead fraction over a DeadUnits' layers at each forward call its layers all made."""
    lengths = [len(values) for values in dead.history.values()]
    steps = min(lengths, default=0)
    return [float(np.mean([values[step] for values in dead.history.values()])) for step in range(steps)]


def plot_dead_units(dead_or_dict: DeadUnits | Mapping[str, Any], path: str | Path | None = None,
                    xlabel: str = "step") -> Any:
    """Dead-unit fraction over training (x: forward call, step or epoch, as `xlabel` says).

    One DeadUnits draws one line per layer; a dict name -> list of fractions draws one line per
    key (a layer or a variant); a dict name -> DeadUnits draws one line per variant: the mean dead
    fraction over its layers.
    """
    if isinstance(dead_or_dict, DeadUnits):
        curves = {name: list(values) for name, values in dead_or_dict.history.items()}
    elif isinstance(dead_or_dict, Mapping) and dead_or_dict:
        curves = {}
        for name, value in dead_or_dict.items():
            if isinstance(value, DeadUnits):
                curves[name] = _mean_over_layers(value)
            elif _is_number_sequence(value):
                curves[name] = [float(item) for item in value]
            else:
                raise TypeError(
                    f"plot_dead_units: {name!r} should be a DeadUnits or a list of fractions, "
                    f"got {type(value).__name__}"
                )
    else:
        raise ValueError("plot_dead_units: give a DeadUnits or a non-empty dict name -> DeadUnits/fractions")
    figure = _new_figure(6.5, 3.6)
    axes = figure.subplots()
    twins = coinciding(curves, rtol=0.0)
    for index, (name, fractions) in enumerate(curves.items()):
        style = series_style(index)
        label = f"{name} (= {twins[name]} here)" if name in twins else str(name)
        axes.plot(range(1, len(fractions) + 1), fractions, label=label, markevery=max(1, len(fractions) // 15),
                  linestyle="--" if name in twins else "-", **style)
    axes.set_ylim(-0.03, 1.03)
    _integer_steps(axes)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("dead fraction (f' = 0 on the whole batch)")
    axes.set_title("share of dead units" + (" per layer" if isinstance(dead_or_dict, DeadUnits) else ""))
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _finish(figure, path)


# ============================================================================ activation statistics


def plot_activation_stats(model: Module, x: Tensor | np.ndarray, path: str | Path | None = None,
                          bins: int = 50) -> Any:
    """Histograms of every activation layer's outputs on the batch x, one panel per layer (input first).

    Runs model(x) once without recording the graph, reading the outputs with forward hooks that
    are removed afterwards. Each panel gives the mean and std: a distribution piled at the bounds
    is saturation, a spike at 0 of a ReLU layer is dead units, a shrinking spread is a fading signal.
    """
    layers = activation_layers(model, lambda layer: True)
    if not layers:
        raise ValueError(f"plot_activation_stats: {type(model).__name__} has no activation layer to show")
    outputs = {name: output for name, (_, output) in record_layers(model, x, layers).items()}
    layers = [(name, layer) for name, layer in layers if name in outputs]  # skip layers forward never called
    if not layers:
        raise ValueError(f"plot_activation_stats: the forward of {type(model).__name__} used no activation layer")
    rows = math.ceil(len(layers) / _COLUMNS)
    columns = min(len(layers), _COLUMNS)
    figure = _new_figure(3.0 * columns, 2.6 * rows)
    panels = figure.subplots(rows, columns, squeeze=False)
    for panel, (name, layer) in zip(panels.flat, layers):
        values = outputs[name].astype(np.float64).ravel()
        panel.hist(values, bins=bins, color="tab:blue")
        panel.set_title(f"{name}: {layer.spec.label(layer.params)}", fontsize=9)
        panel.set_xlabel("output value", fontsize=8)
        panel.set_ylabel("count", fontsize=8)
        panel.text(0.98, 0.95, f"mean {values.mean():.3g}\nstd {values.std():.3g}", transform=panel.transAxes,
                   ha="right", va="top", fontsize=7)
        panel.tick_params(labelsize=7)
    for panel in list(panels.flat)[len(layers):]:
        panel.set_visible(False)
    return _finish(figure, path)


# ============================================================================ training history


def _metrics(history: Any) -> dict[str, list[float]]:
    """The per-epoch metric lists of one history: a dict of lists or an object with list attributes
    (train.History); empty lists are left out."""
    if not isinstance(history, Mapping):
        if not hasattr(history, "__dict__"):
            raise TypeError(
                f"plot_history: expected a dict of per-epoch lists or an object with such attributes, "
                f"got {type(history).__name__}"
            )
        history = vars(history)
    return {str(key): [float(item) for item in value] for key, value in history.items()
            if _is_number_sequence(value)}


def _is_single_history(history: Any) -> bool:
    return isinstance(history, Mapping) and any(_is_number_sequence(value) for value in history.values())


_SPLITS = {"train_": "train", "val_": "validation", "test_": "test"}
_SPLIT_STYLES = {"train": "-", "validation": "--", "test": ":"}


def _split_and_panel(metric: str) -> tuple[str, str]:
    """(split, panel) of a metric name: "val_loss" is ("validation", "loss"), a bare "loss" is
    ("train", "loss"), and a metric of no split ("seconds") is ("", "seconds")."""
    for prefix, split in _SPLITS.items():
        if metric.startswith(prefix):
            return split, metric[len(prefix):]
    return ("train", metric) if metric in ("loss", "accuracy") else ("", metric)


def _is_duration(panel: str) -> bool:
    return panel in ("seconds", "time", "duration")


def plot_history(history: Any, path: str | Path | None = None, title: str | None = None) -> Any:
    """Per-epoch curves, one panel per metric (loss, accuracy, seconds, ...), each curve labelled
    with its split in words ("train loss", "test accuracy"; a bare "loss" is the training loss).

    `history` is a dict of lists ({"loss": [...], "accuracy": [...], "test_accuracy": [...]}), an
    object with such attributes (train.History), or a dict run name -> either. With one run, each
    split has its own colour, marker and line style; with several, each run has a colour and each
    split a line style and marker. A duration panel starts at 0, so timing noise looks like noise.
    """
    if not isinstance(history, Mapping) or _is_single_history(history):
        runs = {"": _metrics(history)}
    elif history:
        runs = {str(name): _metrics(run) for name, run in history.items()}
    else:
        raise ValueError("plot_history: the history is empty")
    panel_names = list(dict.fromkeys(_split_and_panel(metric)[1] for metrics in runs.values() for metric in metrics))
    if not panel_names:
        raise ValueError("plot_history: no per-epoch metric lists to draw")
    figure = _new_figure(4.2 * len(panel_names), 3.6)
    panels = dict(zip(panel_names, figure.subplots(1, len(panel_names), squeeze=False).flat))
    splits = list(dict.fromkeys(_split_and_panel(metric)[0] for metrics in runs.values() for metric in metrics))
    for run_index, (run, metrics) in enumerate(runs.items()):
        for metric, values in metrics.items():
            split, panel = _split_and_panel(metric)
            style = series_style(splits.index(split) if len(runs) == 1 else run_index)
            if len(runs) > 1:
                style["marker"] = series_style(splits.index(split))["marker"]
            label = " ".join(part for part in (run, split, panel) if part)
            panels[panel].plot(range(1, len(values) + 1), values, linestyle=_SPLIT_STYLES.get(split, "-"),
                               markevery=max(1, len(values) // 15), label=label, **style)
    for name, panel in panels.items():
        _integer_steps(panel)
        panel.set_xlabel("epoch")
        panel.set_ylabel(name)
        panel.set_title(name)
        panel.grid(True, alpha=0.3)
        if _is_duration(name):
            panel.set_ylim(0.0, 1.2 * max(max(line.get_ydata()) for line in panel.get_lines()))
        panel.legend(fontsize=8)
    if title is not None:
        figure.suptitle(title, fontsize=10)
    return _finish(figure, path)
