"""Layers and models: Module, Parameter, Linear, activation layers (one per registered activation),
Sequential, Dropout, Flatten, BatchNorm1d, MLP, the loss modules, and the init and utils submodules."""

from collections.abc import Callable

from .. import functional
from ..activations import ActivationSpec, on_register
from . import init, utils
from .activation import Activation, Maxout, PReLU, activation_class, activation_layer
from .layers import MLP, BatchNorm1d, Dropout, Flatten, Sequential
from .linear import Linear
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module, Parameter


def _add_activation_class(spec: ActivationSpec) -> Callable[[], None] | None:
    """nn.<ClassName> for `spec`, unless the name is taken (a learnable activation's hand-written
    layer such as nn.PReLU, or a user's "linear" that would shadow nn.Linear); returns its undo."""
    if spec.learnable or spec.class_name in globals():
        return None
    globals()[spec.class_name] = activation_class(spec)
    return lambda: globals().pop(spec.class_name, None)


on_register(_add_activation_class)

__all__ = [
    "MLP", "Activation", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout",
    "Flatten", "Linear", "MSELoss", "Maxout", "Module", "NLLLoss", "PReLU", "Parameter", "Sequential",
    "activation_class", "activation_layer", "functional", "init", "utils",
]
