"""Module and Parameter: the containers that find a model's parameters by walking its attributes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import autograd
from ..autograd import mark_modified
from ..device import parse_to
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that a Module registers as trainable (requires grad by default)."""

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What a non-strict load_state_dict skipped: the model's keys absent from the checkpoint, and
    the checkpoint's keys the model does not have."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class _HookHandle:
    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class Module:
    """Base class of layers and models: subclasses set parameters and sub-modules as attributes in
    __init__ and define forward(); calling the module runs forward and its forward hooks.

    Parameters and sub-modules are found in attribute order, so state_dict keys are attribute
    paths as in PyTorch (`0.weight`, `encoder.bias`).
    """

    training = True

    def __init__(self) -> None:
        object.__setattr__(self, "_forward_hooks", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        previous_scope = autograd.scope
        autograd.scope = self  # the module whose forward made a node, for the graph's pictures
        try:
            output = self.forward(*args, **kwargs)
        finally:
            autograd.scope = previous_scope
        hooks = self.__dict__.get("_forward_hooks")
        if hooks:
            for hook in hooks.values():
                result = hook(self, args, output)
                if result is not None:
                    output = result
        return output

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> _HookHandle:
        """Call `hook(module, inputs, output)` after every forward; a returned value replaces the output."""
        hooks = self.__dict__.setdefault("_forward_hooks", {})
        key = max(hooks, default=-1) + 1
        hooks[key] = hook
        return _HookHandle(hooks, key)

    # ------------------------------------------------------------ traversal

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in self.__dict__.items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every sub-module, depth first, with dotted names ('' for self)."""
        stack = [(prefix, self)]
        seen = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted attribute path, each parameter once."""
        seen = set()
        for module_name, module in self.named_modules(prefix):
            for name, value in module.__dict__.items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self) -> Iterator[Parameter]:
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        """Non-trainable state saved with the model (BatchNorm's running statistics)."""
        for module_name, module in self.named_modules():
            for name in module.__dict__.get("_buffer_names", ()):
                buffer = getattr(module, name)
                if buffer is not None:
                    yield (f"{module_name}.{name}" if module_name else name), buffer

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Keep `tensor` as state of this module (in state_dict) that is not a parameter."""
        names = self.__dict__.setdefault("_buffer_names", [])
        if name not in names:
            names.append(name)
        setattr(self, name, tensor)

    # ------------------------------------------------------------ modes and gradients

    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (the default, as PyTorch 2), or with set_to_none=False
        keep each grad Tensor and make it zeros (a new array: the engine may share the old one)."""
        for parameter in self.parameters():
            if set_to_none or parameter.grad is None:
                parameter.grad = None
            else:
                parameter.grad.data = np.zeros_like(parameter.grad.data)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    # ------------------------------------------------------------ device and dtype

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """As torch.nn.Module.to: `to("cpu")`, `to(ta.float64)`, `to("cpu", ta.float64)`,
        `to(tensor)` or `to(device=..., dtype=...)`; returns self.

        The only device is the CPU (any other raises RuntimeError). A floating dtype converts every
        floating parameter and buffer in place: the Parameter objects stay the same, so an
        optimizer made before still updates them; their gradients are converted too.
        """
        dtype = parse_to(*args, **kwargs)
        if dtype is not None:
            if dtype.kind != "f":
                raise TypeError(f"Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
            self._convert(dtype)
        return self

    def cpu(self) -> Module:
        """Move to the CPU: a no-op, tinygrad_act runs there already. Returns self."""
        return self

    def float(self) -> Module:
        """Make every floating parameter and buffer float32, in place; returns self."""
        return self.to(np.float32)

    def double(self) -> Module:
        """Make every floating parameter and buffer float64, in place; returns self."""
        return self.to(np.float64)

    def type(self, dst_type: Any) -> Module:
        """Make every parameter and buffer `dst_type`, integer buffers included (unlike `to`), in
        place, as PyTorch; returns self. Parameters that require grad must stay floating."""
        dtype = np.dtype(dst_type)
        if dtype.kind != "f" and any(parameter.requires_grad for parameter in self.parameters()):
            raise TypeError(f"Module.type({dtype}): parameters that require grad must have a floating dtype")
        self._convert(dtype, floating_only=False)
        return self

    def _convert(self, dtype: np.dtype, floating_only: bool = True) -> None:
        """Rebind the data (and grad) of parameters and buffers to `dtype`; the Tensor objects stay."""
        for tensor in [*self.parameters(), *(buffer for _, buffer in self.named_buffers())]:
            if tensor.dtype.kind == "f" or not floating_only:
                tensor.data = tensor.data.astype(dtype, copy=False)
                if tensor.grad is not None:
                    tensor.grad.data = tensor.grad.data.astype(dtype, copy=False)

    # ------------------------------------------------------------ state

    def state_dict(self) -> OrderedDict[str, Tensor]:
        """Parameters and buffers by dotted name, as detached Tensors sharing the model's data."""
        state: OrderedDict[str, Tensor] = OrderedDict()
        for name, parameter in self.named_parameters():
            state[name] = parameter.detach()
        for name, buffer in self.named_buffers():
            state[name] = buffer.detach()
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or ndarrays) into this module's parameters and buffers, in place.

        With `strict`, any missing, unexpected or mis-shaped key raises one RuntimeError that lists
        them all; without it, the keys that match in name and shape are loaded and (missing_keys,
        unexpected_keys) is returned. Mis-shaped or non-numeric values raise even without `strict`.
        Every value is checked before any is written, so a failed load changes nothing.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict for {type(self).__name__}: expected a mapping of names to Tensors or "
                f"arrays (as made by Module.state_dict()), got {type(state_dict).__name__}"
            )
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        arrays, unconvertible, mismatched = {}, [], []
        for key, value in state_dict.items():
            if key in own:
                try:
                    arrays[key] = _as_array(value, own[key].dtype)
                except (TypeError, ValueError) as error:
                    unconvertible.append(f"{key} ({error})")
                    continue
                if arrays[key].shape != own[key].shape:
                    mismatched.append(f"{key}: checkpoint {arrays[key].shape}, model {own[key].shape}")
        problems = []
        if strict and missing:
            problems.append(f"missing keys: {', '.join(missing)}")
        if strict and unexpected:
            problems.append(f"unexpected keys: {', '.join(unexpected)}")
        if mismatched:
            problems.append(f"shape mismatches: {'; '.join(mismatched)}")
        if unconvertible:
            problems.append(f"values that are not numbers of the model's dtype: {'; '.join(unconvertible)}")
        if problems:
            raise RuntimeError(f"load_state_dict for {type(self).__name__}: " + "; ".join(problems))
        for key, array in arrays.items():
            own[key].data[...] = array
        mark_modified(*[own[key].data for key in arrays])
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ display

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


def _as_array(value: Any, dtype: np.dtype) -> np.ndarray:
    """A checkpoint value (Tensor, ndarray or nested lists) as an ndarray of `dtype`."""
    return np.asarray(value.data if isinstance(value, Tensor) else value).astype(dtype, copy=False)
