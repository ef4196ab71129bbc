"""The autograd engine: graph nodes (Function), grad mode, and the iterative backward pass.

A graph node is the Function instance that made a tensor. It points at the nodes (or leaf tensors)
that produced its inputs, never back at its output, so the graph has no reference cycles and every
intermediate is freed by reference counting the moment nothing else holds it.

Backward visits nodes in decreasing creation order (each node gets a sequence number when it is
made, and a node's inputs always exist before it), which is a topological order; a heap gives the
next node, so there is no recursion and no separate sort: a 100,000-op chain is one loop.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

# What a backward rule returns: one gradient (a single input) or one per input, None where an
# input needs none.
Gradients = np.ndarray | tuple[np.ndarray | None, ...]

_grad_enabled = True
_sequence = itertools.count()
_scope: Any = None  # the nn.Module whose forward is running, recorded on each node for pictures
_detect_anomaly = False


def is_grad_enabled() -> bool:
    """True when new operations record the graph (the default)."""
    return _grad_enabled


class _Switch:
    """Base of the context managers that set a global switch for a block and restore it after.

    Each also works as a decorator, with or without parentheses (`@no_grad` and `@no_grad()`).
    Subclasses name the switch (`switch`) and the value it takes inside the block (`value`).
    """

    switch: str
    value: bool

    def __new__(cls, function: Callable | None = None) -> Any:
        # `@no_grad` without parentheses decorates at once; `no_grad()` makes the context manager.
        instance = super().__new__(cls)
        return instance if function is None else instance(function)

    def __init__(self, function: Callable | None = None) -> None:
        """`function` is only given to the bare-decorator form, which __new__ has handled."""

    def __enter__(self) -> None:
        self._previous = globals()[self.switch]
        globals()[self.switch] = self.value

    def __exit__(self, *exc_info: object) -> None:
        globals()[self.switch] = self._previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_Switch):
    """`with no_grad():` runs operations without recording the graph (evaluation, optimizer steps)."""

    switch, value = "_grad_enabled", False


class enable_grad(_Switch):
    """`with enable_grad():` records the graph again inside a `no_grad` block."""

    switch, value = "_grad_enabled", True


class detect_anomaly(_Switch):
    """`with detect_anomaly():` checks every op's output and every gradient for NaN/Inf and raises
    RuntimeError at the first op that produced one, naming the op and the shapes involved.

    It costs a pass over each array, so use it to find a problem, not in every run.
    """

    switch, value = "_detect_anomaly", True


def check_forward(node: Function, inputs: list, output: np.ndarray) -> None:
    """Anomaly mode: raise if `output` holds NaN/Inf (saying whether the inputs already did)."""
    if output.dtype.kind != "f" or np.isfinite(output).all():
        return
    shapes = ", ".join(str(np.shape(x)) for x in inputs)
    inputs_finite = all(np.isfinite(x).all() for x in inputs if np.asarray(x).dtype.kind == "f")
    origin = "from finite inputs" if inputs_finite else "(its inputs already held NaN/Inf)"
    raise RuntimeError(
        f"detect_anomaly: forward of {node.name} produced {_describe(output)} {origin}; "
        f"input shapes {shapes}, output shape {output.shape}"
    )


def _check_backward(node: Function, grad_output: np.ndarray, input_grads: tuple) -> None:
    for index, grad in enumerate(input_grads):
        if grad is not None and not np.isfinite(grad).all():
            raise RuntimeError(
                f"detect_anomaly: backward of {node.name} produced {_describe(grad)} in the gradient "
                f"of input {index} (shape {np.shape(grad)}) from a gradient of shape {grad_output.shape} "
                f"that was {'finite' if np.isfinite(grad_output).all() else 'already NaN/Inf'}"
            )


def _describe(array: np.ndarray) -> str:
    nan, inf = int(np.isnan(array).sum()), int(np.isinf(array).sum())
    return f"{nan} NaN and {inf} Inf value(s)"


class Function:
    """One differentiable operation; once applied, the graph node that made its output.

    Subclasses define `forward(self, *arrays, **params) -> ndarray` on numpy arrays and
    `backward(self, grad_output) -> gradient or tuple of gradients`, one per positional input
    (None where an input needs none; `self.needs_input_grad[i]` says which are wanted). State that
    backward needs is stored on `self` in forward, and only what the backward rule uses.
    Gradients may have the broadcast shape of the output: the engine sums them back to each
    input's shape, so no op has to.
    """

    # The graph's structure lives in slots and survives `release`; what forward saves for backward
    # lives in __dict__ and is dropped by it. Rarely used fields default on the class, so most
    # nodes never set them.
    __slots__ = (
        "parents", "needs_input_grad", "sequence", "shape", "dtype", "scope", "grad_norm",
        "__dict__", "__weakref__",
    )
    hooks: tuple = ()
    retained_tensor: Any = None
    released = False

    def forward(self, *args: Any, **params: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_output: np.ndarray) -> Gradients:
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The op's name as shown in graphs and error messages."""
        return type(self).__name__.lower()

    def release(self) -> None:
        """Drop what forward saved for backward; the graph's structure stays for drawing."""
        self.__dict__.clear()
        self.released = True

    def __repr__(self) -> str:
        return f"<{self.name} backward>"


def enter_scope(module: Any) -> Any:
    """Make `module` the scope recorded on new nodes (so a graph drawing can group them by layer);
    returns the previous scope for `exit_scope`. nn.Module.__call__ brackets forward with these
    (two plain calls: a context manager would cost more than a small op)."""
    global _scope
    previous, _scope = _scope, module
    return previous


def exit_scope(previous: Any) -> None:
    """Restore the scope that `enter_scope` returned."""
    global _scope
    _scope = previous


def sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo numpy broadcasting: sum `grad` over the dimensions that broadcasting added or stretched."""
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def run_backward(root: Any, grad_output: np.ndarray, retain_graph: bool, wrap: Callable) -> None:
    """Backpropagate `grad_output` from tensor `root` into the `.grad` of every leaf that needs it.

    Gradients arriving at a node are summed before its backward runs; leaves receive the sum of
    their gradients once, after hooks, added to any `.grad` they already have (PyTorch's rule: call
    `zero_grad` between steps). `wrap(array)` turns an array into a graph-free Tensor.
    """
    # Gradients may legitimately be inf or NaN (d/dx sqrt at 0, a NaN input): like PyTorch, produce
    # them silently. One errstate for the whole pass costs less than one per op.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        leaf_grads = _propagate(root, grad_output, retain_graph, wrap)
    # A leaf's .grad must be an array of its own, since users may write into it: most gradients
    # are fresh results of a backward rule and are kept as they are (no copy of a big weight
    # gradient); a view, a read-only broadcast, the caller's `gradient`, or an array that already
    # went to another leaf is copied.
    handed_out = {id(grad_output)}
    for leaf, grad in leaf_grads.items():
        for hook in leaf._hooks:
            replaced = hook(wrap(grad))
            if replaced is not None:
                grad = replaced.data if hasattr(replaced, "data") else np.asarray(replaced)
        if id(grad) in handed_out or grad.base is not None or not grad.flags.writeable:
            grad = grad.copy()
        handed_out.add(id(grad))
        accumulate_grad(leaf, grad, wrap)


def _propagate(root: Any, grad_output: np.ndarray, retain_graph: bool, wrap: Callable) -> dict:
    """Run every node's backward from `root`; returns the summed gradient of each leaf reached."""
    leaf_grads: dict = {}
    node = root.grad_fn
    if node is None:
        leaf_grads[root] = grad_output
    else:
        pending = {node: grad_output}
        heap = [(-node.sequence, node)]
        while heap:
            node = heapq.heappop(heap)[1]
            grad = pending.pop(node)
            if node.released:
                raise RuntimeError(
                    f"backward through {node.name} a second time: its saved values were freed by "
                    "the first backward. Call backward(retain_graph=True) the first time if you "
                    "need to backpropagate through the same graph twice."
                )
            for hook in node.hooks:
                replaced = hook(wrap(grad))
                if replaced is not None:
                    grad = replaced.data if hasattr(replaced, "data") else np.asarray(replaced)
            if node.retained_tensor is not None:
                retained = node.retained_tensor()
                if retained is not None:
                    accumulate_grad(retained, grad.copy(), wrap)
            input_grads = node.backward(grad)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if _detect_anomaly:
                _check_backward(node, grad, input_grads)
            if not retain_graph:
                node.release()
            for parent, input_grad in zip(node.parents, input_grads):
                if parent is None or input_grad is None:
                    continue
                if isinstance(parent, Function):
                    if input_grad.shape != parent.shape:
                        input_grad = sum_to_shape(input_grad, parent.shape)
                    if parent in pending:
                        pending[parent] = pending[parent] + input_grad
                    else:
                        pending[parent] = input_grad
                        heapq.heappush(heap, (-parent.sequence, parent))
                else:
                    if input_grad.shape != parent.data.shape:
                        input_grad = sum_to_shape(input_grad, parent.data.shape)
                    if parent in leaf_grads:
                        leaf_grads[parent] = leaf_grads[parent] + input_grad
                    else:
                        leaf_grads[parent] = input_grad
    return leaf_grads


def accumulate_grad(tensor: Any, grad: np.ndarray, wrap: Callable) -> None:
    """Add `grad`, an array the tensor may own, to `tensor.grad` (creating it), in the tensor's dtype.

    Later gradients are added in place, so `.grad` stays the same Tensor and array across
    backward calls, as in PyTorch.
    """
    if grad.dtype != tensor.data.dtype:
        grad = grad.astype(tensor.data.dtype)
    if tensor.grad is None:
        tensor.grad = wrap(grad)
    else:
        tensor.grad.data += grad
