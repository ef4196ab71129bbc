"""Layers and models: Module, Parameter, Linear, activation layers (one per registered activation)."""

from ..activations import ActivationSpec, on_register
from .activation import Activation, Maxout, PReLU, activation_class
from .linear import Linear
from .module import Module, Parameter


def _add_activation_class(spec: ActivationSpec) -> None:
    cls = activation_class(spec.name)
    globals().setdefault(cls.__name__, cls)


on_register(_add_activation_class)

__all__ = ["Activation", "Linear", "Maxout", "Module", "PReLU", "Parameter", "activation_class"]
