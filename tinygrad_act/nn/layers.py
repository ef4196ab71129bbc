"""Container and utility layers: Sequential, Dropout, Flatten, BatchNorm1d, and the MLP built from them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .. import functional as F
from ..activations import get_activation, list_activations
from ..tensor import Tensor
from . import init as nn_init
from .activation import activation_layer
from .linear import Linear
from .module import Module, Parameter


class Sequential(Module):
    """Modules applied one after another: `Sequential(Linear(2, 8), ReLU(), Linear(8, 1))`.

    Children are named "0", "1", ... (or by the keys of an OrderedDict), so state_dict keys read
    `0.weight`, `2.bias` as in PyTorch; indexing, slicing, len() and iteration work as on a list.
    """

    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(index), module) for index, module in enumerate(modules)]
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: layer {name} is a {type(module).__name__}, not an nn.Module")
            setattr(self, name, module)

    def forward(self, x: Any) -> Any:
        for value in self.__dict__.values():  # self.children(), without a generator per call
            if isinstance(value, Module):
                x = value(x)
        return x

    def append(self, module: Module) -> Sequential:
        """Add `module` at the end, named by its position."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: expected an nn.Module, got {type(module).__name__}")
        setattr(self, str(len(self)), module)
        return self

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self) -> Iterator[Module]:
        return self.children()

    def __getitem__(self, index: int | slice) -> Any:
        named = list(self.named_children())
        if isinstance(index, slice):
            return Sequential(OrderedDict(named[index]))
        if not -len(named) <= index < len(named):
            raise IndexError(f"Sequential: index {index} is out of range for {len(named)} layers")
        return named[index][1]


class Dropout(Module):
    """During training, zero each element with probability p and scale the rest by 1/(1-p), so the
    expected output equals the input; in eval mode, the identity."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be between 0 and 1, got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: images (N, 1, 28, 28) become rows (N, 784)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class BatchNorm1d(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias per feature (dim 1 of (N, C) or (N, C, L)).

    Training uses the batch's mean and biased variance and updates the running estimates
    running = (1 - momentum) running + momentum batch, with the UNBIASED batch variance for
    running_var (PyTorch's rule; momentum=None gives the cumulative average). Eval mode normalises
    with the running estimates, so a sample's output no longer depends on the rest of its batch.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features), dtype=dtype) if affine else None
        self.bias = Parameter(np.zeros(num_features), dtype=dtype) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features), dtype=dtype))
            self.register_buffer("running_var", Tensor(np.ones(num_features), dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(
                f"{self!r}: expected input of shape (N, {self.num_features}) or (N, {self.num_features}, L), "
                f"got {x.shape}"
            )
        dims = (0,) if x.ndim == 2 else (0, 2)
        shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        if self.training or not self.track_running_stats:
            count = x.numel() // self.num_features
            if count < 2:
                raise ValueError(
                    f"{self!r}: batch statistics need more than 1 value per feature to estimate a variance, "
                    f"got input of shape {x.shape}"
                )
            mean = x.mean(dims, keepdim=True)
            centred = x - mean
            variance = (centred * centred).mean(dims, keepdim=True)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.data.reshape(-1), variance.data.reshape(-1) * (count / (count - 1)))
            normalised = centred / (variance + self.eps).sqrt()
        else:
            running_std = (self.running_var.reshape(shape) + self.eps).sqrt()
            normalised = (x - self.running_mean.reshape(shape)) / running_std
        if self.affine:
            normalised = normalised * self.weight.reshape(shape) + self.bias.reshape(shape)
        return normalised

    def _update_running_stats(self, batch_mean: np.ndarray, unbiased_var: np.ndarray) -> None:
        self.num_batches_tracked.data += 1
        factor = 1.0 / int(self.num_batches_tracked.data) if self.momentum is None else self.momentum
        self.running_mean.data *= 1.0 - factor
        self.running_mean.data += factor * batch_mean
        self.running_var.data *= 1.0 - factor
        self.running_var.data += factor * unbiased_var

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


# The init each family of ActivationSpec.init_family gets. The ReLU family zeroes (or shrinks) about
# half its inputs, so He's gain sqrt(2) restores the variance; SELU self-normalises only from
# LeCun's N(0, 1/fan_in); the rest (sigmoid, tanh, softsign, arctan, hardtanh, identity, a user's own
# activation unless it says otherwise) are near-linear around 0, where Glorot's variance-preserving
# scale fits.
_FAMILY_INITS = {"kaiming": "kaiming_normal", "lecun": "lecun_normal", "xavier": "xavier_uniform"}


def auto_init(activation: str) -> str:
    """The init name init="auto" picks for `activation`, from its registered init_family:
    kaiming_normal for the ReLU family, lecun_normal for selu, xavier_uniform for everything else."""
    return _FAMILY_INITS[get_activation(activation).init_family]


class MLP(Sequential):
    """Linear layers with `activation` between them (none after the last): MLP([2, 8, 1], "tanh").

    `init="auto"` picks the initialisation that suits the activation (see `auto_init`); any name in
    nn.init.INITIALIZERS can be given instead, and kaiming inits get the activation's gain (leaky_relu
    and prelu with their slope as `a`). `bias_init` is the constant the biases start at, or None to
    keep Linear's default uniform init. Every name comes from the activation registry, with
    `activation_params` such as negative_slope=0.2; a learnable one ("prelu") builds its layer (nn.PReLU).
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", init: str = "auto",
                 bias_init: float | None = 0.0, dtype: Any = None, **activation_params: Any) -> None:
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got {list(sizes)}")
        if activation not in list_activations(learnable=True):
            raise ValueError(
                f"MLP: unknown activation {activation!r}; choose one of {', '.join(list_activations(learnable=True))}"
            )
        chosen = auto_init(activation) if init == "auto" else init
        if chosen not in nn_init.INITIALIZERS:
            raise ValueError(
                f"MLP: unknown init {init!r}; choose 'auto' or one of {', '.join(nn_init.INITIALIZERS)}"
            )
        layers: list[Module] = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = Linear(fan_in, fan_out, dtype=dtype)
            layers.append(linear)
            if index < len(sizes) - 2:
                layers.append(activation_layer(activation, dtype=dtype, **activation_params))
        super().__init__(*layers)
        self.sizes, self.activation, self.init = list(sizes), activation, chosen
        self.activation_params = get_activation(activation).bind((), activation_params)
        for linear in self.linears():
            self._initialise(linear, bias_init)

    def linears(self) -> list[Linear]:
        """The Linear layers, input to output."""
        return [module for module in self.children() if isinstance(module, Linear)]

    def _initialise(self, linear: Linear, bias_init: float | None) -> None:
        initialiser = nn_init.INITIALIZERS[self.init]
        if self.init.startswith("kaiming"):
            nonlinearity, slope = self._kaiming_nonlinearity()
            initialiser(linear.weight, a=slope, nonlinearity=nonlinearity)
        else:
            initialiser(linear.weight)
        if bias_init is not None and linear.bias is not None:
            nn_init.constant_(linear.bias, bias_init)

    def _kaiming_nonlinearity(self) -> tuple[str, float]:
        """The (nonlinearity, a) that kaiming inits use for this MLP's activation."""
        if self.activation == "leaky_relu":
            return "leaky_relu", self.activation_params["negative_slope"]
        if self.activation == "prelu":
            return "leaky_relu", self.activation_params["init"]
        if get_activation(self.activation).init_family == "kaiming":
            return "relu", 0.0
        if self.activation in nn_init.GAIN_NAMES:
            return self.activation, 0.0
        return "linear", 0.0

