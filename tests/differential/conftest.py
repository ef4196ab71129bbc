"""Fixtures of the differential suite: the activation it registers itself, as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tinygrad_act.activations import register_activation

from .graphs import CUSTOM_ACTIVATION


@pytest.fixture(scope="module")
def custom_activation(swish_rules) -> Iterator[str]:
    """Register swish as `scaled_swish` (twin: x * torch.sigmoid(beta * x)) for one module, then
    remove it from the registry, Tensor, F and nn, so the rest of the suite sees only the built-ins."""
    registration = register_activation(
        CUSTOM_ACTIVATION, swish_rules.forward, backward=swish_rules.backward, params={"beta": 1.0},
        formula=r"x \sigma(\beta x)", output_range=(-0.2785, float("inf")), zero_centred=False, monotonic=False,
    )
    yield CUSTOM_ACTIVATION
    registration.remove()
