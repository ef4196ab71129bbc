"""nn layers: Sequential, Dropout, Flatten, BatchNorm1d, MLP and nn.utils.clip_grad_norm_ (nn.Linear: test_linear.py)."""

import math
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn
from tinygrad_act.activations import register_activation

torch = pytest.importorskip("torch")


def float64(values, requires_grad=False) -> ta.Tensor:
    return ta.tensor(np.asarray(values, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


# ---------------------------------------------------------------- Sequential


def test_sequential_applies_layers_in_order():
    first, second = nn.Linear(3, 4), nn.Linear(4, 2)
    model = nn.Sequential(first, nn.ReLU(), second)
    x = ta.randn(5, 3)
    np.testing.assert_array_equal(model(x).data, second(first(x).relu()).data)


def test_sequential_state_dict_keys_are_positions():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_indexing_len_and_iteration():
    layers = [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers


def test_sequential_slice_is_a_sequential_of_the_same_layers():
    layers = [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)]
    head = nn.Sequential(*layers)[:2]
    assert isinstance(head, nn.Sequential)
    assert list(head) == layers[:2]


def test_sequential_index_out_of_range_names_the_length():
    with pytest.raises(IndexError, match="index 3 is out of range for 2 layers"):
        nn.Sequential(nn.Tanh(), nn.ReLU())[3]


def test_sequential_from_ordered_dict_uses_its_names():
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("out", nn.Linear(3, 1))]))
    assert list(model.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def test_sequential_append_names_by_position():
    model = nn.Sequential(nn.Linear(2, 3)).append(nn.Linear(3, 1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="layer 1 is a function, not an nn.Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


# ---------------------------------------------------------------- Dropout


def test_dropout_in_training_zeroes_about_p_and_scales_the_rest():
    ta.manual_seed(0)
    x = ta.ones(200, 500)
    y = nn.Dropout(0.3)(x).data
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.7)}
    assert (y == 0).mean() == pytest.approx(0.3, abs=0.01)


def test_dropout_gradient_is_the_scaled_mask():
    ta.manual_seed(1)
    x = ta.ones(4, 6, requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)


def test_dropout_in_eval_is_identity():
    x = ta.randn(4, 6)
    layer = nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(layer(x).data, x.data)


def test_dropout_is_reproducible_with_manual_seed():
    x = ta.ones(10, 10)
    ta.manual_seed(3)
    first = nn.Dropout(0.5)(x).data
    ta.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, first)


def test_dropout_rejects_p_outside_0_1():
    with pytest.raises(ValueError, match="p must be between 0 and 1, got 1.5"):
        nn.Dropout(1.5)


# ---------------------------------------------------------------- Flatten


def test_flatten_keeps_the_batch_dim_by_default():
    assert nn.Flatten()(ta.zeros(2, 3, 4, 5)).shape == (2, 60)


def test_flatten_merges_only_the_chosen_dims():
    assert nn.Flatten(start_dim=1, end_dim=2)(ta.zeros(2, 3, 4, 5)).shape == (2, 12, 5)


def test_flatten_gradient_has_the_input_shape():
    x = ta.randn(2, 3, 4, requires_grad=True)
    nn.Flatten()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3, 4)))


# ---------------------------------------------------------------- BatchNorm1d


def batchnorm_by_hand(x, weight, bias, eps=1e-5, dims=(0,)):
    shape = [1] * x.ndim
    shape[1] = -1
    mean = x.mean(axis=dims, keepdims=True)
    variance = x.var(axis=dims, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight.reshape(shape) + bias.reshape(shape)


def random_batchnorm(num_features, dtype=np.float64, **kwargs):
    layer = nn.BatchNorm1d(num_features, dtype=dtype, **kwargs)
    rng = np.random.default_rng(0)
    layer.weight.data[...] = rng.uniform(0.5, 2.0, num_features)
    layer.bias.data[...] = rng.normal(size=num_features)
    return layer


def test_batchnorm_training_normalises_with_batch_statistics():
    x = np.random.default_rng(1).normal(3.0, 2.0, (8, 4))
    layer = random_batchnorm(4)
    expected = batchnorm_by_hand(x, layer.weight.data, layer.bias.data)
    np.testing.assert_allclose(layer(float64(x)).data, expected, rtol=1e-12, atol=1e-12)


def test_batchnorm_3d_input_normalises_over_batch_and_length():
    x = np.random.default_rng(2).normal(size=(5, 3, 7))
    layer = random_batchnorm(3)
    expected = batchnorm_by_hand(x, layer.weight.data, layer.bias.data, dims=(0, 2))
    np.testing.assert_allclose(layer(float64(x)).data, expected, rtol=1e-12, atol=1e-12)


def test_batchnorm_running_var_uses_unbiased_variance():
    x = np.random.default_rng(3).normal(1.0, 3.0, (6, 2))
    layer = random_batchnorm(2, momentum=0.1)
    layer(float64(x))
    np.testing.assert_allclose(layer.running_mean.data, 0.1 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-12)
    assert int(layer.num_batches_tracked.data) == 1


def test_batchnorm_momentum_none_takes_the_cumulative_average():
    rng = np.random.default_rng(4)
    first, second = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    layer = random_batchnorm(2, momentum=None)
    layer(float64(first))
    layer(float64(second))
    expected = (first.mean(axis=0) + second.mean(axis=0)) / 2
    np.testing.assert_allclose(layer.running_mean.data, expected, rtol=1e-12)


def test_batchnorm_eval_normalises_with_running_statistics():
    layer = random_batchnorm(3)
    layer.running_mean.data[...] = [1.0, -2.0, 0.5]
    layer.running_var.data[...] = [4.0, 0.25, 1.0]
    x = np.random.default_rng(5).normal(size=(4, 3))
    expected = ((x - layer.running_mean.data) / np.sqrt(layer.running_var.data + 1e-5) * layer.weight.data
                + layer.bias.data)
    np.testing.assert_allclose(layer.eval()(float64(x)).data, expected, rtol=1e-12)


def test_batchnorm_eval_does_not_update_running_statistics():
    layer = random_batchnorm(3).eval()
    layer(ta.randn(4, 3))
    np.testing.assert_array_equal(layer.running_mean.data, np.zeros(3))
    assert int(layer.num_batches_tracked.data) == 0


def test_batchnorm_without_running_stats_always_uses_the_batch():
    layer = random_batchnorm(2, track_running_stats=False).eval()
    x = np.random.default_rng(6).normal(size=(5, 2))
    expected = batchnorm_by_hand(x, layer.weight.data, layer.bias.data)
    np.testing.assert_allclose(layer(float64(x)).data, expected, rtol=1e-12)
    assert list(layer.state_dict()) == ["weight", "bias"]


def test_batchnorm_state_dict_holds_parameters_and_buffers():
    keys = list(nn.BatchNorm1d(3).state_dict())
    assert keys == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def test_batchnorm_gradients_pass_gradcheck_in_float64():
    layer = random_batchnorm(3)

    def forward(x, weight, bias):
        layer.weight, layer.bias = weight, bias
        return layer(x)

    x = ta.tensor(np.random.default_rng(7).normal(size=(5, 3)), requires_grad=True)
    weight = ta.tensor(layer.weight.data.copy(), requires_grad=True)
    bias = ta.tensor(layer.bias.data.copy(), requires_grad=True)
    assert ta.gradcheck(forward, (x, weight, bias))


def test_batchnorm_eval_gradient_passes_gradcheck():
    layer = random_batchnorm(2).eval()
    layer.running_var.data[...] = [0.5, 2.0]
    x = ta.tensor(np.random.default_rng(8).normal(size=(4, 2, 3)), requires_grad=True)
    assert ta.gradcheck(layer, x)


def test_batchnorm_training_needs_more_than_one_value_per_feature():
    with pytest.raises(ValueError, match=r"more than 1 value per feature.*\(1, 3\)"):
        nn.BatchNorm1d(3)(ta.zeros(1, 3))


def test_batchnorm_wrong_feature_count_names_both_shapes():
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\).*got \(4, 5\)"):
        nn.BatchNorm1d(3)(ta.zeros(4, 5))


# ---------------------------------------------------------------- MLP


def test_mlp_alternates_linear_and_activation_without_a_final_activation():
    model = nn.MLP([2, 8, 8, 1], activation="tanh")
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Linear", "Activation", "Linear", "Activation", "Linear"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]


def test_mlp_forward_matches_numpy():
    model = nn.MLP([3, 5, 2], activation="relu", bias_init=None)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    hidden = np.maximum(x @ model[0].weight.data.T + model[0].bias.data, 0)
    expected = hidden @ model[2].weight.data.T + model[2].bias.data
    np.testing.assert_allclose(model(float64(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_mlp_exposes_its_activation_and_parameters():
    model = nn.MLP([2, 4, 1], activation="leaky_relu", negative_slope=0.2)
    assert model.activation == "leaky_relu"
    assert model.activation_params == {"negative_slope": 0.2}
    assert model[1].params == {"negative_slope": 0.2}


@pytest.mark.parametrize(
    ("activation", "expected_init"),
    [("relu", "kaiming_normal"), ("leaky_relu", "kaiming_normal"), ("gelu", "kaiming_normal"),
     ("silu", "kaiming_normal"), ("elu", "kaiming_normal"), ("selu", "lecun_normal"),
     ("tanh", "xavier_uniform"), ("sigmoid", "xavier_uniform"), ("identity", "xavier_uniform")],
)
def test_mlp_auto_init_suits_the_activation(activation, expected_init):
    assert nn.MLP([2, 3, 1], activation=activation).init == expected_init


@pytest.mark.parametrize(
    ("activation", "params", "expected_std"),
    [("relu", {}, math.sqrt(2.0 / 400)),
     ("leaky_relu", {"negative_slope": 0.2}, math.sqrt(2.0 / 1.04) / math.sqrt(400)),
     ("selu", {}, 1.0 / math.sqrt(400)),
     ("tanh", {}, math.sqrt(2.0 / (400 + 300)))],
)
def test_mlp_auto_init_weight_std_matches_the_formula(activation, params, expected_std):
    ta.manual_seed(0)
    model = nn.MLP([400, 300, 10], activation=activation, **params)
    assert model[0].weight.data.std() == pytest.approx(expected_std, rel=0.03)


@pytest.mark.parametrize(("init_family", "expected_init"), [("kaiming", "kaiming_normal"), (None, "xavier_uniform")])
def test_mlp_auto_init_follows_a_user_activations_init_family(scratch_names, init_family, expected_init):
    scratch_names.append("bent_relu")
    family = {} if init_family is None else {"init_family": init_family}
    register_activation("bent_relu", lambda x: np.maximum(x, 0.1 * x),
                        backward=lambda x, y, grad_output: grad_output * np.where(x > 0, 1.0, 0.1), **family)
    assert nn.MLP([2, 3, 1], activation="bent_relu").init == expected_init


def test_mlp_named_kaiming_init_uses_the_activation_gain():
    ta.manual_seed(0)
    model = nn.MLP([400, 300, 10], activation="tanh", init="kaiming_uniform")
    assert model[0].weight.data.std() == pytest.approx((5.0 / 3.0) / math.sqrt(400), rel=0.03)


def test_mlp_prelu_uses_learnable_slopes_and_its_init_slope_for_kaiming():
    ta.manual_seed(0)
    model = nn.MLP([400, 300, 10], activation="prelu")
    assert isinstance(model[1], nn.PReLU)
    assert "1.weight" in model.state_dict()
    assert model[0].weight.data.std() == pytest.approx(math.sqrt(2.0 / 1.0625) / math.sqrt(400), rel=0.03)


def test_mlp_prelu_takes_its_layer_arguments_from_the_registry():
    model = nn.MLP([2, 3, 1], activation="prelu", num_parameters=3)
    assert model[1].weight.shape == (3,)
    assert model.activation_params == {"num_parameters": 3, "init": 0.25}


def test_mlp_biases_start_at_bias_init():
    model = nn.MLP([3, 4, 2], bias_init=0.1)
    for layer in model.linears():
        np.testing.assert_array_equal(layer.bias.data, np.full(layer.out_features, np.float32(0.1)))


def test_mlp_bias_init_none_keeps_linear_default():
    ta.manual_seed(0)
    model = nn.MLP([100, 50, 2], bias_init=None)
    bias = model[0].bias.data
    assert np.abs(bias).max() <= 0.1 and np.abs(bias).min() > 0


def test_mlp_unknown_activation_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'relux'; choose one of identity.*relu.*prelu"):
        nn.MLP([2, 2], activation="relux")


def test_mlp_unknown_init_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown init 'he'; choose 'auto' or one of xavier_uniform.*lecun_normal"):
        nn.MLP([2, 2], init="he")


def test_mlp_needs_two_sizes():
    with pytest.raises(ValueError, match=r"at least an input and an output size, got \[3\]"):
        nn.MLP([3])


# ---------------------------------------------------------------- clip_grad_norm_


def parameters_with_grads(*grads):
    parameters = []
    for grad in grads:
        parameter = nn.Parameter(np.zeros(np.shape(grad)), dtype=np.float64)
        parameter.grad = float64(grad)
        parameters.append(parameter)
    return parameters


def test_clip_grad_norm_returns_the_total_norm_over_all_grads():
    parameters = parameters_with_grads([3.0, 0.0], [[4.0]])
    assert float(nn.utils.clip_grad_norm_(parameters, max_norm=100.0)) == pytest.approx(5.0)


def test_clip_grad_norm_scales_grads_down_to_max_norm():
    parameters = parameters_with_grads([3.0, 0.0], [[4.0]])
    nn.utils.clip_grad_norm_(parameters, max_norm=1.0)
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(parameters[0].grad.data, [3.0 * scale, 0.0], rtol=1e-12)
    np.testing.assert_allclose(parameters[1].grad.data, [[4.0 * scale]], rtol=1e-12)


def test_clip_grad_norm_leaves_small_grads_alone():
    parameters = parameters_with_grads([0.3, 0.4])
    nn.utils.clip_grad_norm_(parameters, max_norm=1.0)
    np.testing.assert_array_equal(parameters[0].grad.data, [0.3, 0.4])


def test_clip_grad_norm_does_not_write_into_the_old_grad_array():
    parameters = parameters_with_grads([30.0, 40.0])
    shared = parameters[0].grad.data
    nn.utils.clip_grad_norm_(parameters, max_norm=1.0)
    np.testing.assert_array_equal(shared, [30.0, 40.0])


def test_clip_grad_norm_infinity_norm_is_the_largest_magnitude():
    parameters = parameters_with_grads([1.0, -7.0], [2.0])
    assert float(nn.utils.clip_grad_norm_(parameters, 100.0, norm_type=math.inf)) == 7.0


def test_clip_grad_norm_skips_parameters_without_grad():
    parameters = parameters_with_grads([3.0, 4.0]) + [nn.Parameter(np.ones(2))]
    assert float(nn.utils.clip_grad_norm_(parameters, 10.0)) == pytest.approx(5.0)
    assert parameters[1].grad is None


def test_clip_grad_norm_can_refuse_a_nonfinite_norm():
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        nn.utils.clip_grad_norm_(parameters_with_grads([np.inf, 1.0]), 1.0, error_if_nonfinite=True)
