"""A gallery of activations: f and its derivative f' (from the registered backward rule), one panel each."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..activations import ActivationSpec, get_activation, list_activations
from ..tensor import Tensor
from .figures import save_figure

_COLUMNS = 4


def activation_curve(spec: ActivationSpec, x: np.ndarray, params: dict[str, Any] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) on the points x (float64), f' computed by the activation's backward rule.

    An elementwise activation is applied to x directly. One that acts along a dim (softmax,
    log_softmax) is applied to the pairs (x_i, 0) laid along that dim, and the curve is the first
    output and its derivative with respect to x_i: softmax then draws sigmoid(x), its two-class case.
    """
    bound = spec.bind((), params or {})
    points = np.asarray(x, dtype=np.float64)
    if spec.elementwise:
        inputs = Tensor(points, dtype=np.float64, requires_grad=True)
        spec(inputs, **bound).backward(np.ones_like(points))
        return spec.forward(points, **bound), inputs.grad.numpy()
    dim = bound.get("dim", -1)  # the pairs lie along the activation's dim
    rows = np.stack([points, np.zeros_like(points)], axis=dim)
    inputs = Tensor(rows, dtype=np.float64, requires_grad=True)
    first_output = np.stack([np.ones_like(points), np.zeros_like(points)], axis=dim)
    spec(inputs, **bound).backward(first_output)
    return np.take(spec.forward(rows, **bound), 0, axis=dim), np.take(inputs.grad.numpy(), 0, axis=dim)


def panel_inputs(spec: ActivationSpec, params: dict[str, Any], x_range: tuple[float, float]) -> np.ndarray:
    """The points of one panel: `x_range`, widened to show each nearby kink with room beside it
    (relu6's cap at 6 lies just outside the usual [-5, 5]; softplus's switch to x at 20 is no
    feature worth the space)."""
    low, high = x_range
    reach = 2.0 * max(abs(low), abs(high))
    kinks = [kink for kink in spec.kinks_for(params) if abs(kink) <= reach]
    if kinks:
        room = 0.2 * (high - low)
        low, high = min(low, min(kinks) - room), max(high, max(kinks) + room)
    return np.linspace(low, high, 801)


def _needs_zoom(x: np.ndarray, value: np.ndarray) -> bool:
    """True when f changes for x < 0 but by under 5% of its whole range there: leaky_relu's slope
    of 0.01 looks like relu's flat 0 at the panel's scale."""
    negative = value[x < 0]
    spread = float(np.ptp(value))
    return negative.size > 1 and spread > 0 and 0 < float(np.ptp(negative)) < 0.05 * spread


def _zoom_negative_side(panel: Any, x: np.ndarray, value: np.ndarray, slope: np.ndarray) -> None:
    """An inset in the panel's upper left that magnifies f for x < 0, with the slope written in it
    when it is constant."""
    negative = x < 0
    inset = panel.inset_axes((0.2, 0.52, 0.4, 0.32))
    inset.plot(x[negative], value[negative], color="tab:blue")
    inset.axhline(0.0, color="0.8", linewidth=0.8)
    constant = float(np.ptp(slope[negative])) < 1e-6
    inset.set_title("x < 0 zoomed" + (f": slope {float(slope[negative][0]):.3g}" if constant else ""), fontsize=6.5)
    inset.tick_params(labelsize=5.5)


def plot_activations(
    names: list[str] | None = None,
    x_range: tuple[float, float] = (-5.0, 5.0),
    params: dict[str, dict[str, Any]] | None = None,
    path: str | Path | None = None,
) -> Any:
    """Draw f (solid) and f' (dashed) of each named activation (default: every registered one).

    Each panel shows `x_range`, widened where an activation has a kink outside it (relu6's cap),
    and magnifies a small but non-zero negative side in an inset (leaky_relu's slope).

    `params` maps a name to its parameters (`{"leaky_relu": {"negative_slope": 0.2}}`); the others use
    their defaults. Returns the matplotlib Figure; with `path` (.png or .svg) also saves it there.
    Uses matplotlib's Figure directly, so no GUI backend is chosen or needed.
    """
    from matplotlib.figure import Figure

    names = list_activations() if names is None else list(names)
    if not names:
        raise ValueError("plot_activations: no activations to draw")
    params = params or {}
    rows = math.ceil(len(names) / _COLUMNS)
    columns = min(len(names), _COLUMNS)
    figure = Figure(figsize=(3.0 * columns, 2.4 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for panel, name in zip(axes.flat, names):
        spec = get_activation(name)
        bound = spec.bind((), params.get(name, {}))
        x = panel_inputs(spec, bound, x_range)
        value, slope = activation_curve(spec, x, bound)
        panel.axhline(0.0, color="0.8", linewidth=0.8)
        panel.axvline(0.0, color="0.8", linewidth=0.8)
        panel.plot(x, value, color="tab:blue", label="f(x)")
        panel.plot(x, slope, color="tab:orange", linestyle="--", label="f'(x)")
        if _needs_zoom(x, value):
            _zoom_negative_side(panel, x, value, slope)
        title = spec.label(bound) if spec.elementwise else f"{spec.label(bound)}([x, 0])[0]"
        panel.set_title(title, fontsize=9)
        panel.tick_params(labelsize=7)
    for panel in list(axes.flat)[len(names):]:
        panel.set_visible(False)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    if path is not None:
        save_figure(figure, path)
    return figure
