"""The catalogue of built-in activations: each one's forward rule, backward rule and facts, registered
once. Adding a built-in is one `register_activation(...)` here; F, Tensor, nn, the CLI, the plots,
the tables and the test suite's gradcheck pick it up from the registry.

The rules are numpy on arrays, numerically safe at +-1e4 (and at inf and nan, as PyTorch is), built
from the helpers in tinygrad_act.numerics.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ..numerics import (
    clip_magnitude,
    finite,
    log_softmax,
    lowest_finite,
    mask,
    one_of,
    relu,
    select_zero,
    shift_by_max,
    sigmoid,
    sigmoid_pair,
    softplus,
    zero_of,
    zero_where,
)
from ..shapes import normalize_dim
from ..special import erfc
from .registry import INF, register_activation

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_K = math.sqrt(2.0 / math.pi)
_GELU_TANH_C = 0.044715



# ====================================================================== built-in activations

register_activation(
    "identity", lambda x: x,
    backward=lambda x, y, grad_output: grad_output, saves="none",
    formula="f(x) = x", derivative="f'(x) = 1", output_range=(-INF, INF), zero_centred=True,
    monotonic=True, saturating=False, max_derivative=1.0,
    note="no non-linearity: a deep net of identity layers is one linear map, so it cannot learn XOR",
    torch_class="Identity",
)

register_activation(
    "step", lambda x: (x > 0).astype(x.dtype),  # NaN > 0 is False: step(nan) = 0, as torch.heaviside
    backward=lambda x, y, grad_output: np.zeros_like(grad_output), saves="none",
    formula=r"f(x) = 1 \text{ if } x > 0 \text{ else } 0", derivative="f'(x) = 0 (undefined at 0)",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=0.0,
    note="derivative 0 everywhere: no gradient reaches the weights, so gradient descent never moves",
    torch_class=None, kinks=(0.0,),
)

register_activation(
    "sigmoid", sigmoid,
    backward=lambda x, y, grad_output: grad_output * y * (one_of(y) - y), saves="output",
    formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}", derivative=r"\sigma(x)\,(1 - \sigma(x))",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=0.25,
    note="derivative at most 1/4: gradients shrink by 4x per layer or more (vanishing gradients)",
    torch_class="Sigmoid",
)


def _hardsigmoid_backward(x, y, grad_output):
    inside = (x > -3.0) & (x < 3.0)
    return zero_where(grad_output * inside / 6.0, ~inside)


register_activation(
    "hardsigmoid", lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    backward=_hardsigmoid_backward,
    formula=r"f(x) = \min(\max(x/6 + 1/2, 0), 1)", derivative=r"1/6 \text{ on } (-3, 3), 0 \text{ outside}",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=1 / 6,
    note="piecewise-linear sigmoid: cheap, but its slope is only 1/6 and exactly 0 past |x| = 3",
    torch_class="Hardsigmoid", kinks=(-3.0, 3.0),
)

register_activation(
    "tanh", np.tanh,
    backward=lambda x, y, grad_output: grad_output * (one_of(y) - y * y), saves="output",
    formula=r"\tanh(x) = \frac{e^x - e^{-x}}{e^x + e^{-x}}", derivative=r"1 - \tanh^2(x)",
    output_range=(-1.0, 1.0), zero_centred=True, monotonic=True, saturating=True, max_derivative=1.0,
    note="zero-centred sigmoid (tanh = 2 sigmoid(2x) - 1), but its derivative vanishes for |x| > 3",
    torch_class="Tanh",
)


def _hardtanh_backward(x, y, grad_output, min_val, max_val):
    off = (x <= min_val) | (x >= max_val)  # not "inside": a nan input passes the gradient, as in PyTorch
    return select_zero(off, grad_output)


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
    torch_class="Hardtanh", kinks=lambda p: (p["min_val"], p["max_val"]),
)

register_activation(
    "arctan", np.arctan, backward=_arctan_backward,
    formula=r"f(x) = \arctan(x)", derivative=r"\frac{1}{1 + x^2}",
    output_range=(-math.pi / 2, math.pi / 2), zero_centred=True, monotonic=True, saturating=True,
    max_derivative=1.0, note="saturates slowly: the derivative decays like 1/x^2, not exponentially",
    torch_class=None,
)

def _softsign(x):
    clipped = finite(x)  # inf / (1 + inf) would be nan; the limit +-1 is max / (1 + max)
    return clipped / (1.0 + np.abs(clipped))


register_activation(
    "softsign", _softsign,
    backward=lambda x, y, grad_output: grad_output * np.square(1.0 / (1.0 + np.abs(x))),
    formula=r"f(x) = \frac{x}{1 + |x|}", derivative=r"\frac{1}{(1 + |x|)^2}",
    output_range=(-1.0, 1.0), zero_centred=True, monotonic=True, saturating=True, max_derivative=1.0,
    note="tanh-shaped with polynomial tails: saturates more gently than tanh",
    torch_class="Softsign",
)

def _relu_backward(x, y, grad_output):
    off = y <= zero_of(y)  # not y > 0: at a nan input PyTorch passes the gradient through
    return select_zero(off, grad_output)


register_activation(
    "relu", relu, backward=_relu_backward, saves="output",
    formula=r"f(x) = \max(x, 0)", derivative=r"1 \text{ if } x > 0 \text{ else } 0",
    output_range=(0.0, INF), zero_centred=False, monotonic=True, saturating=False, max_derivative=1.0,
    note="slope 1 for x > 0 (no vanishing), but a unit whose input stays negative never recovers (dying ReLU)",
    torch_class="ReLU", init_family="kaiming", kinks=(0.0,),
)

def _relu6_backward(x, y, grad_output):
    return _hardtanh_backward(x, y, grad_output, 0.0, 6.0)


register_activation(
    "relu6", lambda x: np.clip(x, 0.0, 6.0), backward=_relu6_backward,
    formula=r"f(x) = \min(\max(x, 0), 6)", derivative=r"1 \text{ on } (0, 6), 0 \text{ outside}",
    output_range=(0.0, 6.0), zero_centred=False, monotonic=True, saturating=True, max_derivative=1.0,
    note="ReLU capped at 6 (for low-precision nets); dies like ReLU and also saturates above 6",
    torch_class="ReLU6", init_family="kaiming", kinks=(0.0, 6.0),
)


def _leaky_relu(x, negative_slope):
    # x for x > 0, a x below: the larger of the two when a <= 1, the smaller when a > 1
    if negative_slope == 0:
        return np.maximum(x, 0)  # ReLU, without -inf * 0 = nan
    scaled = x * negative_slope
    return np.maximum(x, scaled) if negative_slope <= 1 else np.minimum(x, scaled)


def _leaky_relu_backward(x, y, grad_output, negative_slope):
    slope = mask(x > 0, grad_output) * (1.0 - negative_slope) + negative_slope
    return grad_output * slope


register_activation(
    "leaky_relu", _leaky_relu, backward=_leaky_relu_backward, params={"negative_slope": 0.01},
    formula=r"f(x) = x \text{ if } x > 0 \text{ else } a x", derivative=r"1 \text{ if } x > 0 \text{ else } a",
    output_range=lambda p: (-INF if p["negative_slope"] > 0 else 0.0, INF),
    zero_centred=lambda p: p["negative_slope"] == 1.0, monotonic=lambda p: p["negative_slope"] >= 0,
    saturating=False, max_derivative=lambda p: max(1.0, abs(p["negative_slope"])),
    note="a small slope a for x < 0 keeps a gradient flowing, so units cannot die",
    torch_class="LeakyReLU", init_family="kaiming", kinks=lambda p: (0.0,) if p["negative_slope"] != 1.0 else (),
)

# A layer only (nn.PReLU holds the slope a as a parameter); the rules and facts are those at the
# initial slope `init`, so the table, the plots and gradcheck see the layer as it starts.
register_activation(
    "prelu", lambda x, num_parameters, init: _leaky_relu(x, init),
    backward=lambda x, y, grad_output, num_parameters, init: _leaky_relu_backward(x, y, grad_output, init),
    params={"num_parameters": 1, "init": 0.25},
    formula=r"f(x) = x \text{ if } x > 0 \text{ else } a x,\ a \text{ learned}",
    derivative=r"\partial f/\partial x = 1 \text{ if } x > 0 \text{ else } a;\ \partial f/\partial a = \min(x, 0)",
    output_range=lambda p: (-INF if p["init"] > 0 else 0.0, INF), zero_centred=lambda p: p["init"] == 1.0,
    monotonic=lambda p: p["init"] >= 0, saturating=False, max_derivative=lambda p: max(1.0, abs(p["init"])),
    note="leaky ReLU whose slope a (one, or one per channel) is learned with the weights, starting at init",
    torch_class="PReLU", init_family="kaiming", kinks=lambda p: (0.0,) if p["init"] != 1.0 else (), learnable=True,
)


def _elu(x, alpha):
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0))


def _negative_branch_select(x, negative_slope, positive_slope):
    """negative_slope where x <= 0, else positive_slope (also at a nan input, as PyTorch's
    `x <= 0 ? negative : positive`); negative_slope must be finite everywhere."""
    positive = mask(~(x <= 0), negative_slope)
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
    torch_class="ELU", init_family="kaiming", kinks=(0.0,),
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
    torch_class="SELU", init_family="lecun", kinks=(0.0,),
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
    torch_class="CELU", init_family="kaiming", kinks=(0.0,),
)


# (minimum of f, maximum of f') of each GELU form, found with mpmath: the tanh form dips slightly lower.
_GELU_EXTREMES = {"none": (-0.16997120747990366, 1.1289041451851548),
                  "tanh": (-0.17004075057125405, 1.1289930686587718)}


def _gelu_tanh_argument(x):
    """u = 2 sqrt(2/pi) (x + 0.044715 x^3), so that (1 + tanh(u/2)) / 2 = sigmoid(u): the sigmoid
    form does not cancel where tanh is near -1 (1 + tanh loses 5 digits of float32 at x = -2.5).
    x is clipped to +-50, where sigmoid(u) is already exactly 0 or 1, so u cannot overflow."""
    clipped = clip_magnitude(x, 50.0)
    return (2.0 * _GELU_TANH_K) * (clipped + _GELU_TANH_C * clipped**3)


def _gelu(x, approximate):
    if approximate == "tanh":
        return lowest_finite(x) * sigmoid(_gelu_tanh_argument(x))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return lowest_finite(x) * (0.5 * erfc(-x * _SQRT_HALF))


def _gelu_backward(x, y, grad_output, approximate):
    if approximate == "tanh":
        # f' = s(u) + x s(u) s(-u) du/dx, with 1 - tanh^2(u/2) = 4 s(u) s(-u)
        clipped = clip_magnitude(x, 50.0)
        rising, falling = sigmoid_pair(_gelu_tanh_argument(clipped))
        argument_slope = (2.0 * _GELU_TANH_K) * (1.0 + 3.0 * _GELU_TANH_C * clipped * clipped)
        return grad_output * (rising + clipped * rising * falling * argument_slope)
    clipped = clip_magnitude(x, 40.0)  # the density exp(-x^2/2) is 0 in float64 past 40
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
    torch_class="GELU", init_family="kaiming",
)


def _silu_backward(x, y, grad_output):
    s = sigmoid(x)
    return grad_output * (s * (1.0 + finite(x) * (1.0 - s)))


register_activation(
    "silu", lambda x: lowest_finite(x) * sigmoid(x), backward=_silu_backward,
    formula=r"f(x) = x\,\sigma(x)", derivative=r"\sigma(x)\,(1 + x (1 - \sigma(x)))",
    output_range=(-0.27846454276107380, INF), zero_centred=False, monotonic=False, saturating=False,
    max_derivative=1.0998393201288669, note="swish with beta = 1: smooth, non-monotonic dip below 0",
    torch_class="SiLU", init_family="kaiming",
)


def _hardswish(x):
    # the ratio first, so x near the float max is not multiplied by 6; -inf * 0 would be nan
    ratio = np.clip(x + 3.0, 0.0, 6.0)
    ratio /= 6.0
    return lowest_finite(x) * ratio


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
    return zero_where(grad_output * slope, off)


register_activation(
    "hardswish", _hardswish, backward=_hardswish_backward,
    formula=r"f(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
    derivative=r"0 \text{ if } x \le -3,\ x/3 + 1/2 \text{ if } x < 3,\ 1 \text{ after}",
    output_range=(-0.375, INF), zero_centred=False, monotonic=False, saturating=False,
    max_derivative=1.5,
    note="piecewise-quadratic swish (MobileNetV3): cheap, slope rising to 1.5 just below x = 3",
    torch_class="Hardswish", init_family="kaiming", kinks=(-3.0, 3.0),
)


def _mish(x):
    return lowest_finite(x) * np.tanh(softplus(x))


def _mish_backward(x, y, grad_output):
    t = np.tanh(softplus(x))
    return grad_output * (t + finite(x) * sigmoid(x) * (1.0 - t * t))


register_activation(
    "mish", _mish, backward=_mish_backward,
    formula=r"f(x) = x \tanh(\mathrm{softplus}(x))",
    derivative=r"\tanh(s) + x\,\sigma(x)\,(1 - \tanh^2(s)),\ s = \mathrm{softplus}(x)",
    output_range=(-0.30884341301725041, INF), zero_centred=False, monotonic=False, saturating=False,
    max_derivative=1.0884981612517279, note="smooth and non-monotonic like swish, with a slightly deeper dip",
    torch_class="Mish", init_family="kaiming",
)


def _softplus_forward(x, beta, threshold):
    with np.errstate(over="ignore"):  # beta x may overflow to inf; that element is x itself below
        scaled = beta * x
    y = np.asarray(softplus(scaled) / beta)  # 0-d arithmetic gives a numpy scalar, not writable
    linear = scaled > threshold  # PyTorch returns x itself there (usually few elements)
    if linear.any():
        np.copyto(y, x, where=linear)
    return y


def _softplus_backward(x, y, grad_output, beta, threshold):
    scaled = beta * x
    return grad_output * np.maximum(sigmoid(scaled), scaled > threshold)  # sigmoid <= 1


register_activation(
    "softplus", _softplus_forward, backward=_softplus_backward, params={"beta": 1.0, "threshold": 20.0},
    formula=r"f(x) = \frac{1}{\beta} \log(1 + e^{\beta x}) \text{ (x once } \beta x > \text{threshold)}",
    derivative=r"\sigma(\beta x)",
    output_range=(0.0, INF), zero_centred=False, monotonic=True, saturating=False, max_derivative=1.0,
    note="a smooth ReLU whose derivative is the sigmoid: never exactly 0, so units cannot die",
    torch_class="Softplus", init_family="kaiming", kinks=lambda p: (p["threshold"] / p["beta"],),
)

register_activation(
    "logsigmoid", lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
    backward=lambda x, y, grad_output: grad_output * sigmoid(-x),
    formula=r"f(x) = \log \sigma(x) = -\mathrm{softplus}(-x)", derivative=r"1 - \sigma(x) = \sigma(-x)",
    output_range=(-INF, 0.0), zero_centred=False, monotonic=True, saturating=False, max_derivative=1.0,
    note="computed as min(x, 0) - log1p(e^-|x|): log(sigmoid(x)) would give -inf for x < -88 in float32",
    torch_class="LogSigmoid",
)


def _along_dim(rule: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """A softmax-like rule along `dim`, as PyTorch takes it: a dim out of range is PyTorch's
    IndexError, and a 0-d array is one element along dim 0 (or -1), so softmax of a 0-d tensor is
    1, log_softmax 0."""

    @functools.wraps(rule)
    def rule_for_any_shape(*arrays: np.ndarray | None, dim: int) -> np.ndarray:
        normalize_dim(dim, next(array for array in arrays if array is not None).ndim)
        if all(array is None or array.ndim for array in arrays):
            return rule(*arrays, dim=dim)
        result = rule(*(None if array is None else array.reshape(1) for array in arrays), dim=dim)
        return result.reshape(())

    return rule_for_any_shape


@_along_dim
def _softmax(x, dim):
    exponentials = np.exp(shift_by_max(x, dim))
    with np.errstate(invalid="ignore"):  # a row of nan (from +inf) stays nan, as in PyTorch
        return exponentials / exponentials.sum(axis=dim, keepdims=True)


@_along_dim
def _softmax_backward(x, y, grad_output, dim):
    return y * (grad_output - (grad_output * y).sum(axis=dim, keepdims=True))


register_activation(
    "softmax", _softmax, backward=_softmax_backward, params={"dim": -1}, saves="output",
    formula=r"f(x)_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},\ m = \max_j x_j",
    derivative=r"\partial f_i / \partial x_j = f_i (\delta_{ij} - f_j)",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=None, saturating=True, max_derivative=0.25,
    elementwise=False,
    note="subtracting the max changes nothing mathematically but keeps exp from overflowing (e^1000 = inf)",
    torch_class="Softmax",
)


_log_softmax = _along_dim(log_softmax)


@_along_dim
def _log_softmax_backward(x, y, grad_output, dim):
    return grad_output - np.exp(y) * grad_output.sum(axis=dim, keepdims=True)


register_activation(
    "log_softmax", _log_softmax, backward=_log_softmax_backward, params={"dim": -1}, saves="output",
    formula=r"f(x)_i = x_i - m - \log \sum_j e^{x_j - m}", derivative=r"\delta_{ij} - \mathrm{softmax}(x)_j",
    output_range=(-INF, 0.0), zero_centred=False, monotonic=None, saturating=False, max_derivative=1.0,
    elementwise=False,
    note="fused and shifted: log(softmax(x)) would be log(0) = -inf once a probability underflows",
    torch_class="LogSoftmax",
)


def _softmin(x, dim):
    return _softmax(-x, dim=dim)


@_along_dim
def _softmin_backward(x, y, grad_output, dim):
    # the softmax rule at -x, and the chain rule's factor -1
    return y * ((grad_output * y).sum(axis=dim, keepdims=True) - grad_output)


register_activation(
    "softmin", _softmin, backward=_softmin_backward, params={"dim": -1}, saves="output",
    formula=r"f(x)_i = \mathrm{softmax}(-x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
    derivative=r"\partial f_i / \partial x_j = -f_i (\delta_{ij} - f_j)",
    output_range=(0.0, 1.0), zero_centred=False, monotonic=None, saturating=True, max_derivative=0.25,
    elementwise=False, note="softmax of -x: the smallest input gets the largest weight",
    torch_class="Softmin",
)
