"""DeadUnits: the share of each activation layer's units that pass no gradient for a whole batch.

A unit is dead on a batch when the activation's derivative f'(x) is exactly 0 at its input for
every sample: then dL/dW of the weights feeding it is 0 and gradient descent cannot revive it.
For ReLU this is "the output is 0 for every input" (dying ReLU: after a large update pushes the
bias far negative, the unit never fires again). The derivative comes from the activation's own
registered backward rule applied to a gradient of ones, so the definition covers every registered
activation, a user's own included: relu6 and hardtanh units also die when stuck in their flat
parts, a step unit is always dead (f' = 0 everywhere), while leaky_relu, elu, selu and softplus
have f' > 0 everywhere and never die (barring float underflow deep in elu's tail).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..activations import get_activation
from ..nn import Activation, Module
from .monitor import LayerFractions, activation_layers


def derivative(layer: Activation, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f'(x) elementwise, from the activation's own backward rule applied to a gradient of ones."""
    return layer.spec.backward(x, y, np.ones_like(y), **layer.params)


def flat_units(slope: np.ndarray) -> np.ndarray:
    """For f'(x) of shape (..., units): a boolean array of shape (units,), True where f'(x) == 0 for
    every sample (every index of the leading dims)."""
    return np.all(slope == 0, axis=tuple(range(slope.ndim - 1)))


def dead_unit_mask(layer: Activation, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For activation `layer` with input x and output y of shape (..., units): a boolean array of
    shape (units,), True where f'(x) == 0 for every sample."""
    return flat_units(derivative(layer, x, y))


def dead_fraction(layer: Activation, x: np.ndarray, y: np.ndarray) -> float:
    """The share of the units (the last dim) of `layer` that are dead on this batch, in [0, 1]."""
    mask = dead_unit_mask(layer, x, y)
    return float(mask.mean()) if mask.size else 0.0


class DeadUnits(LayerFractions):
    """Forward hooks recording, at every forward call, each activation layer's dead-unit fraction.

    `activations` names the activations to watch (`["relu"]`); None watches every elementwise
    activation layer (nn.Activation and its classes such as nn.ReLU; softmax-like layers, whose
    derivative is not per unit, are skipped). Units are the last dim of the layer's output.

        with DeadUnits(model) as dead:
            model(x)
        dead.fractions()    # {"1": 0.0, "3": 0.42}: 42% of layer 3's units gave no gradient
        dead.history["3"]   # one fraction per forward call
    """

    def __init__(self, model: Module, activations: Iterable[str] | None = None) -> None:
        names = None if activations is None else {get_activation(name).name for name in activations}
        layers = activation_layers(
            model, lambda layer: layer.spec.elementwise and (names is None or layer.spec.name in names)
        )
        if not layers:
            wanted = "elementwise" if names is None else "/".join(sorted(names))
            raise ValueError(
                f"DeadUnits: {type(model).__name__} has no {wanted} activation layer to watch; activations "
                "applied as functions (x.relu()) have no layer to hook, use nn.Activation layers"
            )
        super().__init__(layers, dead_fraction)
