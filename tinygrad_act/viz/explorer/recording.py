"""Record the value every op computes during a forward pass, so the explorer can show it.

The engine keeps an op's output only as long as the next op needs it: once a graph is built, the
intermediate values are gone (only their shapes stay on the nodes). Inside `record_values()`, each
op's forward output is copied into a weak mapping keyed by its graph node, so the record lives
exactly as long as the graph does and costs nothing outside the block.

    with viz.record_values():
        loss = F.cross_entropy(model(x), y)
    viz.explore(loss, params=model)          # every node shows its value
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable, Iterator

import numpy as np

from ...autograd import Function

# node -> a copy of the array its forward returned. Weak keys: a record never keeps a graph alive.
_values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_depth = 0  # nested blocks share one set of wrapped methods


def recorded_value(node: Function) -> np.ndarray | None:
    """The output `node` computed inside `record_values()`, or None if it ran outside one."""
    return _values.get(node)


def _recording(forward: Callable) -> Callable:
    @functools.wraps(forward)
    def recorded_forward(self: Function, *args: object, **params: object) -> np.ndarray:
        output = forward(self, *args, **params)
        # A copy: an in-place write to the tensor later (x += 1) must not change what was computed.
        _values[self] = np.array(output, copy=True)
        return output

    return recorded_forward


def _op_classes() -> list[type[Function]]:
    """Every subclass of Function that defines its own forward (built-in ops, fused kernels, the
    activation node class that every registered activation's node inherits, a user's own ops)."""
    found, stack = [], [Function]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "forward" in vars(cls) and cls is not Function:
            found.append(cls)
    return found


@contextlib.contextmanager
def record_values() -> Iterator[None]:
    """Inside the block, every op's forward output is recorded for `explore` (see the module docstring).

    The engine has no forward hook, so the block wraps each op class's `forward` and restores it on
    exit; a subclass created inside the block (a newly registered activation) inherits the wrapper.
    """
    global _depth
    originals = {} if _depth else {cls: vars(cls)["forward"] for cls in _op_classes()}
    for cls, forward in originals.items():
        cls.forward = _recording(forward)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for cls, forward in originals.items():
            cls.forward = forward
