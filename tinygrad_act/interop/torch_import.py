"""from_torch: a PyTorch model made of the layers tinygrad_act has, rebuilt here with the same weights,
so it can be drawn, probed with the diagnostics and trained further."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..activations import ActivationSpec, get_activation, list_activations
from ..nn import Activation, BatchNorm1d, Dropout, Flatten, Linear, Maxout, Module, PReLU, Sequential
from .torch_export import NumpyActivation, TorchMaxout


def from_torch(torch_module: torch.nn.Module) -> Module:
    """The tinygrad_act model equivalent to `torch_module`, with copies of its parameters and buffers,
    the same state_dict keys, train/eval mode and requires_grad flags."""
    converted = _convert(torch_module, "")
    state = {name: value.detach().cpu().numpy() for name, value in torch_module.state_dict().items()}  # load_state_dict copies
    converted.load_state_dict(state, strict=True)
    theirs = dict(torch_module.named_parameters())
    for name, parameter in converted.named_parameters():
        parameter.requires_grad = theirs[name].requires_grad
    return converted


def _convert(torch_module: torch.nn.Module, path: str) -> Module:
    """Our layer for `torch_module` (fresh weights of the right dtype: from_torch loads the real ones)."""
    converter = _converter(torch_module)
    if converter is None:
        raise TypeError(_unsupported_message(torch_module, path))
    converted = converter(torch_module, path)
    converted.training = torch_module.training
    return converted


def _converter(torch_module: torch.nn.Module) -> Callable[[Any, str], Module] | None:
    """How to convert `torch_module`: by its class, if it keeps that class's forward; else, for an
    activation, by the registered activation that names its class as `torch_class`."""
    kind = type(torch_module)
    if kind in _CONVERTERS:
        return _CONVERTERS[kind]
    if _activation_spec(torch_module) is not None:
        return _activation
    for base, converter in _CONVERTERS.items():
        if isinstance(torch_module, base) and kind.forward is base.forward:
            return converter
    return None


def _activation_spec(torch_module: torch.nn.Module) -> ActivationSpec | None:
    """The registered activation (not a learnable one: nn.PReLU is a layer) whose PyTorch class is
    exactly the class of `torch_module`."""
    for name in list_activations():
        spec = get_activation(name)
        if spec.torch_class is not None and type(torch_module) is getattr(torch.nn, spec.torch_class, None):
            return spec
    return None


def _unsupported_message(torch_module: torch.nn.Module, path: str) -> str:
    where = f"layer {path[:-1]!r}" if path else "the model"
    activations = sorted({get_activation(name).torch_class for name in list_activations()} - {None})
    layers = [kind.__name__ for kind in _CONVERTERS if kind.__module__.startswith("torch.")]
    advice = (" A model with its own forward() cannot be translated layer by layer: write it as an "
              "nn.Sequential of these layers." if type(torch_module).forward is not torch.nn.Module.forward else "")
    return (f"from_torch: {where} is a {type(torch_module).__name__}, which tinygrad_act does not have; supported "
            f"layers: {', '.join(layers)}, and the activations {', '.join(activations)}.{advice}")


def _sequential(torch_module: torch.nn.Sequential, path: str) -> Module:
    children = [(name, _convert(child, f"{path}{name}.")) for name, child in torch_module.named_children()]
    return Sequential(OrderedDict(children))


def _linear(torch_module: torch.nn.Linear, path: str) -> Module:
    return Linear(torch_module.in_features, torch_module.out_features, bias=torch_module.bias is not None,
                  dtype=_numpy_dtype(torch_module.weight))


def _activation(torch_module: torch.nn.Module, path: str) -> Module:
    spec = _activation_spec(torch_module)
    params = {key: getattr(torch_module, key) for key in spec.params}
    if params.get("dim", 0) is None:  # PyTorch's implicit-dim softmax guesses the dim from the input's rank
        raise ValueError(f"from_torch: layer {path[:-1]!r} is {torch_module!r} without a dim; give it one "
                         f"(nn.{type(torch_module).__name__}(dim=-1))")
    return Activation(spec.name, **params)


def _numpy_activation(torch_module: NumpyActivation, path: str) -> Module:
    return Activation(torch_module.spec.name, **torch_module.params)


def _prelu(torch_module: torch.nn.PReLU, path: str) -> Module:
    return PReLU(torch_module.num_parameters, dtype=_numpy_dtype(torch_module.weight))


def _maxout(torch_module: TorchMaxout, path: str) -> Module:
    return Maxout(torch_module.in_features, torch_module.out_features, torch_module.pieces,
                  dtype=_numpy_dtype(torch_module.linear.weight))


def _batch_norm(torch_module: torch.nn.BatchNorm1d, path: str) -> Module:
    floats = [value for value in torch_module.state_dict().values() if value.is_floating_point()]
    return BatchNorm1d(torch_module.num_features, eps=torch_module.eps, momentum=torch_module.momentum,
                       affine=torch_module.affine, track_running_stats=torch_module.track_running_stats,
                       dtype=_numpy_dtype(floats[0]) if floats else None)


def _dropout(torch_module: torch.nn.Dropout, path: str) -> Module:
    return Dropout(torch_module.p)


def _flatten(torch_module: torch.nn.Flatten, path: str) -> Module:
    return Flatten(torch_module.start_dim, torch_module.end_dim)


_CONVERTERS: dict[type, Callable[[Any, str], Module]] = {
    torch.nn.Sequential: _sequential, torch.nn.Linear: _linear, torch.nn.PReLU: _prelu,
    torch.nn.BatchNorm1d: _batch_norm, torch.nn.Dropout: _dropout, torch.nn.Flatten: _flatten,
    NumpyActivation: _numpy_activation, TorchMaxout: _maxout,
}


def _numpy_dtype(tensor: torch.Tensor) -> np.dtype:
    return torch.empty(0, dtype=tensor.dtype).numpy().dtype
