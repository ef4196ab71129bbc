"""to_onnx: a tinygrad_act model as an ONNX graph, built with the onnx package's helpers.

The model is walked layer by layer in eval mode while it runs on the example input, so each layer
knows the rank of what it receives; parameters become initializers named by their state_dict keys
("0.weight"), so Netron shows the names the model has here.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..autograd import no_grad
from ..nn import Activation, BatchNorm1d, Dropout, Flatten, Linear, Maxout, Module, PReLU, Sequential
from ..tensor import Tensor
from .layers import module_dtype, supported_kind
from .onnx_activations import onnx_builder

# Softmax's one-axis meaning and Clip's min/max inputs date from opsets 13 and 11.
MIN_OPSET = 13
INPUT_NAME, OUTPUT_NAME = "input", "output"


class OnnxGraph:
    """The nodes and initializers of the graph being built (what an OnnxBuilder may use)."""

    def __init__(self, dtype: np.dtype, opset: int) -> None:
        self.dtype, self.opset = np.dtype(dtype), opset
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.scope = ""  # the state_dict prefix of the layer being exported, as in "2."
        self._used = Counter()

    def node(self, op_type: str, inputs: Sequence[str], **attributes: Any) -> str:
        """Add one node of `op_type`; returns its output's name."""
        output = self._fresh(op_type)
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], name=output, **attributes))
        return output

    def constant(self, value: Any, dtype: Any = None) -> str:
        """Add `value` as an initializer in the model's dtype (or `dtype`); returns its name."""
        return self.initializer(self._fresh("constant"), np.asarray(value, dtype=dtype or self.dtype))

    def initializer(self, name: str, array: np.ndarray) -> str:
        """Add `array` under `name` (a parameter's state_dict key); returns the name."""
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def _fresh(self, hint: str) -> str:
        base = f"{self.scope}{hint}"
        self._used[base] += 1
        return base if self._used[base] == 1 else f"{base}_{self._used[base] - 1}"


def to_onnx(model: Module, example_input: Any, path: str | os.PathLike, opset: int = 20) -> onnx.ModelProto:
    """Export `model` (in eval mode) to `path`; see tinygrad_act.interop.to_onnx."""
    if opset < MIN_OPSET:
        raise ValueError(f"to_onnx: opset {opset} is too old; this exporter writes opset {MIN_OPSET} or later")
    example = example_input.data if isinstance(example_input, Tensor) else np.asarray(example_input)
    dtype = module_dtype(model) or example.dtype
    if np.dtype(dtype) not in (np.float32, np.float64) or example.ndim < 1:
        raise ValueError(f"to_onnx: the example input must be a batch (at least 1-D) and the model float32 or "
                         f"float64, got an input of shape {example.shape} for a {dtype} model")
    graph = OnnxGraph(dtype, opset)
    modes = {module: module.training for module in model.modules()}
    model.eval()
    try:
        with no_grad():
            output, result = _export(model, INPUT_NAME, Tensor(example, dtype=dtype), graph, "")
    finally:
        for module, training in modes.items():
            module.training = training
    output = _name_output(graph, output)
    proto = helper.make_model(
        helper.make_graph(graph.nodes, type(model).__name__, [_value_info(INPUT_NAME, dtype, example.shape)],
                          [_value_info(output, dtype, result.shape)], graph.initializers),
        opset_imports=[helper.make_opsetid("", opset)], producer_name="tinygrad_act",
    )
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, os.fspath(path))
    return proto


def _export(module: Module, x: str, value: Tensor, graph: OnnxGraph, path: str) -> tuple[str, Tensor]:
    """Add `module` applied to the graph tensor `x` (whose value here is `value`); returns the name of
    its output and the output's value."""
    kind = supported_kind(module, path, "to_onnx", _LAYER_EXPORTERS)
    if kind is Sequential:
        for name, child in module.named_children():
            x, value = _export(child, x, value, graph, f"{path}{name}.")
        return x, value
    graph.scope = path
    return _LAYER_EXPORTERS[kind](module, x, value.shape, graph, path), module(value)


def _linear(module: Linear, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    weight = graph.initializer(f"{path}weight", module.weight.data)
    bias = None if module.bias is None else graph.initializer(f"{path}bias", module.bias.data)
    if len(shape) == 2:  # Gemm: x W^T + b in one node
        return graph.node("Gemm", [x, weight] + ([bias] if bias else []), transB=1)
    product = graph.node("MatMul", [x, graph.node("Transpose", [weight])])
    return graph.node("Add", [product, bias]) if bias else product


def _maxout(module: Maxout, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    z = _linear(module.linear, x, shape, graph, f"{path}linear.")
    graph.scope = path
    # 0 copies a leading dim (the batch stays dynamic); the last dim splits into (out, pieces).
    pieces = graph.node("Reshape", [z, graph.constant([0] * (len(shape) - 1) + [module.out_features, module.pieces],
                                                      dtype=np.int64)])
    if graph.opset >= 18:
        return graph.node("ReduceMax", [pieces, graph.constant([-1], dtype=np.int64)], keepdims=0)
    return graph.node("ReduceMax", [pieces], axes=[-1], keepdims=0)


def _activation(module: Activation, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    builder = onnx_builder(module.spec.name)
    if builder is None:
        raise TypeError(
            f"to_onnx: layer {path[:-1]!r} is the activation {module.spec.name!r}, which has no ONNX builder; "
            f"register one: @tinygrad_act.interop.register_onnx_builder({module.spec.name!r}) above "
            f"def build(graph, x, {''.join(f'{key}, ' for key in module.params)}...) returning "
            "graph.node(...)"
        )
    return builder(graph, x, **module.params)


def _prelu(module: PReLU, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    slope = graph.initializer(f"{path}weight", module.weight.data)
    if module.num_parameters > 1 and len(shape) > 2:  # one slope per channel (dim 1): shape (C, 1, ...)
        slope_shape = graph.constant([module.num_parameters] + [1] * (len(shape) - 2), dtype=np.int64)
        slope = graph.node("Reshape", [slope, slope_shape])
    return graph.node("PRelu", [x, slope])


def _batch_norm(module: BatchNorm1d, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    if not module.track_running_stats:
        raise TypeError(
            f"to_onnx: layer {path[:-1]!r} is {module!r} without running statistics, so even in eval mode it "
            "normalises with each batch's own; ONNX's BatchNormalization needs running statistics "
            "(track_running_stats=True)"
        )
    ones, zeros = np.ones(module.num_features, graph.dtype), np.zeros(module.num_features, graph.dtype)
    scale = graph.initializer(f"{path}weight", module.weight.data) if module.affine else graph.constant(ones)
    shift = graph.initializer(f"{path}bias", module.bias.data) if module.affine else graph.constant(zeros)
    mean = graph.initializer(f"{path}running_mean", module.running_mean.data)
    variance = graph.initializer(f"{path}running_var", module.running_var.data)
    return graph.node("BatchNormalization", [x, scale, shift, mean, variance], epsilon=float(module.eps))


def _flatten(module: Flatten, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    start, end = module.start_dim % len(shape), module.end_dim % len(shape)
    if start == 1 and end == len(shape) - 1:
        return graph.node("Flatten", [x], axis=1)
    # 0 copies a leading dim (the batch among them), -1 takes what the merged dims hold.
    target = [0] * start + [-1] + list(shape[end + 1:])
    return graph.node("Reshape", [x, graph.constant(target, dtype=np.int64)])


def _dropout(module: Dropout, x: str, shape: tuple[int, ...], graph: OnnxGraph, path: str) -> str:
    return x  # the identity in eval mode: no node


# Each exporter adds its layer applied to `x`, an input of `shape`, and returns the output's name.
_LAYER_EXPORTERS = {Linear: _linear, Maxout: _maxout, Activation: _activation, PReLU: _prelu,
                    BatchNorm1d: _batch_norm, Flatten: _flatten, Dropout: _dropout}


def _name_output(graph: OnnxGraph, output: str) -> str:
    """Call the graph's result OUTPUT_NAME: rename the node that makes it, or copy the input."""
    if graph.nodes and graph.nodes[-1].output[0] == output:
        graph.nodes[-1].output[0] = OUTPUT_NAME
    else:
        graph.nodes.append(helper.make_node("Identity", [output], [OUTPUT_NAME], name=OUTPUT_NAME))
    return OUTPUT_NAME


def _value_info(name: str, dtype: np.dtype, shape: tuple[int, ...]) -> onnx.ValueInfoProto:
    """A tensor of `dtype` whose first dim is the dynamic "batch" and the rest as in `shape`."""
    element_type = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    return helper.make_tensor_value_info(name, element_type, ["batch", *shape[1:]])
