"""How each activation is written in ONNX: its native operator where the opset has one, else a
composition of primitives; and `register_onnx_builder` for a user's own activation.

A builder is `builder(graph, x, **params) -> name`: `x` names the input tensor in the graph being
built, `params` are the activation's parameters, and it returns the name of the output. It adds
nodes with `graph.node(op_type, inputs, **attributes)` (each returns its output's name) and scalar
or array constants in the model's dtype with `graph.constant(value)`:

    @register_onnx_builder("swish")
    def swish_onnx(graph, x, beta):
        return graph.node("Mul", [x, graph.node("Sigmoid", [graph.node("Mul", [x, graph.constant(beta)])])])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ..activations.builtins import SELU_ALPHA, SELU_SCALE


class OnnxBuilder(Protocol):
    """What a builder may use of the graph being built."""

    opset: int  # the default domain's opset version the model declares
    dtype: np.dtype  # the model's floating-point dtype

    def node(self, op_type: str, inputs: Sequence[str], **attributes: Any) -> str:
        """Add one node of ONNX operator `op_type`; returns the name of its (single) output."""

    def constant(self, value: Any, dtype: Any = None) -> str:
        """Add `value` as an initializer (in the model's dtype unless `dtype` is given); returns its name."""


Builder = Callable[..., str]
_USER_BUILDERS: dict[str, Builder] = {}


def register_onnx_builder(name: str, builder: Builder | None = None, *, replace: bool = False) -> Any:
    """Teach to_onnx to write the activation `name`: `register_onnx_builder("swish", swish_onnx)`, or
    `@register_onnx_builder("swish")` above the builder. Returns the builder. A built-in activation
    may be given a builder of your own with `replace=True`."""

    def register(function: Builder) -> Builder:
        if not replace and (name in _USER_BUILDERS or name in BUILTIN_BUILDERS):
            raise ValueError(f"register_onnx_builder: {name!r} already has an ONNX builder; pass replace=True "
                             "to use yours instead")
        _USER_BUILDERS[name] = function
        return function

    return register if builder is None else register(builder)


def remove_onnx_builder(name: str) -> None:
    """Forget the builder registered for `name` (a built-in activation goes back to its own)."""
    _USER_BUILDERS.pop(name, None)


def onnx_builder(name: str) -> Builder | None:
    """The builder to_onnx uses for the activation `name`: a registered one, else the built-in one."""
    return _USER_BUILDERS.get(name, BUILTIN_BUILDERS.get(name))


def _unary(op_type: str, **attributes: Any) -> Builder:
    """The builder of an activation that is one ONNX operator without parameters of its own."""
    return lambda graph, x: graph.node(op_type, [x], **attributes)


def _step(graph: OnnxBuilder, x: str) -> str:
    # Heaviside with step(0) = 0: 1 where x > 0, else 0.
    return graph.node("Where", [graph.node("Greater", [x, graph.constant(0)]), graph.constant(1), graph.constant(0)])


def _clip(graph: OnnxBuilder, x: str, low: float, high: float) -> str:
    return graph.node("Clip", [x, graph.constant(low), graph.constant(high)])


def _softplus(graph: OnnxBuilder, x: str, beta: float, threshold: float) -> str:
    # Above beta*x = threshold PyTorch returns x itself; from 20 on that differs from the exact
    # log(1 + e^x) by less than e^-20, so ONNX's operator is used as it is.
    if beta == 1 and threshold >= 20:
        return graph.node("Softplus", [x])
    scaled = graph.node("Mul", [x, graph.constant(beta)])
    smooth = graph.node("Div", [graph.node("Softplus", [scaled]), graph.constant(beta)])
    return graph.node("Where", [graph.node("Greater", [scaled, graph.constant(threshold)]), x, smooth])


def _celu(graph: OnnxBuilder, x: str, alpha: float) -> str:
    if graph.opset >= 12 and graph.dtype == np.float32:  # ONNX defines Celu for float32 only
        return graph.node("Celu", [x], alpha=float(alpha))
    # max(0, x) + min(0, alpha (e^(x/alpha) - 1))
    expm1 = graph.node("Sub", [graph.node("Exp", [graph.node("Div", [x, graph.constant(alpha)])]), graph.constant(1)])
    negative = graph.node("Min", [graph.constant(0), graph.node("Mul", [graph.constant(alpha), expm1])])
    return graph.node("Add", [graph.node("Relu", [x]), negative])


def _gelu(graph: OnnxBuilder, x: str, approximate: str) -> str:
    if graph.opset >= 20:
        return graph.node("Gelu", [x], approximate=approximate)
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = graph.node("Mul", [x, graph.node("Mul", [x, x])])
        inner = graph.node("Add", [x, graph.node("Mul", [cube, graph.constant(0.044715)])])
        squashed = graph.node("Tanh", [graph.node("Mul", [inner, graph.constant(math.sqrt(2 / math.pi))])])
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        squashed = graph.node("Erf", [graph.node("Mul", [x, graph.constant(1 / math.sqrt(2))])])
    half_x = graph.node("Mul", [x, graph.constant(0.5)])
    return graph.node("Mul", [half_x, graph.node("Add", [squashed, graph.constant(1)])])


def _hardswish(graph: OnnxBuilder, x: str) -> str:
    if graph.opset >= 14:
        return graph.node("HardSwish", [x])
    return graph.node("Mul", [x, graph.node("HardSigmoid", [x], alpha=1 / 6, beta=0.5)])


def _mish(graph: OnnxBuilder, x: str) -> str:
    if graph.opset >= 18:
        return graph.node("Mish", [x])
    return graph.node("Mul", [x, graph.node("Tanh", [graph.node("Softplus", [x])])])


def _silu(graph: OnnxBuilder, x: str) -> str:
    return graph.node("Mul", [x, graph.node("Sigmoid", [x])])


def _logsigmoid(graph: OnnxBuilder, x: str) -> str:
    # log sigmoid(x) = -softplus(-x), finite for large |x| where log(Sigmoid(x)) is not.
    return graph.node("Neg", [graph.node("Softplus", [graph.node("Neg", [x])])])


BUILTIN_BUILDERS: dict[str, Builder] = {
    "identity": _unary("Identity"),
    "step": _step,
    "sigmoid": _unary("Sigmoid"),
    "hardsigmoid": _unary("HardSigmoid", alpha=1 / 6, beta=0.5),  # ONNX's default alpha is 0.2, PyTorch's 1/6
    "tanh": _unary("Tanh"),
    "hardtanh": lambda graph, x, min_val, max_val: _clip(graph, x, min_val, max_val),
    "arctan": _unary("Atan"),
    "softsign": _unary("Softsign"),
    "relu": _unary("Relu"),
    "relu6": lambda graph, x: _clip(graph, x, 0, 6),
    "leaky_relu": lambda graph, x, negative_slope: graph.node("LeakyRelu", [x], alpha=float(negative_slope)),
    "elu": lambda graph, x, alpha: graph.node("Elu", [x], alpha=float(alpha)),
    "selu": _unary("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE),
    "celu": _celu,
    "gelu": _gelu,
    "silu": _silu,
    "hardswish": _hardswish,
    "mish": _mish,
    "softplus": _softplus,
    "logsigmoid": _logsigmoid,
    "softmax": lambda graph, x, dim: graph.node("Softmax", [x], axis=dim),
    "log_softmax": lambda graph, x, dim: graph.node("LogSoftmax", [x], axis=dim),
    "softmin": lambda graph, x, dim: graph.node("Softmax", [graph.node("Neg", [x])], axis=dim),
}
