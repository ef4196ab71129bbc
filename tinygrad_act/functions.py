"""Module-level forms of Tensor methods, as PyTorch has them: `ta.sum(x, 1)` is `x.sum(1)`,
`ta.max(x, 1)` is `x.max(1)`, `ta.softmax(x, dim=1)` is `x.softmax(dim=1)`.

Each is generated from the method of the same name, so the two can never disagree; the input may be
a Tensor or anything `Tensor(...)` accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .tensor import Tensor

METHOD_NAMES = (
    "abs", "add", "all", "amax", "amin", "any", "argmax", "argmin", "clamp", "clip", "clone", "cos",
    "div", "exp", "flatten", "gather", "log", "log_softmax", "logsumexp", "masked_fill", "matmul",
    "max", "maximum", "mean", "min", "minimum", "mm", "mul", "neg", "numel", "permute", "pow", "prod",
    "relu", "remainder", "reshape", "rsqrt", "sigmoid", "sin", "softmax", "sqrt", "square", "squeeze",
    "std", "std_mean", "sub", "sum", "t", "tanh", "transpose", "unsqueeze", "var", "var_mean",
)


def _method_form(name: str) -> Callable[..., Any]:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - PyTorch's name
        tensor = input if isinstance(input, Tensor) else Tensor(input)
        return getattr(tensor, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`{name}(x, ...)` is `x.{name}(...)`, as torch.{name}."
    return function


FUNCTIONS: dict[str, Callable[..., Any]] = {name: _method_form(name) for name in METHOD_NAMES}


def is_tensor(value: Any) -> bool:
    """True for a Tensor (torch.is_tensor)."""
    return isinstance(value, Tensor)
