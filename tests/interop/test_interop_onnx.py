"""to_onnx: the exported graph passes onnx.checker, and onnxruntime computes what our model computes,
with ONNX's own operator for each activation that has one and a dynamic batch dimension."""

import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

import tinygrad_act as ta  # noqa: E402
from tinygrad_act import Tensor, nn  # noqa: E402
from tinygrad_act.activations import list_activations  # noqa: E402
from tinygrad_act.interop import register_onnx_builder, to_onnx  # noqa: E402

NATIVE_OPS = {
    "relu": "Relu", "leaky_relu": "LeakyRelu", "elu": "Elu", "selu": "Selu", "celu": "Celu", "sigmoid": "Sigmoid",
    "hardsigmoid": "HardSigmoid", "tanh": "Tanh", "softplus": "Softplus", "softsign": "Softsign",
    "hardswish": "HardSwish", "mish": "Mish", "gelu": "Gelu", "prelu": "PRelu", "softmax": "Softmax",
    "log_softmax": "LogSoftmax",
}


def run_onnx(path, x):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def op_types(proto):
    return {node.op_type for node in proto.graph.node}


def assert_onnx_matches(model, path, rng, features=6, dtype=np.float32, tolerance=1e-5):
    """Export with a batch of 2, run onnxruntime on a batch of 16 (the batch dim is dynamic), compare."""
    proto = to_onnx(model, rng.standard_normal((2, features)).astype(dtype), path)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    x = (rng.standard_normal((16, features)) * 3).astype(dtype)
    expected = model(Tensor(x, dtype=dtype)).data
    np.testing.assert_allclose(run_onnx(path, x), expected, rtol=tolerance, atol=tolerance)
    return proto


@pytest.mark.parametrize("activation", [*list_activations(), "prelu"])
def test_mlp_with_each_activation_runs_in_onnxruntime_as_here(activation, tmp_path, rng):
    ta.manual_seed(0)
    model = nn.MLP([6, 8, 8, 3], activation=activation)
    proto = assert_onnx_matches(model, tmp_path / "model.onnx", rng)
    if activation in NATIVE_OPS:
        assert NATIVE_OPS[activation] in op_types(proto)


def test_linear_is_one_gemm_and_parameters_keep_their_state_dict_names(tmp_path, rng):
    ta.manual_seed(0)
    model = nn.MLP([6, 8, 3], activation="relu")
    proto = to_onnx(model, rng.standard_normal((2, 6)).astype(np.float32), tmp_path / "model.onnx")
    assert [node.op_type for node in proto.graph.node] == ["Gemm", "Relu", "Gemm"]
    assert [tensor.name for tensor in proto.graph.initializer] == list(model.state_dict())
    assert proto.opset_import[0].version == 20


def test_the_batch_dimension_is_dynamic(tmp_path, rng):
    proto = to_onnx(nn.MLP([6, 4, 3]), rng.standard_normal((5, 6)).astype(np.float32), tmp_path / "model.onnx")
    for value in (proto.graph.input[0], proto.graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        assert dims[0].dim_param == "batch" and [dim.dim_value for dim in dims[1:]] == [6 if value.name == "input" else 3]


def test_batchnorm_exports_in_eval_mode_with_running_statistics_and_dropout_disappears(tmp_path, rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 10), nn.BatchNorm1d(10), nn.PReLU(10), nn.Dropout(0.5), nn.Maxout(10, 4, 3),
                          nn.Linear(4, 3))
    for _ in range(3):
        model(Tensor(rng.standard_normal((8, 6)) + 2.0))
    proto = to_onnx(model, rng.standard_normal((2, 6)).astype(np.float32), tmp_path / "model.onnx")
    assert model.training, "the export must give the model back in the mode it was in"
    assert "BatchNormalization" in op_types(proto) and "Dropout" not in op_types(proto)
    x = rng.standard_normal((16, 6)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "model.onnx", x), model.eval()(Tensor(x)).data, rtol=1e-5, atol=1e-5)


def test_flatten_of_images_and_linear_beyond_two_dims(tmp_path, rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Flatten(), nn.Linear(15, 2))
    to_onnx(model, rng.standard_normal((2, 3, 4)).astype(np.float32), tmp_path / "model.onnx")
    x = rng.standard_normal((7, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "model.onnx", x), model(Tensor(x)).data, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", ["gelu", "mish", "hardswish"])
def test_an_older_opset_gets_a_composition_where_it_lacks_the_operator(activation, tmp_path, rng):
    ta.manual_seed(0)
    model = nn.MLP([6, 8, 3], activation=activation)
    proto = to_onnx(model, rng.standard_normal((2, 6)).astype(np.float32), tmp_path / "model.onnx", opset=13)
    assert NATIVE_OPS[activation] not in op_types(proto)
    x = rng.standard_normal((16, 6)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "model.onnx", x), model(Tensor(x)).data, rtol=1e-5, atol=1e-5)


def test_a_float64_model_exports_in_float64(tmp_path, rng):
    ta.manual_seed(0)
    model = nn.MLP([6, 8, 3], activation="relu", dtype=np.float64)
    proto = assert_onnx_matches(model, tmp_path / "model.onnx", rng, dtype=np.float64, tolerance=1e-12)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE


def test_celu_in_float64_is_composed_since_onnx_defines_celu_for_float32_only(tmp_path, rng):
    ta.manual_seed(0)
    model = nn.MLP([6, 8, 3], activation="celu", dtype=np.float64, alpha=0.7)
    proto = assert_onnx_matches(model, tmp_path / "model.onnx", rng, dtype=np.float64, tolerance=1e-12)
    assert "Celu" not in op_types(proto)


def test_a_users_activation_without_a_builder_is_refused_by_name(swish_registered, tmp_path, rng):
    with pytest.raises(TypeError, match=r"layer '1' is the activation 'swish', which has no ONNX builder; register one"):
        to_onnx(nn.MLP([6, 4, 3], activation="swish"), rng.standard_normal((2, 6)), tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_a_users_activation_exports_through_its_registered_builder(swish_registered, tmp_path, rng):
    @register_onnx_builder("swish")
    def swish_onnx(graph, x, beta):
        scaled = graph.node("Mul", [x, graph.constant(beta)])
        return graph.node("Mul", [x, graph.node("Sigmoid", [scaled])])

    ta.manual_seed(0)
    assert_onnx_matches(nn.MLP([6, 8, 3], activation="swish", beta=1.7), tmp_path / "model.onnx", rng)


def test_a_builtin_builder_is_replaced_only_on_request():
    with pytest.raises(ValueError, match="'relu' already has an ONNX builder; pass replace=True"):
        register_onnx_builder("relu", lambda graph, x: x)


def test_a_missing_onnx_is_reported_with_the_extra_that_installs_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"to_onnx needs the optional package 'onnx'.*tinygrad-act\[onnx\]"):
        to_onnx(nn.MLP([2, 2]), np.zeros((1, 2)), tmp_path / "model.onnx")
