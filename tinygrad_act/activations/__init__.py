"""Activations: the registry (one registration per activation gives F.<name>, Tensor.<name>,
nn.Activation, an nn class, a CLI choice, a table row and a plot) and the built-in catalogue.

    import numpy as np
    from tinygrad_act.activations import register_activation

    def swish_backward(x, y, grad_output, beta):
        s = 1 / (1 + np.exp(-beta * x))
        return grad_output * (s + beta * x * s * (1 - s))

    @register_activation(backward=swish_backward, formula=r"x \\sigma(\\beta x)")
    def swish(x, beta=1.0):
        return x / (1 + np.exp(-beta * x))

    swish.remove()  # undoes every surface
"""

from . import builtins
from .registry import (
    INIT_FAMILIES,
    ActivationFunction,
    ActivationSpec,
    Registration,
    generated_function,
    get_activation,
    list_activations,
    on_register,
    register_activation,
)

__all__ = [
    "INIT_FAMILIES", "ActivationFunction", "ActivationSpec", "Registration", "builtins", "generated_function",
    "get_activation", "list_activations", "on_register", "register_activation",
]
