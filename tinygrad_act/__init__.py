"""tinygrad_act: a small autograd framework on numpy, built to show why activation functions matter."""

import numpy as _np

from . import activations, data, diagnostics, functional, interop, nn, optim, utils
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    eye,
    from_numpy,
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
from .device import (
    accelerator,
    backends,
    cuda,
    device,
    get_default_device,
    get_num_threads,
    set_default_device,
    set_num_threads,
)
from .dtypes import default_dtype, get_default_dtype, set_default_dtype
from .functions import FUNCTIONS as _FUNCTIONS
from .functions import is_tensor
from .gradcheck import GradcheckError, gradcheck
from .rng import manual_seed
from .serialization import CheckpointError, load, save
from .tensor import Tensor, ValuesAndIndices, cat, stack, where
from .version import __version__ as __version__

# PyTorch's dtype names, usable wherever a dtype is (`dtype=ta.float64`, `x.to(ta.long)`).
float32 = float = _np.dtype(_np.float32)  # noqa: A001
float64 = double = _np.dtype(_np.float64)
float16 = half = _np.dtype(_np.float16)
int64 = long = _np.dtype(_np.int64)
int32 = int = _np.dtype(_np.int32)  # noqa: A001
int16 = short = _np.dtype(_np.int16)
int8 = _np.dtype(_np.int8)
uint8 = _np.dtype(_np.uint8)
bool = _np.dtype(_np.bool_)  # noqa: A001

# ta.sum, ta.max, ta.exp, ta.softmax, ...: the module-level forms of the Tensor methods.
globals().update(_FUNCTIONS)
concat = cat

__all__ = [
    "CheckpointError", "GradcheckError", "Tensor", "ValuesAndIndices", "accelerator", "activations", "arange", "backends", "bool", "cat",
    "concat", "cuda", "data", "default_dtype", "detect_anomaly", "device", "diagnostics", "double",
    "enable_grad", "eye", "float", "float16", "float32", "float64", "from_numpy", "full", "full_like",
    "functional", "get_default_device", "get_num_threads", "interop", "get_default_dtype", "gradcheck", "half", "int", "int8", "int16",
    "int32", "int64", "is_grad_enabled", "is_tensor", "linspace", "load", "long", "manual_seed", "nn",
    "no_grad", "ones", "ones_like", "optim", "rand", "rand_like", "randn", "randn_like", "save",
    "set_default_device", "set_default_dtype", "set_grad_enabled", "set_num_threads", "short", "stack", "tensor", "uint8", "utils",
    "where", "zeros", "zeros_like", *_FUNCTIONS,
]
