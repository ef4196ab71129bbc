"""tinygrad_act: a small autograd framework on numpy, built to show why activation functions matter."""

from . import activations, data, diagnostics, functional, nn, optim
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .creation import (
    arange,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import default_dtype, get_default_dtype, set_default_dtype
from .gradcheck import GradcheckError, gradcheck
from .rng import manual_seed
from .serialization import load, save
from .tensor import Tensor, cat, stack, where

__version__ = "0.1.0"

__all__ = [
    "GradcheckError", "Tensor", "activations", "arange", "cat", "data", "default_dtype",
    "detect_anomaly", "diagnostics", "enable_grad", "eye", "full", "full_like", "functional",
    "get_default_dtype", "gradcheck", "is_grad_enabled", "linspace", "load", "manual_seed", "nn",
    "no_grad", "ones", "ones_like", "optim", "rand", "rand_like", "randn", "randn_like", "save",
    "set_default_dtype", "stack", "tensor", "where", "zeros", "zeros_like",
]
