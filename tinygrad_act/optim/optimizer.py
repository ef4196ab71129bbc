"""Optimizer: the base class that holds parameter groups and per-parameter state, as torch.optim does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..autograd import enable_grad, mark_modified
from ..tensor import Tensor


class Optimizer:
    """Updates parameters in place from their `.grad`, one parameter group at a time.

    `params` is an iterable of Tensors, or of dicts `{"params": [...], "lr": ...}` whose entries
    override the defaults for that group (so `param_groups[i]["lr"]` is what schedulers change).
    Subclasses define `_update_group(group)`; it writes `p.data` in place, never `p.grad.data`
    (the engine may share a gradient array between tensors), and skips parameters without a grad.
    `state[param]` holds an int "step" and ndarrays shaped like the parameter (0-d ones included),
    which `_update_group` updates in place.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "optimizer params must be an iterable of Tensors or of dicts, got a single Tensor; "
                "wrap it in a list"
            )
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the others take the defaults)."""
        if not isinstance(param_group, Mapping) or "params" not in param_group:
            raise TypeError(
                f"add_param_group: expected a dict with a 'params' entry, got {_describe(param_group)}"
            )
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("optimizer can't optimize a non-leaf Tensor (one made by an op)")
        known = {id(param) for other in self.param_groups for param in other["params"]}
        if len({id(param) for param in group["params"]}) < len(group["params"]) or any(
            id(param) in known for param in group["params"]
        ):
            raise ValueError("some parameters appear more than once, in one or in several parameter groups")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        if group["lr"] < 0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (the default), or zero arrays with set_to_none=False."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad.data = np.zeros_like(param.grad.data)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; `closure` (re-evaluating the loss) is optional,
        and its result is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        # the parameters changed in place: a graph recorded before this step cannot be backpropagated
        mark_modified(*[param.data for group in self.param_groups for param in group["params"]
                        if param.grad is not None])
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update_group()")

    @staticmethod
    def _gradients(group: dict[str, Any], weight_decay: float = 0.0) -> list[tuple[Tensor, np.ndarray]]:
        """(parameter, gradient) for each parameter of `group` that has a gradient, with the L2
        penalty weight_decay * p added into a new array (`.grad` itself is never written).

        The gradient is always an ndarray, 0-d included: a numpy scalar would make the optimizers'
        in-place state updates (`buffer *= momentum`) rebind a local name instead of updating state.
        """
        pairs = []  # a list, not a generator: one call per step instead of one per parameter
        for param in group["params"]:
            if param.grad is not None:
                grad = param.grad.data
                if weight_decay:
                    grad = grad + weight_decay * param.data
                pairs.append((param, grad if type(grad) is np.ndarray else np.asarray(grad)))
        return pairs

    # ------------------------------------------------------------ state

    def _indexed_params(self) -> list[Tensor]:
        return [param for group in self.param_groups for param in group["params"]]

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: ndarray or number}}, "param_groups": [{hyperparameters, "params":
        [indices]}]}: parameters are numbered in group order, as in PyTorch; arrays are copies."""
        index = {id(param): i for i, param in enumerate(self._indexed_params())}
        state = {
            index[id(param)]: {key: value.copy() if isinstance(value, np.ndarray) else value
                               for key, value in param_state.items()}
            for param, param_state in self.state.items()
        }
        groups = [{**{key: value for key, value in group.items() if key != "params"},
                   "params": [index[id(param)] for param in group["params"]]}
                  for group in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyperparameters and state saved by `state_dict()` from an optimizer over parameters
        of the same shapes in the same order.

        Everything is checked before anything is written, so a bad checkpoint leaves the optimizer
        as it was. State arrays are copied in each parameter's dtype and stay ndarrays (0-d ones
        too, so they keep updating in place); "step" becomes an int.
        """
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= state_dict.keys():
            raise TypeError(
                "load_state_dict: expected a mapping with 'state' and 'param_groups' (as made by "
                f"Optimizer.state_dict()), got {_describe(state_dict)}"
            )
        saved_groups = state_dict["param_groups"]
        self._check_group_layout(saved_groups)
        saved_state = state_dict["state"]
        if not isinstance(saved_state, Mapping):
            raise TypeError(f"load_state_dict: 'state' must be a dict, got {_describe(saved_state)}")
        params = self._indexed_params()
        state = {}
        for index, param_state in saved_state.items():
            param = _indexed_param(params, index)
            state[param] = {key: _restored_state_value(key, value, param, index)
                            for key, value in param_state.items()}
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({key: value for key, value in saved.items() if key != "params"})
        self.state = state

    def _check_group_layout(self, saved_groups: Any) -> None:
        """Raise unless `saved_groups` has as many groups, of as many parameters, as this optimizer."""
        if not isinstance(saved_groups, Sequence) or not all(isinstance(g, Mapping) for g in saved_groups):
            raise TypeError(
                f"load_state_dict: 'param_groups' must be a list of dicts, got {_describe(saved_groups)}"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"load_state_dict: the saved state has {len(saved_groups)} parameter groups, this optimizer "
                f"has {len(self.param_groups)}"
            )
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            saved_count = len(saved.get("params", ()))
            if saved_count != len(group["params"]):
                raise ValueError(
                    f"load_state_dict: parameter group {i} has {saved_count} parameters in the "
                    f"saved state and {len(group['params'])} here"
                )

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params")
        lines.append(")")
        return "\n".join(lines)


def _describe(value: Any) -> str:
    """A short description of an unexpected value for an error message."""
    if isinstance(value, Mapping):
        return f"a {type(value).__name__} with keys {sorted(map(str, value))}"
    return f"{type(value).__name__}"


def _indexed_param(params: list[Tensor], index: Any) -> Tensor:
    """The parameter numbered `index` (an int, or its string form) in state_dict order."""
    if isinstance(index, (int, np.integer)) or (isinstance(index, str) and index.isdigit()):
        if 0 <= int(index) < len(params):
            return params[int(index)]
    raise ValueError(
        f"load_state_dict: the saved state names parameter {index!r}, this optimizer numbers its "
        f"parameters 0 to {len(params) - 1}"
    )


def _restored_state_value(key: str, value: Any, param: Tensor, index: Any) -> Any:
    """A saved per-parameter state value as the optimizer keeps it: "step" as an int, arrays as new
    ndarrays of the parameter's shape, dtype and memory layout (a 0-d array for a 0-d parameter,
    never a float)."""
    try:
        if key == "step":
            return int(np.asarray(value).item())
        array = np.asarray(value.data if isinstance(value, Tensor) else value, dtype=param.dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"load_state_dict: state {key!r} of parameter {index} is not numeric ({error})"
        ) from None
    if array.shape != param.shape:
        raise ValueError(
            f"load_state_dict: state {key!r} of parameter {index} has shape {array.shape}, "
            f"the parameter has shape {param.shape}"
        )
    restored = np.empty_like(param.data)  # the parameter's layout (column-major for nn.Linear's weight)
    restored[...] = array
    return restored
