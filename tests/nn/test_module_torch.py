"""nn.Module and nn.utils against PyTorch: to/cpu/float/double/type, loads that fail load nothing,
and gradient clipping."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn, optim

torch = pytest.importorskip("torch")


def model_with_buffers(library):
    return library.nn.Sequential(library.nn.Linear(3, 4), library.nn.BatchNorm1d(4), library.nn.Linear(4, 2))


# ---------------------------------------------------------------- device and dtype


@pytest.mark.parametrize("arguments", [("cpu",), (ta.device("cpu"),), ("cpu:0",)])
def test_to_the_cpu_returns_the_same_model_unchanged(arguments):
    model = model_with_buffers(ta)
    before = {key: value.numpy().copy() for key, value in model.state_dict().items()}
    assert model.to(*arguments) is model
    assert model.cpu() is model
    for key, value in model.state_dict().items():
        assert value.dtype == before[key].dtype
        np.testing.assert_array_equal(value.numpy(), before[key])


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_to_another_device_raises_and_names_the_cpu(device):
    with pytest.raises(RuntimeError, match="CPU"):
        model_with_buffers(ta).to(device)
    with pytest.raises(RuntimeError, match="CPU"):
        model_with_buffers(ta).to(device=device)


@pytest.mark.parametrize("convert", [
    lambda model, library: model.double(),
    lambda model, library: model.to(library.float64),
    lambda model, library: model.to("cpu", library.float64),
    lambda model, library: model.to(dtype=library.float64),
])
def test_double_converts_floating_parameters_and_buffers_like_pytorch(convert):
    dtypes = []
    for library in (ta, torch):
        model = model_with_buffers(library)
        assert convert(model, library) is model
        dtypes.append({key: str(value.dtype).replace("torch.", "") for key, value in model.state_dict().items()})
    assert dtypes[0] == dtypes[1]
    assert dtypes[0]["0.weight"] == "float64" and dtypes[0]["1.num_batches_tracked"] == "int64"


def test_type_converts_integer_buffers_too_like_pytorch():
    dtypes = []
    for library in (ta, torch):
        model = model_with_buffers(library)
        assert model.type(library.float64) is model
        dtypes.append({key: str(value.dtype).replace("torch.", "") for key, value in model.state_dict().items()})
    assert dtypes[0] == dtypes[1]
    assert set(dtypes[0].values()) == {"float64"}


def test_float_after_double_gives_float32_back():
    model = model_with_buffers(ta).double().float()
    assert {value.dtype for value in model.parameters()} == {np.dtype(np.float32)}


def test_to_an_integer_dtype_is_a_type_error_as_in_pytorch():
    for library in (ta, torch):
        with pytest.raises(TypeError, match="floating point"):
            model_with_buffers(library).to(library.int64)


def test_optimizer_made_before_double_updates_the_converted_parameters():
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    weight = model.weight
    model.double()
    assert model.weight is weight and weight.dtype == np.float64
    before = weight.data.copy()
    model(ta.Tensor(np.ones((4, 3)), dtype=np.float64)).sum().backward()
    optimizer.step()
    assert weight.dtype == np.float64
    np.testing.assert_allclose(weight.data, before - 0.1 * weight.grad.data, rtol=1e-15)


def test_double_converts_an_existing_gradient_too():
    model = nn.Linear(3, 2)
    model(ta.ones(4, 3)).sum().backward()
    model.double()
    assert model.weight.grad.dtype == np.float64


# ---------------------------------------------------------------- load_state_dict loads all or nothing


def test_load_with_a_good_weight_and_an_unconvertible_bias_changes_nothing():
    model = nn.Linear(3, 2)
    before = {key: value.numpy().copy() for key, value in model.state_dict().items()}
    state = {"weight": np.full((2, 3), 7.0), "bias": np.array(["a", "b"])}
    with pytest.raises(RuntimeError, match="bias"):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])


@pytest.mark.parametrize("not_a_state_dict", [None, 3, [np.zeros((2, 3)), np.zeros(2)]])
def test_load_state_dict_of_a_non_mapping_is_a_type_error_like_pytorch(not_a_state_dict):
    for module in (nn.Linear(3, 2), torch.nn.Linear(3, 2)):
        with pytest.raises(TypeError):
            module.load_state_dict(not_a_state_dict)
    with pytest.raises(TypeError, match="expected a mapping"):
        nn.Linear(3, 2).load_state_dict(not_a_state_dict)


# ---------------------------------------------------------------- gradient clipping


def parameters_with_gradients(library, gradients):
    parameters = []
    for gradient in gradients:
        if library is torch:
            parameter = torch.zeros(np.shape(gradient), dtype=torch.float64, requires_grad=True)
            parameter.grad = torch.tensor(gradient, dtype=torch.float64)
        else:
            parameter = nn.Parameter(np.zeros(np.shape(gradient)), dtype=np.float64)
            parameter.grad = ta.Tensor(np.array(gradient), dtype=np.float64)
        parameters.append(parameter)
    return parameters


GRADIENTS = [np.array(-3.0), np.array([[0.5, -2.5, 4.0], [1.0, 0.0, -0.2]]), np.array([0.1, 6.0])]


def gradients_of(parameters):
    return [np.asarray(parameter.grad.detach().numpy() if hasattr(parameter.grad, "detach")
                       else parameter.grad.data) for parameter in parameters]


@pytest.mark.parametrize("clip_value", [0.75, 2.0, 100.0])
def test_clip_grad_value_clamps_each_element_like_pytorch(clip_value):
    ours = parameters_with_gradients(ta, GRADIENTS)
    theirs = parameters_with_gradients(torch, GRADIENTS)
    gradient_tensors = [parameter.grad for parameter in ours]
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for our_gradient, their_gradient in zip(gradients_of(ours), gradients_of(theirs)):
        np.testing.assert_array_equal(our_gradient, their_gradient)
    assert all(parameter.grad is tensor for parameter, tensor in zip(ours, gradient_tensors))


def test_clip_grad_value_accepts_a_single_tensor_and_skips_missing_gradients():
    parameter, without_gradient = parameters_with_gradients(ta, [np.array([3.0, -0.5])])[0], nn.Parameter(np.ones(2))
    nn.utils.clip_grad_value_(parameter, 1.0)
    nn.utils.clip_grad_value_([without_gradient], 1.0)
    np.testing.assert_array_equal(parameter.grad.data, [1.0, -0.5])
    assert without_gradient.grad is None


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [1.0, 1000.0])
def test_clip_grad_norm_returns_the_total_norm_and_scales_like_pytorch(norm_type, max_norm):
    ours = parameters_with_gradients(ta, GRADIENTS)
    theirs = parameters_with_gradients(torch, GRADIENTS)
    our_total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(our_total.item(), their_total.item(), rtol=1e-12)
    for our_gradient, their_gradient in zip(gradients_of(ours), gradients_of(theirs)):
        np.testing.assert_allclose(our_gradient, their_gradient, rtol=1e-12)


def test_clip_grad_norm_of_a_single_0d_parameter_like_pytorch():
    ours, theirs = parameters_with_gradients(ta, [np.array(-5.0)]), parameters_with_gradients(torch, [np.array(-5.0)])
    np.testing.assert_allclose(nn.utils.clip_grad_norm_(ours[0], 2.0).item(),
                               torch.nn.utils.clip_grad_norm_(theirs[0], 2.0).item(), rtol=1e-12)
    np.testing.assert_allclose(gradients_of(ours)[0], gradients_of(theirs)[0], rtol=1e-12)
