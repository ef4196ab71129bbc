"""The activation registry: every registered activation's gradient, values, metadata and numerical
safety, and what registering a new activation gives a user.

The checks iterate over the registry, so an activation registered in tinygrad_act/activations.py is
checked by these tests without a new test (a parametrised one gets its defaults unless PARAMETERS
below lists more values).
"""

from __future__ import annotations

import inspect
import math
import pydoc
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.activations import (
    ActivationSpec,
    Registration,
    builtins,
    get_activation,
    list_activations,
    register_activation,
)
from tinygrad_act.experiments import xor
from tinygrad_act.special import erf, erfc
from tinygrad_act.viz.activation_plots import activation_curve

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# Parameter values checked beyond the defaults.
PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "leaky_relu": [{"negative_slope": 0.2}, {"negative_slope": 1.5}, {"negative_slope": 1.0},
                   {"negative_slope": -0.5}],
    "elu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "celu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "hardtanh": [{"min_val": -2.0, "max_val": 2.0}, {"min_val": -0.5, "max_val": 0.5},
                 {"min_val": -0.5, "max_val": 2.0}, {"min_val": 0.0, "max_val": 1.0}],
    "softplus": [{"beta": 2.0, "threshold": 5.0}, {"beta": 0.5, "threshold": 20.0}],
    "gelu": [{"approximate": "tanh"}],
    "softmax": [{"dim": 0}, {"dim": 1}],
    "log_softmax": [{"dim": 0}, {"dim": 1}],
}
# Checked by gradcheck only.
GRADCHECK_ONLY_PARAMETERS: dict[str, list[dict[str, Any]]] = {}

GRADCHECK_POINTS = np.array([-5.7, -3.4, -2.6, -1.9, -1.2, -0.7, -0.3, 0.2, 0.6, 1.3, 2.2, 2.8, 3.5, 5.1, 6.4])
FINE_GRID = np.linspace(-20.0, 20.0, 400001)
FAR = 1e6  # far enough out that every built-in has reached its limit in float64


def _cases(extra: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for name in list_activations():
        spec = get_activation(name)
        for params in [{}, *PARAMETERS.get(name, []), *extra.get(name, [])]:
            cases.append((name, spec.bind((), params)))
    return cases


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, params = case
    return get_activation(name).label(params)


ALL_CASES = _cases({})
GRADCHECK_CASES = _cases(GRADCHECK_ONLY_PARAMETERS)
ELEMENTWISE_CASES = [case for case in ALL_CASES if get_activation(case[0]).elementwise]
ROW_CASES = [case for case in ALL_CASES if not get_activation(case[0]).elementwise]


def _kinks(spec: ActivationSpec, params: dict[str, Any]) -> np.ndarray:
    return np.array(spec.kinks_for(params), dtype=np.float64)


def _value_and_slope(spec: ActivationSpec, x: np.ndarray, params: dict[str, Any], dtype: Any = np.float64
                     ) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and the gradient of sum(f(x)) with respect to x, through the registered backward rule."""
    inputs = Tensor(np.asarray(x, dtype=dtype), dtype=dtype, requires_grad=True)
    output = spec(inputs, **params)
    output.sum().backward()
    return output.numpy(), inputs.grad.numpy()


# ====================================================================== gradients


@pytest.mark.parametrize("case", [c for c in GRADCHECK_CASES if get_activation(c[0]).elementwise], ids=_case_id)
def test_elementwise_gradient_matches_finite_differences(case):
    name, params = case
    spec = get_activation(name)
    kinks = _kinks(spec, params)
    away = np.all(np.abs(GRADCHECK_POINTS[:, None] - kinks[None, :]) > 0.05, axis=1)
    x = Tensor(GRADCHECK_POINTS[away], dtype=np.float64, requires_grad=True)
    assert ta.gradcheck(lambda t: spec(t, **params), x)


@pytest.mark.parametrize("case", ROW_CASES, ids=_case_id)
def test_row_activation_gradient_matches_finite_differences(case, rng):
    name, params = case
    spec = get_activation(name)
    x = Tensor(rng.normal(size=(3, 4)) * 2.0, dtype=np.float64, requires_grad=True)
    assert ta.gradcheck(lambda t: spec(t, **params), x)


# ====================================================================== values at known points

E = math.e
KNOWN_VALUES = [
    ("identity", {}, -3.0, -3.0),
    ("step", {}, 0.0, 0.0),
    ("step", {}, 2.0, 1.0),
    ("step", {}, -2.0, 0.0),
    ("sigmoid", {}, 0.0, 0.5),
    ("sigmoid", {}, 2.0, 1.0 / (1.0 + math.exp(-2.0))),
    ("hardsigmoid", {}, 1.0, 1.0 / 6.0 + 0.5),
    ("hardsigmoid", {}, -4.0, 0.0),
    ("hardsigmoid", {}, 4.0, 1.0),
    ("tanh", {}, 0.5, math.tanh(0.5)),
    ("hardtanh", {}, 0.3, 0.3),
    ("hardtanh", {"min_val": -2.0, "max_val": 2.0}, 3.0, 2.0),
    ("arctan", {}, 1.0, math.pi / 4),
    ("softsign", {}, 1.0, 0.5),
    ("relu", {}, -2.0, 0.0),
    ("relu", {}, 3.0, 3.0),
    ("relu6", {}, 7.0, 6.0),
    ("leaky_relu", {}, -2.0, -0.02),
    ("leaky_relu", {"negative_slope": 0.2}, -2.0, -0.4),
    ("leaky_relu", {"negative_slope": 0.2}, 3.0, 3.0),
    ("elu", {}, -1.0, math.exp(-1.0) - 1.0),
    ("elu", {"alpha": 0.5}, -1.0, 0.5 * (math.exp(-1.0) - 1.0)),
    ("elu", {}, 2.0, 2.0),
    ("selu", {}, 1.0, SELU_SCALE),
    ("selu", {}, -1.0, SELU_SCALE * SELU_ALPHA * (math.exp(-1.0) - 1.0)),
    ("celu", {"alpha": 2.0}, -1.0, 2.0 * (math.exp(-0.5) - 1.0)),
    ("gelu", {}, 1.0, 0.8413447460685429),
    ("gelu", {}, -1.0, -0.5 * (1.0 + math.erf(-1.0 / math.sqrt(2.0)))),
    ("gelu", {"approximate": "tanh"}, 1.0,
     0.5 * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (1.0 + 0.044715)))),
    ("silu", {}, 1.0, 1.0 / (1.0 + math.exp(-1.0))),
    ("silu", {}, -2.0, -2.0 / (1.0 + math.exp(2.0))),
    ("mish", {}, 1.0, math.tanh(math.log1p(E))),
    ("softplus", {}, 1.0, math.log1p(E)),
    ("softplus", {"beta": 2.0}, 1.0, math.log1p(E**2) / 2.0),
    ("softplus", {}, 30.0, 30.0),  # beta x = 30 > threshold 20: the input itself, as in PyTorch
    ("softplus", {"beta": 2.0, "threshold": 5.0}, 2.4, math.log1p(math.exp(4.8)) / 2.0),
    ("softplus", {"beta": 2.0, "threshold": 5.0}, 2.6, 2.6),
    ("hardswish", {}, 1.0, 4.0 / 6.0),
    ("hardswish", {}, -4.0, 0.0),
    ("hardswish", {}, 4.0, 4.0),
    ("logsigmoid", {}, 1.0, -math.log1p(math.exp(-1.0))),
    ("logsigmoid", {}, -2.0, math.log(1.0 / (1.0 + math.exp(2.0)))),
]


@pytest.mark.parametrize(
    "name, params, x, expected", KNOWN_VALUES,
    ids=[f"{name}{params or ''}({x})" for name, params, x, _ in KNOWN_VALUES],
)
def test_value_at_known_point_matches_closed_form(name, params, x, expected):
    y = getattr(F, name)(Tensor([x], dtype=np.float64), **params)
    assert y.numpy()[0] == pytest.approx(expected, rel=1e-13, abs=1e-15)


def test_selu_constants_are_pytorchs_to_ten_digits():
    assert builtins.SELU_ALPHA == pytest.approx(SELU_ALPHA, rel=1e-10)
    assert builtins.SELU_SCALE == pytest.approx(SELU_SCALE, rel=1e-10)
    x = Tensor([1.0, -1e4], dtype=np.float64)
    assert F.selu(x).numpy() == pytest.approx([SELU_SCALE, -SELU_SCALE * SELU_ALPHA], rel=1e-10)


def test_softmax_and_log_softmax_match_their_definitions():
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]])
    expected = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    x = Tensor(x, dtype=np.float64)
    np.testing.assert_allclose(F.softmax(x, dim=1).numpy(), expected, rtol=1e-14)
    np.testing.assert_allclose(F.log_softmax(x, dim=1).numpy(), np.log(expected), rtol=1e-14)


def test_softmax_over_dim_0_normalises_columns():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(F.softmax(x, dim=0).numpy().sum(axis=0), np.ones(3), rtol=1e-6)


@pytest.mark.parametrize("name, params, x, slope", [
    ("relu", {}, 0.0, 0.0),
    ("step", {}, 0.0, 0.0),
    ("step", {}, 1.5, 0.0),
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2),
    ("relu6", {}, 0.0, 0.0),
    ("relu6", {}, 6.0, 0.0),
    ("hardtanh", {}, 1.0, 0.0),
    ("hardtanh", {}, -1.0, 0.0),
    ("hardsigmoid", {}, 3.0, 0.0),
    ("hardswish", {}, -3.0, 0.0),
    ("hardswish", {}, 3.0, 1.0),
    ("elu", {"alpha": 2.0}, 0.0, 2.0),
])
def test_derivative_at_a_kink_follows_pytorch(name, params, x, slope):
    _, measured = _value_and_slope(get_activation(name), [x], params)
    assert measured[0] == slope


def test_erf_matches_math_erf_to_1e_12():
    x = np.concatenate([np.linspace(-7.0, 7.0, 20001), [0.46875, -0.46875, 4.0, -4.0, 27.5, 1e-300, 0.0]])
    expected = np.array([math.erf(value) for value in x])
    assert np.max(np.abs(erf(x) - expected)) < 1e-12


def test_erfc_matches_math_erfc_in_relative_error_into_the_far_tail():
    x = np.linspace(-6.0, 26.0, 20001)
    expected = np.array([math.erfc(value) for value in x])
    assert np.max(np.abs(erfc(x) - expected) / expected) < 1e-13


# ====================================================================== metadata against measurement
#
# The rules, each measured in float64 on FINE_GRID (-20..20, step 1e-4) plus the declared kinks:
# - max_derivative is the largest |f'|: the factor by which one layer can at most grow a gradient.
# - output_range contains every output, and its bounds are reached: a finite bound is approached
#   within 1e-3 on the grid or at +-1e6, an infinite one is exceeded past 1e3 at +-1e6.
# - monotonic: f' never changes sign.
# - zero_centred: f is odd (f(-x) = -f(x), so f(0) = 0) and its range straddles 0, so a symmetric
#   zero-mean input gives a zero-mean output. ELU or leaky ReLU have f(0) = 0 and negative outputs,
#   but their mean output is positive, and they are not zero-centred.
# - saturating: on at least one side f flattens out (f' -> 0) at a non-zero level, so the unit keeps
#   sending a signal but passes back no gradient. A side that flattens at 0 (ReLU, softplus, GELU as
#   x -> -inf) is "off", not saturated, by the usual convention.
# Row activations (softmax, log_softmax) are measured on rows (x, 0): their first output and its
# derivative along x.


def _measure(spec: ActivationSpec, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.concatenate([FINE_GRID, _kinks(spec, params), [-FAR, FAR]])
    value, slope = activation_curve(spec, x, params)
    return x, value, slope


def check_max_derivative(spec: ActivationSpec, params: dict[str, Any]) -> None:
    _, _, slope = _measure(spec, params)
    measured = np.max(np.abs(slope))
    assert measured == pytest.approx(spec.max_derivative_for(params), rel=1e-3, abs=1e-12)


def check_range(spec: ActivationSpec, params: dict[str, Any]) -> None:
    _, value, _ = _measure(spec, params)
    low, high = spec.range_for(params)
    assert low - 1e-12 <= value.min() and value.max() <= high + 1e-12
    for bound, reached in ((low, value.min()), (high, value.max())):
        if math.isinf(bound):
            assert math.copysign(1.0, bound) * reached > 1e3
        else:
            assert reached == pytest.approx(bound, abs=1e-3 * (1.0 + abs(bound)))


def check_monotonic(spec: ActivationSpec, params: dict[str, Any]) -> None:
    _, _, slope = _measure(spec, params)
    never_changes_sign = bool(np.all(slope >= 0) or np.all(slope <= 0))
    assert spec.fact("monotonic", params) == never_changes_sign


def check_zero_centred(spec: ActivationSpec, params: dict[str, Any]) -> None:
    x, value, _ = _measure(spec, params)
    mirrored, _ = activation_curve(spec, -x, params)
    odd = np.allclose(mirrored, -value, rtol=1e-12, atol=1e-12)
    low, high = spec.range_for(params)
    assert spec.fact("zero_centred", params) == (odd and low < 0.0 < high)


def check_saturating(spec: ActivationSpec, params: dict[str, Any]) -> None:
    value, slope = activation_curve(spec, np.array([-FAR, FAR]), params)
    flat_at_non_zero_level = (np.abs(slope) < 1e-9) & (np.abs(value) > 1e-6)
    assert spec.fact("saturating", params) == bool(flat_at_non_zero_level.any())


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_declared_max_derivative_is_the_measured_largest_slope(case):
    name, params = case
    check_max_derivative(get_activation(name), params)


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_declared_output_range_is_the_measured_range(case):
    name, params = case
    check_range(get_activation(name), params)


@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=_case_id)
def test_declared_monotonic_flag_agrees_with_the_sign_of_the_derivative(case):
    name, params = case
    check_monotonic(get_activation(name), params)


@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=_case_id)
def test_declared_zero_centred_flag_means_odd_with_range_straddling_zero(case):
    name, params = case
    check_zero_centred(get_activation(name), params)


@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=_case_id)
def test_declared_saturating_flag_means_flat_at_a_non_zero_level(case):
    name, params = case
    check_saturating(get_activation(name), params)


def test_every_activation_states_its_formula_and_derivative():
    missing = [name for name in list_activations()
               if not (get_activation(name).formula and get_activation(name).derivative)]
    assert missing == []


# ====================================================================== numerical safety


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_of_huge_logits_is_exact(dtype):
    y = F.softmax(Tensor([900.0, 1000.0, 1000.0], dtype=dtype))
    np.testing.assert_allclose(y.numpy(), [0.0, 0.5, 0.5], atol=1e-7)
    assert y.dtype == dtype


HUGE_CASES = [(dtype, big) for dtype in (np.float32, np.float64) for big in (1e4,)] + [(np.float64, 1e30)]


@pytest.mark.parametrize("dtype, big", HUGE_CASES, ids=[f"{np.dtype(d).name}-{b:g}" for d, b in HUGE_CASES])
@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_value_and_gradient_are_finite_at_huge_inputs(case, dtype, big):
    name, params = case
    x = np.array([[-big, -1.0, 0.0, 1.0, big]])
    value, slope = _value_and_slope(get_activation(name), x, params, dtype)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(slope))


# (name, params, f(-big), f(big), f'(-big), f'(big)) as functions of big: the mathematical limits.
LIMITS = [
    ("sigmoid", {}, lambda b: (0.0, 1.0, 0.0, 0.0)),
    ("logsigmoid", {}, lambda b: (-b, 0.0, 1.0, 0.0)),
    ("softplus", {}, lambda b: (0.0, b, 0.0, 1.0)),
    ("selu", {}, lambda b: (-SELU_SCALE * SELU_ALPHA, SELU_SCALE * b, 0.0, SELU_SCALE)),
    ("elu", {}, lambda b: (-1.0, b, 0.0, 1.0)),
    ("mish", {}, lambda b: (0.0, b, 0.0, 1.0)),
    ("gelu", {}, lambda b: (0.0, b, 0.0, 1.0)),
    ("gelu", {"approximate": "tanh"}, lambda b: (0.0, b, 0.0, 1.0)),
    ("silu", {}, lambda b: (0.0, b, 0.0, 1.0)),
    ("tanh", {}, lambda b: (-1.0, 1.0, 0.0, 0.0)),
]


@pytest.mark.parametrize("dtype, big", HUGE_CASES, ids=[f"{np.dtype(d).name}-{b:g}" for d, b in HUGE_CASES])
@pytest.mark.parametrize("name, params, limits", LIMITS, ids=[f"{n}{p or ''}" for n, p, _ in LIMITS])
def test_value_and_gradient_at_huge_inputs_equal_the_limits(name, params, limits, dtype, big):
    value, slope = _value_and_slope(get_activation(name), [-big, big], params, dtype)
    low_value, high_value, low_slope, high_slope = limits(big)
    np.testing.assert_allclose(value, [low_value, high_value], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(slope, [low_slope, high_slope], rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("dtype, big", HUGE_CASES, ids=[f"{np.dtype(d).name}-{b:g}" for d, b in HUGE_CASES])
def test_softmax_and_log_softmax_at_huge_inputs_equal_the_limits(dtype, big):
    x = Tensor([-big, 0.0, big], dtype=dtype, requires_grad=True)
    np.testing.assert_allclose(F.softmax(x).numpy(), [0.0, 0.0, 1.0], atol=1e-30)
    log_probabilities = F.log_softmax(x)
    np.testing.assert_allclose(log_probabilities.numpy(), [-2 * big, -big, 0.0], rtol=1e-6)
    log_probabilities.sum().backward()  # d/dx_j sum_i log_softmax_i = 1 - 3 softmax_j
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0, -2.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_output_and_gradient_keep_the_input_dtype(case, dtype):
    name, params = case
    value, slope = _value_and_slope(get_activation(name), [[-1.5, 0.5, 2.0]], params, dtype)
    assert (value.dtype, slope.dtype) == (dtype, dtype)


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_nan_input_gives_nan_output_without_an_exception(case):
    name, params = case
    spec = get_activation(name)
    value, _ = _value_and_slope(spec, [[np.nan, 1.0]], params)
    if name == "step":  # a comparison with 0 is False for NaN: 0, as torch.heaviside(nan, 0)
        assert value[0, 0] == 0.0
    else:
        assert np.isnan(value[0, 0])
    assert spec.elementwise is False or np.isfinite(value[0, 1])


# ====================================================================== registering an activation


def _wrong_swish_backward(x: np.ndarray, y: np.ndarray, grad_output: np.ndarray, beta: float) -> np.ndarray:
    return grad_output * (0.5 + 0.5 * np.tanh(0.5 * beta * x))  # forgets the product rule's second term


SWISH_FACTS = dict(
    formula=r"f(x) = x\,\sigma(\beta x)", derivative=r"\sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))",
    output_range=lambda p: (-0.27846454276107380 / p["beta"], math.inf), zero_centred=False, monotonic=False,
    saturating=False, max_derivative=1.0998393194986660,
)


@pytest.fixture
def scaled_swish(swish_rules) -> Iterator[Registration]:
    registration = register_activation("scaled_swish", swish_rules.forward, backward=swish_rules.backward,
                                       params={"beta": 1.0}, **SWISH_FACTS)
    yield registration
    registration.remove()


def test_registered_activation_is_a_functional(scaled_swish):
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(F.scaled_swish(Tensor(x), beta=2.0).numpy(), x / (1 + np.exp(-2 * x)), rtol=1e-6)


def test_registered_activation_is_a_tensor_method(scaled_swish):
    x = Tensor([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(x.scaled_swish(2.0).numpy(), F.scaled_swish(x, beta=2.0).numpy())


def test_registered_activation_is_an_nn_activation_with_its_parameters(scaled_swish):
    x = Tensor([-1.0, 0.5, 2.0])
    layer = nn.Activation("scaled_swish", beta=2.0)
    np.testing.assert_array_equal(layer(x).numpy(), F.scaled_swish(x, beta=2.0).numpy())
    assert layer.params == {"beta": 2.0}


def test_registered_activation_gets_an_nn_class(scaled_swish):
    x = Tensor([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(nn.ScaledSwish(beta=2.0)(x).numpy(), F.scaled_swish(x, beta=2.0).numpy())


def test_registered_activation_is_listed_last(scaled_swish):
    assert list_activations()[-1] == "scaled_swish"


@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0])
def test_registered_activation_passes_gradcheck(scaled_swish, beta):
    x = Tensor(GRADCHECK_POINTS, dtype=np.float64, requires_grad=True)
    assert ta.gradcheck(lambda t: F.scaled_swish(t, beta=beta), x)


@pytest.mark.parametrize("beta", [0.5, 3.0])
def test_registered_activation_passes_the_metadata_checks(scaled_swish, beta):
    params = {"beta": beta}
    for check in (check_max_derivative, check_range, check_monotonic, check_zero_centred, check_saturating):
        check(scaled_swish, params)


def test_gradcheck_catches_a_wrong_backward_rule(scratch_names, swish_rules):
    scratch_names.append("wrong_swish")
    register_activation("wrong_swish", swish_rules.forward, backward=_wrong_swish_backward, params={"beta": 1.0})
    x = Tensor([-1.0, 0.5, 2.0], dtype=np.float64, requires_grad=True)
    with pytest.raises(ta.GradcheckError, match="is wrong at element"):
        ta.gradcheck(F.wrong_swish, x)


def test_decorator_form_takes_the_name_from_the_function(scratch_names):
    scratch_names.append("cube")

    @register_activation(backward=lambda x, y, grad_output: grad_output * 3.0 * x * x)
    def cube(x):
        return x**3

    assert get_activation("cube") is cube.spec
    assert cube.formula == "" and cube(Tensor([2.0])).item() == 8.0
    assert Tensor([2.0]).cube().item() == 8.0


def test_bare_decorator_asks_for_a_backward_rule():
    with pytest.raises(TypeError, match="give the backward rule"):
        register_activation(lambda x: x)


def test_registering_a_taken_name_raises_unless_replace(scaled_swish, swish_rules):
    with pytest.raises(ValueError, match="'scaled_swish' is already registered; pass replace=True"):
        register_activation("scaled_swish", swish_rules.forward, backward=swish_rules.backward, params={"beta": 1.0})


def test_replace_redefines_the_functional_method_and_layer(scaled_swish, scratch_names):
    scratch_names.append("scaled_swish")  # the redefinition, removed after the test
    register_activation("scaled_swish", lambda x: 2.0 * x, backward=lambda x, y, grad_output: 2.0 * grad_output,
                        saves="none", replace=True)
    x = Tensor([1.5])
    assert (F.scaled_swish(x).item(), x.scaled_swish().item(), nn.ScaledSwish()(x).item()) == (3.0, 3.0, 3.0)


def test_a_name_that_is_not_an_identifier_is_refused():
    with pytest.raises(ValueError, match="'my-act' is not a Python identifier"):
        register_activation("my-act", lambda x: x, backward=lambda x, y, grad_output: grad_output)


def test_a_name_that_would_replace_a_tensor_method_is_refused():
    with pytest.raises(ValueError, match="would replace the Tensor method Tensor.sum"):
        register_activation("sum", lambda x: x, backward=lambda x, y, grad_output: grad_output)
    assert Tensor([1.0, 2.0]).sum().item() == 3.0


def test_an_unknown_saves_value_is_refused():
    with pytest.raises(ValueError, match="saves must be input, output, both or none"):
        register_activation("noop", lambda x: x, backward=lambda x, y, grad_output: grad_output, saves="x")


def test_unknown_name_error_lists_the_registered_names():
    with pytest.raises(ValueError, match="unknown activation 'relu7'") as error:
        get_activation("relu7")
    assert all(name in str(error.value) for name in list_activations())


def test_unexpected_parameter_error_names_the_valid_parameters():
    with pytest.raises(TypeError, match="unexpected parameter 'slope'; its parameters are: negative_slope"):
        F.leaky_relu(Tensor([1.0]), slope=0.2)


def test_too_many_positional_parameters_error_says_how_many_there_are():
    with pytest.raises(TypeError, match=r"relu\(\) takes 0 parameter\(s\) \(none\), got 1 positional"):
        F.relu(Tensor([1.0]), 0.2)


# ====================================================================== generated surfaces and their undo


def test_functional_signature_shows_the_parameters_and_their_defaults():
    assert str(inspect.signature(F.leaky_relu)) == "(input, negative_slope=0.01)"
    assert str(inspect.signature(F.softplus)) == "(input, beta=1.0, threshold=20.0)"


def test_tensor_method_signature_shows_self_and_the_parameters():
    assert str(inspect.signature(Tensor.leaky_relu)) == "(self, negative_slope=0.01)"


def test_nn_class_signature_takes_the_parameters_and_pytorchs_inplace():
    assert str(inspect.signature(nn.LeakyReLU)) == "(negative_slope=0.01, *, inplace=False)"


@pytest.mark.parametrize("surface", [F.relu, Tensor.relu, nn.ReLU], ids=["F", "Tensor", "nn"])
def test_help_shows_the_formula_and_the_note_not_the_spec_class(surface):
    text = pydoc.render_doc(surface, renderer=pydoc.plaintext)
    spec = get_activation("relu")
    assert spec.formula in text and "dying ReLU" in text and spec.derivative in text
    assert "One registered activation" not in text


def test_remove_undoes_every_surface(scaled_swish):
    scaled_swish.remove()
    assert "scaled_swish" not in list_activations()
    assert not hasattr(F, "scaled_swish") and not hasattr(Tensor, "scaled_swish")
    assert not hasattr(nn, "ScaledSwish")
    with pytest.raises(ValueError, match="unknown activation 'scaled_swish'"):
        nn.Activation("scaled_swish")


def test_a_removed_name_is_refused_as_a_command_line_activation(scaled_swish):
    assert xor.Settings(activation="scaled_swish").activation == "scaled_swish"
    scaled_swish.remove()
    with pytest.raises(ValueError, match="unknown activation 'scaled_swish'"):
        xor.Settings(activation="scaled_swish")


def test_remove_leaves_a_redefinition_alone(scaled_swish, scratch_names):
    scratch_names.append("scaled_swish")  # the redefinition, removed after the test
    redefined = register_activation("scaled_swish", lambda x: 2.0 * x, replace=True, saves="none",
                                    backward=lambda x, y, grad_output: 2.0 * grad_output)
    scaled_swish.remove()
    assert get_activation("scaled_swish") is redefined.spec
    assert F.scaled_swish(Tensor([1.5])).item() == 3.0


def test_a_refused_name_leaves_no_trace():
    with pytest.raises(ValueError, match="would replace F.linear"):
        register_activation("linear", lambda x: x, backward=lambda x, y, grad_output: grad_output)
    assert "linear" not in list_activations() and "linear" not in vars(Tensor)


def test_forward_rule_declares_its_parameters_in_its_signature(scratch_names):
    scratch_names.append("shifted_swish")

    @register_activation(backward=lambda x, y, grad_output, beta=1.0, shift=0.0: grad_output)
    def shifted_swish(x, beta=1.0, shift=0.0):
        return x / (1 + np.exp(-beta * x)) + shift

    assert shifted_swish.params == {"beta": 1.0, "shift": 0.0}
    assert str(inspect.signature(F.shifted_swish)) == "(input, beta=1.0, shift=0.0)"
    assert F.shifted_swish(Tensor([0.0]), 2.0, shift=3.0).item() == 3.0


def test_a_forward_parameter_without_a_default_needs_params():
    with pytest.raises(TypeError, match="beta have no default"):
        register_activation("no_default", lambda x, beta: x * beta, backward=lambda x, y, grad_output, beta: grad_output)
    assert "no_default" not in list_activations()


# ====================================================================== facts for other layers


def test_prelu_is_registered_as_a_learnable_layer():
    spec = get_activation("prelu")
    assert spec.learnable and spec.torch_class == "PReLU" and spec.init_family == "kaiming"
    assert "prelu" in list_activations(learnable=True) and "prelu" not in list_activations()
    assert not hasattr(F, "prelu") and not hasattr(Tensor, "prelu")


def test_prelu_as_a_plain_activation_layer_points_to_its_class():
    with pytest.raises(ValueError, match="nn.PReLU"):
        nn.Activation("prelu")


def test_prelu_is_a_command_line_activation():
    assert xor.Settings(activation="prelu").activation == "prelu"


def test_every_builtin_init_family_is_known():
    assert {get_activation(name).init_family for name in list_activations(learnable=True)} == {
        "kaiming", "lecun", "xavier"}


def test_an_unknown_init_family_is_refused():
    with pytest.raises(ValueError, match="init_family must be one of kaiming, lecun, xavier"):
        register_activation("odd", lambda x: x, backward=lambda x, y, grad_output: grad_output, init_family="he")
    assert "odd" not in list_activations()


@pytest.mark.parametrize("case", [c for c in ELEMENTWISE_CASES if get_activation(c[0]).kinks_for(c[1])], ids=_case_id)
def test_declared_kinks_are_where_the_function_or_its_derivative_jumps(case):
    """Just either side of each declared kink f or f' differs by more than the step itself explains:
    a kink is not made up (softplus's threshold, where sigmoid(threshold) and 1 differ by e^-20)."""
    name, params = case
    spec = get_activation(name)
    for kink in spec.kinks_for(params):
        values, slopes = _value_and_slope(spec, [kink - 1e-6, kink + 1e-6], params)
        assert slopes[0] != slopes[1] or abs(values[1] - values[0]) > 1e-3, f"{_case_id(case)}: no jump at {kink}"
