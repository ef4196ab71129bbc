"""Activation layers: the PyTorch-named classes with PyTorch's constructor arguments, nn.Activation,
and the layers with parameters, PReLU and Maxout."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.activations import get_activation, list_activations

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PYTORCH_CLASS_NAMES = {
    "identity": "Identity", "sigmoid": "Sigmoid", "hardsigmoid": "Hardsigmoid", "tanh": "Tanh",
    "hardtanh": "Hardtanh", "softsign": "Softsign", "relu": "ReLU", "relu6": "ReLU6",
    "leaky_relu": "LeakyReLU", "elu": "ELU", "selu": "SELU", "celu": "CELU", "gelu": "GELU",
    "silu": "SiLU", "hardswish": "Hardswish", "mish": "Mish", "softplus": "Softplus",
    "logsigmoid": "LogSigmoid", "softmax": "Softmax", "log_softmax": "LogSoftmax", "softmin": "Softmin",
}

X = np.array([[-3.0, -0.5, 0.0], [0.25, 1.5, 4.0]])


def _input() -> Tensor:
    return Tensor(X, dtype=np.float64)


@pytest.mark.parametrize("name, class_name", PYTORCH_CLASS_NAMES.items())
def test_pytorch_class_computes_the_functional(name, class_name):
    layer = getattr(nn, class_name)()
    np.testing.assert_array_equal(layer(_input()).numpy(), getattr(F, name)(_input()).numpy())


@pytest.mark.parametrize("name, class_name", PYTORCH_CLASS_NAMES.items())
def test_registry_records_pytorchs_class_name(name, class_name):
    assert get_activation(name).torch_class == class_name


@pytest.mark.parametrize("name, class_name", [("step", "Step"), ("arctan", "Arctan")])
def test_an_activation_pytorch_lacks_gets_a_camel_case_class(name, class_name):
    assert get_activation(name).torch_class is None
    assert getattr(nn, class_name)()(_input()).numpy() == pytest.approx(getattr(F, name)(_input()).numpy())


def test_prelu_layer_comes_from_the_registry_as_its_learnable_layer():
    layer = nn.activation_layer("prelu", 2, init=0.1)
    assert isinstance(layer, nn.PReLU) and layer.weight.numpy() == pytest.approx([0.1, 0.1])


@pytest.mark.parametrize("name", list_activations())
def test_every_registered_activation_is_an_nn_activation(name):
    np.testing.assert_array_equal(nn.Activation(name)(_input()).numpy(), getattr(F, name)(_input()).numpy())


def test_leaky_relu_takes_the_slope_positionally():
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(_input()).numpy(), np.where(X > 0, X, 0.2 * X))


def test_elu_takes_alpha_by_keyword():
    np.testing.assert_allclose(nn.ELU(alpha=0.5)(_input()).numpy(), np.where(X > 0, X, 0.5 * np.expm1(X)))


def test_softmax_normalises_along_the_given_dim():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4) / 10.0)
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).numpy().sum(axis=1), np.ones((2, 4)), rtol=1e-6)


def test_hardtanh_takes_both_bounds_positionally():
    np.testing.assert_array_equal(nn.Hardtanh(-2, 2)(_input()).numpy(), np.clip(X, -2, 2))


def test_gelu_tanh_approximation_is_the_tanh_formula():
    expected = 0.5 * X * (1 + np.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X**3)))
    np.testing.assert_allclose(nn.GELU(approximate="tanh")(_input()).numpy(), expected, rtol=1e-14)


def test_gelu_defaults_to_the_exact_form():
    expected = [0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in X.ravel()]
    np.testing.assert_allclose(nn.GELU()(_input()).numpy().ravel(), expected, rtol=1e-14, atol=1e-300)


def test_relu_accepts_inplace_and_leaves_its_input_unchanged():
    x = _input()
    y = nn.ReLU(inplace=True)(x)
    np.testing.assert_array_equal(y.numpy(), np.maximum(X, 0))
    np.testing.assert_array_equal(x.numpy(), X)


def test_activation_layer_repr_shows_its_parameters():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Activation("elu", alpha=0.5)) == "Activation('elu(0.5)')"


def test_activation_layer_has_no_parameters():
    assert list(nn.LeakyReLU(0.2).parameters()) == []


def test_unknown_parameter_of_a_layer_names_the_valid_ones():
    with pytest.raises(TypeError, match="unexpected parameter 'slope'; its parameters are: negative_slope"):
        nn.LeakyReLU(slope=0.2)


def test_unknown_activation_layer_lists_the_registered_names():
    with pytest.raises(ValueError, match="unknown activation 'swishy'; registered: identity, step"):
        nn.Activation("swishy")


# ====================================================================== PReLU


def test_prelu_starts_with_one_slope_of_a_quarter():
    layer = nn.PReLU()
    np.testing.assert_array_equal(layer.weight.numpy(), [0.25])
    np.testing.assert_allclose(layer(_input()).numpy(), np.where(X > 0, X, 0.25 * X), rtol=1e-6)


def test_prelu_slope_gradient_is_the_sum_of_the_non_positive_inputs():
    layer = nn.PReLU(dtype=np.float64)
    layer(_input()).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [X[X <= 0].sum()])


def test_prelu_passes_gradcheck_for_input_and_slope():
    layer = nn.PReLU(init=0.3, dtype=np.float64)
    x = Tensor(X + 0.1, dtype=np.float64, requires_grad=True)  # away from the kink at 0

    def prelu_with(inputs: Tensor, slope: Tensor) -> Tensor:
        layer.weight = slope
        return layer(inputs)

    assert ta.gradcheck(prelu_with, [x, layer.weight])


def test_per_channel_prelu_gives_each_channel_of_dim_1_its_own_slope(rng):
    x = rng.normal(size=(4, 3, 5))
    layer = nn.PReLU(num_parameters=3, dtype=np.float64)
    layer.weight.data[:] = [0.1, 0.2, 0.3]
    y = layer(Tensor(x, dtype=np.float64, requires_grad=True))
    slopes = np.array([0.1, 0.2, 0.3]).reshape(1, 3, 1)
    np.testing.assert_allclose(y.numpy(), np.where(x > 0, x, slopes * x))


def test_per_channel_prelu_slope_gradients_sum_over_their_channel(rng):
    x = rng.normal(size=(4, 3, 5))
    layer = nn.PReLU(num_parameters=3, dtype=np.float64)
    layer(Tensor(x, dtype=np.float64)).sum().backward()
    expected = [x[:, c][x[:, c] <= 0].sum() for c in range(3)]
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected)


def test_per_channel_prelu_passes_gradcheck(rng):
    layer = nn.PReLU(num_parameters=3, dtype=np.float64)
    x = Tensor(rng.normal(size=(2, 3, 2)), dtype=np.float64, requires_grad=True)
    slope = Tensor([0.1, 0.2, 0.3], dtype=np.float64, requires_grad=True)

    def prelu_with(inputs: Tensor, weight: Tensor) -> Tensor:
        layer.weight = weight
        return layer(inputs)

    assert ta.gradcheck(prelu_with, [x, slope])


def test_per_channel_prelu_rejects_a_wrong_channel_count():
    with pytest.raises(ValueError, match=r"PReLU: 3 slopes need inputs with 3 channels in dim 1, got shape \(2, 4\)"):
        nn.PReLU(num_parameters=3)(Tensor(np.ones((2, 4))))


# ====================================================================== Maxout


def _maxout_numpy(layer: nn.Maxout, x: np.ndarray) -> np.ndarray:
    z = x @ layer.linear.weight.numpy().T + layer.linear.bias.numpy()
    return z.reshape(x.shape[0], layer.out_features, layer.pieces).max(axis=-1)


def test_maxout_output_has_out_features(seeded):
    assert nn.Maxout(3, 2, pieces=4)(Tensor(np.ones((5, 3)))).shape == (5, 2)


def test_maxout_is_the_max_over_pieces_of_linear_maps(seeded, rng):
    layer = nn.Maxout(3, 2, pieces=4, dtype=np.float64)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(layer(Tensor(x, dtype=np.float64)).numpy(), _maxout_numpy(layer, x), rtol=1e-14)


def test_maxout_passes_gradcheck_for_input_weight_and_bias(seeded, rng):
    layer = nn.Maxout(3, 2, pieces=3, dtype=np.float64)
    x = Tensor(rng.normal(size=(4, 3)), dtype=np.float64, requires_grad=True)

    def maxout_with(inputs: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        layer.linear.weight, layer.linear.bias = weight, bias
        return layer(inputs)

    assert ta.gradcheck(maxout_with, [x, layer.linear.weight, layer.linear.bias])


def test_maxout_sends_gradient_only_to_the_winning_piece(seeded, rng):
    layer = nn.Maxout(3, 2, pieces=4, dtype=np.float64)
    x = rng.normal(size=(1, 3))
    layer(Tensor(x, dtype=np.float64)).sum().backward()
    z = (x @ layer.linear.weight.numpy().T + layer.linear.bias.numpy()).reshape(2, 4)
    winners = np.zeros((2, 4), dtype=bool)
    winners[np.arange(2), z.argmax(axis=1)] = True
    weight_grad = layer.linear.weight.grad.numpy().reshape(2, 4, 3)
    np.testing.assert_array_equal(weight_grad[~winners], 0.0)
    np.testing.assert_allclose(weight_grad[winners], np.repeat(x, 2, axis=0))
    np.testing.assert_array_equal(layer.linear.bias.grad.numpy().reshape(2, 4), winners.astype(float))


def test_maxout_needs_at_least_one_piece():
    with pytest.raises(ValueError, match="Maxout: pieces must be at least 1, got 0"):
        nn.Maxout(3, 2, pieces=0)
