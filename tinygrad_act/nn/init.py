"""nn.init: weight initialisations that keep activations and gradients at a steady scale, layer after layer.

Every function fills `tensor.data` in place (keeping its dtype and its array) and returns the tensor,
with PyTorch's names and arguments. Random ones draw from `tinygrad_act.rng.generator()`, so
`ta.manual_seed(n)` makes them reproducible. A weight of shape (out, in, *kernel) has
fan_in = in * prod(kernel) and fan_out = out * prod(kernel), read from dims 1 and 0 as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import no_grad
from ..rng import generator
from ..tensor import Tensor

_GAIN_ONE = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d",
             "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
GAIN_NAMES = _GAIN_ONE + ("tanh", "relu", "leaky_relu", "selu")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale a weight's std so that `nonlinearity` keeps the signal's scale
    (PyTorch's table): 1 for linear/conv/identity/sigmoid, 5/3 for tanh, sqrt(2) for relu (it
    zeroes half the inputs, halving the second moment), sqrt(2 / (1 + a^2)) for leaky_relu with
    negative slope a (default 0.01), 3/4 for selu."""
    if nonlinearity in _GAIN_ONE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; choose one of {', '.join(GAIN_NAMES)}"
    )


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (shape[1], shape[0]) times the receptive field prod(shape[2:])."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a tensor with at least 2 dimensions (out, in), got shape {tensor.shape}"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    """Write `values` into the tensor's array (Tensor.fill_ outside the graph, as torch.nn.init does)."""
    with no_grad():
        return tensor.fill_(values)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b): std (b - a) / sqrt(12)."""
    return _fill(tensor, generator().uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std^2)."""
    return _fill(tensor, generator().normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value `val`."""
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0 (the usual bias init)."""
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1 (the usual scale init of a normalisation layer)."""
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot & Bengio (2010): U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)), so
    std = gain sqrt(2 / (fan_in + fan_out)) balances the forward and the backward signal."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot & Bengio (2010): N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """He et al. (2015): U(-b, b) with b = sqrt(3) gain / sqrt(fan), gain = calculate_gain(nonlinearity, a),
    so std = gain / sqrt(fan) keeps the second moment of ReLU-family layers constant."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """He et al. (2015): N(0, std^2) with std = calculate_gain(nonlinearity, a) / sqrt(fan)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def lecun_normal_(tensor: Tensor) -> Tensor:
    """LeCun et al. (1998), the init SELU's self-normalisation assumes (Klambauer et al. 2017):
    N(0, 1 / fan_in), which keeps unit-variance inputs at unit variance through a linear layer."""
    fan_in, _ = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan_in))


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Saxe et al. (2014), as PyTorch: the weight, flattened to (rows, cols) = (shape[0], numel / rows),
    becomes gain times a random orthogonal matrix (orthonormal rows when rows <= cols, else orthonormal
    columns): the Q of the QR factorisation of a standard normal matrix, each column's sign fixed by
    R's diagonal so Q is Haar-distributed (Mezzadri 2007). Every singular value is `gain`, so a deep
    linear stack keeps the norm of every input direction: the start of dynamical isometry
    (Pennington et al. 2017)."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, got shape {tensor.shape}")
    if tensor.data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    flattened = generator().normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


# The initialisations nn.MLP accepts by name (`init="xavier_uniform"`), each a weight initialiser.
INITIALIZERS = {
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "kaiming_uniform": kaiming_uniform_,
    "kaiming_normal": kaiming_normal_,
    "lecun_normal": lecun_normal_,
    "orthogonal": orthogonal_,
    "normal": normal_,
    "uniform": uniform_,
    "zeros": zeros_,
    "ones": ones_,
}
