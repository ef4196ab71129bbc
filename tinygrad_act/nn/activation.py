"""Activation layers, generated from the registry: nn.Activation(name, **params) and the familiar
classes (nn.ReLU, nn.LeakyReLU(negative_slope), ...), plus the layers with parameters PReLU and Maxout."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import ActivationSpec, get_activation
from ..tensor import Tensor, apply, where
from .linear import Linear
from .module import Module, Parameter


class Activation(Module):
    """Any registered activation as a layer: `nn.Activation("leaky_relu", negative_slope=0.2)`."""

    def __init__(self, name: str, *args: Any, **params: Any) -> None:
        super().__init__()
        self.spec: ActivationSpec = get_activation(name)
        self.params = self.spec.bind(args, params)

    @property
    def name(self) -> str:
        return self.spec.name

    def forward(self, x: Tensor) -> Tensor:
        return apply(self.spec.node_class, x, self.params)

    def extra_repr(self) -> str:
        return ", ".join(f"{key}={value!r}" for key, value in self.params.items())

    def __repr__(self) -> str:
        return f"Activation({self.spec.label(self.params)!r})"


# PyTorch's class names for the built-ins; a user's activation is reachable as nn.Activation(name).
_CLASS_NAMES = {
    "identity": "Identity", "sigmoid": "Sigmoid", "hardsigmoid": "Hardsigmoid", "tanh": "Tanh",
    "hardtanh": "Hardtanh", "softsign": "Softsign", "relu": "ReLU", "relu6": "ReLU6",
    "leaky_relu": "LeakyReLU", "elu": "ELU", "selu": "SELU", "celu": "CELU", "gelu": "GELU",
    "silu": "SiLU", "hardswish": "Hardswish", "mish": "Mish", "softplus": "Softplus",
    "logsigmoid": "LogSigmoid", "softmax": "Softmax", "log_softmax": "LogSoftmax", "softmin": "Softmin",
    "step": "Step", "arctan": "Arctan",
}


def activation_class(name: str) -> type[Activation]:
    """A subclass of Activation fixed to one registered activation, taking its parameters
    positionally or by keyword as PyTorch's class does (`nn.LeakyReLU(0.2)`, `nn.Softmax(dim=1)`)."""
    class_name = _CLASS_NAMES.get(name, "".join(part.title() for part in name.split("_")))

    def __init__(self: Activation, *args: Any, **params: Any) -> None:
        params.pop("inplace", None)  # accepted for PyTorch compatibility; we never work in place
        Activation.__init__(self, name, *args, **params)

    def __repr__(self: Activation) -> str:
        return f"{class_name}({self.extra_repr()})"

    return type(class_name, (Activation,), {"__init__": __init__, "__repr__": __repr__,
                                            "__doc__": f"The {name} activation as a layer."})


class PReLU(Module):
    """x for x > 0, a x otherwise, with a learnable slope a (one shared, or one per channel = dim 1);
    d/dx = 1 for x > 0 else a, d/da = x where x <= 0 (PyTorch's convention at 0)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(np.full(num_parameters, init), dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        slope = self.weight
        if self.num_parameters > 1:
            if x.ndim < 2 or x.shape[1] != self.num_parameters:
                raise ValueError(
                    f"PReLU: {self.num_parameters} slopes need inputs with {self.num_parameters} "
                    f"channels in dim 1, got shape {x.shape}"
                )
            slope = slope.reshape((self.num_parameters,) + (1,) * (x.ndim - 2))
        return where(x > 0, x, slope * x)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Maxout(Module):
    """max over `pieces` linear maps: y_j = max_k (x W_k^T + b_k)_j (Goodfellow et al. 2013); the
    gradient flows only through the winning piece of each unit. Weight shape (out*pieces, in)."""

    def __init__(self, in_features: int, out_features: int, pieces: int = 2, dtype: Any = None) -> None:
        super().__init__()
        if pieces < 1:
            raise ValueError(f"Maxout: pieces must be at least 1, got {pieces}")
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        self.linear = Linear(in_features, out_features * pieces, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        z = self.linear(x)
        return z.reshape(z.shape[:-1] + (self.out_features, self.pieces)).max(dim=-1).values

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"
