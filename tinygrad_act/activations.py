"""The activation registry: each activation is registered once, with its forward rule, its backward
rule and the facts that explain how it trains; everything else (F.<name>, Tensor.<name>,
nn.Activation, the CLI, the plots and tables) is generated from that one registration.

    import numpy as np
    from tinygrad_act.activations import register_activation

    def swish_backward(x, y, grad_output, beta):
        s = 1 / (1 + np.exp(-beta * x))
        return grad_output * (s + beta * x * s * (1 - s))

    @register_activation(backward=swish_backward, params={"beta": 1.0}, formula=r"x \\sigma(\beta x)")
    def swish(x, beta):
        return x / (1 + np.exp(-beta * x))

A backward rule is `backward(x, y, grad_output, **params) -> grad_input`, written with numpy; `x`
is the input and `y` the output, each given only when `saves` asks for it ("input", "output",
"both" or "none"), so the graph keeps only what the derivative needs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .autograd import Function
from .special import erfc
from .tensor import Tensor, apply

INF = math.inf


@dataclass(frozen=True)
class ActivationSpec:
    """One registered activation: its rules, its keyword parameters and what we know about it.

    Any fact (output_range, zero_centred, monotonic, saturating, max_derivative) may be a callable
    of the parameters (leaky_relu's largest slope is max(1, negative_slope)); read them with
    `fact(name, params)`, or `range_for(params)` / `max_derivative_for(params)`.
    """

    name: str
    forward: Callable[..., np.ndarray]
    backward: Callable[..., np.ndarray]
    params: dict[str, Any] = field(default_factory=dict)
    saves: str = "input"
    formula: str = ""
    derivative: str = ""
    output_range: Any = (-INF, INF)
    zero_centred: bool | None = None
    monotonic: bool | None = None
    saturating: bool | None = None
    max_derivative: Any = None
    note: str = ""
    elementwise: bool = True

    def bind(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        """Match positional and keyword arguments to this activation's parameters, with defaults."""
        names = list(self.params)
        if len(args) > len(names):
            raise TypeError(
                f"{self.name}() takes {len(names)} parameter(s) ({', '.join(names) or 'none'}), "
                f"got {len(args)} positional"
            )
        bound = dict(self.params)
        bound.update(zip(names, args))
        for key, value in kwargs.items():
            if key not in bound:
                raise TypeError(
                    f"{self.name}() got an unexpected parameter {key!r}; its parameters are: "
                    f"{', '.join(names) or 'none'}"
                )
            bound[key] = value
        return bound

    def label(self, params: dict[str, Any]) -> str:
        """The name with the parameters that differ from the defaults: `leaky_relu(0.2)`."""
        changed = [repr(value) if isinstance(value, str) else f"{value:g}"
                   for key, value in params.items() if value != self.params[key]]
        return f"{self.name}({', '.join(changed)})" if changed else self.name

    def fact(self, name: str, params: dict[str, Any] | None = None) -> Any:
        """The metadata field `name` for these parameters (defaults for the missing ones)."""
        rule = getattr(self, name)
        return rule(self.bind((), params or {})) if callable(rule) else rule

    def range_for(self, params: dict[str, Any] | None = None) -> tuple[float, float]:
        """(lowest, highest) output for these parameters."""
        return self.fact("output_range", params)

    def max_derivative_for(self, params: dict[str, Any] | None = None) -> float | None:
        """The largest |f'(x)| for these parameters (None where not declared, as for softmax)."""
        return self.fact("max_derivative", params)

    def __call__(self, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """Apply the activation to a Tensor: `spec(x, 0.2)` is `F.leaky_relu(x, 0.2)`."""
        if args or kwargs:
            return apply(self.node_class, x, self.bind(args, kwargs))
        return apply(self.node_class, x)

    @property
    def node_class(self) -> type[ActivationFunction]:
        """The graph-node class of this activation (made once, on first use)."""
        node_class = _NODE_CLASSES.get(self.name)
        if node_class is None or node_class.spec is not self:  # new, or re-registered with replace=True
            node_class = type(self.name, (ActivationFunction,), {"__slots__": (), "spec": self})
            _NODE_CLASSES[self.name] = node_class
        return node_class


class ActivationFunction(Function):
    """The graph node of a registered activation: runs its spec's forward and backward rules.

    Each activation gets its own subclass with `spec` as a class attribute, so applying one
    passes nothing but the input (and the parameters when they differ from the defaults).
    """

    __slots__ = ("params",)  # kept after backward, so a drawn graph still names the node
    spec: ActivationSpec

    def forward(self, x: np.ndarray, params: dict | None = None) -> np.ndarray:
        spec = self.spec
        if params is None:
            params = spec.params
        self.params = params
        y = spec.forward(x, **params)
        saves = spec.saves
        self.x = x if saves == "input" or saves == "both" else None
        self.y = y if saves == "output" or saves == "both" else None
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        return self.spec.backward(self.x, self.y, grad_output, **self.params)

    @property
    def name(self) -> str:
        return self.spec.label(self.params)


_NODE_CLASSES: dict[str, type[ActivationFunction]] = {}
_REGISTRY: dict[str, ActivationSpec] = {}
_listeners: list[Callable[[ActivationSpec], None]] = []


def register_activation(
    name: str | None = None,
    forward: Callable | None = None,
    *,
    backward: Callable | None = None,
    params: dict[str, Any] | None = None,
    saves: str = "input",
    replace: bool = False,
    **facts: Any,
) -> Any:
    """Register an activation from its forward and backward rules (or decorate its forward rule).

    `register_activation("name", forward_fn, backward=..., ...)` registers and returns the spec;
    `@register_activation(backward=...)` above `def name(x, **params)` does the same and takes the
    name from the function. The activation is then `F.name`, `Tensor.name`,
    `nn.Activation("name")`, and appears in the CLI, plots and tables. `facts` are the metadata
    fields of ActivationSpec (formula, derivative, output_range, zero_centred, monotonic,
    saturating, max_derivative, note, elementwise).
    """
    if backward is None:  # also the bare `@register_activation`, which cannot carry a backward rule
        raise TypeError("register_activation: give the backward rule: @register_activation(backward=...)")
    if saves not in ("input", "output", "both", "none"):
        raise ValueError(f"register_activation: saves must be input, output, both or none, got {saves!r}")

    def register(forward_fn: Callable) -> ActivationSpec:
        spec_name = name or forward_fn.__name__
        if not spec_name.isidentifier():
            raise ValueError(
                f"register_activation: {spec_name!r} is not a Python identifier, so it cannot be F.{spec_name}"
            )
        if spec_name not in _REGISTRY and hasattr(Tensor, spec_name):
            raise ValueError(
                f"register_activation: {spec_name!r} would replace the Tensor method Tensor.{spec_name}; "
                "choose another name"
            )
        if spec_name in _REGISTRY and not replace:
            raise ValueError(
                f"register_activation: {spec_name!r} is already registered; pass replace=True to redefine it"
            )
        spec = ActivationSpec(spec_name, forward_fn, backward, dict(params or {}), saves, **facts)
        for listener in _listeners:  # first, so a listener that refuses the name leaves no trace
            listener(spec)
        _REGISTRY[spec_name] = spec
        setattr(Tensor, spec_name, _tensor_method(spec))
        return spec

    if forward is not None:
        return register(forward)
    return register


def _tensor_method(spec: ActivationSpec) -> Callable[..., Tensor]:
    node_class = spec.node_class

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if args or kwargs:
            return apply(node_class, self, spec.bind(args, kwargs))
        return apply(node_class, self)

    method.__name__ = spec.name
    method.__doc__ = f"{spec.formula}; derivative {spec.derivative}. {spec.note}"
    return method


def get_activation(name: str) -> ActivationSpec:
    """The registered activation called `name`; the error lists every valid name."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; registered: {', '.join(_REGISTRY)}") from None


def list_activations() -> list[str]:
    """The names of every registered activation, in registration order."""
    return list(_REGISTRY)


def on_register(listener: Callable[[ActivationSpec], None]) -> None:
    """Call `listener(spec)` for every activation registered so far and from now on.

    This is how higher layers (functional, nn) grow an entry per activation without this module
    importing them.
    """
    _listeners.append(listener)
    for spec in _REGISTRY.values():
        listener(spec)


# ====================================================================== numerically safe pieces


# Branches are chosen with arithmetic masks (max/min, or multiplying by a 0/1 mask), never np.where:
# on a batch where the condition is an unpredictable mix, np.where is ten times slower than relu.
# A product with a 0 mask is not a select when the other factor is inf or nan (inf * 0 = nan), so
# the rules whose derivative is an exact 0 by selection (relu below 0, hardtanh outside its bounds)
# pass their result through `_zero_where`, which repairs those positions only when needed.


def _all_finite(array: np.ndarray) -> bool:
    """No inf or nan in `array`: max and min are fast reductions (a tenth of np.isfinite().all())
    and either is inf or nan when an element is."""
    return array.size == 0 or bool(np.isfinite(array.max()) and np.isfinite(array.min()))


def _zero_where(result: np.ndarray, condition: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
    """`result` (grad_output times a mask that is 0 where `condition` holds) made exactly 0 there
    even when grad_output is inf or nan, as PyTorch's select gives; finite gradients pay only for
    the check."""
    if _all_finite(grad_output):
        return result
    result = np.asarray(result)  # a 0-d product is a numpy scalar, which cannot be written into
    np.copyto(result, 0, where=condition)
    return result


def _lowest_finite(x: np.ndarray) -> np.ndarray:
    """x with -inf raised to the most negative finite value: in f(x) = x g(x) with g(-inf) = 0,
    the product is then the limit -0 instead of -inf * 0 = nan."""
    return np.maximum(x, np.finfo(x.dtype).min)


def _finite(x: np.ndarray) -> np.ndarray:
    """x with +-inf clipped to the largest finite values (nan stays nan): a derivative written
    as x times a factor that is 0 far out then has its limit at +-inf, not inf * 0 = nan."""
    info = np.finfo(x.dtype)
    return np.clip(x, info.min, info.max)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: with e = e^-|x| <= 1, it is 1/(1+e) for x >= 0 and e/(1+e)
    below, i.e. max(e, [x >= 0]) / (1 + e)."""
    e = np.exp(-np.abs(x))
    return np.maximum(e, x >= 0) / (1.0 + e)


def _sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigmoid(x), sigmoid(-x)) from one exponential, each accurate where it is tiny (1 - sigmoid
    would cancel)."""
    e = np.exp(-np.abs(x))
    denominator = 1.0 + e
    return np.maximum(e, x >= 0) / denominator, np.maximum(e, x < 0) / denominator


def _mask(condition: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A boolean condition as 0/1 in the float dtype of `like` (so products keep that dtype)."""
    return condition.astype(like.dtype)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for every finite x."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def shift_by_max(x: np.ndarray, dim: int) -> np.ndarray:
    """x - max(x) along dim, so exp never overflows (the largest exponent is 0).

    As in PyTorch, a row holding +inf, or only -inf, becomes nan (inf - inf), and x - max may
    round to -inf when the row spans more than the float range: both without a warning. An empty
    dim gives an empty result.
    """
    peak = np.max(x, axis=dim, keepdims=True, initial=-np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        return x - peak


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_K = math.sqrt(2.0 / math.pi)
_GELU_TANH_C = 0.044715


def _clip_magnitude(x: np.ndarray, limit: float) -> np.ndarray:
    """x limited to [-limit, limit]: where a function has saturated, larger inputs change nothing
    but could overflow an intermediate (x^2, x^3)."""
    return np.clip(x, -limit, limit)


# ====================================================================== built-in activations

register_activation(
    "identity", lambda x: x,
    backward=lambda x, y, grad_output: grad_output, saves="none",
    formula="f(x) = x", derivative="f'(x) = 1", output_range=(-INF, INF), zero_centred=True,
    monotonic=True, saturating=False, max_derivative=1.0,
    note="no non-linearity: a deep net of identity layers is one linear map, so it cannot learn XOR",
)

register_activation(
    "step", lambda x: (x > 0).astype(x.dtype),  # NaN > 0 is False: step(nan) = 0, as torch.heaviside
    backward=lambda x, y, grad_output: np.zeros_like(grad_output), saves="none",
    formula=r"f(x) = 1 \text{ if } x > 0 \text{ else } 0", derivative="f'(x) = 0 (undefined at 0)",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=0.0,
    note="derivative 0 everywhere: no gradient reaches the weights, so gradient descent never moves",
)

register_activation(
    "sigmoid", _sigmoid,
    backward=lambda x, y, grad_output: grad_output * y * (1.0 - y), saves="output",
    formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}", derivative=r"\sigma(x)\,(1 - \sigma(x))",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=0.25,
    note="derivative at most 1/4: gradients shrink by 4x per layer or more (vanishing gradients)",
)


def _hardsigmoid_backward(x, y, grad_output):
    inside = (x > -3.0) & (x < 3.0)
    return _zero_where(grad_output * inside / 6.0, ~inside, grad_output)


register_activation(
    "hardsigmoid", lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    backward=_hardsigmoid_backward,
    formula=r"f(x) = \min(\max(x/6 + 1/2, 0), 1)", derivative=r"1/6 \text{ on } (-3, 3), 0 \text{ outside}",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=1 / 6,
    note="piecewise-linear sigmoid: cheap, but its slope is only 1/6 and exactly 0 past |x| = 3",
)

register_activation(
    "tanh", np.tanh,
    backward=lambda x, y, grad_output: grad_output * (1.0 - y * y), saves="output",
    formula=r"\tanh(x) = \frac{e^x - e^{-x}}{e^x + e^{-x}}", derivative=r"1 - \tanh^2(x)",
    output_range=(-1.0, 1.0), zero_centred=True, monotonic=True, saturating=True, max_derivative=1.0,
    note="zero-centred sigmoid (tanh = 2 sigmoid(2x) - 1), but its derivative vanishes for |x| > 3",
)


def _hardtanh_backward(x, y, grad_output, min_val, max_val):
    off = (x <= min_val) | (x >= max_val)  # not "inside": a nan input passes the gradient, as in PyTorch
    return _zero_where(grad_output * ~off, off, grad_output)


def _arctan_backward(x, y, grad_output):
    # x * x overflows to inf past 1e154 (1e19 in float32), and 1 / inf = 0 is the limit there: the
    # backward pass runs with overflow warnings off, so no clipping (which gave 1e-30 at inf)
    return grad_output / (1.0 + x * x)


register_activation(
    "hardtanh", lambda x, min_val, max_val: np.clip(x, min_val, max_val),
    backward=_hardtanh_backward, params={"min_val": -1.0, "max_val": 1.0},
    formula=r"f(x) = \min(\max(x, a), b)", derivative=r"1 \text{ on } (a, b), 0 \text{ outside}",
    output_range=lambda p: (p["min_val"], p["max_val"]),
    zero_centred=lambda p: p["min_val"] == -p["max_val"] and p["max_val"] > 0, monotonic=True,
    saturating=True, max_derivative=1.0,
    note="piecewise-linear tanh: slope 1 inside, exactly 0 (no gradient at all) outside",
)

register_activation(
    "arctan", np.arctan, backward=_arctan_backward,
    formula=r"f(x) = \arctan(x)", derivative=r"\frac{1}{1 + x^2}",
    output_range=(-math.pi / 2, math.pi / 2), zero_centred=True, monotonic=True, saturating=True,
    max_derivative=1.0, note="saturates slowly: the derivative decays like 1/x^2, not exponentially",
)

def _softsign(x):
    finite = _finite(x)  # inf / (1 + inf) would be nan; the limit +-1 is max / (1 + max)
    return finite / (1.0 + np.abs(finite))


register_activation(
    "softsign", _softsign,
    backward=lambda x, y, grad_output: grad_output * np.square(1.0 / (1.0 + np.abs(x))),
    formula=r"f(x) = \frac{x}{1 + |x|}", derivative=r"\frac{1}{(1 + |x|)^2}",
    output_range=(-1.0, 1.0), zero_centred=True, monotonic=True, saturating=True, max_derivative=1.0,
    note="tanh-shaped with polynomial tails: saturates more gently than tanh",
)

def _relu_backward(x, y, grad_output):
    off = y <= 0  # not y > 0: at a nan input PyTorch passes the gradient through
    return _zero_where(grad_output * ~off, off, grad_output)


register_activation(
    "relu", lambda x: np.maximum(x, 0), backward=_relu_backward, saves="output",
    formula=r"f(x) = \max(x, 0)", derivative=r"1 \text{ if } x > 0 \text{ else } 0",
    output_range=(0.0, INF), zero_centred=False, monotonic=True, saturating=False, max_derivative=1.0,
    note="slope 1 for x > 0 (no vanishing), but a unit whose input stays negative never recovers (dying ReLU)",
)

def _relu6_backward(x, y, grad_output):
    return _hardtanh_backward(x, y, grad_output, 0.0, 6.0)


register_activation(
    "relu6", lambda x: np.clip(x, 0.0, 6.0), backward=_relu6_backward,
    formula=r"f(x) = \min(\max(x, 0), 6)", derivative=r"1 \text{ on } (0, 6), 0 \text{ outside}",
    output_range=(0.0, 6.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=1.0,
    note="ReLU capped at 6 (for low-precision nets); dies like ReLU and also saturates above 6",
)


def _leaky_relu(x, negative_slope):
    # x for x > 0, a x below: the larger of the two when a <= 1, the smaller when a > 1
    if negative_slope == 0:
        return np.maximum(x, 0)  # ReLU, without -inf * 0 = nan
    scaled = x * negative_slope
    return np.maximum(x, scaled) if negative_slope <= 1 else np.minimum(x, scaled)


def _leaky_relu_backward(x, y, grad_output, negative_slope):
    slope = _mask(x > 0, grad_output) * (1.0 - negative_slope) + negative_slope
    return grad_output * slope


register_activation(
    "leaky_relu", _leaky_relu, backward=_leaky_relu_backward, params={"negative_slope": 0.01},
    formula=r"f(x) = x \text{ if } x > 0 \text{ else } a x", derivative=r"1 \text{ if } x > 0 \text{ else } a",
    output_range=lambda p: (-INF if p["negative_slope"] > 0 else 0.0, INF),
    zero_centred=lambda p: p["negative_slope"] == 1.0, monotonic=lambda p: p["negative_slope"] >= 0,
    saturating=False, max_derivative=lambda p: max(1.0, abs(p["negative_slope"])),
    note="a small slope a for x < 0 keeps a gradient flowing, so units cannot die",
)


def _elu(x, alpha):
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0))


def _negative_branch_select(x, negative_slope, positive_slope):
    """negative_slope where x <= 0, else positive_slope (also at a nan input, as PyTorch's
    `x <= 0 ? negative : positive`); negative_slope must be finite everywhere."""
    positive = _mask(~(x <= 0), negative_slope)
    return positive * positive_slope + (1.0 - positive) * negative_slope


def _elu_backward(x, y, grad_output, alpha):
    # alpha e^x below 0, computed from x: f(x) + alpha would cancel to 0 in float32 below x = -17;
    # fmin, not minimum, so the unused branch is finite at a nan input
    return grad_output * _negative_branch_select(x, alpha * np.exp(np.fmin(x, 0)), 1.0)


register_activation(
    "elu", _elu, backward=_elu_backward, params={"alpha": 1.0},
    formula=r"f(x) = x \text{ if } x > 0 \text{ else } \alpha (e^x - 1)",
    derivative=r"1 \text{ if } x > 0 \text{ else } \alpha e^x",
    output_range=lambda p: (-p["alpha"], INF), zero_centred=False, monotonic=True, saturating=True,
    max_derivative=lambda p: max(1.0, p["alpha"]),
    note="smooth for x < 0 with mean activations near 0; saturates to -alpha, so units do not die",
)


def _selu(x):
    with np.errstate(over="ignore"):  # lambda x overflows to inf near the float max, as in PyTorch
        return SELU_SCALE * (np.maximum(x, 0) + SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def _selu_backward(x, y, grad_output):
    negative_slope = (SELU_SCALE * SELU_ALPHA) * np.exp(np.fmin(x, 0))  # fmin: finite at nan
    return grad_output * _negative_branch_select(x, negative_slope, SELU_SCALE)


register_activation(
    "selu", _selu, backward=_selu_backward,
    formula=r"f(x) = \lambda x \text{ if } x > 0 \text{ else } \lambda \alpha (e^x - 1)",
    derivative=r"\lambda \text{ if } x > 0 \text{ else } \lambda \alpha e^x",
    output_range=(-SELU_SCALE * SELU_ALPHA, INF), zero_centred=False, monotonic=True, saturating=True,
    max_derivative=SELU_SCALE * SELU_ALPHA,
    note="lambda = 1.0507, alpha = 1.6733 make mean 0 / variance 1 a fixed point: self-normalising with LeCun init",
)


def _celu(x, alpha):
    with np.errstate(over="ignore"):  # x / alpha may round to -inf for alpha < 1: expm1 gives its limit -1
        return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha)


def _celu_backward(x, y, grad_output, alpha):
    return grad_output * _negative_branch_select(x, np.exp(np.fmin(x, 0) / alpha), 1.0)


register_activation(
    "celu", _celu, backward=_celu_backward, params={"alpha": 1.0},
    formula=r"f(x) = \max(0, x) + \min(0, \alpha (e^{x/\alpha} - 1))",
    derivative=r"1 \text{ if } x > 0 \text{ else } e^{x / \alpha}",
    output_range=lambda p: (-p["alpha"], INF), zero_centred=False, monotonic=True, saturating=True,
    max_derivative=1.0, note="ELU made continuously differentiable for every alpha",
)


# (minimum of f, maximum of f') of each GELU form, found with mpmath: the tanh form dips slightly lower.
_GELU_EXTREMES = {"none": (-0.16997120747990366, 1.1289041451851548),
                  "tanh": (-0.17004075057125405, 1.1289930686587718)}


def _gelu_tanh_argument(x):
    """u = 2 sqrt(2/pi) (x + 0.044715 x^3), so that (1 + tanh(u/2)) / 2 = sigmoid(u): the sigmoid
    form does not cancel where tanh is near -1 (1 + tanh loses 5 digits of float32 at x = -2.5).
    x is clipped to +-50, where sigmoid(u) is already exactly 0 or 1, so u cannot overflow."""
    clipped = _clip_magnitude(x, 50.0)
    return (2.0 * _GELU_TANH_K) * (clipped + _GELU_TANH_C * clipped**3)


def _gelu(x, approximate):
    if approximate == "tanh":
        return _lowest_finite(x) * _sigmoid(_gelu_tanh_argument(x))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _lowest_finite(x) * (0.5 * erfc(-x * _SQRT_HALF))


def _gelu_backward(x, y, grad_output, approximate):
    if approximate == "tanh":
        # f' = s(u) + x s(u) s(-u) du/dx, with 1 - tanh^2(u/2) = 4 s(u) s(-u)
        clipped = _clip_magnitude(x, 50.0)
        rising, falling = _sigmoid_pair(_gelu_tanh_argument(clipped))
        argument_slope = (2.0 * _GELU_TANH_K) * (1.0 + 3.0 * _GELU_TANH_C * clipped * clipped)
        return grad_output * (rising + clipped * rising * falling * argument_slope)
    clipped = _clip_magnitude(x, 40.0)  # the density exp(-x^2/2) is 0 in float64 past 40
    density = _INV_SQRT_2PI * np.exp(-0.5 * clipped * clipped)
    return grad_output * (_gelu_cdf(x, y) + clipped * density)


def _gelu_cdf(x, y):
    """Phi(x) = y / x, recovered from the forward's output instead of a second erf (half the cost).

    y / x is wrong only at 0 (0/0), at +inf (inf/inf) and where y lost precision by underflowing
    (|x| < 1e-20); there Phi is 1/2 + x phi(0) (1/2 to the last bit) clipped to its limits 0 and 1.
    Those inputs are rare, so they are looked for first (two fast reductions) and mended only
    when present."""
    magnitude = np.abs(x)
    cdf = np.asarray(y / x)  # an array even when 0-d
    if magnitude.size and np.fmin.reduce(magnitude, axis=None) >= 1e-20 and np.fmax.reduce(magnitude, axis=None) < INF:
        return cdf
    linear = np.clip(0.5 + _INV_SQRT_2PI * x, 0.0, 1.0)
    np.copyto(cdf, linear, where=~((magnitude > 1e-20) & (magnitude < INF)))
    return cdf


register_activation(
    "gelu", _gelu, backward=_gelu_backward, params={"approximate": "none"}, saves="both",
    formula=r"f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)",
    derivative=r"\Phi(x) + x\,\varphi(x)",
    output_range=lambda p: (_GELU_EXTREMES[p["approximate"]][0], INF), zero_centred=False, monotonic=False,
    saturating=False, max_derivative=lambda p: _GELU_EXTREMES[p["approximate"]][1],
    note="a smooth ReLU weighted by the normal CDF; exact (erf) by default, tanh approximation on request",
)


def _silu_backward(x, y, grad_output):
    s = _sigmoid(x)
    return grad_output * (s * (1.0 + _finite(x) * (1.0 - s)))


register_activation(
    "silu", lambda x: _lowest_finite(x) * _sigmoid(x), backward=_silu_backward,
    formula=r"f(x) = x\,\sigma(x)", derivative=r"\sigma(x)\,(1 + x (1 - \sigma(x)))",
    output_range=(-0.27846454276107380, INF), zero_centred=False, monotonic=False, saturating=False,
    max_derivative=1.0998393201288669, note="swish with beta = 1: smooth, non-monotonic dip below 0",
)


def _hardswish(x):
    # the ratio first, so x near the float max is not multiplied by 6; -inf * 0 would be nan
    ratio = np.clip(x + 3.0, 0.0, 6.0)
    ratio /= 6.0
    return _lowest_finite(x) * ratio


def _hardswish_backward(x, y, grad_output):
    # 0 up to -3, x/3 + 1/2 between, 1 from 3 on (PyTorch's convention at both ends, and 1 at a nan
    # input); the linear piece from x clipped to [-3, 3] by fmin/fmax, so it is finite at +-inf and
    # at nan, where its mask is 0
    off = x <= -3.0
    below_3 = x < 3.0
    slope = np.fmax(np.fmin(x, 3.0), -3.0)
    slope /= 3.0
    slope += 0.5
    slope *= ~off & below_3
    slope += ~off & ~below_3
    return _zero_where(grad_output * slope, off, grad_output)


register_activation(
    "hardswish", _hardswish, backward=_hardswish_backward,
    formula=r"f(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
    derivative=r"0 \text{ if } x \le -3,\ x/3 + 1/2 \text{ if } x < 3,\ 1 \text{ after}",
    output_range=(-0.375, INF), zero_centred=False, monotonic=False, saturating=False,
    max_derivative=1.5,
    note="piecewise-quadratic swish (MobileNetV3): cheap, slope rising to 1.5 just below x = 3",
)


def _mish(x):
    return _lowest_finite(x) * np.tanh(_softplus(x))


def _mish_backward(x, y, grad_output):
    t = np.tanh(_softplus(x))
    return grad_output * (t + _finite(x) * _sigmoid(x) * (1.0 - t * t))


register_activation(
    "mish", _mish, backward=_mish_backward,
    formula=r"f(x) = x \tanh(\mathrm{softplus}(x))",
    derivative=r"\tanh(s) + x\,\sigma(x)\,(1 - \tanh^2(s)),\ s = \mathrm{softplus}(x)",
    output_range=(-0.30884341301725041, INF), zero_centred=False, monotonic=False, saturating=False,
    max_derivative=1.0884981612517279, note="smooth and non-monotonic like swish, with a slightly deeper dip",
)


def _softplus_forward(x, beta, threshold):
    with np.errstate(over="ignore"):  # beta x may overflow to inf; that element is x itself below
        scaled = beta * x
    y = np.asarray(_softplus(scaled) / beta)  # 0-d arithmetic gives a numpy scalar, not writable
    linear = scaled > threshold  # PyTorch returns x itself there (usually few elements)
    if linear.any():
        np.copyto(y, x, where=linear)
    return y


def _softplus_backward(x, y, grad_output, beta, threshold):
    scaled = beta * x
    return grad_output * np.maximum(_sigmoid(scaled), scaled > threshold)  # sigmoid <= 1


register_activation(
    "softplus", _softplus_forward, backward=_softplus_backward, params={"beta": 1.0, "threshold": 20.0},
    formula=r"f(x) = \frac{1}{\beta} \log(1 + e^{\beta x}) \text{ (x once } \beta x > \text{threshold)}",
    derivative=r"\sigma(\beta x)",
    output_range=(0.0, INF), zero_centred=False, monotonic=True, saturating=False, max_derivative=1.0,
    note="a smooth ReLU whose derivative is the sigmoid: never exactly 0, so units cannot die",
)

register_activation(
    "logsigmoid", lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
    backward=lambda x, y, grad_output: grad_output * _sigmoid(-x),
    formula=r"f(x) = \log \sigma(x) = -\mathrm{softplus}(-x)", derivative=r"1 - \sigma(x) = \sigma(-x)",
    output_range=(-INF, 0.0), zero_centred=False, monotonic=True, saturating=False, max_derivative=1.0,
    note="computed as min(x, 0) - log1p(e^-|x|): log(sigmoid(x)) would give -inf for x < -88 in float32",
)


def _0d_as_one_element(rule: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """A softmax-like rule that also takes 0-d arrays, as one element along dim 0 (or -1), as
    PyTorch does: softmax of a 0-d tensor is 1, log_softmax 0."""

    @functools.wraps(rule)
    def rule_for_any_shape(*arrays: np.ndarray | None, dim: int) -> np.ndarray:
        if all(array is None or array.ndim for array in arrays):
            return rule(*arrays, dim=dim)
        result = rule(*(None if array is None else array.reshape(1) for array in arrays), dim=dim)
        return result.reshape(())

    return rule_for_any_shape


@_0d_as_one_element
def _softmax(x, dim):
    exponentials = np.exp(shift_by_max(x, dim))
    with np.errstate(invalid="ignore"):  # a row of nan (from +inf) stays nan, as in PyTorch
        return exponentials / exponentials.sum(axis=dim, keepdims=True)


@_0d_as_one_element
def _softmax_backward(x, y, grad_output, dim):
    return y * (grad_output - (grad_output * y).sum(axis=dim, keepdims=True))


register_activation(
    "softmax", _softmax, backward=_softmax_backward, params={"dim": -1}, saves="output",
    formula=r"f(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},\ m = \max_j x_j",
    derivative=r"\partial f_i / \partial x_j = f_i (\delta_{ij} - f_j)",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=None, saturating=True, max_derivative=0.25,
    elementwise=False,
    note="subtracting the max changes nothing mathematically but keeps exp from overflowing (e^1000 = inf)",
)


@_0d_as_one_element
def _log_softmax(x, dim):
    shifted = shift_by_max(x, dim)
    # a row of nan (from +inf) stays nan, as in PyTorch; an empty dim sums to 0, whose log is unused
    with np.errstate(invalid="ignore", divide="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


@_0d_as_one_element
def _log_softmax_backward(x, y, grad_output, dim):
    return grad_output - np.exp(y) * grad_output.sum(axis=dim, keepdims=True)


register_activation(
    "log_softmax", _log_softmax, backward=_log_softmax_backward, params={"dim": -1}, saves="output",
    formula=r"f(x)_i = x_i - m - \log \sum_j e^{x_j - m}", derivative=r"\delta_{ij} - \mathrm{softmax}(x)_j",
    output_range=(-INF, 0.0), zero_centred=False, monotonic=None, saturating=False, max_derivative=1.0,
    elementwise=False,
    note="fused and shifted: log(softmax(x)) would be log(0) = -inf once a probability underflows",
)


def _softmin(x, dim):
    return _softmax(-x, dim=dim)


@_0d_as_one_element
def _softmin_backward(x, y, grad_output, dim):
    # the softmax rule at -x, and the chain rule's factor -1
    return y * ((grad_output * y).sum(axis=dim, keepdims=True) - grad_output)


register_activation(
    "softmin", _softmin, backward=_softmin_backward, params={"dim": -1}, saves="output",
    formula=r"f(x)_i = \mathrm{softmax}(-x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
    derivative=r"\partial f_i / \partial x_j = -f_i (\delta_{ij} - f_j)",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=None, saturating=True, max_derivative=0.25,
    elementwise=False, note="softmax of -x: the smallest input gets the largest weight",
)
