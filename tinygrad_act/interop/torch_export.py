"""to_torch: a tinygrad_act model as the equivalent torch.nn.Module, holding the same weights.

Every layer becomes PyTorch's own class with the same attribute names, so the state_dict keys are
the same on both sides; the two layers PyTorch lacks get small twins here: Maxout, and
NumpyActivation, which runs a registered activation's numpy rules inside PyTorch's autograd.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from ..activations import ActivationSpec
from ..nn import Activation, BatchNorm1d, Dropout, Flatten, Linear, Maxout, Module, PReLU, Sequential
from .layers import module_dtype, supported_kind


class NumpyActivationFunction(torch.autograd.Function):
    """A registered activation as a torch.autograd.Function: forward and backward are its own numpy
    rules, run on CPU copies of the tensors (the results go back to the input's device)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, spec: ActivationSpec, params: dict[str, Any]) -> torch.Tensor:
        x_array = x.detach().cpu().numpy()
        y = _as_tensor(spec.forward(x_array, **params), x_array.dtype).to(x.device)
        ctx.spec, ctx.params = spec, params
        # Saved as tensors, not arrays, so PyTorch's version counter catches an in-place change.
        ctx.save_for_backward(x if spec.saves in ("input", "both") else None,
                              y if spec.saves in ("output", "both") else None)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        x, y = ctx.saved_tensors
        grad_input = ctx.spec.backward(_as_array(x), _as_array(y), _as_array(grad_output), **ctx.params)
        dtype = grad_output.detach().cpu().numpy().dtype
        return _as_tensor(grad_input, dtype).to(grad_output.device), None, None


class NumpyActivation(torch.nn.Module):
    """A tinygrad_act activation that PyTorch has no class for (step, arctan, a user's own), as a
    torch module: NumpyActivationFunction with the activation's parameters."""

    def __init__(self, spec: ActivationSpec, params: dict[str, Any]) -> None:
        super().__init__()
        self.spec, self.params = spec, dict(params)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return NumpyActivationFunction.apply(x, self.spec, self.params)

    def extra_repr(self) -> str:
        return self.spec.label(self.params)


class TorchMaxout(torch.nn.Module):
    """tinygrad_act's nn.Maxout in PyTorch: y_j = max_k (x W_k^T + b_k)_j, its Linear named `linear`
    (weight of shape (out_features * pieces, in_features)) as in tinygrad_act."""

    def __init__(self, in_features: int, out_features: int, pieces: int = 2, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        self.linear = torch.nn.Linear(in_features, out_features * pieces, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.linear(x)
        return z.unflatten(-1, (self.out_features, self.pieces)).max(dim=-1).values

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


def to_torch(model: Module) -> torch.nn.Module:
    """The torch.nn.Module equivalent to `model`, with copies of its parameters and buffers, the same
    state_dict keys, the same train/eval mode and the same requires_grad flags."""
    converted = _convert(model, "")
    state = {name: _as_tensor(value.data, value.data.dtype) for name, value in model.state_dict().items()}  # load_state_dict copies
    converted.load_state_dict(state, strict=True)
    ours = dict(model.named_parameters())
    for name, parameter in converted.named_parameters():
        parameter.requires_grad_(ours[name].requires_grad)
    return converted


def _convert(module: Module, path: str) -> torch.nn.Module:
    """The torch twin of `module` (fresh weights of the right dtype: to_torch loads the real ones)."""
    kind = supported_kind(module, path, "to_torch", _CONVERTERS)
    converted = _CONVERTERS[kind](module, path)
    converted.training = module.training
    return converted


def _sequential(module: Sequential, path: str) -> torch.nn.Module:
    children = [(name, _convert(child, f"{path}{name}.")) for name, child in module.named_children()]
    return torch.nn.Sequential(OrderedDict(children))


def _linear(module: Linear, path: str) -> torch.nn.Module:
    return torch.nn.Linear(module.in_features, module.out_features, bias=module.bias is not None,
                           dtype=_torch_dtype(module))


def _activation(module: Activation, path: str) -> torch.nn.Module:
    spec = module.spec
    if spec.torch_class is None:
        return NumpyActivation(spec, module.params)
    return getattr(torch.nn, spec.torch_class)(**module.params)


def _prelu(module: PReLU, path: str) -> torch.nn.Module:
    return torch.nn.PReLU(module.num_parameters, dtype=_torch_dtype(module))


def _maxout(module: Maxout, path: str) -> torch.nn.Module:
    return TorchMaxout(module.in_features, module.out_features, module.pieces, dtype=_torch_dtype(module))


def _batch_norm(module: BatchNorm1d, path: str) -> torch.nn.Module:
    return torch.nn.BatchNorm1d(module.num_features, eps=module.eps, momentum=module.momentum, affine=module.affine,
                                track_running_stats=module.track_running_stats, dtype=_torch_dtype(module))


def _dropout(module: Dropout, path: str) -> torch.nn.Module:
    return torch.nn.Dropout(module.p)


def _flatten(module: Flatten, path: str) -> torch.nn.Module:
    return torch.nn.Flatten(module.start_dim, module.end_dim)


_CONVERTERS: dict[type, Callable[[Any, str], torch.nn.Module]] = {
    Sequential: _sequential, Linear: _linear, Activation: _activation, PReLU: _prelu, Maxout: _maxout,
    BatchNorm1d: _batch_norm, Dropout: _dropout, Flatten: _flatten,
}


def _torch_dtype(module: Module) -> torch.dtype | None:
    """PyTorch's name for the dtype of `module`'s floating-point weights (None: it has none)."""
    dtype = module_dtype(module)
    return None if dtype is None else torch.from_numpy(np.empty(0, dtype=dtype)).dtype


def _as_array(tensor: torch.Tensor | None) -> np.ndarray | None:
    return None if tensor is None else tensor.detach().cpu().numpy()


def _as_tensor(array: Any, dtype: np.dtype) -> torch.Tensor:
    # ascontiguousarray also copies away negative strides, which torch.from_numpy refuses.
    return torch.from_numpy(np.ascontiguousarray(array, dtype=dtype))
