"""nn.Module and nn.Linear: parameter discovery, modes, gradients, state_dict and hooks."""

import math

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(3, 4)
        self.activation = nn.ReLU()
        self.decoder = nn.Linear(4, 2)

    def forward(self, x):
        return self.decoder(self.activation(self.encoder(x)))


class WithBuffer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(2))
        self.register_buffer("count", ta.Tensor(np.zeros(2)))


def test_named_parameters_are_attribute_paths_in_order():
    names = [name for name, _ in TwoLayer().named_parameters()]
    assert names == ["encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]


def test_parameters_yields_each_shared_parameter_once():
    model = TwoLayer()
    model.decoder.weight = model.encoder.weight
    assert len(list(model.parameters())) == 3


def test_children_are_the_direct_submodules():
    model = TwoLayer()
    assert list(model.children()) == [model.encoder, model.activation, model.decoder]


def test_modules_include_self_depth_first():
    outer = nn.Sequential(TwoLayer(), nn.Linear(2, 1))
    names = [name for name, _ in outer.named_modules()]
    assert names == ["", "0", "0.encoder", "0.activation", "0.decoder", "1"]
    assert len(list(outer.modules())) == 6


def test_train_and_eval_set_training_on_every_submodule():
    model = TwoLayer()
    assert model.eval() is model
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())


def test_zero_grad_sets_grads_to_none():
    model = TwoLayer()
    model(ta.randn(5, 3)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_without_set_to_none_gives_zero_arrays():
    model = TwoLayer()
    model(ta.randn(5, 3)).sum().backward()
    model.zero_grad(set_to_none=False)
    for parameter in model.parameters():
        np.testing.assert_array_equal(parameter.grad.data, np.zeros(parameter.shape))


def test_state_dict_holds_parameters_and_buffers_detached():
    state = WithBuffer().state_dict()
    assert list(state) == ["scale", "count"]
    assert all(not value.requires_grad and value.grad_fn is None for value in state.values())


def test_load_state_dict_copies_values_in_place():
    source, target = TwoLayer(), TwoLayer()
    weight_array = target.encoder.weight.data
    target.load_state_dict({key: value.numpy() for key, value in source.state_dict().items()})
    assert target.encoder.weight.data is weight_array
    for (name, mine), (_, theirs) in zip(target.named_parameters(), source.named_parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data, err_msg=name)


def test_load_state_dict_strict_lists_missing_unexpected_and_misshaped_keys():
    state = TwoLayer().state_dict()
    del state["decoder.bias"]
    state["extra.weight"] = ta.zeros(1)
    state["encoder.weight"] = ta.zeros(3, 3)
    with pytest.raises(RuntimeError) as error:
        TwoLayer().load_state_dict(state)
    message = str(error.value)
    assert "missing keys: decoder.bias" in message
    assert "unexpected keys: extra.weight" in message
    assert "encoder.weight: checkpoint (3, 3), model (4, 3)" in message


def test_failed_strict_load_changes_nothing():
    model = TwoLayer()
    before = model.encoder.weight.data.copy()
    state = {key: value.numpy() + 1 for key, value in model.state_dict().items()}
    state["unexpected"] = np.zeros(1)
    with pytest.raises(RuntimeError):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model.encoder.weight.data, before)


def test_non_strict_load_reports_missing_and_unexpected_keys():
    model = TwoLayer()
    state = {"encoder.bias": np.full(4, 2.0), "other": np.zeros(1)}
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["encoder.weight", "decoder.weight", "decoder.bias"]
    assert result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(model.encoder.bias.data, np.full(4, 2.0))


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    model = TwoLayer()
    seen = []
    handle = model.encoder.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
    model(ta.randn(5, 3))
    handle.remove()
    model(ta.randn(5, 3))
    assert seen == [(5, 4)]


def test_forward_hook_return_value_replaces_output():
    layer = nn.Linear(3, 2)
    layer.register_forward_hook(lambda module, inputs, output: output * 0.0)
    np.testing.assert_array_equal(layer(ta.randn(4, 3)).data, np.zeros((4, 2)))


def test_linear_weight_is_out_by_in():
    layer = nn.Linear(3, 5)
    assert layer.weight.shape == (5, 3)
    assert layer.bias.shape == (5,)


def test_linear_default_init_is_within_one_over_sqrt_fan_in():
    ta.manual_seed(0)
    layer = nn.Linear(100, 400)
    bound = 1.0 / math.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3.0), rel=0.03)


def test_linear_computes_x_w_transpose_plus_b():
    layer = nn.Linear(3, 2)
    x = np.arange(6.0).reshape(2, 3)
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(ta.tensor(x)).data, expected, rtol=1e-6)


def test_linear_error_names_the_layer_and_both_sizes():
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=2.*3 features.*\(4, 5\).*5"):
        nn.Linear(3, 2)(ta.zeros(4, 5))


def test_state_dict_skips_buffers_set_to_none():
    module = WithBuffer()
    module.register_buffer("unused", None)
    assert list(module.state_dict()) == ["scale", "count"]


def test_load_state_dict_rejects_misshaped_values_even_when_not_strict():
    with pytest.raises(RuntimeError, match=r"shape mismatches: scale: checkpoint \(3,\), model \(2,\)"):
        WithBuffer().load_state_dict({"scale": np.ones(3)}, strict=False)


def test_buffers_are_loaded_with_the_parameters():
    module = WithBuffer()
    module.load_state_dict({"scale": np.full(2, 3.0), "count": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(module.count.data, [1.0, 2.0])
