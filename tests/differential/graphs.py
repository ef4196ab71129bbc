"""Random programs over the public API, run once with tinygrad_act and once with PyTorch, and compared.

A program is a list of steps (`v3 = mul(v1, v2)`). Hypothesis draws it once; `interpret` runs it
with each backend from the same float64 numpy leaves, backpropagates one scalar (every unused
output times a fixed random projection, summed) and returns every value and every leaf's gradient.
PyTorch is the referee: `compare` asserts that the two runs agree value by value.

Inputs stay inside each op's safe domain, written out as explicit steps so a repro shows them:
log, sqrt, fractional powers and divisors see `x * x + c` (c >= 0.25), exp sees tanh-squashed
values once |x| could exceed 5, and magnitudes are tracked so no chain overflows.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as TF
from hypothesis import strategies as st

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor

# ====================================================================== the test's own activation


def torch_scaled_swish(x: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """The PyTorch twin of the swish this suite registers as `scaled_swish` (the `swish_rules`
    fixture of tests/conftest.py), written in torch so autograd derives its gradient."""
    return x * torch.sigmoid(beta * x)


CUSTOM_ACTIVATION = "scaled_swish"


class _TorchStep(torch.autograd.Function):
    """Heaviside step with step(0) = 0 and a zero gradient everywhere (our `step`)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return torch.heaviside(x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(grad_output)


class _TorchHardsigmoid(torch.autograd.Function):
    """F.hardsigmoid with an exact backward: PyTorch's multiplies by 1/6 rounded to float32 even
    for float64 (grad 0.1666666716 instead of 0.1666666667), which a 1e-9 comparison rejects."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return TF.hardsigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad_output * ((x > -3) & (x < 3)).to(grad_output.dtype) / 6


TORCH_ACTIVATIONS: dict[str, Callable[..., torch.Tensor]] = {
    "identity": lambda x: x,
    "step": _TorchStep.apply,
    "sigmoid": torch.sigmoid,
    "hardsigmoid": _TorchHardsigmoid.apply,
    "tanh": torch.tanh,
    "hardtanh": TF.hardtanh,
    "arctan": torch.atan,
    "softsign": TF.softsign,
    "relu": TF.relu,
    "relu6": TF.relu6,
    "leaky_relu": TF.leaky_relu,
    "elu": TF.elu,
    "selu": TF.selu,
    "celu": TF.celu,
    "gelu": TF.gelu,
    "silu": TF.silu,
    "hardswish": TF.hardswish,
    "mish": TF.mish,
    "softplus": TF.softplus,
    "logsigmoid": TF.logsigmoid,
    "softmax": TF.softmax,
    "log_softmax": TF.log_softmax,
    "softmin": TF.softmin,
    CUSTOM_ACTIVATION: torch_scaled_swish,
}

# The parameter sets each activation is tried with; the first is the default.
ACTIVATION_PARAMS: dict[str, list[dict[str, Any]]] = {
    "hardtanh": [{}, {"min_val": -2.0, "max_val": 0.5}],
    "leaky_relu": [{}, {"negative_slope": 0.2}, {"negative_slope": -0.5}],
    "elu": [{}, {"alpha": 0.5}, {"alpha": 2.0}],
    "celu": [{}, {"alpha": 0.5}, {"alpha": 2.0}],
    "gelu": [{}, {"approximate": "tanh"}],
    "softplus": [{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 1.0}],
    CUSTOM_ACTIVATION: [{}, {"beta": 2.0}],
}
DIM_ACTIVATIONS = ("softmax", "log_softmax", "softmin")  # take `dim`, drawn per graph
BUILTIN_ACTIVATIONS = [name for name in TORCH_ACTIVATIONS if name != CUSTOM_ACTIVATION]
LOSSES = ("cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits")

# ====================================================================== programs


@dataclasses.dataclass(frozen=True)
class Step:
    """One operation: `op` applied to earlier values `inputs` with `params`."""

    op: str
    inputs: tuple[int, ...]
    params: dict[str, Any]

    def describe(self) -> str:
        if self.op == "leaf":
            return f"leaf(shape={self.params['value'].shape})"
        shown = {key: _short(value) for key, value in self.params.items()}
        arguments = [f"v{i}" for i in self.inputs] + [f"{key}={value}" for key, value in shown.items()]
        return f"{self.op}({', '.join(arguments)})"


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array({value.tolist()})" if value.size <= 12 else f"array(shape={value.shape})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(part) for part in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


class Program:
    """Steps, and the fixed projection of each unused output that makes the scalar to backpropagate."""

    def __init__(self, steps: list[Step], projections: dict[int, np.ndarray]) -> None:
        self.steps, self.projections = steps, projections

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints a failing case
        printer.text(repr(self))

    def __repr__(self) -> str:
        lines = [f"v{i} = {step.describe()}" for i, step in enumerate(self.steps)]
        lines.append("loss = " + " + ".join(f"(v{i} * P{i}).sum()" for i in self.projections))
        return "Program(\n  " + "\n  ".join(lines) + "\n)"


# ====================================================================== backends


class TinygradBackend:
    """Runs steps with tinygrad_act."""

    name = "tinygrad_act"
    module = ta
    functional = F

    def __init__(self, dtype: type) -> None:
        self.dtype = np.dtype(dtype)

    def leaf(self, array: np.ndarray) -> Tensor:
        return Tensor(array.astype(self.dtype), requires_grad=True, dtype=self.dtype)

    def floats(self, array: np.ndarray) -> Tensor:
        return Tensor(array.astype(self.dtype), dtype=self.dtype)

    def array(self, array: np.ndarray) -> Any:  # integer or boolean arrays: indices, masks, targets
        return array

    def activation(self, name: str, x: Tensor, params: dict) -> Tensor:
        return getattr(F, name)(x, **params)

    def call(self, name: str, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        method = getattr(x, name, None)
        if method is None:
            return getattr(ta, name)(x, *args, **kwargs)
        return method(*args, **kwargs)

    def view(self, x: Tensor, shape: tuple) -> Tensor:
        return x.view(shape)

    @staticmethod
    def numpy(x: Any) -> np.ndarray:
        return np.asarray(x.data)

    @staticmethod
    def grad(x: Tensor) -> np.ndarray | None:
        return None if x.grad is None else np.asarray(x.grad.data)


class TorchBackend(TinygradBackend):
    """Runs the same steps with PyTorch, the referee."""

    name = "torch"
    module = torch
    functional = TF

    def leaf(self, array: np.ndarray) -> torch.Tensor:
        return torch.tensor(array.astype(self.dtype), requires_grad=True)

    def floats(self, array: np.ndarray) -> torch.Tensor:
        return torch.tensor(array.astype(self.dtype))

    def array(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.array(array))  # a copy: contiguous, and 0-d stays 0-d

    def activation(self, name: str, x: torch.Tensor, params: dict) -> torch.Tensor:
        return TORCH_ACTIVATIONS[name](x, **params)

    def call(self, name: str, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return getattr(x, name)(*args, **kwargs)

    def view(self, x: torch.Tensor, shape: tuple) -> torch.Tensor:
        return x.view(shape) if x.is_contiguous() else x.reshape(shape)

    @staticmethod
    def numpy(x: Any) -> np.ndarray:
        return x.detach().numpy()

    @staticmethod
    def grad(x: torch.Tensor) -> np.ndarray | None:
        return None if x.grad is None else x.grad.numpy()


SCALAR_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def _index(backend: TinygradBackend, index: tuple) -> tuple:
    return tuple(backend.array(part) if isinstance(part, np.ndarray) else part for part in index)


def _run_loss(backend: TinygradBackend, values: list, x: Any, name: str, reduction: str,
              target: Any = None) -> Any:
    loss = getattr(backend.functional, name)
    if name in ("cross_entropy", "nll_loss"):
        return loss(x, backend.array(target), reduction=reduction)
    if len(values) == 1:  # the target is a constant
        target = backend.floats(target)
    else:
        target = values[1]
    return loss(x, target, reduction=reduction)


# Each op: (backend, input values, **params) -> output value. One definition serves both backends.
IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "add": lambda b, v: v[0] + v[1],
    "sub": lambda b, v: v[0] - v[1],
    "mul": lambda b, v: v[0] * v[1],
    "div": lambda b, v: v[0] / v[1],
    "pow": lambda b, v: v[0] ** v[1],
    "matmul": lambda b, v: v[0] @ v[1],
    "scalar": lambda b, v, symbol, c, reflected: (
        SCALAR_OPS[symbol](c, v[0]) if reflected else SCALAR_OPS[symbol](v[0], c)),
    "neg": lambda b, v: -v[0],
    "exp": lambda b, v: v[0].exp(),
    "log": lambda b, v: v[0].log(),
    "sqrt": lambda b, v: v[0].sqrt(),
    "abs": lambda b, v: v[0].abs(),
    "clamp": lambda b, v, min, max: v[0].clamp(min=min, max=max),  # noqa: A006
    "sum": lambda b, v, dim, keepdim: v[0].sum(dim=dim, keepdim=keepdim),
    "mean": lambda b, v, dim, keepdim: v[0].mean(dim=dim, keepdim=keepdim),
    "max_all": lambda b, v: v[0].max(),
    "min_all": lambda b, v: v[0].min(),
    "var": lambda b, v, dim, keepdim, correction: v[0].var(dim=dim, keepdim=keepdim, correction=correction),
    "std": lambda b, v, dim, keepdim, correction: v[0].std(dim=dim, keepdim=keepdim, correction=correction),
    "reshape": lambda b, v, shape: v[0].reshape(shape),
    "view": lambda b, v, shape: b.view(v[0], shape),
    "flatten": lambda b, v, start_dim, end_dim: v[0].flatten(start_dim, end_dim),
    "unsqueeze": lambda b, v, dim: v[0].unsqueeze(dim),
    "squeeze": lambda b, v, dim: v[0].squeeze() if dim is None else v[0].squeeze(dim),
    "transpose": lambda b, v, dim0, dim1: v[0].transpose(dim0, dim1),
    "permute": lambda b, v, dims: v[0].permute(dims),
    "T": lambda b, v: v[0].T,
    "getitem": lambda b, v, index: v[0][_index(b, index)],
    "cat": lambda b, v, dim: b.module.cat(list(v), dim=dim),
    "stack": lambda b, v, dim: b.module.stack(list(v), dim=dim),
    "where": lambda b, v, condition, other=None: b.module.where(
        b.array(condition), v[0], v[1] if other is None else other),
    "activation": lambda b, v, name, params: b.activation(name, v[0], params),
    "loss": lambda b, v, name, reduction, target=None: _run_loss(b, v, v[0], name, reduction, target),
    "linear": lambda b, v: b.functional.linear(*v),
    "maximum": lambda b, v: b.call("maximum", v[0], v[1]),
    "minimum": lambda b, v: b.call("minimum", v[0], v[1]),
    "masked_fill": lambda b, v, mask, value: b.call("masked_fill", v[0], b.array(mask), value),
    "gather": lambda b, v, dim, index: b.call("gather", v[0], dim, b.array(index)),
    "prod": lambda b, v, dim, keepdim: b.call("prod", v[0]) if dim is None else b.call(
        "prod", v[0], dim, keepdim=keepdim),
    "logsumexp": lambda b, v, dim, keepdim: b.call("logsumexp", v[0], dim, keepdim=keepdim),
    "rsqrt": lambda b, v: b.call("rsqrt", v[0]),
    "sin": lambda b, v: b.call("sin", v[0]),
    "cos": lambda b, v: b.call("cos", v[0]),
    "amax": lambda b, v, dim, keepdim: b.call("amax", v[0], dim, keepdim=keepdim),
    "amin": lambda b, v, dim, keepdim: b.call("amin", v[0], dim, keepdim=keepdim),
    "max_dim": lambda b, v, dim, keepdim: v[0].max(dim=dim, keepdim=keepdim)[0],
    "min_dim": lambda b, v, dim, keepdim: v[0].min(dim=dim, keepdim=keepdim)[0],
    "remainder": lambda b, v: v[0] % v[1],
    "expand": lambda b, v, shape: v[0].expand(*shape),
    "clone": lambda b, v: v[0].clone(),
    "var_mean": lambda b, v, dim, keepdim, correction: _sum_pair(
        b.module.var_mean(v[0], dim=dim, keepdim=keepdim, correction=correction)),
}


def _sum_pair(pair: tuple) -> Any:
    """var + mean: both outputs of var_mean in one value, so both backpropagate."""
    return pair[0] + pair[1]


@dataclasses.dataclass
class Run:
    """What one backend computed: every value (as numpy) and every leaf's gradient (None if unset)."""

    values: list[np.ndarray]
    grads: dict[int, np.ndarray | None]


def run_step(backend: TinygradBackend, step: Step, values: list) -> Any:
    return IMPLEMENTATIONS[step.op](backend, [values[i] for i in step.inputs], **step.params)


def interpret(program: Program, backend: TinygradBackend) -> Run:
    """Run every step, then backpropagate sum((v_i * P_i).sum()) over the projected outputs."""
    values: list[Any] = []
    for step in program.steps:
        if step.op == "leaf":
            values.append(backend.leaf(step.params["value"]))
        else:
            values.append(run_step(backend, step, values))
    loss = None
    for i, projection in program.projections.items():
        term = (values[i] * backend.floats(projection)).sum()
        loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    leaves = [i for i, step in enumerate(program.steps) if step.op == "leaf"]
    return Run([backend.numpy(value) for value in values], {i: backend.grad(values[i]) for i in leaves})


# ====================================================================== comparing


TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-4}


def assert_same(ours: np.ndarray | None, reference: np.ndarray | None, dtype: Any, what: str) -> None:
    """Same shape and dtype, NaN and +-inf in the same places, finite values within rtol (and an
    absolute tolerance of rtol times the largest finite reference magnitude, for cancellations)."""
    if reference is None or ours is None:
        assert ours is None and reference is None, f"{what}: tinygrad_act {ours!r}, torch {reference!r}"
        return
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, f"{what}: shape {ours.shape}, torch {reference.shape}"
    if reference.dtype.kind == "f":
        assert ours.dtype == reference.dtype, f"{what}: dtype {ours.dtype}, torch {reference.dtype}"
    else:
        np.testing.assert_array_equal(ours, reference, err_msg=what)
        return
    for name, test in (("nan", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
        assert np.array_equal(test(ours), test(reference)), (
            f"{what}: {name} positions differ\n tinygrad_act {ours}\n torch        {reference}")
    finite = np.isfinite(reference)
    rtol = TOLERANCE[np.dtype(dtype)]
    scale = float(np.max(np.abs(reference[finite]), initial=0.0))
    atol = rtol * max(scale, 1e-3)
    if not np.all(np.abs(ours[finite] - reference[finite]) <= atol + rtol * np.abs(reference[finite])):
        np.testing.assert_allclose(ours[finite], reference[finite], rtol=rtol, atol=atol, err_msg=what)


def compare(program: Program, dtype: Any) -> None:
    """Run `program` with both backends in `dtype`; every value and leaf gradient must agree."""
    ours = interpret(program, TinygradBackend(dtype))
    reference = interpret(program, TorchBackend(dtype))
    for i, (value, expected) in enumerate(zip(ours.values, reference.values, strict=True)):
        assert_same(value, expected, dtype, f"v{i} = {program.steps[i].describe()}")
    for i, expected in reference.grads.items():
        assert_same(ours.grads[i], expected, dtype, f"v{i}.grad")


# ====================================================================== drawing programs


@dataclasses.dataclass
class Node:
    shape: tuple[int, ...]
    bound: float  # an upper estimate of max |value|
    distinct: bool  # no two elements equal (so max(dim) has a unique argmax)


class Builder:
    """Draws steps one by one, tracking each value's shape (asked of PyTorch on zeros) and size."""

    def __init__(self, draw: Callable, rng: np.random.Generator) -> None:
        self.draw, self.rng = draw, rng
        self.steps: list[Step] = []
        self.nodes: list[Node] = []
        self._zeros: list[torch.Tensor] = []
        self._oracle = TorchBackend(np.float64)

    # ------------------------------------------------------------ emitting

    def leaf(self, shape: tuple[int, ...]) -> int:
        value = self.rng.standard_normal(shape)
        return self._add(Step("leaf", (), {"value": value}), bound=4.0, distinct=True)

    def emit(self, op: str, inputs: tuple[int, ...], bound: float, distinct: bool = False, **params: Any) -> int:
        return self._add(Step(op, tuple(inputs), params), bound, distinct)

    def _add(self, step: Step, bound: float, distinct: bool) -> int:
        with torch.no_grad():
            if step.op == "leaf":
                zeros = torch.zeros(step.params["value"].shape, dtype=torch.float64)
            else:
                zeros = run_step(self._oracle, step, self._zeros)
        self.steps.append(step)
        self._zeros.append(zeros)
        self.nodes.append(Node(tuple(zeros.shape), bound, distinct))
        return len(self.steps) - 1

    # ------------------------------------------------------------ drawing (strategies made once: building
    # a hypothesis strategy per draw cost more than the draw)

    def int(self, low: int, high: int) -> int:
        return self.draw(_integers(low, high))

    def flip(self) -> bool:
        return self.draw(_BOOLEANS)

    def choice(self, options: Any) -> Any:
        """One of `options`; shrinks towards the first."""
        return options[self.int(0, len(options) - 1)]

    # ------------------------------------------------------------ choosing inputs

    def shape(self, min_ndim: int = 0, max_ndim: int = 3) -> tuple[int, ...]:
        ndim = self.int(min_ndim, max_ndim)
        return tuple(self.int(1, 4) for _ in range(ndim))

    def operand(self, min_ndim: int = 0, max_ndim: int = 4, distinct: bool = False) -> int:
        """An earlier value (most recent first, so shrinking keeps chains), or a fresh leaf."""
        candidates = [i for i, node in enumerate(self.nodes)
                      if min_ndim <= len(node.shape) <= max_ndim and (node.distinct or not distinct)]
        if not candidates or self.int(0, 4) == 4:
            return self.leaf(self.shape(min_ndim, min(max_ndim, 3)))
        return candidates[-1 - self.int(0, len(candidates) - 1)]

    def partner(self, a: int) -> int:
        """A second operand that broadcasts with `a`: `a` itself, an earlier value, or a new leaf."""
        shape = self.nodes[a].shape
        kind = self.choice(["leaf", "same", "earlier"])
        if kind == "same":
            return a
        if kind == "earlier":
            compatible = [i for i, node in enumerate(self.nodes) if _broadcastable(node.shape, shape)]
            return compatible[-1 - self.int(0, len(compatible) - 1)]
        return self.leaf(self.broadcast_shape(shape))

    def broadcast_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts against `shape`: some dims 1, leading dims dropped or added."""
        dims = [1 if self.flip() else size for size in shape]
        dims = dims[self.int(0, len(dims)):]
        if len(shape) < 3 and self.flip():
            dims = [self.int(1, 3)] + [1] * (len(shape) - len(dims)) + dims
        return tuple(dims)

    def dim(self, ndim: int) -> int:
        """A valid dim of an ndim-d value, negative or not."""
        return self.int(-max(ndim, 1), max(ndim, 1) - 1)

    def dims(self, ndim: int) -> Any:
        """None, one dim, or a tuple of distinct dims, for a reduction."""
        kind = self.choice(["none", "int", "tuple"]) if ndim else "none"
        if kind == "none":
            return None
        if kind == "int":
            return self.dim(ndim)
        chosen = self.draw(_subsets(ndim))
        return tuple(d - ndim if self.flip() else d for d in chosen)

    # ------------------------------------------------------------ keeping values in range

    def tame(self, a: int, limit: float) -> int:
        """`a`, or tanh(a) if |a| could exceed `limit`."""
        if self.nodes[a].bound <= limit:
            return a
        return self.emit("activation", (a,), 1.0, self.nodes[a].distinct, name="tanh", params={})

    def positive(self, a: int, negate: bool = False) -> int:
        """a * a + c (c >= 0.25): safe for log, sqrt, fractional powers and division; optionally negated."""
        a = self.tame(a, 30.0)
        c = self.choice([0.5, 0.25, 2.0])
        square = self.emit("mul", (a, a), self.nodes[a].bound ** 2)
        out = self.emit("scalar", (square,), self.nodes[square].bound + c, symbol="+", c=c, reflected=False)
        if negate:
            out = self.emit("neg", (out,), self.nodes[out].bound)
        return out


@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _subsets(size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, size - 1), min_size=1, max_size=size, unique=True)


@functools.cache
def _orders(size: int) -> st.SearchStrategy[list[int]]:
    return st.permutations(range(size))


_BOOLEANS = st.booleans()


def _broadcastable(first: tuple, second: tuple) -> bool:
    try:
        return np.broadcast_shapes(first, second) == second
    except ValueError:
        return False


# ------------------------------------------------------------------ one builder per op


def _binary(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.tame(g.operand(), 30.0)
        b = g.tame(g.partner(a), 30.0)
        if g.flip():
            a, b = b, a
        bound = g.nodes[a].bound * g.nodes[b].bound if op == "mul" else g.nodes[a].bound + g.nodes[b].bound
        g.emit(op, (a, b), bound)
    return build


def _build_div(g: Builder) -> None:
    a = g.tame(g.operand(), 100.0)
    b = g.positive(g.partner(a), negate=g.flip())
    g.emit("div", (a, b), 4 * g.nodes[a].bound)


def _build_pow(g: Builder) -> None:
    base = g.positive(g.tame(g.operand(), 3.0))
    exponent = g.tame(g.partner(base), 1.0)
    if g.nodes[exponent].bound > 1.0 or exponent == base:
        exponent = g.emit("activation", (exponent,), 1.0, name="tanh", params={})
    g.emit("pow", (base, exponent), 20.0)


def _build_scalar(g: Builder) -> None:
    op = g.choice(list(SCALAR_OPS))
    reflected = g.flip()
    a = g.operand()
    if op == "**":
        if reflected:  # c ** x
            a, c = g.tame(a, 5.0), g.choice([2.0, 0.5, 3])
            bound = 3.0 ** 5
        else:
            c = g.choice([2, 3, 0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2])
            a = g.tame(a, 5.0)
            if c < 0 or c != int(c):
                a = g.positive(a)
            bound = 30.0 ** abs(c) + 1
    else:
        c = g.choice([2, 0.5, -1.5, 3, 1])
        a = g.tame(a, 100.0)
        if op == "/" and reflected:
            a = g.positive(a)
        bound = {"+": g.nodes[a].bound + 3, "-": g.nodes[a].bound + 3, "*": 3 * g.nodes[a].bound,
                 "/": 4 * g.nodes[a].bound + 12}[op]
    g.emit("scalar", (a,), bound, g.nodes[a].distinct and op in "+-", symbol=op, c=c, reflected=reflected)


def _build_matmul(g: Builder) -> None:
    a = g.tame(g.operand(min_ndim=1, max_ndim=3), 30.0)
    shape = g.nodes[a].shape
    a_on_left = g.flip()
    inner = shape[-1] if a_on_left or len(shape) == 1 else shape[-2]
    size = g.int(1, 4)
    batch = g.choice([1, shape[0]]) if len(shape) == 3 else g.int(1, 3)
    matrix = (inner, size) if a_on_left else (size, inner)
    b = g.leaf(g.choice([(inner,), matrix, (batch, *matrix)]))
    g.emit("matmul", (a, b) if a_on_left else (b, a), 4.0 * g.nodes[a].bound * inner)


def _unary(op: str, safe: str = "") -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand()
        if safe == "positive":
            a = g.positive(a)
        elif safe == "exp":
            a = g.tame(a, 5.0)
        bound = {"exp": math.exp(min(g.nodes[a].bound, 700)), "log": math.log(g.nodes[a].bound + 1) + 2,
                 "sqrt": math.sqrt(g.nodes[a].bound), "rsqrt": 2.0, "sin": 1.0, "cos": 1.0}.get(
                     op, g.nodes[a].bound)
        g.emit(op, (a,), bound, g.nodes[a].distinct and op in ("neg", "exp", "log", "sqrt", "rsqrt"))
    return build


def _build_clamp(g: Builder) -> None:
    a = g.operand()
    low, high = sorted([g.choice([-0.5, 0.0, 0.5, 1.0]), g.choice([-0.5, 0.0, 0.5, 1.0])])
    which = g.choice(["both", "min", "max"])
    g.emit("clamp", (a,), g.nodes[a].bound, min=None if which == "max" else low, max=None if which == "min" else high)


def _reduce(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand()
        node = g.nodes[a]
        size = math.prod(node.shape)
        bound = {"sum": node.bound * size, "mean": node.bound}.get(op, node.bound)
        g.emit(op, (a,), bound, dim=g.dims(len(node.shape)), keepdim=g.flip())
    return build


def _build_all(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand()
        g.emit(op, (a,), g.nodes[a].bound)
    return build


def _build_spread(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.tame(g.operand(min_ndim=1), 30.0)
        shape = g.nodes[a].shape
        dim = g.dims(len(shape))
        reduced = [shape[d] for d in range(len(shape))] if dim is None else [
            shape[d] for d in np.atleast_1d(dim)]
        count = math.prod(reduced)
        if count < 2:
            a = g.leaf((3,) + shape)
            dim, count = 0, 3
        correction = g.int(0, min(2, count - 1))
        bound = (2 * g.nodes[a].bound) ** 2 * count if op in ("var", "var_mean") else 2 * g.nodes[a].bound * math.sqrt(count)
        g.emit(op, (a,), bound, dim=dim, keepdim=g.flip(), correction=correction)
    return build


def _factorisation(g: Builder, numel: int) -> tuple[int, ...]:
    dims, remaining = [], numel
    for _ in range(g.int(0, 2)):
        divisors = [d for d in range(1, remaining + 1) if remaining % d == 0]
        dims.append(g.choice(divisors))
        remaining //= dims[-1]
    dims.append(remaining)
    if g.flip():
        dims[g.int(0, len(dims) - 1)] = -1
    return tuple(dims)


def _build_reshape(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand()
        shape = _factorisation(g, math.prod(g.nodes[a].shape))
        g.emit(op, (a,), g.nodes[a].bound, g.nodes[a].distinct, shape=shape)
    return build


def _build_flatten(g: Builder) -> None:
    a = g.operand(min_ndim=1)
    ndim = len(g.nodes[a].shape)
    start, end = sorted([g.int(0, ndim - 1), g.int(0, ndim - 1)])
    start = start - ndim if g.flip() else start
    end = end - ndim if g.flip() else end
    g.emit("flatten", (a,), g.nodes[a].bound, g.nodes[a].distinct, start_dim=start, end_dim=end)


def _build_unsqueeze(g: Builder) -> None:
    a = g.operand(max_ndim=3)
    ndim = len(g.nodes[a].shape)
    g.emit("unsqueeze", (a,), g.nodes[a].bound, g.nodes[a].distinct, dim=g.int(-ndim - 1, ndim))


def _build_squeeze(g: Builder) -> None:
    a = g.operand(min_ndim=1)
    ndim = len(g.nodes[a].shape)
    dim = None if g.flip() else g.dim(ndim)
    g.emit("squeeze", (a,), g.nodes[a].bound, g.nodes[a].distinct, dim=dim)


def _build_transpose(g: Builder) -> None:
    a = g.operand(min_ndim=1)
    ndim = len(g.nodes[a].shape)
    g.emit("transpose", (a,), g.nodes[a].bound, g.nodes[a].distinct, dim0=g.dim(ndim), dim1=g.dim(ndim))


def _build_permute(g: Builder) -> None:
    a = g.operand(min_ndim=1)
    ndim = len(g.nodes[a].shape)
    order = g.draw(_orders(ndim))
    dims = tuple(d - ndim if g.flip() else d for d in order)
    g.emit("permute", (a,), g.nodes[a].bound, g.nodes[a].distinct, dims=dims)


def _build_t(g: Builder) -> None:
    a = g.operand(min_ndim=2, max_ndim=2)
    g.emit("T", (a,), g.nodes[a].bound, g.nodes[a].distinct)


def _basic_part(g: Builder, size: int) -> Any:
    kind = g.choice(["slice", "int", "all", "step"])
    if kind == "int":
        return g.int(-size, size - 1)
    if kind == "all":
        return slice(None)
    start = g.int(-size, size - 1)
    stop = g.int(start % size + 1, size) if g.flip() else None
    return slice(start, stop, g.int(1, 3) if kind == "step" else None)


def _int_array(g: Builder, size: int, shape: tuple[int, ...]) -> np.ndarray:
    return g.rng.integers(-size, size, shape)


def _build_getitem(kind: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand(min_ndim=1)
        shape = g.nodes[a].shape
        ndim = len(shape)
        index: list[Any] = [_basic_part(g, size) for size in shape[: g.int(1, ndim)]]
        if kind == "basic":
            if g.flip():
                index = [Ellipsis] + [_basic_part(g, size) for size in shape[ndim - len(index):]]
            if g.flip():
                index.insert(g.int(0, len(index)), None)
        elif kind == "array":
            where = g.int(0, len(index) - 1)
            index = [slice(None) if not isinstance(part, slice) else part for part in index]
            index[where] = _int_array(g, shape[where], (g.int(1, 5),))
        elif kind == "mask":
            leading = g.int(1, ndim)
            mask = g.rng.random(shape[:leading]) < 0.6
            mask.flat[g.rng.integers(mask.size)] = True
            index = [mask] + [slice(None) if not isinstance(part, slice) else part
                              for part in index[leading:]]
        else:  # mixed advanced indexing: two arrays that broadcast, or ints and arrays apart
            if ndim < 2:
                a = g.leaf((2, 3, 4))
                shape, ndim = (2, 3, 4), 3
            count = g.int(1, 3)
            index = [_basic_part(g, size) for size in shape]
            first, second = sorted(g.draw(_orders(ndim))[:2])
            index[first] = _int_array(g, shape[first], (count,)) if g.flip() else int(
                g.int(0, shape[first] - 1))
            index[second] = _int_array(g, shape[second], (count,) if g.flip() else (1,))
        g.emit("getitem", (a,), g.nodes[a].bound, index=tuple(index))
    return build


def _build_join(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand(min_ndim=1 if op == "cat" else 0)
        shape = g.nodes[a].shape
        ndim = len(shape)
        dim = g.dim(ndim) if op == "cat" else g.int(-ndim - 1, ndim)
        others = []
        for _ in range(g.int(1, 2)):
            if g.flip():
                others.append(a)
            else:
                other = list(shape)
                if op == "cat":
                    other[dim] = g.int(1, 3)
                others.append(g.leaf(tuple(other)))
        inputs = [a, *others]
        if g.flip():
            inputs.reverse()
        g.emit(op, tuple(inputs), max(g.nodes[i].bound for i in inputs), dim=dim)
    return build


def _build_where(g: Builder) -> None:
    a = g.operand()
    condition = g.rng.random(g.broadcast_shape(g.nodes[a].shape)) < 0.5
    if g.flip():
        g.emit("where", (a,), max(g.nodes[a].bound, 2.0), condition=condition, other=g.choice([0.0, -2.0]))
        return
    b = g.partner(a)
    g.emit("where", (a, b), max(g.nodes[a].bound, g.nodes[b].bound), condition=condition)


def _build_activation(name: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        a = g.operand()
        node = g.nodes[a]
        if name in DIM_ACTIVATIONS:
            params = {"dim": g.dim(len(node.shape))}
        else:
            params = g.choice(ACTIVATION_PARAMS.get(name, [{}]))
        g.emit("activation", (a,), 1.2 * node.bound + 2.0 + (20.0 if name == "log_softmax" else 0.0),
               name=name, params=params)
    return build


def _build_loss(name: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        reduction = g.choice(["mean", "sum", "none"])
        if name in ("cross_entropy", "nll_loss"):
            x = g.tame(g.operand(min_ndim=2, max_ndim=2), 30.0)
            batch, classes = g.nodes[x].shape
            target = g.rng.integers(0, classes, batch)
            g.emit("loss", (x,), 40.0 * batch, name=name, reduction=reduction, target=target)
            return
        x = g.operand()
        if name == "binary_cross_entropy":
            x = g.emit("activation", (g.tame(x, 10.0),), 1.0, name="sigmoid", params={})
        else:
            x = g.tame(x, 30.0)
        shape = g.nodes[x].shape
        size = math.prod(shape)
        if name == "mse_loss" and g.flip():
            target = g.tame(g.leaf(shape), 30.0)
            g.emit("loss", (x, target), 3600.0 * size, name=name, reduction=reduction)
            return
        target = g.rng.random(shape) if name != "mse_loss" else g.rng.standard_normal(shape)
        g.emit("loss", (x,), 3600.0 * size, name=name, reduction=reduction, target=target)
    return build


def _build_linear(g: Builder) -> None:
    x = g.tame(g.operand(min_ndim=1, max_ndim=3), 30.0)
    features_in, features_out = g.nodes[x].shape[-1], g.int(1, 4)
    inputs = [x, g.leaf((features_out, features_in))]
    if g.flip():
        inputs.append(g.leaf((features_out,)))
    g.emit("linear", tuple(inputs), 4.0 * 30.0 * features_in + 4.0)


# ------------------------------------------------------------------ more ops


def _build_masked_fill(g: Builder) -> None:
    a = g.operand()
    mask = g.rng.random(g.broadcast_shape(g.nodes[a].shape)) < 0.5
    g.emit("masked_fill", (a,), max(g.nodes[a].bound, 2.0), mask=mask, value=g.choice([0.0, -2.0]))


def _build_gather(g: Builder) -> None:
    a = g.operand(min_ndim=1)
    shape = g.nodes[a].shape
    dim = g.dim(len(shape))
    index_shape = [g.int(1, size) for size in shape]
    index_shape[dim] = g.int(1, 4)
    g.emit("gather", (a,), g.nodes[a].bound, dim=dim, index=g.rng.integers(0, shape[dim], index_shape))


def _build_prod(g: Builder) -> None:
    a = g.tame(g.operand(), 2.0)
    ndim = len(g.nodes[a].shape)
    dim = None if ndim == 0 or g.flip() else g.dim(ndim)
    g.emit("prod", (a,), 2.0 ** 64, dim=dim, keepdim=g.flip())


def _build_dim_reduce(op: str) -> Callable[[Builder], None]:
    def build(g: Builder) -> None:
        unique = op in ("max_dim", "min_dim")
        a = g.operand(min_ndim=1, distinct=unique)
        ndim = len(g.nodes[a].shape)
        dim = g.dim(ndim) if unique or op == "logsumexp" else g.dims(ndim)
        if dim is None:
            dim = g.dim(ndim)
        g.emit(op, (a,), g.nodes[a].bound + 3.0, dim=dim, keepdim=g.flip())
    return build


def _build_remainder(g: Builder) -> None:
    a = g.tame(g.operand(), 30.0)
    b = g.positive(g.partner(a), negate=g.flip())  # |b| >= 0.25: away from a division by 0
    g.emit("remainder", (a, b), g.nodes[b].bound)


def _build_expand(g: Builder) -> None:
    a = g.operand(max_ndim=3)
    shape = g.nodes[a].shape
    size_one = tuple(1 if g.flip() else size for size in shape)
    if size_one != shape:  # a value with size-1 dims to stretch: reduce a to it
        axes = tuple(d for d, (old, new) in enumerate(zip(shape, size_one)) if old != new)
        a = g.emit("sum", (a,), g.nodes[a].bound * math.prod(shape), dim=axes, keepdim=True)
    target = tuple(g.int(1, 4) if size == 1 else size for size in size_one)
    if not target or g.flip():
        target = (g.int(1, 3), *target)  # a new leading dim (torch's expand needs at least one size)
    g.emit("expand", (a,), g.nodes[a].bound, shape=target)


BUILDERS: dict[str, Callable[[Builder], None]] = {
    "add": _binary("add"), "sub": _binary("sub"), "mul": _binary("mul"), "div": _build_div,
    "pow": _build_pow, "scalar": _build_scalar, "matmul": _build_matmul, "neg": _unary("neg"),
    "exp": _unary("exp", safe="exp"), "log": _unary("log", safe="positive"),
    "sqrt": _unary("sqrt", safe="positive"), "abs": _unary("abs"), "clamp": _build_clamp,
    "sum": _reduce("sum"), "mean": _reduce("mean"), "max_all": _build_all("max_all"),
    "min_all": _build_all("min_all"), "var": _build_spread("var"), "std": _build_spread("std"),
    "var_mean": _build_spread("var_mean"),
    "reshape": _build_reshape("reshape"), "view": _build_reshape("view"), "flatten": _build_flatten,
    "unsqueeze": _build_unsqueeze, "squeeze": _build_squeeze, "transpose": _build_transpose,
    "permute": _build_permute, "T": _build_t, "getitem_basic": _build_getitem("basic"),
    "getitem_array": _build_getitem("array"), "getitem_mask": _build_getitem("mask"),
    # ints and integer arrays split by a slice: PyTorch applies the int first
    "getitem_mixed": _build_getitem("mixed"),
    "cat": _build_join("cat"), "stack": _build_join("stack"), "where": _build_where, "linear": _build_linear,
    "maximum": _binary("maximum"), "minimum": _binary("minimum"), "masked_fill": _build_masked_fill,
    "gather": _build_gather, "prod": _build_prod, "logsumexp": _build_dim_reduce("logsumexp"),
    "rsqrt": _unary("rsqrt", safe="positive"), "sin": _unary("sin"), "cos": _unary("cos"),
    "amax": _build_dim_reduce("amax"), "amin": _build_dim_reduce("amin"),
    "max_dim": _build_dim_reduce("max_dim"), "min_dim": _build_dim_reduce("min_dim"),
    "remainder": _build_remainder, "expand": _build_expand, "clone": _unary("clone"),
    **{f"activation_{name}": _build_activation(name) for name in TORCH_ACTIVATIONS},
    **{f"loss_{name}": _build_loss(name) for name in LOSSES},
}
POOL = list(BUILDERS)


@st.composite
def programs(draw: Callable, focus: str) -> Program:
    """A random program that applies `focus` at least once among 0-6 other random ops."""
    builder = Builder(draw, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))
    build_focus = BUILDERS[focus]
    before, after = builder.int(0, 4), builder.int(0, 2)
    for _ in range(before):
        BUILDERS[builder.choice(POOL)](builder)
    build_focus(builder)
    for _ in range(after):
        BUILDERS[builder.choice(POOL)](builder)
    used = {i for step in builder.steps for i in step.inputs}
    projections = {i: builder.rng.standard_normal(node.shape) for i, node in enumerate(builder.nodes)
                   if i not in used and builder.steps[i].op != "leaf"}
    return Program(builder.steps, projections)
