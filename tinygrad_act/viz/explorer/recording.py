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
import weakref
from collections.abc import Iterator

import numpy as np

from ...autograd import Function, observe_forward

# node -> a copy of the array its forward returned. Weak keys: a record never keeps a graph alive.
_values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def recorded_value(node: Function) -> np.ndarray | None:
    """The output `node` computed inside `record_values()`, or None if it ran outside one."""
    return _values.get(node)


def _keep(node: Function, output: np.ndarray) -> None:
    # A copy: an in-place write to the tensor later (x += 1) must not change what was computed.
    _values[node] = np.array(output, copy=True)


@contextlib.contextmanager
def record_values() -> Iterator[None]:
    """Inside the block, every recorded op's forward output is kept for `explore` (see the module
    docstring), through the engine's forward observer."""
    with observe_forward(_keep):
        yield
