"""Layers and models: Module, Parameter, Linear, activation layers (one per registered activation),
Sequential, Dropout, Flatten, BatchNorm1d, MLP, the loss modules, and the init and utils submodules."""

from .. import functional
from ..activations import ActivationSpec, on_register
from . import init, utils
from .activation import Activation, Maxout, PReLU, activation_class
from .layers import MLP, BatchNorm1d, Dropout, Flatten, Sequential
from .linear import Linear
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter


def _add_activation_class(spec: ActivationSpec) -> None:
    cls = activation_class(spec.name)
    globals().setdefault(cls.__name__, cls)


on_register(_add_activation_class)

__all__ = [
    "MLP", "Activation", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout",
    "Flatten", "Linear", "MSELoss", "Maxout", "Module", "NLLLoss", "PReLU", "Parameter", "Sequential",
    "activation_class", "functional", "init", "utils",
]
