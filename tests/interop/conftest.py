"""Fixtures of the bridge tests: a user's own activation, registered as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from tinygrad_act.activations import Registration, register_activation
from tinygrad_act.interop.onnx_activations import remove_onnx_builder


def swish(x, beta=1.0):
    return x * (0.5 + 0.5 * np.tanh(0.5 * beta * x))  # x sigmoid(beta x); tanh never overflows


def swish_backward(x, y, grad_output, beta):
    s = 0.5 + 0.5 * np.tanh(0.5 * beta * x)
    return grad_output * (s + beta * x * s * (1 - s))


@pytest.fixture
def swish_registered() -> Iterator[Registration]:
    """`swish`, its parameter beta declared by its forward rule's signature; removed after the test,
    with any ONNX builder a test gave it."""
    registration = register_activation(backward=swish_backward, formula=r"x \sigma(\beta x)")(swish)
    yield registration
    registration.remove()
    remove_onnx_builder("swish")
