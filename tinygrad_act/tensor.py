"""Tensor: an ndarray plus the graph node that made it; every method is a thin call of an op."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import autograd, ops
from .autograd import Function, apply, run_hooks
from .device import CPU, check_device, device, parse_to
from .dtypes import get_default_dtype, result_type, to_array
from .rng import generator
from .shapes import normalize_dim, normalize_dims

_new_object = object.__new__
_ARITHMETIC = frozenset((ops.Add, ops.Sub, ops.Mul, ops.Div))  # see _binary


def _wrap(data: np.ndarray) -> Tensor:
    """A Tensor around `data` with no graph and no conversion (used for results and gradients)."""
    tensor = _new_object(Tensor)
    tensor.data = data
    return tensor


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


def _binary(function_class: type[Function], left: Any, right: Any) -> Tensor:
    """Apply a binary op with PyTorch's type promotion (int tensor * 1.5 is float32, not float64).

    The common cases (two tensors of one dtype, a float tensor and a Python number) go straight
    to `apply`; the rest cast the operands to `dtypes.result_type` first. Beside a float tensor, a
    Python number for +, -, * or / becomes a 0-d array of the tensor's dtype: the value numpy would
    convert it to anyway, once instead of at every use (which doubles the cost of arithmetic on a
    small array), forward and backward.
    """
    right_type = type(right)
    if right_type is float or right_type is int:  # x + 0.5: the commonest case first
        if isinstance(left, Tensor) and left.data.dtype.kind == "f":
            if function_class in _ARITHMETIC:
                right = np.array(right, left.data.dtype)
            return apply(function_class, left, right)
    elif isinstance(right, Tensor) and isinstance(left, Tensor):
        if left.data.dtype == right.data.dtype:
            return apply(function_class, left, right)
    if isinstance(left, Tensor):
        right = _operand(right, left)
    else:
        if (type(left) is float or type(left) is int) and right.data.dtype.kind == "f":
            if function_class in _ARITHMETIC:
                left = np.array(left, right.data.dtype)
            return apply(function_class, left, right)
        left = _operand(left, right)
    dtype = result_type(*(x.data if isinstance(x, Tensor) else x for x in (left, right)))
    return apply(function_class, _cast(left, dtype), _cast(right, dtype))


def _cast(value: Any, dtype: np.dtype) -> Any:
    """An operand in `dtype`: Tensors through the differentiable cast, arrays by astype."""
    if isinstance(value, Tensor):
        return value if value.data.dtype == dtype else value.to(dtype)
    if isinstance(value, np.ndarray):
        return value.astype(dtype, copy=False)
    return value


def _without_graph(function: Callable, left: Any, right: Any) -> Tensor:
    """A binary numpy function on two operands promoted as PyTorch does, outside the graph."""
    values = [x.data if isinstance(x, Tensor) else x for x in (left, right)]
    values = [np.asarray(v) if not isinstance(v, (bool, int, float)) else v for v in values]
    dtype = result_type(*values)
    arrays = [np.asarray(v, dtype=dtype) for v in values]
    return _wrap(np.asarray(function(*arrays)))


def _tensor_data(value: Any) -> np.ndarray:
    return value.data if isinstance(value, Tensor) else np.asarray(value)


class ValuesAndIndices(NamedTuple):
    """What `max(dim)` and `min(dim)` return, as torch.return_types.max: `values, indices = x.max(1)`."""

    values: Tensor
    indices: Tensor


def _along(index: np.ndarray, axis: int) -> tuple:
    """torch.gather's pick as a numpy index: out[i][j] = a[index[i][j]][j] for axis 0, i.e. `index`
    along `axis` and each element's own position along the other dims."""
    grids = list(np.ogrid[tuple(slice(size) for size in index.shape)])
    grids[axis] = index
    return tuple(grids)


def _index_data(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays (so `x[mask_tensor]` works)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(part.data if isinstance(part, Tensor) else part for part in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


class _TensorHook:
    """A user's hook on Tensors, as the engine calls hooks: on the gradient array, returning an
    array or None. It carries the user's function name, for the engine's error messages."""

    __slots__ = ("function", "__name__")

    def __init__(self, function: Callable) -> None:
        self.function = function
        self.__name__ = getattr(function, "__name__", repr(function))

    def __call__(self, grad: np.ndarray) -> np.ndarray | None:
        replaced = self.function(_wrap(grad))
        return None if replaced is None else _tensor_data(replaced)


class _GradRetainer:
    """The node hook behind `retain_grad`: accumulates a copy of the gradient into the tensor's
    `.grad`. It holds the tensor weakly (the tensor holds the node: a strong reference would be a cycle)."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = weakref.ref(tensor)

    def __call__(self, grad: np.ndarray) -> None:
        tensor = self.tensor()
        if tensor is not None:
            tensor._accumulate_grad(np.array(grad))


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
            raise RuntimeError(
                f"item: a Tensor with {self.data.size} elements cannot be converted to Scalar (shape {self.shape})"
            )
        return self.data.item()

    def tolist(self) -> Any:
        """The data as nested Python lists."""
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """A 0-d integer tensor used as an index (`names[label]`), as in PyTorch."""
        if self.data.ndim != 0 or self.data.dtype.kind not in "biu":
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index "
                f"(this one has dtype {self.dtype} and shape {self.shape})"
            )
        return int(self.data)

    def __format__(self, spec: str) -> str:
        """A one-element tensor formats as its number (`f"{loss:.4f}"`), others as their repr."""
        if self.data.size == 1 and self.data.ndim == 0:
            return format(self.data.item(), spec)
        return format(repr(self), spec)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape}); "
                "use .any() or .all()"
            )
        return bool(self.data)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Whether any element (over `dim`) is non-zero, as a bool tensor."""
        return _wrap(np.asarray(np.any(self.data, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)))

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Whether every element (over `dim`) is non-zero, as a bool tensor."""
        return _wrap(np.asarray(np.all(self.data, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)))

    @property
    def device(self) -> device:
        """Always the CPU: tinygrad_act runs on numpy."""
        return CPU

    is_cuda = False

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor in another dtype and/or on a device, as torch.Tensor.to: `to(ta.float64)`,
        `to("cpu")`, `to("cpu", ta.float64)`, `to(other_tensor)`. The CPU is the only device; a
        float-to-float conversion is differentiable (the gradient is cast back)."""
        dtype = parse_to(*args, **kwargs)
        if dtype is None or dtype == self.data.dtype:
            return self
        if dtype.kind != "f":
            return _wrap(self.data.astype(dtype))
        if self.data.dtype.kind != "f":
            return Tensor(self.data.astype(dtype))
        return apply(ops.Cast, self, dtype=dtype)

    def cpu(self) -> Tensor:
        """This tensor (it is on the CPU already)."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Always an error: there is no GPU here."""
        check_device("cuda")
        return self  # not reached: check_device raises

    def type(self, dtype: Any = None) -> Any:
        """Without an argument, the type name ('tinygrad_act.FloatTensor'); with one, `to(dtype)`."""
        if dtype is None:
            return f"tinygrad_act.{_TYPE_NAMES.get(self.data.dtype, str(self.data.dtype))}Tensor"
        return self.to(dtype)

    def float(self) -> Tensor:
        """The tensor as float32 (differentiable)."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """The tensor as float64 (differentiable)."""
        return self.to(np.float64)

    def half(self) -> Tensor:
        """The tensor as float16 (differentiable)."""
        return self.to(np.float16)

    def long(self) -> Tensor:
        """The tensor as int64 (outside the graph)."""
        return self.to(np.int64)

    def int(self) -> Tensor:
        """The tensor as int32 (outside the graph)."""
        return self.to(np.int32)

    def bool(self) -> Tensor:
        """The tensor as bool (outside the graph)."""
        return self.to(np.bool_)

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
            if not any(isinstance(hook, _GradRetainer) for hook in self.grad_fn.hooks):
                self.grad_fn.hooks = self.grad_fn.hooks + (_GradRetainer(self),)
        elif not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        owner, attribute = (self, "_hooks") if self.grad_fn is None else (self.grad_fn, "hooks")
        array_hook = _TensorHook(hook)
        setattr(owner, attribute, getattr(owner, attribute) + (array_hook,))
        return _RemovableHandle(owner, attribute, array_hook)

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
            grad = np.array(1, dtype=self.data.dtype).reshape(self.data.shape)  # np.ones_like costs 10x more
        else:
            grad = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient)
            if grad.shape != self.data.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {grad.shape} but the tensor has shape {self.shape}"
                )
            grad = grad.astype(self.data.dtype, copy=False)
        leaf_grads = autograd.backward(self, grad, retain_graph)
        # A leaf's .grad must be an array of its own, since users may write into it: most gradients
        # are fresh results of a backward rule and are kept as they are (no copy of a big weight
        # gradient); a view, a read-only broadcast, the caller's `gradient`, or an array that already
        # went to another leaf is copied.
        handed_out = {id(grad)}
        for leaf, leaf_grad in leaf_grads.items():
            if leaf._hooks:  # a hook may return any array, read-only ones too
                leaf_grad = run_hooks(leaf._hooks, leaf_grad)
                if not leaf_grad.flags.writeable:
                    leaf_grad = leaf_grad.copy(order="K")
            if type(leaf_grad) is not np.ndarray:  # a 0-d result of numpy arithmetic is a numpy scalar
                leaf_grad = np.array(leaf_grad)
            elif leaf_grad.base is not None or id(leaf_grad) in handed_out:
                leaf_grad = leaf_grad.copy(order="K")
            handed_out.add(id(leaf_grad))
            leaf._accumulate_grad(leaf_grad)

    def _accumulate_grad(self, grad: np.ndarray) -> None:
        """Add `grad`, an array this tensor may own, to `.grad` (creating it) in this tensor's dtype.

        Later gradients are added in place, so `.grad` stays the same Tensor and array across
        backward calls, as in PyTorch.
        """
        if grad.dtype != self.data.dtype:
            grad = grad.astype(self.data.dtype)
        if self.grad is None:
            self.grad = _wrap(grad)
        else:
            self.grad.data += grad

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other: Any) -> Tensor:
        return _binary(ops.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(ops.Add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(ops.Sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(ops.Mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _true_divide(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _true_divide(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _binary(ops.Pow, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _binary(ops.Pow, base, self)

    def __mod__(self, other: Any) -> Tensor:
        return _binary(ops.Remainder, self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _binary(ops.Remainder, other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        """Division rounded down (outside the graph: its derivative is 0 almost everywhere)."""
        return _without_graph(np.floor_divide, self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _without_graph(np.floor_divide, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _binary(ops.MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _binary(ops.MatMul, other, self)

    def __neg__(self) -> Tensor:
        return apply(ops.Neg, self)

    def __pos__(self) -> Tensor:
        return self

    # Logical operators on bool (and bitwise on integer) tensors, outside the graph: `(x > 0) & (x < 1)`.
    def __invert__(self) -> Tensor:
        return _wrap(np.asarray(np.invert(self.data)))

    def __and__(self, other: Any) -> Tensor:
        return _without_graph(np.bitwise_and, self, other)

    def __or__(self, other: Any) -> Tensor:
        return _without_graph(np.bitwise_or, self, other)

    def __xor__(self, other: Any) -> Tensor:
        return _without_graph(np.bitwise_xor, self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        """self + alpha * other."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        """self - alpha * other."""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        """self * other."""
        return self * other

    def div(self, other: Any) -> Tensor:
        """self / other (true division)."""
        return self / other

    def neg(self) -> Tensor:
        """-self."""
        return -self

    def pow(self, exponent: Any) -> Tensor:
        """x ** exponent; d/dx = exponent x^(exponent-1)."""
        return self ** exponent

    def matmul(self, other: Any) -> Tensor:
        """self @ other."""
        return self @ other

    mm = matmul

    def remainder(self, other: Any) -> Tensor:
        """self % other, with the sign of other."""
        return self % other

    def maximum(self, other: Any) -> Tensor:
        """The larger of self and other, elementwise; a tie splits the gradient in half."""
        return _binary(ops.Maximum, self, other)

    def minimum(self, other: Any) -> Tensor:
        """The smaller of self and other, elementwise; a tie splits the gradient in half."""
        return _binary(ops.Minimum, self, other)

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

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    # ------------------------------------------------------------ in-place operations
    # As in PyTorch: they change this tensor's own array (so views and `.numpy()` see it), bump
    # `_version`, refuse a leaf that requires grad while grad is recorded, and make a later backward
    # through a node that saved the old values raise instead of computing a wrong gradient.

    _version = 0

    def _update(self, name: str, compute: Callable[[], Tensor], write: Callable[[np.ndarray], None] | None = None,
                operand: Any = None) -> Tensor:
        """The in-place operation `name`: `compute()` gives the new values as a Tensor (a recorded
        node when the graph records the change); when nothing records it, `write(array)` changes
        the array itself instead, in one pass with no temporary (the `p -= lr * p.grad` of a
        hand-written update)."""
        recording = autograd._grad_enabled
        if self.requires_grad and self.grad_fn is None and recording:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place operation. "
                "Wrap parameter updates in `with ta.no_grad():`."
            )
        recording = recording and (self.requires_grad or getattr(operand, "requires_grad", False))
        if write is not None and not recording:
            write(self.data)
            autograd.mark_modified(self.data)
            self._version += 1
            return self
        result = compute()
        self._check_in_place(name, result.data.shape, result.data.dtype)
        if result.grad_fn is not None:
            # Recorded: the tensor's history continues from the new node. Its old array stays as
            # the graph saved it (so no gradient can be wrong); the new values get a new array.
            result = result.to(self.data.dtype)
            self.data, self.grad_fn, self.requires_grad = result.data, result.grad_fn, True
        else:
            np.copyto(self.data, result.data, casting="same_kind")
            autograd.mark_modified(self.data)
        self._version += 1
        return self

    def _check_in_place(self, name: str, shape: tuple, dtype: np.dtype) -> None:
        """PyTorch's rules for writing a result into this tensor: same shape, a castable dtype."""
        if shape != self.data.shape:
            raise RuntimeError(
                f"{name}: output with shape {list(self.shape)} doesn't match the broadcast shape {list(shape)}"
            )
        if dtype != self.data.dtype and not np.can_cast(dtype, self.data.dtype, "same_kind"):
            raise RuntimeError(f"{name}: result type {dtype} can't be cast to the desired output type {self.dtype}")

    def _arithmetic_(self, name: str, ufunc: np.ufunc, other: Any, compute: Callable[[], Tensor]) -> Tensor:
        """self = ufunc(self, other) in place, promoted and checked as the out-of-place op would be."""

        def write(data: np.ndarray) -> None:
            value = other.data if isinstance(other, Tensor) else other
            value = value if type(value) in (int, float, bool) else np.asarray(value)
            dtype = result_type(data, value)
            if ufunc is np.true_divide and dtype.kind != "f":
                dtype = get_default_dtype()
            self._check_in_place(name, np.broadcast_shapes(data.shape, np.shape(value)), dtype)
            ufunc(data, value, out=data, casting="unsafe")  # castable: checked just above

        return self._update(name, compute, write, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self._arithmetic_("add_", np.add, other, lambda: self + other)

    def __isub__(self, other: Any) -> Tensor:
        return self._arithmetic_("sub_", np.subtract, other, lambda: self - other)

    def __imul__(self, other: Any) -> Tensor:
        return self._arithmetic_("mul_", np.multiply, other, lambda: self * other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._arithmetic_("div_", np.true_divide, other, lambda: self / other)

    def __ipow__(self, exponent: Any) -> Tensor:
        return self._update("pow_", lambda: self ** exponent)

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """self += alpha * other, in place."""
        return self.__iadd__(other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        """self -= alpha * other, in place."""
        return self.__isub__(other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        """self *= other, in place."""
        return self.__imul__(other)

    def div_(self, other: Any) -> Tensor:
        """self /= other, in place."""
        return self.__itruediv__(other)

    def pow_(self, exponent: Any) -> Tensor:
        """self **= exponent, in place."""
        return self.__ipow__(exponent)

    def neg_(self) -> Tensor:
        """self = -self, in place."""
        return self._update("neg_", lambda: -self)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """clamp(min, max), in place."""
        return self._update("clamp_", lambda: self.clamp(min, max))

    clip_ = clamp_

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """masked_fill(mask, value), in place."""
        return self._update("masked_fill_", lambda: self.masked_fill(mask, value))

    def fill_(self, value: Any) -> Tensor:
        """Every element set to `value`, in place."""
        value = _tensor_data(value)

        def write(data: np.ndarray) -> None:
            data[...] = value

        return self._update("fill_", lambda: apply(ops.CopyFrom, self, value), write)

    def zero_(self) -> Tensor:
        """Every element set to 0, in place (`w.grad.zero_()`)."""
        return self.fill_(0)

    def copy_(self, source: Any) -> Tensor:
        """The values of `source` (broadcast to this shape) copied in, in place; the gradient flows to
        `source`."""
        if not isinstance(source, Tensor):
            source = Tensor(source, dtype=self.data.dtype)
        return self._update("copy_", lambda: apply(ops.CopyFrom, self, source))

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill with samples of U(a, b), in place (from the library's seeded generator)."""
        return self.fill_(generator().uniform(a, b, self.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill with samples of N(mean, std^2), in place (from the library's seeded generator)."""
        return self.fill_(generator().normal(mean, std, self.shape))

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

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x); d/dx = -1/2 x^(-3/2)."""
        return apply(ops.Rsqrt, self)

    def square(self) -> Tensor:
        """x^2; d/dx = 2x."""
        return self * self

    def sin(self) -> Tensor:
        """sin x; d/dx = cos x."""
        return apply(ops.Sin, self)

    def cos(self) -> Tensor:
        """cos x; d/dx = -sin x."""
        return apply(ops.Cos, self)

    def abs(self) -> Tensor:
        """|x|; d/dx = sign(x), 0 at 0."""
        return apply(ops.Abs, self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max]; the gradient is 1 inside (bounds included), 0 outside."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        low, high = _bound("clamp", "min", min), _bound("clamp", "max", max)
        return apply(ops.Clamp, self, low=low, high=high)

    clip = clamp

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """`value` where `mask` is True, self elsewhere; the gradient flows where mask is False."""
        mask = _tensor_data(mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: the mask must be a bool tensor, got dtype {mask.dtype}")
        fill = np.asarray(_tensor_data(value), dtype=self.data.dtype)
        return apply(ops.Where, mask, fill, self)

    def clone(self) -> Tensor:
        """A copy with its own memory, still in the graph (d/dx = 1)."""
        return apply(ops.Clone, self)

    def contiguous(self) -> Tensor:
        """This tensor if its memory is contiguous (C order), else a contiguous copy."""
        return self if self.data.flags.c_contiguous else self.clone()

    # ------------------------------------------------------------ reductions

    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Sum over `dim` (int, tuple, or None for all); the gradient is 1 for every summed element."""
        source = self if dtype is None else self.to(dtype)
        return apply(ops.Sum, source, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Mean over `dim`; the gradient is 1/n for each of the n averaged elements."""
        source = self if dtype is None else self.to(dtype)
        if source.data.dtype.kind != "f":  # PyTorch refuses; a mean of counts is a float here
            source = source.to(get_default_dtype())
        return apply(ops.Mean, source, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Product over `dim` (or of every element); d/dx_i = product of the others."""
        source = self if dtype is None else self.to(dtype)
        axis = None if dim is None else normalize_dims(int(dim), self.ndim)
        return apply(ops.Prod, source, axis=axis, keepdims=keepdim and axis is not None)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The largest values over `dim` (every dim by default); ties share the gradient equally."""
        return apply(ops.Max, self, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The smallest values over `dim` (every dim by default); ties share the gradient equally."""
        return apply(ops.Min, self, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """As torch.max: `x.max()` is the largest value (ties share the gradient); `x.max(dim)` is
        the named tuple (values, indices), the gradient going to the element at each index;
        `x.max(other)` is `maximum(x, other)`."""
        return self._extreme(dim, keepdim, ops.Max, np.argmax, self.maximum)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """As torch.min: the smallest value, (values, indices) over `dim`, or `minimum(x, other)`."""
        return self._extreme(dim, keepdim, ops.Min, np.argmin, self.minimum)

    def _extreme(self, dim: Any, keepdim: bool, reduce: type[Function], arg: Callable,
                 elementwise: Callable) -> Any:
        if isinstance(dim, (Tensor, np.ndarray)):
            return elementwise(dim)
        if dim is None:
            return apply(reduce, self, axis=None, keepdims=False)
        axis = normalize_dim(dim, self.ndim)
        if self.data.size == 0:
            raise IndexError(f"max/min: cannot reduce an empty tensor of shape {self.shape} over dim {dim}")
        if self.ndim == 0:
            return ValuesAndIndices(self.clone(), _wrap(np.zeros((), dtype=np.int64)))
        indices = np.expand_dims(arg(self.data, axis=axis), axis)
        values = apply(ops.Index, self, index=_along(indices, axis))
        if not keepdim:
            values, indices = values.squeeze(axis), np.squeeze(indices, axis)
        return ValuesAndIndices(values, _wrap(indices.astype(np.int64, copy=False)))

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        """sum((x - mean)^2) / (n - correction) over `dim`: unbiased (correction 1) by default, as in
        PyTorch (`unbiased=False` is correction 0); d/dx = 2 (x - mean) / (n - correction)."""
        return self._spread(ops.Var, dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        """sqrt(var(dim, ...)); its gradient is 0 where the data is constant (as in PyTorch)."""
        return self._spread(ops.Std, dim, unbiased, keepdim, correction)

    def var_mean(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
                 correction: float | None = None) -> tuple[Tensor, Tensor]:
        """(var, mean) over `dim`."""
        return self.var(dim, unbiased, keepdim, correction=correction), self.mean(dim, keepdim)

    def std_mean(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
                 correction: float | None = None) -> tuple[Tensor, Tensor]:
        """(std, mean) over `dim`."""
        return self.std(dim, unbiased, keepdim, correction=correction), self.mean(dim, keepdim)

    def _spread(self, function_class: type[Function], dim: Any, unbiased: bool | None, keepdim: bool,
                correction: float | None) -> Tensor:
        if isinstance(dim, bool):  # torch's var(unbiased) overload
            dim, unbiased = None, dim
        if unbiased is not None and correction is not None:
            raise TypeError(f"{function_class.__name__.lower()}: give either unbiased or correction, not both")
        if correction is None:
            correction = 0 if unbiased is False else 1
        source = self if self.data.dtype.kind == "f" else self.to(get_default_dtype())
        return apply(function_class, source, axis=normalize_dims(dim, self.ndim), keepdims=keepdim,
                     correction=correction)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """log(sum(exp(x))) over `dim`, stable for any finite x; d/dx = softmax(x)."""
        return apply(ops.LogSumExp, self, axis=normalize_dims(dim, self.ndim), keepdims=keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Indices of the largest values over `dim` (an integer tensor, outside the graph)."""
        axis = normalize_dims(dim, self.ndim)
        return _wrap(np.asarray(np.argmax(self.data, axis=axis, keepdims=keepdim), dtype=np.int64))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Indices of the smallest values over `dim` (an integer tensor, outside the graph)."""
        axis = normalize_dims(dim, self.ndim)
        return _wrap(np.asarray(np.argmin(self.data, axis=axis, keepdims=keepdim), dtype=np.int64))

    # ------------------------------------------------------------ shape and indexing

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one dim may be -1); the gradient is reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return apply(ops.Reshape, self, shape=shape)

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        """reshape(other.shape)."""
        return self.reshape(other.shape)

    reshape_as = view_as

    def expand(self, *sizes: Any) -> Tensor:
        """This tensor broadcast to `sizes` (-1 keeps a dim); the gradient is summed back."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                f"number of dimensions in the tensor ({self.ndim})"
            )
        own = (None,) * (len(sizes) - self.ndim) + self.shape
        shape = tuple(old if new == -1 else new for new, old in zip(sizes, own))
        if None in shape:
            raise RuntimeError(f"expand: -1 is not allowed for a new leading dim, got sizes {sizes}")
        return apply(ops.Expand, self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        """expand(other.shape)."""
        return self.expand(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        start, end = normalize_dim(start_dim, self.ndim), normalize_dim(end_dim, self.ndim)
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if self.ndim == 0:
            return self.reshape(1)
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1 :])

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dim of size 1 at `dim`."""
        dim = normalize_dim(dim, self.ndim, extra=1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove the size-1 dims among `dim` (an int or a tuple), or every size-1 dim when None.

        Always a new tensor, as in PyTorch (so hooks and retain_grad are never shared with self).
        """
        if dim is None:
            return self.reshape(tuple(size for size in self.shape if size != 1))
        dims = normalize_dims((dim,) if isinstance(dim, (int, np.integer)) else dim, self.ndim) or ()
        return self.reshape(tuple(size for d, size in enumerate(self.shape) if not (d in dims and size == 1)))

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims; the gradient is permuted back."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.ndim:
            raise RuntimeError(
                f"permute: number of dims don't match: the tensor has {self.ndim} dims (shape "
                f"{self.shape}) but {len(dims)} were given ({dims})"
            )
        order = tuple(normalize_dim(d, self.ndim) for d in dims)
        if len(set(order)) != len(order):
            raise RuntimeError(f"permute(): duplicate dims are not allowed, got {dims}")
        if self.ndim == 0:
            return self.reshape(())
        return apply(ops.Permute, self, dims=order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap dims dim0 and dim1."""
        order = list(range(self.ndim))
        first, second = normalize_dim(dim0, self.ndim), normalize_dim(dim1, self.ndim)
        if self.ndim == 0:
            return self.reshape(())
        order[first], order[second] = order[second], order[first]
        return self.permute(order)

    def t(self) -> Tensor:
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is, as torch.t)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.transpose(0, -1) if self.ndim == 2 else self.reshape(self.shape)

    def gather(self, dim: int, index: Any) -> Tensor:
        """out[i][j] = self[index[i][j]][j] for dim 0 (torch.gather); the gradient is scattered back."""
        axis = normalize_dim(dim, self.ndim)
        index = _tensor_data(index)
        if index.dtype.kind not in "iu":
            raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
        if self.ndim == 0 and index.ndim <= 1:  # a 0-d input: every index must be 0
            if index.size and np.any(index != 0):
                raise RuntimeError(f"gather: index {index.tolist()} is out of bounds for a 0-d input")
            return apply(ops.Expand, self, shape=index.shape)
        if index.ndim != self.ndim:
            raise RuntimeError(
                f"gather: index has {index.ndim} dims (shape {index.shape}) but the input has "
                f"{self.ndim} (shape {self.shape}); they must match"
            )
        return apply(ops.Index, self, index=_along(index, axis))

    def __getitem__(self, index: Any) -> Tensor:
        index = _index_data(index)
        first, rest = _split_integer_index(index)
        if first is not None:  # PyTorch applies integers before the array indices they sit between
            return apply(ops.Index, apply(ops.Index, self, index=first), index=rest)
        return apply(ops.Index, self, index=index)


_TYPE_NAMES = {
    np.dtype(np.float32): "Float", np.dtype(np.float64): "Double", np.dtype(np.float16): "Half",
    np.dtype(np.int64): "Long", np.dtype(np.int32): "Int", np.dtype(np.int16): "Short",
    np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte", np.dtype(np.bool_): "Bool",
}


def _bound(op: str, name: str, value: Any) -> Any:
    """A clamp bound: None, a number, or a tensor/array (its values, outside the graph)."""
    if value is None or isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return value
    if isinstance(value, (Tensor, np.ndarray)) and _tensor_data(value).dtype.kind in "iuf":
        return _tensor_data(value)
    raise TypeError(f"{op}: {name} must be a number, a tensor or None, got {type(value).__name__} {value!r}")


def _true_divide(left: Any, right: Any) -> Tensor:
    """left / right; integer operands give the default float dtype, as in PyTorch."""
    values = [x.data if isinstance(x, Tensor) else x for x in (left, right)]
    if all(np.asarray(v).dtype.kind in "biu" for v in values):
        left, right = (x.to(get_default_dtype()) if isinstance(x, Tensor) else float(x) if np.ndim(x) == 0
                       else np.asarray(x, dtype=get_default_dtype()) for x in (left, right))
    return _binary(ops.Div, left, right)


def _is_array_index(part: Any) -> bool:
    return isinstance(part, (np.ndarray, list))


def _split_integer_index(index: Any) -> tuple[Any, Any]:
    """Split an index that mixes integers with array indices into (integers and slices, the rest).

    numpy counts an integer as an array index, so x[1, :, [0, 2]] on a (2, 3, 4) array has shape
    (2, 3); PyTorch first selects with the integer and gets (3, 2). Returns (None, index) when
    there is nothing to split.
    """
    if not isinstance(index, tuple):
        return None, index
    integers = [isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in index]
    arrays = [_is_array_index(p) and np.asarray(p).dtype != np.bool_ for p in index]
    if not any(integers) or not any(arrays):
        return None, index
    first = tuple(slice(None) if is_array else part for part, is_array in zip(index, arrays))
    rest = tuple(
        part if is_array else (Ellipsis if part is Ellipsis else slice(None))
        for part, is_array, is_integer in zip(index, arrays, integers)
        if not is_integer
    )
    return first, rest


def _check_joinable(op: str, tensors: Sequence[Tensor], dim: int, extra: int) -> int:
    if not tensors:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    tensors = list(tensors)
    if op == "cat" and tensors[0].ndim == 0:
        raise RuntimeError("zero-dimensional tensor cannot be concatenated")
    return normalize_dim(dim, tensors[0].ndim, extra=extra)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim (torch.cat)."""
    axis = _check_joinable("cat", tensors, dim, 0)
    return apply(ops.Concatenate, *tensors, axis=axis)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along a new dim (torch.stack)."""
    axis = _check_joinable("stack", tensors, dim, 1)
    return apply(ops.Stack, *tensors, axis=axis)


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elements of `input` where `condition` holds, else of `other` (torch.where)."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        like = Tensor(input)
    return apply(ops.Where, condition.astype(bool, copy=False), _operand(input, like), _operand(other, like))


autograd.register_tensor_type(Tensor)
