"""Saturation: the share of bounded activations' outputs that sit near a bound, where f' is near 0.

A sigmoid output within 0.01 of 0 or 1 has derivative sigma (1 - sigma) < 0.01, so a saturated
layer passes almost no gradient back; large weights or inputs saturate sigmoid and tanh layers and
training stalls even though no unit is exactly dead.
"""

from __future__ import annotations

import math

import numpy as np

from ..nn import Activation, Module
from .monitor import LayerFractions, activation_layers


def is_bounded(layer: Activation) -> bool:
    """True for an activation with a finite output bound it saturates towards: its range
    (spec.range_for(params)) is finite on at least one side and it is not registered as
    non-saturating (relu's 0, gelu's and softplus's minima are floors, not asymptotes)."""
    low, high = layer.spec.range_for(layer.params)
    return layer.spec.fact("saturating", layer.params) is not False and (math.isfinite(low) or math.isfinite(high))


def near_bound(layer: Activation, y: np.ndarray, threshold: float) -> np.ndarray:
    """For each output in y: True when it lies within `threshold` of a finite bound of `layer`'s range."""
    low, high = layer.spec.range_for(layer.params)
    near = np.zeros(y.shape, dtype=bool)
    if math.isfinite(low):
        near |= y - low <= threshold
    if math.isfinite(high):
        near |= high - y <= threshold
    return near


def saturated_fraction(layer: Activation, y: np.ndarray, threshold: float) -> float:
    """The share of outputs y within `threshold` of a finite bound of `layer`'s range, in [0, 1]."""
    return float(near_bound(layer, y, threshold).mean()) if y.size else 0.0


class Saturation(LayerFractions):
    """Forward hooks recording, at every forward call, the share of each bounded activation layer's
    outputs that lie within `threshold` (absolute) of a bound of its range: sigmoid, tanh, hardtanh,
    softsign, arctan, relu6, elu, hardsigmoid, step, a user's own bounded activation, ...

        with Saturation(model, threshold=0.01) as saturation:
            model(x)
        saturation.fractions()    # {"1": 0.93}: 93% of layer 1's outputs are pinned to 0 or 1
    """

    def __init__(self, model: Module, threshold: float = 0.01) -> None:
        if not threshold > 0:
            raise ValueError(f"Saturation: threshold must be positive, got {threshold}")
        self.threshold = threshold
        layers = activation_layers(model, is_bounded)
        if not layers:
            raise ValueError(
                f"Saturation: {type(model).__name__} has no bounded activation layer (sigmoid, tanh, "
                "hardtanh, softsign, ...) to watch"
            )
        super().__init__(layers, lambda layer, x, y: saturated_fraction(layer, y, threshold))
