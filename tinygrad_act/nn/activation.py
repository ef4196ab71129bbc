"""Activation layers, generated from the registry: nn.Activation(name, **params) and the familiar
classes (nn.ReLU, nn.LeakyReLU(negative_slope), ...), plus the layers with parameters PReLU and Maxout."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..activations import ActivationSpec, get_activation
from ..autograd import apply
from ..tensor import Tensor, where
from .linear import Linear
from .module import Module, Parameter


class Activation(Module):
    """Any registered activation as a layer: `nn.Activation("leaky_relu", negative_slope=0.2)`."""

    def __init__(self, name: str, *args: Any, **params: Any) -> None:
        super().__init__()
        spec = get_activation(name)
        if spec.learnable:
            raise ValueError(f"Activation: {name!r} learns a parameter, so it is the layer nn.{spec.class_name}, "
                             f"or activation_layer({name!r})")
        self.spec: ActivationSpec = spec
        self.params = spec.bind(args, params)

    @property
    def name(self) -> str:
        return self.spec.name

    def forward(self, x: Tensor) -> Tensor:
        # spec.apply with the parameters bound once, in __init__ (this runs on every forward)
        return apply(self.spec.node_class, x, self.params)

    def extra_repr(self) -> str:
        return ", ".join(f"{key}={value!r}" for key, value in self.params.items())

    def __repr__(self) -> str:
        return f"Activation({self.spec.label(self.params)!r})"


def activation_class(activation: ActivationSpec | str) -> type[Activation]:
    """A subclass of Activation fixed to one activation (its spec, or a registered name), named as
    PyTorch names it (spec.class_name), taking its parameters positionally or by keyword as PyTorch's
    class does (`nn.LeakyReLU(0.2)`, `nn.Softmax(dim=1)`), with the activation's formula as docstring."""
    spec = get_activation(activation) if isinstance(activation, str) else activation
    name, class_name = spec.name, spec.class_name

    def __init__(self: Activation, *args: Any, **params: Any) -> None:
        params.pop("inplace", None)  # accepted for PyTorch compatibility; we never work in place
        Activation.__init__(self, name, *args, **params)

    def __repr__(self: Activation) -> str:
        return f"{class_name}({self.extra_repr()})"

    signature = spec.signature("self")
    inplace = inspect.Parameter("inplace", inspect.Parameter.KEYWORD_ONLY, default=False)
    __init__.__signature__ = signature.replace(parameters=[*signature.parameters.values(), inplace])
    return type(class_name, (Activation,), {"__init__": __init__, "__repr__": __repr__,
                                            "__doc__": spec.describe(), "__module__": __name__})


def activation_layer(name: str, *args: Any, dtype: Any = None, **params: Any) -> Module:
    """The layer of a registered activation: nn.Activation(name, ...) for a function, or the layer
    that holds a learned parameter (nn.PReLU for "prelu", in `dtype`)."""
    spec = get_activation(name)
    if not spec.learnable:
        return Activation(name, *args, **params)
    layer_class = _LEARNABLE_LAYERS.get(spec.class_name)
    if layer_class is None:
        raise ValueError(f"activation_layer: {name!r} is learnable but no layer nn.{spec.class_name} exists")
    return layer_class(*args, **params, dtype=dtype)


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


# The hand-written layers behind the learnable registry entries, by their spec.class_name.
_LEARNABLE_LAYERS: dict[str, type[Module]] = {"PReLU": PReLU}
