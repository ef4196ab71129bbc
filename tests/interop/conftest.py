"""Fixtures of the bridge tests: a user's own activation, registered as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tinygrad_act.activations import Registration, register_activation
from tinygrad_act.interop.onnx_activations import remove_onnx_builder


@pytest.fixture
def swish_registered(swish_rules) -> Iterator[Registration]:
    """`swish`, its parameter beta declared by its forward rule's signature; removed after the test,
    with any ONNX builder a test gave it."""
    registration = register_activation(backward=swish_rules.backward,
                                       formula=r"x \sigma(\beta x)")(swish_rules.forward)
    yield registration
    registration.remove()
    remove_onnx_builder("swish")
