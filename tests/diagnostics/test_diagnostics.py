"""Specification of tinygrad_act.diagnostics: GradientFlow, DeadUnits, Saturation and detect_anomaly."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import diagnostics, nn
from tinygrad_act.diagnostics import DeadUnits, GradientFlow, Saturation


class Block(nn.Module):
    """Linear then an activation, as a child module of Net."""

    def __init__(self, in_features: int, out_features: int, activation: str) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.act = nn.Activation(activation)

    def forward(self, x: ta.Tensor) -> ta.Tensor:
        return self.act(self.linear(x))


class Net(nn.Module):
    """A custom model with nested children: two blocks and a head."""

    def __init__(self, activation: str = "relu") -> None:
        super().__init__()
        self.encoder = nn.Sequential(Block(4, 6, activation), Block(6, 5, activation))
        self.head = nn.Linear(5, 3)

    def forward(self, x: ta.Tensor) -> ta.Tensor:
        return self.head(self.encoder(x))


def single_layer(activation: str, weight_std: float, bias: float | np.ndarray, rng: np.random.Generator,
                 in_features: int = 4, out_features: int = 8, **params: float) -> nn.Sequential:
    """Linear(in, out) with N(0, weight_std^2) weights and the given bias, then the activation."""
    linear = nn.Linear(in_features, out_features)
    linear.weight.data[...] = rng.normal(0.0, weight_std, linear.weight.shape)
    linear.bias.data[...] = bias
    return nn.Sequential(linear, nn.Activation(activation, **params))


def pre_activation(model: nn.Sequential, x: np.ndarray) -> np.ndarray:
    """x W^T + b of the model's first (Linear) layer, computed with numpy."""
    linear = model[0]
    return x @ linear.weight.data.T + linear.bias.data


def classification_loss(model: nn.Module, seed: int, batch: int = 128) -> ta.Tensor:
    """Cross-entropy of `model` on a batch of standard-normal inputs with random labels of 10 classes."""
    labels = np.random.default_rng(seed).integers(0, 10, batch)
    return F.cross_entropy(model(ta.randn(batch, 32)), labels)


# ============================================================================ GradientFlow


def test_gradient_flow_names_layers_by_attribute_path() -> None:
    flow = GradientFlow(Net())
    assert flow.layers == ["encoder.0.linear", "encoder.1.linear", "head"]


def test_gradient_flow_names_a_model_owning_its_weight_by_its_class() -> None:
    assert GradientFlow(nn.Linear(3, 2)).layers == ["Linear"]


def test_gradient_flow_skips_frozen_weights() -> None:
    model = Net()
    model.head.weight.requires_grad_(False)
    assert GradientFlow(model).layers == ["encoder.0.linear", "encoder.1.linear"]


def test_gradient_flow_records_l2_norm_and_mean_abs_of_each_weight_gradient(rng: np.random.Generator) -> None:
    model = Net()
    with GradientFlow(model) as flow:
        model(ta.tensor(rng.normal(size=(16, 4)))).sum().backward()
    for name, layer in [("encoder.0.linear", model.encoder[0].linear), ("head", model.head)]:
        grad = layer.weight.grad.numpy().astype(np.float64)
        assert flow.norms()[name] == pytest.approx(np.sqrt((grad**2).sum()), rel=1e-6)
        assert flow.mean_abs()[name] == pytest.approx(np.abs(grad).mean(), rel=1e-6)


def test_gradient_flow_records_every_backward_call_separately(rng: np.random.Generator) -> None:
    model = Net()
    x = ta.tensor(rng.normal(size=(16, 4)))
    with GradientFlow(model) as flow:
        model(x).sum().backward()
        after_first = model.head.weight.grad.numpy().copy()
        (model(x) * 3.0).sum().backward()  # no zero_grad: .grad accumulates, the record does not
    second_alone = model.head.weight.grad.numpy() - after_first
    assert flow.steps == 2
    assert all(len(norms) == 2 for norms in flow.history.values())
    assert flow.history["head"][1] == pytest.approx(np.linalg.norm(second_alone), rel=1e-5)
    assert flow.history["head"][1] == pytest.approx(3.0 * flow.history["head"][0], rel=1e-5)


def test_gradient_flow_vanishes_through_ten_sigmoid_layers() -> None:
    ta.manual_seed(0)
    model = nn.MLP([32] * 10 + [10], activation="sigmoid")  # Xavier init
    with GradientFlow(model) as flow:
        classification_loss(model, seed=0).backward()
    norms = list(flow.norms().values())
    assert len(norms) == 10
    assert norms[0] * 100 <= norms[-1]
    assert flow.ratio() == pytest.approx(norms[0] / norms[-1])
    assert flow.ratio() < 1e-2


def test_gradient_flow_of_ten_relu_layers_with_kaiming_init_stays_within_10x() -> None:
    ta.manual_seed(0)
    model = nn.MLP([32] * 10 + [10], activation="relu")  # Kaiming normal: std sqrt(2 / fan_in)
    weight_std = model[0].weight.numpy().std()
    assert weight_std == pytest.approx(np.sqrt(2 / 32), rel=0.1)
    with GradientFlow(model) as flow:
        classification_loss(model, seed=0).backward()
    assert 0.1 < flow.ratio() < 10


def test_gradient_flow_ratio_before_any_backward_raises() -> None:
    with pytest.raises(RuntimeError, match="no backward recorded yet"):
        GradientFlow(Net()).ratio()


def test_gradient_flow_table_has_a_row_per_layer_with_its_latest_norm(rng: np.random.Generator) -> None:
    model = Net()
    with GradientFlow(model) as flow:
        model(ta.tensor(rng.normal(size=(8, 4)))).sum().backward()
    lines = flow.table().splitlines()
    assert lines[0] == "gradient flow after 1 backward call(s)"
    assert lines[1].split() == ["layer", "weight", "shape", "grad", "norm", "mean", "|grad|", "norm", "/", "last"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert list(rows) == flow.layers
    assert f"{flow.norms()['encoder.1.linear']:.3e}" in rows["encoder.1.linear"]
    assert "(6, 4)" in rows["encoder.0.linear"]
    assert rows["head"].split()[-1] == "1"


def test_gradient_flow_remove_stops_recording(rng: np.random.Generator) -> None:
    model = Net()
    x = ta.tensor(rng.normal(size=(8, 4)))
    flow = GradientFlow(model)
    model(x).sum().backward()
    flow.remove()
    model(x).sum().backward()
    assert flow.steps == 1


def test_gradient_flow_context_manager_removes_hooks_on_exit(rng: np.random.Generator) -> None:
    model = Net()
    x = ta.tensor(rng.normal(size=(8, 4)))
    with GradientFlow(model) as flow:
        model(x).sum().backward()
    model(x).sum().backward()
    assert flow.steps == 1
    assert model.head.weight._hooks == ()


def test_gradient_flow_rejects_a_model_without_weights() -> None:
    with pytest.raises(ValueError, match="Sequential has no module with a trainable parameter named 'weight'"):
        GradientFlow(nn.Sequential(nn.ReLU()))


def test_gradient_flow_with_outputs_records_the_norm_of_each_layer_output_gradient(rng: np.random.Generator) -> None:
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3))
    with GradientFlow(model, outputs=True) as flow:
        hidden = model[0](ta.tensor(rng.normal(size=(8, 4))))
        logits = model[2](model[1](hidden))
        hidden.retain_grad()
        logits.retain_grad()
        (logits**2).sum().backward()
    assert list(flow.output_norms()) == flow.layers == ["0", "2"]
    assert flow.output_norms()["0"] == pytest.approx(np.linalg.norm(hidden.grad.numpy()), rel=1e-6)
    assert flow.output_norms()["2"] == pytest.approx(np.linalg.norm(2.0 * logits.numpy()), rel=1e-6)


def test_gradient_flow_records_output_gradients_only_when_asked(rng: np.random.Generator) -> None:
    model = Net()
    with GradientFlow(model) as flow:
        model(ta.tensor(rng.normal(size=(8, 4)))).sum().backward()
    assert flow.output_history == {} and flow.output_norms() == {}


def test_gradient_flow_outputs_skip_forwards_without_a_graph(rng: np.random.Generator) -> None:
    model = Net()
    with GradientFlow(model, outputs=True) as flow, ta.no_grad():
        model(ta.tensor(rng.normal(size=(8, 4))))
    assert all(norms == [] for norms in flow.output_history.values())


def test_gradient_flow_outputs_stop_recording_after_remove_even_for_an_earlier_forward(
        rng: np.random.Generator) -> None:
    model = Net()
    flow = GradientFlow(model, outputs=True)
    output = model(ta.tensor(rng.normal(size=(8, 4))))
    flow.remove()
    output.sum().backward()
    assert flow.output_norms() == {}


# ============================================================================ DeadUnits


def test_dead_units_relu_with_large_negative_bias_is_fully_dead(rng: np.random.Generator) -> None:
    model = single_layer("relu", weight_std=1.0, bias=-100.0, rng=rng)
    with DeadUnits(model) as dead:
        model(ta.tensor(rng.normal(size=(64, 4))))
    assert dead.fractions() == {"1": 1.0}


def test_dead_units_fraction_matches_a_numpy_count(rng: np.random.Generator) -> None:
    bias = np.array([-6.0, -6.0, -6.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    model = single_layer("relu", weight_std=1.0, bias=bias, rng=rng)
    x = rng.normal(size=(64, 4))
    with DeadUnits(model) as dead:
        model(ta.tensor(x))
    expected = np.all(pre_activation(model, x) <= 0, axis=0).mean()
    assert 0.0 < expected < 1.0
    assert dead.fractions()["1"] == pytest.approx(expected)


def test_dead_units_mask_marks_units_with_zero_derivative_on_every_sample() -> None:
    layer = nn.ReLU()
    x = np.array([[1.0, -1.0, -2.0], [-1.0, -3.0, 0.5]])
    assert diagnostics.dead_unit_mask(layer, x, layer(ta.tensor(x)).numpy()).tolist() == [False, True, False]


def test_dead_units_counts_units_over_every_leading_dim(rng: np.random.Generator) -> None:
    layer = nn.Sequential(nn.ReLU())
    x = -np.abs(rng.normal(size=(5, 7, 4)))
    x[4, 6, 0] = 1.0  # unit 0 fires once, at the last position of the last sample
    with DeadUnits(layer) as dead:
        layer(ta.tensor(x))
    assert dead.fractions() == {"0": 0.75}


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "selu", "softplus"])
def test_dead_units_activations_with_positive_slope_never_die(activation: str, rng: np.random.Generator) -> None:
    relu_model = single_layer("relu", weight_std=0.1, bias=-10.0, rng=np.random.default_rng(1))
    model = single_layer(activation, weight_std=0.1, bias=-10.0, rng=np.random.default_rng(1))
    x = ta.tensor(rng.normal(size=(64, 4)))
    with DeadUnits(relu_model) as relu_dead, DeadUnits(model) as dead:
        relu_model(x)
        model(x)
    assert relu_dead.fractions()["1"] == 1.0
    assert dead.fractions()["1"] == 0.0


def test_dead_units_counts_relu6_units_stuck_above_six(rng: np.random.Generator) -> None:
    model = single_layer("relu6", weight_std=0.1, bias=10.0, rng=rng)
    with DeadUnits(model) as dead:
        model(ta.tensor(rng.normal(size=(32, 4))))
    assert dead.fractions()["1"] == 1.0


def test_dead_units_step_is_always_dead_because_its_derivative_is_zero(rng: np.random.Generator) -> None:
    model = single_layer("step", weight_std=1.0, bias=0.0, rng=rng)
    with DeadUnits(model) as dead:
        model(ta.tensor(rng.normal(size=(32, 4))))
    assert dead.fractions()["1"] == 1.0


def test_dead_units_work_on_a_custom_module_with_nested_children(rng: np.random.Generator) -> None:
    model = Net()
    model.encoder[1].linear.bias.data[:] = -100.0
    with DeadUnits(model) as dead:
        model(ta.tensor(rng.normal(size=(32, 4))))
    assert list(dead.history) == ["encoder.0.act", "encoder.1.act"]
    assert dead.fractions()["encoder.1.act"] == 1.0
    assert dead.fractions()["encoder.0.act"] < 1.0


def test_dead_units_history_has_one_fraction_per_forward_call(rng: np.random.Generator) -> None:
    model = single_layer("relu", weight_std=1.0, bias=0.0, rng=rng)
    with DeadUnits(model) as dead:
        model(ta.tensor(rng.normal(size=(32, 4))))
        model.eval()
        with ta.no_grad():
            model(ta.zeros(1, 4))  # zero input and zero bias: every unit outputs 0, f'(0) = 0
    assert len(dead.history["1"]) == 2
    assert dead.history["1"][1] == 1.0


def test_dead_units_watch_only_the_named_activations() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3), nn.Sigmoid())
    assert list(DeadUnits(model, activations=["relu"]).history) == ["1"]
    assert list(DeadUnits(model).history) == ["1", "3"]


def test_dead_units_skip_softmax_whose_derivative_is_not_per_unit() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Softmax(dim=-1))
    assert list(DeadUnits(model).history) == ["1"]


def test_dead_units_reject_an_unknown_activation_name() -> None:
    with pytest.raises(ValueError, match="unknown activation 'relu7'"):
        DeadUnits(Net(), activations=["relu7"])


def test_dead_units_reject_a_model_without_activation_layers() -> None:
    with pytest.raises(ValueError, match=r"Linear has no elementwise activation layer .*use nn.Activation layers"):
        DeadUnits(nn.Linear(3, 3))


def test_dead_units_remove_stops_recording(rng: np.random.Generator) -> None:
    model = single_layer("relu", weight_std=1.0, bias=0.0, rng=rng)
    x = ta.tensor(rng.normal(size=(8, 4)))
    dead = DeadUnits(model)
    model(x)
    dead.remove()
    model(x)
    assert len(dead.history["1"]) == 1


# ============================================================================ Saturation


def test_saturation_of_sigmoid_with_huge_weights_is_near_total(rng: np.random.Generator) -> None:
    model = single_layer("sigmoid", weight_std=100.0, bias=0.0, rng=rng)
    with Saturation(model) as saturation:
        model(ta.tensor(rng.normal(size=(64, 4))))
    assert saturation.fractions()["1"] > 0.9


def test_saturation_of_sigmoid_with_small_weights_is_zero(rng: np.random.Generator) -> None:
    model = single_layer("sigmoid", weight_std=0.01, bias=0.0, rng=rng)
    with Saturation(model) as saturation:
        model(ta.tensor(rng.normal(size=(64, 4))))
    assert saturation.fractions()["1"] == 0.0


def test_saturation_matches_a_numpy_count_of_tanh_outputs_near_plus_or_minus_one(
    rng: np.random.Generator,
) -> None:
    model = single_layer("tanh", weight_std=2.0, bias=0.0, rng=rng)
    x = rng.normal(size=(64, 4))
    with Saturation(model, threshold=0.05) as saturation:
        model(ta.tensor(x))
    outputs = np.tanh(pre_activation(model, x).astype(np.float32))
    expected = np.mean(np.abs(outputs) >= 1 - 0.05)
    assert 0.0 < expected < 1.0
    assert saturation.fractions()["1"] == pytest.approx(expected, abs=1 / outputs.size)


def test_saturation_uses_the_bounds_given_by_the_layer_parameters(rng: np.random.Generator) -> None:
    default = single_layer("hardtanh", weight_std=0.1, bias=1.0, rng=np.random.default_rng(1))
    wide = single_layer("hardtanh", weight_std=0.1, bias=1.0, rng=np.random.default_rng(1),
                        min_val=-3.0, max_val=3.0)
    x = ta.tensor(rng.normal(size=(16, 4)))
    with Saturation(default) as default_saturation, Saturation(wide) as wide_saturation:
        default(x)
        wide(x)
    assert default_saturation.fractions()["1"] > 0.3  # inputs around 1: clipped at hardtanh's bound 1
    assert wide_saturation.fractions()["1"] == 0.0  # far from hardtanh(-3, 3)'s bounds


def test_saturation_watches_bounded_activations_only() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.ReLU(), nn.GELU(), nn.Softsign(), nn.ELU(),
                          nn.LeakyReLU(0.1), nn.Hardtanh())
    assert list(Saturation(model).history) == ["1", "4", "5", "7"]


def test_saturation_rejects_a_model_without_bounded_activations() -> None:
    with pytest.raises(ValueError, match="Sequential has no bounded activation layer"):
        Saturation(nn.Sequential(nn.Linear(3, 3), nn.ReLU()))


def test_saturation_rejects_a_non_positive_threshold() -> None:
    with pytest.raises(ValueError, match="threshold must be positive, got 0"):
        Saturation(Net("sigmoid"), threshold=0)


def test_saturation_context_manager_removes_hooks_on_exit(rng: np.random.Generator) -> None:
    model = Net("tanh")
    x = ta.tensor(rng.normal(size=(8, 4)))
    with Saturation(model) as saturation:
        model(x)
    model(x)
    assert {name: len(values) for name, values in saturation.history.items()} == {
        "encoder.0.act": 1, "encoder.1.act": 1,
    }


# ============================================================================ detect_anomaly


def test_detect_anomaly_is_exported_by_diagnostics() -> None:
    assert diagnostics.detect_anomaly is ta.detect_anomaly


def test_detect_anomaly_names_the_forward_op_that_made_a_nan_and_its_shapes() -> None:
    zeros = ta.zeros(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"forward of div produced 6 NaN .* input shapes \(2, 3\), \(2, 3\)"):
        with ta.detect_anomaly():
            zeros / zeros


def test_detect_anomaly_stops_log_of_zero_before_it_is_multiplied_into_a_nan() -> None:
    x = ta.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"forward of log produced 0 NaN and 1 Inf .* from finite inputs"):
        with ta.detect_anomaly():
            x.log() * 0.0


def test_detect_anomaly_names_the_backward_op_that_made_an_inf() -> None:
    x = ta.tensor([0.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"backward of sqrt produced 0 NaN and 1 Inf .* input 0 \(shape \(2,\)\)"):
        with ta.detect_anomaly():
            x.sqrt().sum().backward()


def test_detect_anomaly_costs_nothing_outside_the_block() -> None:
    zeros = ta.zeros(2, requires_grad=True)
    with ta.detect_anomaly():
        pass
    assert np.isnan((zeros / zeros).numpy()).all()


def test_detect_anomaly_is_switched_off_after_an_error_in_the_block() -> None:
    zeros = ta.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError), ta.detect_anomaly():
        zeros / zeros
    assert np.isnan((zeros / zeros).numpy()).all()


def test_detect_anomaly_stays_on_in_the_outer_block_after_a_nested_one() -> None:
    zeros = ta.zeros(2, requires_grad=True)
    with ta.detect_anomaly():
        with ta.detect_anomaly():
            pass
        with pytest.raises(RuntimeError, match="forward of div"):
            zeros / zeros


def test_detect_anomaly_as_a_decorator_checks_only_inside_the_function() -> None:
    @ta.detect_anomaly()
    def ratio(a: ta.Tensor, b: ta.Tensor) -> ta.Tensor:
        return a / b

    zeros = ta.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="forward of div produced 3 NaN"):
        ratio(zeros, zeros)
    assert np.isnan((zeros / zeros).numpy()).all()


def test_layer_inputs_outputs_gives_each_activation_layers_pre_activation_and_output(rng) -> None:
    model = nn.MLP([4, 6, 5, 2], activation="tanh")
    inputs = rng.standard_normal((7, 4)).astype(np.float32)
    records = diagnostics.layer_inputs_outputs(model, inputs)
    assert [(z.shape, y.shape) for z, y in records] == [((7, 6), (7, 6)), ((7, 5), (7, 5))]
    for z, y in records:
        np.testing.assert_allclose(y, np.tanh(z), rtol=1e-6)
    first_linear = model.linears()[0]
    np.testing.assert_allclose(records[0][0], inputs @ first_linear.weight.data.T + first_linear.bias.data, rtol=1e-5)
    assert not any(module._forward_hooks for module in model.modules())  # the hooks are gone


def test_layer_inputs_outputs_removes_its_hooks_when_the_forward_raises(rng) -> None:
    model = nn.MLP([4, 6, 2], activation="tanh")
    with pytest.raises(ValueError, match="expected input with 4 features"):
        diagnostics.layer_inputs_outputs(model, rng.standard_normal((3, 5)).astype(np.float32))
    assert not any(module._forward_hooks for module in model.modules())
