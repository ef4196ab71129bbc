"""Fixtures of the differential suite: the activation it registers itself, as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tinygrad_act.functional as F
from tinygrad_act import activations, nn
from tinygrad_act.activations import register_activation
from tinygrad_act.nn import activation_class
from tinygrad_act.tensor import Tensor

from .graphs import CUSTOM_ACTIVATION, scaled_swish, scaled_swish_backward


@pytest.fixture(scope="module")
def custom_activation() -> Iterator[str]:
    """Register `scaled_swish` (twin: x * torch.sigmoid(beta * x)) for one module, then remove it
    from the registry, Tensor, F and nn, so the rest of the suite sees only the built-ins."""
    register_activation(CUSTOM_ACTIVATION, scaled_swish, backward=scaled_swish_backward, params={"beta": 1.0},
                        formula=r"x \sigma(\beta x)", output_range=(-0.2785, float("inf")), zero_centred=False,
                        monotonic=False)
    yield CUSTOM_ACTIVATION
    activations._REGISTRY.pop(CUSTOM_ACTIVATION, None)
    if CUSTOM_ACTIVATION in vars(Tensor):
        delattr(Tensor, CUSTOM_ACTIVATION)
    vars(F).pop(CUSTOM_ACTIVATION, None)
    class_name = activation_class(CUSTOM_ACTIVATION).__name__
    layer = vars(nn).get(class_name)
    if isinstance(layer, type) and issubclass(layer, nn.Activation):
        delattr(nn, class_name)
