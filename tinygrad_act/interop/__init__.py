"""Bridges out of (and into) tinygrad_act, in the formats the wider ecosystem reads.

    from tinygrad_act.interop import from_torch, to_onnx, to_torch
    torch_model = to_torch(model)                          # a torch.nn.Module, same weights and names
    model = from_torch(torch_model)                        # and back, to draw and diagnose it here
    to_onnx(model, example_input, "model.onnx")            # for onnxruntime, Netron, other runtimes

Each bridge needs an optional extra (`pip install 'tinygrad-act[torch]'`, `[onnx]`); nothing here
imports it until the bridge is used, and a missing one raises ImportError naming the extra.
Checkpoints in the safetensors format need no extra: `ta.save(obj, "model.safetensors")`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..extras import require
from ..nn import Module
from .onnx_activations import OnnxBuilder, register_onnx_builder

if TYPE_CHECKING:
    import onnx
    import torch


def to_torch(model: Module) -> torch.nn.Module:
    """The torch.nn.Module equivalent to `model`, with copies of its weights (extra `torch`).

    Every built-in layer maps to PyTorch's class of the same name (Linear, Sequential, Dropout,
    Flatten, BatchNorm1d with its running statistics, PReLU; nn.MLP becomes a Sequential) and every
    activation to the class its registration names (`get_activation(name).torch_class`). An
    activation PyTorch lacks (step, arctan, your own) becomes a NumpyActivation module that runs its
    numpy forward and backward rules through a torch.autograd.Function; Maxout becomes a TorchMaxout.
    The state_dict keys are the same on both sides, so `to_torch(model).state_dict()` loads into
    the PyTorch model you would have written by hand. Layers with their own forward raise TypeError.
    """
    require("torch", "torch", "to_torch")
    from .torch_export import to_torch as convert

    return convert(model)


def from_torch(torch_module: torch.nn.Module) -> Module:
    """The tinygrad_act model equivalent to a PyTorch model built from the same layers (extra `torch`).

    Accepts nn.Sequential, Linear, BatchNorm1d, Dropout, Flatten, PReLU and every activation class
    named by a registered activation (ReLU, LeakyReLU(0.2), GELU('tanh'), Softmax(dim=1), ...), plus
    what to_torch made. Any other layer raises TypeError naming it, where it is, and the supported list.
    """
    require("torch", "torch", "from_torch")
    from .torch_import import from_torch as convert

    return convert(torch_module)


def to_onnx(model: Module, example_input: Any, path: str | os.PathLike, opset: int = 20) -> onnx.ModelProto:
    """Export `model` in eval mode to an ONNX file at `path` and return the checked ModelProto (extra `onnx`).

    `example_input` (a Tensor or ndarray, batch first) fixes the input's dtype and feature shape;
    the batch dimension is dynamic ("batch"). Linear is Gemm (MatMul + Add beyond 2-D), BatchNorm1d
    is BatchNormalization with its running statistics, Dropout disappears (eval mode); each
    activation is ONNX's own operator where the opset has it (Relu, LeakyRelu, Gelu, Mish, ...) and
    a composition of primitives otherwise (step, relu6, hardtanh, silu, logsigmoid, ...). A user's
    activation needs a builder (`register_onnx_builder`), else export raises naming it.
    """
    require("onnx", "onnx", "to_onnx")
    from .onnx_export import to_onnx as export

    return export(model, example_input, path, opset)


__all__ = ["OnnxBuilder", "from_torch", "register_onnx_builder", "to_onnx", "to_torch"]
