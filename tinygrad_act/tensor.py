"""Tensor: an ndarray plus the graph node that made it; every method is a thin call of an op."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import autograd, ops
from .autograd import Function, run_backward
from .dtypes import to_array

_new_object = object.__new__


def _wrap(data: np.ndarray) -> Tensor:
    """A Tensor around `data` with no graph and no conversion (used for results and gradients)."""
    tensor = _new_object(Tensor)
    tensor.data = data
    return tensor


def apply(function_class: type[Function], *args: Any, **params: Any) -> Tensor:
    """Run `function_class`'s forward on the arrays of `args` and, if grad is on, record the node.

    `args` are Tensors or constants (Python numbers, ndarrays) that never receive a gradient.
    This is the hot path of every op, hence the plain loops.
    """
    node = function_class()
    arrays = [arg.data if isinstance(arg, Tensor) else arg for arg in args]
    try:
        data = node.forward(*arrays, **params)
    except ValueError as error:
        shapes = " and ".join(str(np.shape(array)) for array in arrays)
        raise ValueError(f"{node.name}: shapes {shapes}: {error}") from None
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if autograd._detect_anomaly:
        autograd.check_forward(node, arrays, data)
    out = _new_object(Tensor)
    out.data = data
    if autograd._grad_enabled:
        parents = []
        needs_input_grad = []
        recording = False
        for arg in args:
            if isinstance(arg, Tensor) and arg.requires_grad:
                parents.append(arg.grad_fn or arg)
                needs_input_grad.append(True)
                recording = True
            else:
                parents.append(None)
                needs_input_grad.append(False)
        if recording:
            node.parents = tuple(parents)
            node.needs_input_grad = tuple(needs_input_grad)
            node.sequence = next(autograd._sequence)
            node.shape = data.shape
            node.dtype = data.dtype
            node.scope = autograd._scope
            out.grad_fn = node
            out.requires_grad = True
    return out


def _operand(value: Any, like: Tensor) -> Any:
    """The other operand of a binary op: a Tensor as it is; a Python number as it is (numpy keeps
    the tensor's dtype for those, NEP 50); numpy scalars and other data as an ndarray, float data
    converted to the tensor's float dtype (so `x * np.sqrt(2)` stays float32 for a float32 x)."""
    if isinstance(value, Tensor) or type(value) in (int, float, bool):
        return value
    array = np.asarray(value)
    if array.dtype.kind == "f" and like.data.dtype.kind == "f":
        return to_array(array, like.data.dtype)
    return to_array(array)


def _index_data(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays (so `x[mask_tensor]` works)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(part.data if isinstance(part, Tensor) else part for part in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _dims(dim: Any) -> Any:
    """Normalise a `dim` argument (None, int, or a sequence of ints) for numpy's `axis`."""
    if dim is None or isinstance(dim, (int, np.integer)):
        return dim
    return tuple(int(d) for d in dim)


class _RemovableHandle:
    """Returned by register_hook; `handle.remove()` unregisters the hook."""

    def __init__(self, owner: Any, attribute: str, hook: Callable) -> None:
        self._owner, self._attribute, self._hook = owner, attribute, hook

    def remove(self) -> None:
        hooks = getattr(self._owner, self._attribute)
        setattr(self._owner, self._attribute, tuple(h for h in hooks if h is not self._hook))


class Tensor:
    """An n-dimensional array that records the operations applied to it, for backpropagation.

    `Tensor(data, requires_grad=False, dtype=None)`: float data becomes the default dtype (float32)
    unless `dtype` says otherwise; integer and boolean data keep their dtype and cannot require grad.
    """

    # Defaults live on the class, so the many tensors made by ops only set what differs.
    grad: Tensor | None = None
    grad_fn: Function | None = None
    requires_grad = False
    _hooks: tuple = ()
    __hash__ = object.__hash__
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of numpy

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data = to_array(data, dtype)
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------ attributes

    @property
    def shape(self) -> tuple:
        """The size of each dimension, a tuple."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the data."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (not by an op that records the graph)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed (the transpose of a matrix)."""
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of dimension `dim` (as torch.Tensor.size)."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = ""
        if self.data.dtype != np.float32 and self.data.dtype != np.int64:
            extras += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extras += f", grad_fn={self.grad_fn!r}"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    # ------------------------------------------------------------ conversion

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        """The data as nested Python lists."""
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()"
            )
        return bool(self.data)

    def any(self) -> bool:
        """True if any element is non-zero."""
        return bool(self.data.any())

    def all(self) -> bool:
        """True if every element is non-zero."""
        return bool(self.data.all())

    def to(self, dtype: Any) -> Tensor:
        """The tensor in another dtype; the gradient is cast back."""
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if dtype.kind != "f":
            return _wrap(self.data.astype(dtype))
        return apply(ops.Cast, self, dtype=dtype)

    def float(self) -> Tensor:
        """The tensor as float32 (differentiable)."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """The tensor as float64 (differentiable)."""
        return self.to(np.float64)

    def long(self) -> Tensor:
        """The tensor as int64 (outside the graph)."""
        return self.to(np.int64)

    # ------------------------------------------------------------ graph bookkeeping

    def detach(self) -> Tensor:
        """The same data, cut from the graph (no grad_fn, does not require grad)."""
        return _wrap(self.data)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether this leaf records operations for backward; returns self."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_: only leaf tensors can change requires_grad; use detach() for a "
                "non-leaf"
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf tensor after backward (leaves always keep theirs)."""
        if self.grad_fn is not None:
            self.grad_fn.retained_tensor = weakref.ref(self)
        elif not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        owner, attribute = (self, "_hooks") if self.grad_fn is None else (self.grad_fn, "hooks")
        setattr(owner, attribute, getattr(owner, attribute) + (hook,))
        return _RemovableHandle(owner, attribute, hook)

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (summed with what is there).

        A scalar needs no `gradient`; otherwise `gradient` (Tensor or ndarray, the shape of self)
        is the vector in the vector-Jacobian product. The graph is freed unless `retain_graph`.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn; create the leaves "
                "it comes from with requires_grad=True"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs, but this "
                    f"tensor has shape {self.shape}; pass gradient= of that shape"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient)
            if grad.shape != self.data.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {grad.shape} but the tensor has shape {self.shape}"
                )
            grad = grad.astype(self.data.dtype, copy=False)
        run_backward(self, grad, retain_graph, _wrap)

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other: Any) -> Tensor:
        return apply(ops.Add, self, _operand(other, self))

    def __radd__(self, other: Any) -> Tensor:
        return apply(ops.Add, _operand(other, self), self)

    def __sub__(self, other: Any) -> Tensor:
        return apply(ops.Sub, self, _operand(other, self))

    def __rsub__(self, other: Any) -> Tensor:
        return apply(ops.Sub, _operand(other, self), self)

    def __mul__(self, other: Any) -> Tensor:
        return apply(ops.Mul, self, _operand(other, self))

    def __rmul__(self, other: Any) -> Tensor:
        return apply(ops.Mul, _operand(other, self), self)

    def __truediv__(self, other: Any) -> Tensor:
        return apply(ops.Div, self, _operand(other, self))

    def __rtruediv__(self, other: Any) -> Tensor:
        return apply(ops.Div, _operand(other, self), self)

    def __pow__(self, exponent: Any) -> Tensor:
        return apply(ops.Pow, self, _operand(exponent, self))

    def __rpow__(self, base: Any) -> Tensor:
        return apply(ops.Pow, _operand(base, self), self)

    def __matmul__(self, other: Any) -> Tensor:
        return apply(ops.MatMul, self, _operand(other, self))

    def __rmatmul__(self, other: Any) -> Tensor:
        return apply(ops.MatMul, _operand(other, self), self)

    def __neg__(self) -> Tensor:
        return apply(ops.Neg, self)

    def __pos__(self) -> Tensor:
        return self

    def pow(self, exponent: Any) -> Tensor:
        """x ** exponent; d/dx = exponent x^(exponent-1)."""
        return self ** exponent

    # Comparisons give boolean tensors, outside the graph (they have no gradient).
    def _compare(self, other: Any, compare: Callable) -> Tensor:
        other = other.data if isinstance(other, Tensor) else other
        return _wrap(np.asarray(compare(self.data, other)))

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    # ------------------------------------------------------------ elementwise functions

    def exp(self) -> Tensor:
        """e^x; d/dx = e^x."""
        return apply(ops.Exp, self)

    def log(self) -> Tensor:
        """Natural log (NaN below 0, -inf at 0, silently, as in PyTorch); d/dx = 1/x."""
        return apply(ops.Log, self)

    def sqrt(self) -> Tensor:
        """Square root; d/dx = 1 / (2 sqrt(x))."""
        return apply(ops.Sqrt, self)

    def abs(self) -> Tensor:
        """|x|; d/dx = sign(x), 0 at 0."""
        return apply(ops.Abs, self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max]; the gradient is 1 inside (bounds included), 0 outside."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return apply(ops.Clamp, self, low=min, high=max)

    clip = clamp

    # ------------------------------------------------------------ reductions

    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Sum over `dim` (int, tuple, or None for all); the gradient is 1 for every summed element."""
        return apply(ops.Sum, self, axis=_dims(dim), keepdims=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Mean over `dim`; the gradient is 1/n for each of the n averaged elements."""
        return apply(ops.Mean, self, axis=_dims(dim), keepdims=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The largest values over `dim` (like torch.amax); ties share the gradient equally."""
        return apply(ops.Max, self, axis=_dims(dim), keepdims=keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The smallest values over `dim` (like torch.amin); ties share the gradient equally."""
        return apply(ops.Min, self, axis=_dims(dim), keepdims=keepdim)

    def var(self, dim: Any = None, keepdim: bool = False, correction: int = 1) -> Tensor:
        """sum((x - mean)^2) / (n - correction): unbiased by default, as in PyTorch."""
        dims = _dims(dim)
        centred = self - self.mean(dims, keepdim=True)
        reduced = range(self.ndim) if dims is None else np.atleast_1d(dims)
        count = int(np.prod([self.shape[d] for d in reduced]))
        return (centred * centred).sum(dims, keepdim=keepdim) / float(count - correction)

    def std(self, dim: Any = None, keepdim: bool = False, correction: int = 1) -> Tensor:
        """The square root of var(dim, keepdim, correction)."""
        return self.var(dim, keepdim, correction).sqrt()

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Indices of the largest values over `dim` (an integer tensor, outside the graph)."""
        return _wrap(np.asarray(np.argmax(self.data, axis=dim, keepdims=keepdim)))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Indices of the smallest values over `dim` (an integer tensor, outside the graph)."""
        return _wrap(np.asarray(np.argmin(self.data, axis=dim, keepdims=keepdim)))

    # ------------------------------------------------------------ shape and indexing

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one dim may be -1); the gradient is reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return apply(ops.Reshape, self, shape=shape)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dim of size 1 at `dim`."""
        dim = dim if dim >= 0 else dim + self.ndim + 1
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim: int | None = None) -> Tensor:
        """Remove dim `dim` if it has size 1, or every size-1 dim when `dim` is None."""
        if dim is None:
            return self.reshape(tuple(size for size in self.shape if size != 1))
        if self.shape[dim] != 1:
            return self
        dim = dim % self.ndim
        return self.reshape(self.shape[:dim] + self.shape[dim + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims; the gradient is permuted back."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if sorted(d % max(1, self.ndim) for d in dims) != list(range(self.ndim)):
            raise ValueError(f"permute: {dims} is not an ordering of the {self.ndim} dims of shape {self.shape}")
        return apply(ops.Permute, self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap dims dim0 and dim1."""
        order = list(range(self.ndim))
        order[dim0], order[dim1] = order[dim1], order[dim0]
        return self.permute(order)

    def __getitem__(self, index: Any) -> Tensor:
        return apply(ops.Index, self, index=_index_data(index))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim (torch.cat)."""
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    return apply(ops.Concatenate, *tensors, axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along a new dim (torch.stack)."""
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    return apply(ops.Stack, *tensors, axis=dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elements of `input` where `condition` holds, else of `other` (torch.where)."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        like = Tensor(input)
    return apply(ops.Where, condition.astype(bool, copy=False), _operand(input, like), _operand(other, like))
