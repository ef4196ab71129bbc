"""nn.init: PyTorch's gain table and the std each initialisation promises, measured on large samples."""

import math

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn
from tinygrad_act.nn import init


def weight(out_features: int, in_features: int, dtype=np.float32) -> ta.Tensor:
    return nn.Parameter(np.zeros((out_features, in_features)), dtype=dtype)


@pytest.mark.parametrize(
    ("nonlinearity", "expected"),
    [("linear", 1.0), ("identity", 1.0), ("conv2d", 1.0), ("sigmoid", 1.0), ("tanh", 5.0 / 3.0),
     ("relu", math.sqrt(2.0)), ("selu", 0.75)],
)
def test_calculate_gain_matches_pytorch_table(nonlinearity, expected):
    assert init.calculate_gain(nonlinearity) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_leaky_relu_defaults_to_slope_0_01():
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2.0 / (1.0 + 0.01**2)))


def test_calculate_gain_leaky_relu_uses_given_slope():
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2.0 / 1.04))


def test_calculate_gain_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swishy'.*tanh.*relu"):
        init.calculate_gain("swishy")


def test_fan_in_is_dim_1_and_fan_out_dim_0_of_an_out_in_weight():
    assert init.calculate_fan_in_and_fan_out(weight(30, 7)) == (7, 30)


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        init.calculate_fan_in_and_fan_out(nn.Parameter(np.zeros(5)))


def test_xavier_uniform_bound_and_std():
    ta.manual_seed(0)
    w = init.xavier_uniform_(weight(400, 600), gain=2.0)
    bound = 2.0 * math.sqrt(6.0 / 1000)
    assert np.abs(w.data).max() <= bound
    assert w.data.std() == pytest.approx(bound / math.sqrt(3.0), rel=0.02)


def test_xavier_normal_std():
    ta.manual_seed(0)
    w = init.xavier_normal_(weight(400, 600))
    assert w.data.std() == pytest.approx(math.sqrt(2.0 / 1000), rel=0.02)
    assert abs(w.data.mean()) < 1e-3


def test_kaiming_uniform_default_is_leaky_relu_with_a_0():
    ta.manual_seed(0)
    w = init.kaiming_uniform_(weight(300, 500))
    std = math.sqrt(2.0) / math.sqrt(500)
    assert np.abs(w.data).max() <= math.sqrt(3.0) * std
    assert w.data.std() == pytest.approx(std, rel=0.02)


def test_kaiming_normal_fan_out_mode_with_relu():
    ta.manual_seed(0)
    w = init.kaiming_normal_(weight(300, 500), mode="fan_out", nonlinearity="relu")
    assert w.data.std() == pytest.approx(math.sqrt(2.0 / 300), rel=0.02)


def test_kaiming_normal_with_leaky_slope():
    ta.manual_seed(0)
    w = init.kaiming_normal_(weight(300, 500), a=0.5)
    assert w.data.std() == pytest.approx(math.sqrt(2.0 / 1.25) / math.sqrt(500), rel=0.02)


def test_kaiming_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal_(weight(3, 4), mode="fan_avg")


def test_lecun_normal_std_is_one_over_sqrt_fan_in():
    ta.manual_seed(0)
    w = init.lecun_normal_(weight(300, 400))
    assert w.data.std() == pytest.approx(1.0 / 20.0, rel=0.02)


def test_normal_and_uniform_use_their_arguments():
    ta.manual_seed(0)
    normal = init.normal_(weight(200, 500), mean=3.0, std=0.5)
    uniform = init.uniform_(weight(200, 500), a=-2.0, b=4.0)
    assert normal.data.mean() == pytest.approx(3.0, abs=0.01)
    assert normal.data.std() == pytest.approx(0.5, rel=0.02)
    assert uniform.data.min() >= -2.0 and uniform.data.max() <= 4.0
    assert uniform.data.std() == pytest.approx(6.0 / math.sqrt(12.0), rel=0.02)


def test_constant_zeros_and_ones_fill():
    w = weight(2, 3)
    assert np.all(init.constant_(w, 0.3).data == np.float32(0.3))
    assert np.all(init.ones_(w).data == 1.0)
    assert np.all(init.zeros_(w).data == 0.0)


def test_init_works_in_place_and_returns_the_tensor():
    w = weight(4, 5, dtype=np.float64)
    array = w.data
    assert init.xavier_uniform_(w) is w
    assert w.data is array
    assert w.dtype == np.float64


def test_manual_seed_makes_init_reproducible():
    ta.manual_seed(7)
    first = init.kaiming_normal_(weight(5, 5)).data.copy()
    ta.manual_seed(7)
    second = init.kaiming_normal_(weight(5, 5)).data
    np.testing.assert_array_equal(first, second)
