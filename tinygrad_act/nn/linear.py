"""nn.Linear: y = x W^T + b with W of shape (out_features, in_features), as in PyTorch."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import fused
from ..autograd import apply
from ..dtypes import get_default_dtype
from ..rng import generator
from ..tensor import Tensor
from .module import Module, Parameter

# The number of weights from which nn.Linear keeps W column-major (see Linear).
COLUMN_MAJOR_FROM = 4096


def in_linear_layout(weight: np.ndarray) -> np.ndarray:
    """`weight` (out, in) in the memory order nn.Linear keeps it: column-major from COLUMN_MAJOR_FROM
    entries on (a copy, unless it already is), else as it is."""
    return np.asfortranarray(weight) if weight.size >= COLUMN_MAJOR_FROM else weight


class Linear(Module):
    """A fully connected layer, computed by one fused node (F.linear).

    Initialised as PyTorch does: W and b uniform in [-1/sqrt(in_features), 1/sqrt(in_features)]
    (kaiming_uniform_ with a = sqrt(5)); nn.MLP re-initialises W to suit its activation.

    From 4,096 weights on, W has PyTorch's shape and values but is kept column-major (W^T row after
    row in memory), so that the forward x W^T is a plain row-major product for BLAS, which OpenBLAS
    computes faster than a product with a transposed operand: 6-12% faster on a first layer (784
    inputs), about even on a hidden layer, whose input gradient then takes the transposed product;
    fused.Linear returns dW in the same layout. Below that, the products are too small for the
    difference to show and W stays row-major. Writes into W (nn.init, load_state_dict, optimizers)
    keep the layout; a plain array assigned to `.data` works too, at the transposed product's speed.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        dtype = dtype or get_default_dtype()
        bound = 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0
        weight = in_linear_layout(generator().uniform(-bound, bound, (out_features, in_features)))
        self.weight = Parameter(weight, dtype=dtype)
        self.bias = Parameter(generator().uniform(-bound, bound, out_features), dtype=dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.data.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"{self!r}: expected input with {self.in_features} features in its last dim, got "
                f"shape {x.shape} ({x.shape[-1] if x.ndim else 'a scalar'} features)"
            )
        return apply(fused.Linear, x, self.weight, self.bias)  # F.linear, one call less per layer

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
