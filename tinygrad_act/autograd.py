"""The autograd engine: graph nodes (Function), grad mode, and the iterative backward pass.

A graph node is the Function instance that made a tensor. It points at the nodes (or leaf tensors)
that produced its inputs, never back at its output, so the graph has no reference cycles and every
intermediate is freed by reference counting the moment nothing else holds it.

Backward visits nodes in decreasing creation order (each node gets a sequence number when it is
made, and a node's inputs always exist before it), which is a topological order; a heap gives the
next node when several wait (one waiting alone, as in a chain, goes next without it), so there is
no recursion and no separate sort: a 100,000-op chain is one loop.

The engine owns the graph's whole life: `apply` runs an op and records its node, `backward` runs
the graph on plain arrays and hands each leaf its summed gradient; `Tensor` applies its own hooks
and accumulates `.grad`. The one piece of picture data a node keeps is `scope`, the module whose
forward made it, so a drawing can group ops by layer.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# What a backward rule returns: one gradient (a single input) or one per input, None where an
# input needs none.
Gradients = np.ndarray | tuple[np.ndarray | None, ...]

_grad_enabled = True
_sequence = itertools.count()
# The nn.Module whose forward is running, recorded on each node for pictures: nn.Module.__call__
# sets it around forward (a plain assignment: a context manager would cost more than a small op).
scope: Any = None
_detect_anomaly = False
_tensor_type: Any = None  # the Tensor class (set by tensor.py, which builds on this module)
_forward_observers: tuple = ()  # called as observe(node, output) for every recorded node
_new_object = object.__new__
# In-place writes to arrays, for the version check: id(array) -> (stamp, weak reference). A stamp is
# a number from `_sequence`, so "modified after node N was recorded" is `stamp > N.sequence`.
_modified_arrays: dict[int, tuple[int, Any]] = {}
_last_modification = -1


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


class set_grad_enabled:
    """Turn graph recording on or off: at once (`ta.set_grad_enabled(False)`), or for a block
    (`with ta.set_grad_enabled(is_training):`), after which the previous mode returns."""

    def __init__(self, mode: bool) -> None:
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, bool(mode)

    def __enter__(self) -> None:
        """The mode is already set by the constructor."""

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous


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

    # The graph's structure lives in slots and survives backward; what forward saves for backward
    # lives in __dict__ and backward drops it (unless retain_graph). Rarely used fields default on
    # the class, so most nodes never set them.
    __slots__ = ("parents", "sequence", "shape", "dtype", "scope", "__dict__", "__weakref__")
    hooks: tuple = ()  # functions of the output's gradient array, see `run_hooks`
    released = False

    def forward(self, *args: Any, **params: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_output: np.ndarray) -> Gradients:
        raise NotImplementedError

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each positional input: does it need a gradient? (Worked out when backward asks, so
        recording a node costs nothing for ops that never ask.)"""
        parents = self.parents
        if len(parents) == 2:  # most ops: spelled out, as this runs in most backward rules
            return parents[0] is not None, parents[1] is not None
        if len(parents) == 3:  # a linear layer with its bias
            return parents[0] is not None, parents[1] is not None, parents[2] is not None
        return tuple([parent is not None for parent in parents])

    @property
    def name(self) -> str:
        """The op's name as shown in graphs and error messages."""
        return type(self).__name__.lower()

    def __repr__(self) -> str:
        return f"<{self.name} backward>"


@contextlib.contextmanager
def observe_forward(observer: Callable[[Function, np.ndarray], None]) -> Iterator[None]:
    """Inside the block, call `observer(node, output)` each time a node is recorded (the explorer
    keeps every op's value this way); outside it the engine pays one falsy check per op."""
    global _forward_observers
    _forward_observers = (*_forward_observers, observer)
    try:
        yield
    finally:
        _forward_observers = tuple(o for o in _forward_observers if o is not observer)


def register_tensor_type(tensor_type: type) -> None:
    """Tell the engine which class wraps arrays (tensor.py calls this once, for Tensor): `apply`
    reads `.data`, `.requires_grad` and `.grad_fn` of its inputs and makes its output of it."""
    global _tensor_type
    _tensor_type = tensor_type


def mark_modified(*arrays: np.ndarray) -> None:
    """Record that `arrays` were just written in place (by `x.add_()`, `x -= ...`, `x.zero_()`, an
    optimizer's step, `load_state_dict`, an `nn.init` fill, ...).

    Every node recorded before now that saved one of them (or a view sharing its memory) for
    backward would compute a wrong gradient; backward raises instead, as PyTorch's version counter
    does.
    """
    global _last_modification
    _last_modification = stamp = next(_sequence)
    if len(_modified_arrays) > 1024:  # forget arrays that no longer exist
        for key in [key for key, (_, ref) in _modified_arrays.items() if ref() is None]:
            del _modified_arrays[key]
    for array in arrays:
        _modified_arrays[id(array)] = (stamp, weakref.ref(array))


def _check_not_modified(node: Function) -> None:
    """Raise if an array that `node` saved for backward was written in place after it was recorded."""
    saved = [value for value in node.__dict__.values() if isinstance(value, np.ndarray)]
    for stamp, ref in list(_modified_arrays.values()):
        array = ref()
        if stamp > node.sequence and array is not None:
            for value in saved:
                if np.shares_memory(value, array):
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified by an "
                        f"inplace operation: an array of shape {array.shape} saved by {node.name} was "
                        "written in place after the graph recorded it, so its gradient would be wrong. "
                        "Do the in-place update after backward, or use an out-of-place op (x = x - y)."
                    )


def run_hooks(hooks: tuple, grad: np.ndarray) -> np.ndarray:
    """Call each hook with the gradient array; a non-None result replaces it and must keep its
    shape (PyTorch's rule; the error names the hook)."""
    for hook in hooks:
        replaced = hook(grad)
        if replaced is not None:
            replaced = np.asarray(replaced)
            if replaced.shape != grad.shape:
                name = getattr(hook, "__name__", repr(hook))
                raise RuntimeError(
                    f"hook {name!r} has changed the size of value: it returned a gradient of shape "
                    f"{replaced.shape} for a tensor of shape {grad.shape}"
                )
            grad = replaced
    return grad


def apply(function_class: type[Function], *args: Any, **params: Any) -> Any:
    """Run `function_class`'s forward on the arrays of `args` and, if grad is on and an input
    requires it, record the node; returns the output Tensor.

    `args` are Tensors or constants (Python numbers, ndarrays) that never receive a gradient.
    This is the hot path of every op, hence the plain loops.
    """
    node = function_class()
    tensor_type = _tensor_type
    # One pass over the inputs gathers their arrays and, for those that require grad, the graph
    # edges (a node, or the leaf itself); recorded only if grad mode is on and one input needs it.
    arrays = []
    parents = []
    recording = False
    for arg in args:
        if isinstance(arg, tensor_type):
            arrays.append(arg.data)
            if arg.requires_grad:
                parents.append(arg.grad_fn or arg)
                recording = True
                continue
        else:
            arrays.append(arg)
        parents.append(None)
    try:
        data = node.forward(*arrays, **params) if params else node.forward(*arrays)
    except ValueError as error:  # numpy's shape errors; PyTorch raises RuntimeError for these
        shapes = " and ".join(str(np.shape(array)) for array in arrays)
        raise RuntimeError(f"{node.name}: shapes {shapes}: {error}") from None
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if _detect_anomaly:
        check_forward(node, arrays, data)
    out = _new_object(tensor_type)
    out.data = data
    if recording and _grad_enabled:
        node.parents = tuple(parents)
        node.sequence = next(_sequence)
        node.shape = data.shape
        node.dtype = data.dtype
        node.scope = scope
        out.grad_fn = node
        out.requires_grad = True
        if _forward_observers:
            for observe in _forward_observers:
                observe(node, data)
    return out


def sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo numpy broadcasting: sum `grad` over the dimensions that broadcasting added or stretched."""
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def backward(root: Any, grad_output: np.ndarray, retain_graph: bool) -> dict[Any, np.ndarray]:
    """Backpropagate `grad_output` from tensor `root`; returns the summed gradient array of every
    leaf tensor reached (the caller accumulates them into `.grad`).

    Gradients arriving at a node are summed before its backward runs, then its hooks see the sum.
    Unless `retain_graph`, each node drops its saved arrays once used, so a second pass raises.
    """
    # Gradients may legitimately be inf or NaN (d/dx sqrt at 0, a NaN input): like PyTorch, produce
    # them silently. One errstate for the whole pass costs less than one per op.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _propagate(root, grad_output, retain_graph)


def _propagate(root: Any, grad_output: np.ndarray, retain_graph: bool) -> dict[Any, np.ndarray]:
    leaf_grads: dict = {}
    node, grad = root.grad_fn, grad_output
    if node is None:
        leaf_grads[root] = grad_output
        return leaf_grads
    # The nodes waiting to run, each with the sum of the gradients that reached it so far: the one
    # with the highest sequence number runs next. While a single node waits (a chain, the common
    # case) it is held in `held`; from two on they go to the heap, which orders them.
    pending: dict = {}
    heap: list = []
    # Names bound once: this loop runs once per op of the graph.
    heappop, heappush, function_type = heapq.heappop, heapq.heappush, Function
    last_modification, anomaly = _last_modification, _detect_anomaly
    while True:
        if node.released:
            raise RuntimeError(
                f"backward through {node.name} a second time: its saved values were freed by "
                "the first backward. Call backward(retain_graph=True) the first time if you "
                "need to backpropagate through the same graph twice."
            )
        if node.hooks:
            grad = run_hooks(node.hooks, grad)
        if node.sequence < last_modification:
            _check_not_modified(node)
        input_grads = node.backward(grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        if anomaly:
            _check_backward(node, grad, input_grads)
        if not retain_graph and node.__dict__:  # drop what forward saved; the structure stays for drawing
            node.__dict__.clear()
            node.released = True  # a node that saved nothing can run again, as in PyTorch
        held = held_grad = None
        for parent, input_grad in zip(node.parents, input_grads):
            if parent is None or input_grad is None:
                continue
            if isinstance(parent, function_type):
                if input_grad.shape != parent.shape:
                    input_grad = sum_to_shape(input_grad, parent.shape)
                if parent is held:
                    held_grad = held_grad + input_grad
                elif parent in pending:
                    pending[parent] = pending[parent] + input_grad
                elif held is None and not heap:
                    held, held_grad = parent, input_grad
                else:
                    if held is not None:  # a second node waits: both go to the heap
                        pending[held] = held_grad
                        heappush(heap, (-held.sequence, held))
                        held = None
                    pending[parent] = input_grad
                    heappush(heap, (-parent.sequence, parent))
            else:
                if input_grad.shape != parent.data.shape:
                    input_grad = sum_to_shape(input_grad, parent.data.shape)
                if parent in leaf_grads:
                    leaf_grads[parent] = leaf_grads[parent] + input_grad
                else:
                    leaf_grads[parent] = input_grad
        if held is not None:
            node, grad = held, held_grad
        elif heap:
            node = heappop(heap)[1]
            grad = pending.pop(node)
        else:
            return leaf_grads
