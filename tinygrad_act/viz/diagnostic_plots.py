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

from ..autograd import no_grad
from ..diagnostics import DeadUnits, GradientFlow
from ..diagnostics.monitor import activation_layers
from ..nn import Module
from ..tensor import Tensor
from .figures import save_figure

_COLUMNS = 4
_LINE_STYLES = {"val_": "--", "test_": ":"}  # a run's train, validation and test curves share its colour


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
    """(layer labels, gradient norms) of one run: a GradientFlow (its latest norms), a dict layer -> norm,
    or a sequence of norms (input layer first)."""
    if isinstance(run, GradientFlow):
        norms = run.norms()
        if not norms:
            raise ValueError("plot_gradient_flow: the GradientFlow has recorded no backward yet")
        return list(norms), list(norms.values())
    if isinstance(run, Mapping):
        return [str(name) for name in run], [float(value) for value in run.values()]
    if _is_number_sequence(run):
        return [str(index) for index in range(len(run))], [float(value) for value in run]
    raise TypeError(
        f"plot_gradient_flow: expected a GradientFlow, a dict layer -> norm or a list of norms, "
        f"got {type(run).__name__}"
    )


def plot_gradient_flow(flow_or_dict: GradientFlow | Mapping[str, Any], path: str | Path | None = None,
                       log: bool = True) -> Any:
    """Weight-gradient L2 norm of each layer, input layer on the left, on a log scale by default.

    Give one GradientFlow (its latest backward), or a dict run name -> GradientFlow or -> list of
    per-layer norms to draw one line per run (e.g. one per activation): a line falling towards the
    input is a vanishing gradient, a rising one an exploding gradient.
    """
    if isinstance(flow_or_dict, GradientFlow):
        runs = {"gradient norm": flow_or_dict}
    elif isinstance(flow_or_dict, Mapping) and flow_or_dict:
        runs = dict(flow_or_dict)
    else:
        raise ValueError("plot_gradient_flow: give a GradientFlow or a non-empty dict name -> GradientFlow/norms")
    curves = {name: _layer_norms(run) for name, run in runs.items()}
    labels = max((layers for layers, _ in curves.values()), key=len)
    figure = _new_figure(max(5.0, 0.45 * len(labels) + 2.0), 3.6)
    axes = figure.subplots()
    for name, (_, norms) in curves.items():
        axes.plot(range(len(norms)), norms, marker="o", label=str(name))
    if log:
        axes.set_yscale("log")
    axes.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 8 else 0, fontsize=8)
    axes.set_xlabel("layer (input \u2192 output)")
    axes.set_ylabel("weight-gradient L2 norm")
    axes.set_title("gradient flow")
    axes.grid(True, which="both", alpha=0.3)
    if len(curves) > 1:
        axes.legend(fontsize=8)
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
    figure = _new_figure(5.5, 3.6)
    axes = figure.subplots()
    for name, fractions in curves.items():
        axes.plot(range(1, len(fractions) + 1), fractions, marker="o" if len(fractions) < 30 else None,
                  label=str(name))
    axes.set_ylim(-0.03, 1.03)
    _integer_steps(axes)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("dead fraction (f' = 0 on the whole batch)")
    axes.set_title("dead units")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
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
    outputs: dict[str, np.ndarray] = {}
    handles = []
    for name, layer in layers:
        def record(module: Module, inputs: tuple, output: Tensor, name: str = name) -> None:
            outputs[name] = output.numpy()
        handles.append(layer.register_forward_hook(record))
    try:
        with no_grad():
            model(x if isinstance(x, Tensor) else Tensor(x))
    finally:
        for handle in handles:
            handle.remove()
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


def _panel_name(metric: str) -> str:
    """The panel a metric is drawn on: val_loss and train_loss go with loss."""
    for prefix in ("val_", "train_", "test_"):
        if metric.startswith(prefix):
            return metric[len(prefix):]
    return metric


def plot_history(history: Any, path: str | Path | None = None) -> Any:
    """Per-epoch curves, one panel per metric (loss, accuracy, ...): val_/train_/test_ variants share
    their metric's panel (dashed for val_, dotted for test_).

    `history` is a dict of lists ({"loss": [...], "accuracy": [...], "val_accuracy": [...]}), an
    object with such attributes (train.History), or a dict run name -> either, one colour per run.
    """
    if not isinstance(history, Mapping) or _is_single_history(history):
        runs = {"": _metrics(history)}
    elif history:
        runs = {str(name): _metrics(run) for name, run in history.items()}
    else:
        raise ValueError("plot_history: the history is empty")
    panel_names = list(dict.fromkeys(_panel_name(metric) for metrics in runs.values() for metric in metrics))
    if not panel_names:
        raise ValueError("plot_history: no per-epoch metric lists to draw")
    figure = _new_figure(4.2 * len(panel_names), 3.4)
    panels = dict(zip(panel_names, figure.subplots(1, len(panel_names), squeeze=False).flat))
    colours = {name: f"C{index % 10}" for index, name in enumerate(runs)}
    for run, metrics in runs.items():
        for metric, values in metrics.items():
            label = f"{run} {metric}".strip()
            style = _LINE_STYLES.get(metric.split("_")[0] + "_", "-")
            panels[_panel_name(metric)].plot(range(1, len(values) + 1), values, style, color=colours[run],
                                             marker="o" if len(values) < 30 else None, label=label)
    for name, panel in panels.items():
        _integer_steps(panel)
        panel.set_xlabel("epoch")
        panel.set_ylabel(name)
        panel.set_title(name)
        panel.grid(True, alpha=0.3)
        panel.legend(fontsize=8)
    return _finish(figure, path)
