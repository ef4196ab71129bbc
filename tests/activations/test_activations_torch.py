"""Every registered activation against PyTorch: values and gradients at the edges of each float
type (0, subnormals, 1e-30, 1e4, 1e30, the largest finite value, +-inf, nan), on 0-d inputs, and
with an infinite or NaN gradient flowing in from above.

PyTorch is the referee: where a result is nan or +-inf it must be the same nan or inf; elsewhere the
same to 1e-6 (float32) or 1e-12 (float64) relative error. A float32 result may agree with PyTorch's
float32 result or with its float64 result rounded to float32: PyTorch's float32 kernels lose bits in
places (tanh-GELU at -2.5 is 5e-6 off), while a derivative computed from the output, sigma' =
sigma (1 - sigma), is 0 in both float32 libraries at 25 where the exact value is 1.4e-11.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.activations import get_activation, list_activations

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

RTOL = {np.float32: 1e-6, np.float64: 1e-12}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
DTYPES = [np.float32, np.float64]

# Parameter values checked beyond the defaults.
PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "leaky_relu": [{"negative_slope": 0.0}, {"negative_slope": 0.2}],
    "elu": [{"alpha": 2.0}],
    "celu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "gelu": [{"approximate": "tanh"}],
    "softplus": [{"beta": 2.0, "threshold": 5.0}],
    "hardtanh": [{"min_val": -2.0, "max_val": 3.0}],
    "softmax": [{"dim": 0}],
    "log_softmax": [{"dim": 0}],
    "softmin": [{"dim": 0}],
}

CASES = [(name, get_activation(name).bind((), params))
         for name in list_activations() for params in [{}, *PARAMETERS.get(name, [])]]


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, params = case
    return get_activation(name).label(params)


class _TorchStep(torch.autograd.Function):
    """PyTorch has no differentiable step (heaviside has no derivative): its values, with our
    documented derivative 0 (selected, so an infinite upstream gradient gives 0 too)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return torch.heaviside(x, torch.zeros((), dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        return torch.zeros_like(grad_output)


def _torch_step(x: Any) -> Any:
    return _TorchStep.apply(x)


TORCH_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "identity": lambda x: x.clone(),
    "arctan": torch.atan,
    "step": _torch_step,
}


def _torch_function(name: str) -> Callable[..., Any]:
    return TORCH_FUNCTIONS.get(name) or getattr(torch.nn.functional, name)


def _torch_softsign(x: Any) -> tuple[Any, Any]:
    """PyTorch's softsign is composite, x / (1 + |x|), so its autograd gradient is a difference
    of two terms that cancel for large |x| (9.9972e-9 instead of 9.998e-9 at 1e4 in float32, 0 at
    1e30): the reference derivative is the closed form 1 / (1 + |x|)^2, computed by torch."""
    return torch.nn.functional.softsign(x), 1.0 / torch.square(1.0 + x.abs())


def _torch_gelu(x: Any) -> tuple[Any, Any]:
    """PyTorch's exact GELU is x (1 + erf(x / sqrt 2)) / 2, and 1 + erf cancels to 0 below about
    -8 (gelu(-25) is -0 instead of -7.6e-137): the reference is the erfc form, computed by torch,
    with its derivative Phi(x) + x phi(x)."""
    cdf = 0.5 * torch.special.erfc(-x / math.sqrt(2.0))
    return x * cdf, cdf + x * torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


# Reference (f, f') where PyTorch's autograd loses precision, by the label of the activation.
TORCH_CLOSED_FORMS: dict[str, Callable[[Any], tuple[Any, Any]]] = {"softsign": _torch_softsign,
                                                                    "gelu": _torch_gelu}

# Looser than RTOL where PyTorch rounds: its float64 hardsigmoid backward multiplies by 1/6
# rounded to float32 (0.1666666716); ours is 1/6 in float64.
LOOSER_RTOL = {("hardsigmoid", np.float64): 1e-7}


def _the_input(x: np.ndarray) -> tuple[np.ndarray, float]:
    return x, 1.0


# Where PyTorch's own formula breaks at an infinite input (inf * 0 or inf / inf give nan) or
# overflows at the largest finite one, we return the limit of f and f' there: (f, f') at the point.
LIMITS_WHERE_PYTORCH_BREAKS: dict[tuple[str, str], Callable[[np.ndarray], tuple[Any, float]]] = {
    ("softsign", "inf"): lambda x: (1.0, 0.0),
    ("softsign", "-inf"): lambda x: (-1.0, 0.0),
    ("leaky_relu(0)", "-inf"): lambda x: (0.0, 0.0),
    **{(label, "inf"): _the_input for label in ("gelu", "gelu('tanh')", "silu", "mish")},
    **{(label, "-inf"): lambda x: (0.0, 0.0) for label in ("gelu", "gelu('tanh')", "silu", "mish", "hardswish")},
    ("gelu", "max"): _the_input,
    ("gelu('tanh')", "max"): _the_input,
    ("gelu('tanh')", "-max"): lambda x: (0.0, 0.0),
    ("hardswish", "max"): _the_input,
}


def _edge_points(dtype: Any) -> np.ndarray:
    """0, +-smallest subnormal, +-1e-30, +-1, +-1e4, +-1e30 (float64), +-max, +-inf and nan."""
    info = np.finfo(dtype)
    magnitudes = [info.smallest_subnormal, 1e-30, 1.0, 1e4] + ([1e30] if dtype == np.float64 else [])
    magnitudes += [info.max, np.inf]
    points = [0.0] + [sign * m for m in magnitudes for sign in (1.0, -1.0)] + [np.nan]
    return np.array(points, dtype=dtype)


def _point_name(point: float) -> str:
    magnitude = "max" if abs(point) == np.finfo(np.asarray(point).dtype).max else "inf" if np.isinf(point) else ""
    return ("-" if point < 0 else "") + magnitude


def _inputs(name: str, params: dict[str, Any], dtype: Any) -> np.ndarray:
    """The edge points one per element; a row activation gets each in a row (p, 0.5, -1), laid
    along the dim it normalises."""
    points = _edge_points(dtype)
    if get_activation(name).elementwise:
        return points
    rows = np.stack([points, np.full_like(points, 0.5), np.full_like(points, -1.0)], axis=1)
    return rows.T.copy() if params.get("dim") == 0 else rows


def _grad_output(name: str, shape: tuple, dtype: Any) -> np.ndarray:
    """Ones for an elementwise activation; for a row activation, ones would make the gradient of a
    normalised output cancel to rounding noise, so different values."""
    if get_activation(name).elementwise:
        return np.ones(shape, dtype=dtype)
    return (np.arange(np.prod(shape), dtype=dtype).reshape(shape) % 5) - 1.5


def ours(name: str, params: dict[str, Any], x: np.ndarray, grad_output: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    inputs = Tensor(x, dtype=x.dtype, requires_grad=True)
    output = get_activation(name)(inputs, **params)
    output.backward(grad_output)
    return output.numpy(), inputs.grad.numpy()


def theirs(name: str, params: dict[str, Any], x: np.ndarray, grad_output: np.ndarray,
           working_dtype: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's f(x) and gradient, computed in `working_dtype` (x's by default) and rounded to x's."""
    inputs = torch.tensor(x.astype(working_dtype or x.dtype), requires_grad=True)
    upstream = torch.tensor(grad_output.astype(working_dtype or x.dtype))
    closed_form = TORCH_CLOSED_FORMS.get(get_activation(name).label(params))
    if closed_form:
        output, derivative = closed_form(inputs.detach())
        grad = derivative * upstream
    else:
        output = _torch_function(name)(inputs, **params)
        output.backward(upstream)
        grad = inputs.grad
    with np.errstate(over="ignore"):  # a float64 result beyond the float32 range rounds to inf
        return output.detach().numpy().astype(x.dtype), grad.numpy().astype(x.dtype)


def references(name: str, params: dict[str, Any], x: np.ndarray, grad_output: np.ndarray
               ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (f, gradient) pairs we may agree with: PyTorch's in x's dtype, and for float32 also its
    float64 result rounded to float32."""
    pairs = [theirs(name, params, x, grad_output)]
    if x.dtype == np.float32:
        pairs.append(theirs(name, params, x, grad_output, working_dtype=np.float64))
    return pairs


def torch_gradient_at_nan(name: str, params: dict[str, Any], dtype: Any) -> float:
    """PyTorch's derivative at a nan input, which depends on its code path (hardtanh'(nan) is 1
    for one element, 0 among twenty; elu'(nan) is 1 in float32, nan among twenty in float64): we
    follow its one-element path, where every comparison with nan is false."""
    x = np.array([np.nan], dtype=dtype)
    if not get_activation(name).elementwise:
        x = np.array([[np.nan, 0.5]], dtype=dtype)
    return theirs(name, params, x, np.ones_like(x))[1].flat[0]


def assert_same_as_torch(actual: np.ndarray, expected: np.ndarray, rtol: float, what: str,
                         atol: float = 0.0) -> None:
    """Same shape and dtype, nan where torch has nan, the same infinities, and close elsewhere."""
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, what
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{what}: nan positions")
    infinite = np.isinf(expected) | np.isinf(actual)
    np.testing.assert_array_equal(actual[infinite], expected[infinite], err_msg=f"{what}: infinities")
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def assert_same_as_one_of(actual: np.ndarray, candidates: list[np.ndarray], rtol: float, what: str,
                          atol: float = 0.0) -> None:
    """assert_same_as_torch for at least one of the candidates (the first one's failure is shown)."""
    failures = []
    for expected in candidates:
        try:
            assert_same_as_torch(actual, expected, rtol, what, atol)
            return
        except AssertionError as failure:
            failures.append(failure)
    raise failures[0]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_value_and_gradient_at_the_edges_of_the_float_type_match_pytorch(case, dtype):
    name, params = case
    label, rtol = get_activation(name).label(params), LOOSER_RTOL.get((name, dtype), RTOL[dtype])
    x = _inputs(name, params, dtype)
    grad_output = _grad_output(name, x.shape, dtype)
    # a row's gradient is a difference (g_i - sum_j g_j f_j) that cancels: absolute error, on g's scale
    grad_atol = 0.0 if get_activation(name).elementwise else 8 * np.finfo(dtype).eps * np.abs(grad_output).max()
    value, grad = ours(name, params, x, grad_output)
    candidates = references(name, params, x, grad_output)
    for row, point in enumerate(_edge_points(dtype)):
        at = (slice(None), row) if params.get("dim") == 0 else row
        what = f"{label} at {point}"
        if (label, _point_name(point)) in LIMITS_WHERE_PYTORCH_BREAKS:
            limit_value, limit_slope = LIMITS_WHERE_PYTORCH_BREAKS[label, _point_name(point)](point)
            np.testing.assert_array_equal([value[at], grad[at]], [limit_value, limit_slope], err_msg=what)
            continue
        assert_same_as_one_of(value[at], [pair[0][at] for pair in candidates], rtol, f"{what}: value")
        if np.isnan(point):
            expected = torch_gradient_at_nan(name, params, dtype)
            assert np.array_equal(grad[at].flat[0], expected, equal_nan=True), f"{what}: gradient {grad[at]}"
        else:
            assert_same_as_one_of(grad[at], [pair[1][at] for pair in candidates], rtol, f"{what}: gradient",
                                  grad_atol)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_0d_input_value_and_gradient_match_pytorch(case, dtype):
    name, params = case
    rtol = LOOSER_RTOL.get((name, dtype), RTOL[dtype])
    for point in (-25.0, -2.5, 0.5, 25.0):  # 25 is past softplus's linear threshold
        x = np.array(point, dtype=dtype)
        grad_output = np.array(1.0, dtype=dtype)
        value, grad = ours(name, params, x, grad_output)
        candidates = references(name, params, x, grad_output)
        assert_same_as_one_of(value, [pair[0] for pair in candidates], rtol, f"{name}{params} value at {point}")
        assert_same_as_one_of(grad, [pair[1] for pair in candidates], rtol, f"{name}{params} gradient at {point}")


UPSTREAM_POINTS = np.array([-1e30, -5.0, -3.0, -2.0, -0.5, 0.0, 0.5, 2.0, 3.0, 5.0, 7.0, 1e30])


@pytest.mark.parametrize("upstream", [np.inf, -np.inf, np.nan], ids=["inf", "-inf", "nan"])
@pytest.mark.parametrize("case", [c for c in CASES if get_activation(c[0]).elementwise], ids=_case_id)
def test_infinite_or_nan_upstream_gradient_propagates_as_in_pytorch(case, upstream):
    """Where the local derivative is an exact 0 by selection (relu below 0, hardtanh outside its
    bounds...), PyTorch passes 0 whatever arrives from above; where it multiplies, inf * 0 = nan."""
    name, params = case
    grad_output = np.full(UPSTREAM_POINTS.shape, upstream)
    _, grad = ours(name, params, UPSTREAM_POINTS, grad_output)
    _, expected = theirs(name, params, UPSTREAM_POINTS, grad_output)
    for point, actual, wanted in zip(UPSTREAM_POINTS, grad, expected):
        assert_same_as_torch(np.array(actual), np.array(wanted), RTOL[np.float64],
                             f"{name}{params} gradient at {point} with {upstream} from above")


def test_one_infinite_gradient_from_above_leaves_relus_other_gradients_finite():
    x = Tensor([-1.0, 2.0], dtype=np.float64, requires_grad=True)
    F.relu(x).backward(np.array([np.inf, 1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])


# ====================================================================== softmax family


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape, dim", [((0,), 0), ((3, 0), 1), ((0, 4), 1), ((0, 4), 0)])
def test_softmax_family_over_an_empty_dim_is_empty_as_in_pytorch(name, shape, dim):
    x = Tensor(np.zeros(shape), dtype=np.float64, requires_grad=True)
    y = getattr(F, name)(x, dim=dim)
    expected = _torch_function(name)(torch.zeros(shape, dtype=torch.float64), dim=dim)
    assert y.shape == tuple(expected.shape)
    y.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_of_rows_with_the_largest_finite_values_matches_pytorch(name, dtype):
    big = np.finfo(dtype).max
    x = np.array([[big, big, 0.0], [-big, -big, 0.0], [big, -big, 1.0]], dtype=dtype)
    grad_output = np.array([[1.0, -2.0, 0.5]] * 3, dtype=dtype)
    value, grad = ours(name, {"dim": -1}, x, grad_output)
    expected_value, expected_grad = theirs(name, {"dim": -1}, x, grad_output)
    assert_same_as_torch(value, expected_value, RTOL[dtype], f"{name} value")
    assert_same_as_torch(grad, expected_grad, RTOL[dtype], f"{name} gradient", 8 * np.finfo(dtype).eps)


def test_softmin_is_the_softmax_of_minus_x(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(F.softmin(Tensor(x, dtype=np.float64), dim=1).numpy(),
                               torch.softmax(-torch.tensor(x), dim=1).numpy(), rtol=1e-14)


def test_softmin_layer_takes_dim_as_pytorchs_does(rng):
    x = rng.normal(size=(3, 4))
    layer = nn.Softmin(dim=0)
    np.testing.assert_allclose(layer(Tensor(x, dtype=np.float64)).numpy(),
                               torch.nn.Softmin(dim=0)(torch.tensor(x)).numpy(), rtol=1e-14)


KINK_CASES = [case for case in CASES if get_activation(case[0]).kinks_for(case[1])]


@pytest.mark.parametrize("case", KINK_CASES, ids=_case_id)
def test_derivative_at_a_declared_kink_is_pytorchs(case):
    name, params = case
    x = np.array(get_activation(name).kinks_for(params), dtype=np.float64)
    _, grad = ours(name, params, x, np.ones_like(x))
    np.testing.assert_allclose(grad, theirs(name, params, x, np.ones_like(x))[1], rtol=1e-15)


@pytest.mark.parametrize("name", [name for name in list_activations(learnable=True) if get_activation(name).torch_class])
def test_torch_class_is_pytorchs_layer_for_the_same_activation(name, rng):
    spec = get_activation(name)
    x = rng.normal(size=(3, 4)) * 3.0
    theirs_layer = getattr(torch.nn, spec.torch_class)(**spec.params).double()
    np.testing.assert_allclose(nn.activation_layer(name, dtype=np.float64)(Tensor(x, dtype=np.float64)).numpy(),
                               theirs_layer(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-15)
