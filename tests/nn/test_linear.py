"""nn.Linear: PyTorch's layer (shape, formula, errors), and the column-major weight it keeps for speed,
which every path that writes the weight or its gradient must keep and none may notice."""

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn, optim

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_linear_on_non_float_input_raises_pytorchs_error_class_naming_both_dtypes(seeded, dtype):
    torch_layer = torch.nn.Linear(3, 2)
    with pytest.raises(Exception) as torch_error:  # noqa: PT011 - its class is what we compare
        torch_layer(torch.from_numpy(np.ones((4, 3), dtype=dtype)))
    with pytest.raises(torch_error.type, match=rf"Linear: input of dtype {np.dtype(dtype)} cannot be multiplied "
                                               r"by a weight of dtype float32; convert the input with \.float\(\)"):
        nn.Linear(3, 2)(ta.tensor(np.ones((4, 3), dtype=dtype), dtype=dtype))


def test_linear_on_float64_input_keeps_working(seeded):
    layer = nn.Linear(3, 2, dtype=np.float64)
    x = np.arange(6.0).reshape(2, 3)
    out = layer(ta.tensor(x, dtype=np.float64))
    np.testing.assert_allclose(out.numpy(), x @ layer.weight.numpy().T + layer.bias.numpy())


def test_a_large_weight_has_pytorchs_shape_and_is_kept_column_major_a_small_one_row_major(seeded):
    large, small = nn.Linear(128, 32), nn.Linear(127, 32)  # 4,096 weights, and 32 fewer
    assert large.weight.shape == (32, 128) and large.weight.dtype == np.float32
    assert large.weight.data.flags.f_contiguous and not large.weight.data.flags.c_contiguous
    assert small.weight.data.flags.c_contiguous and not small.weight.data.flags.f_contiguous


def _two_layer_net(weights_row_major: bool) -> nn.Sequential:
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(80, 64), nn.ReLU(), nn.Linear(64, 3))  # column-major, row-major
    if weights_row_major:
        for layer in (model[0], model[2]):
            layer.weight.data = np.ascontiguousarray(layer.weight.data)
    return model


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    lambda params: optim.Adam(params, lr=0.01),
])
def test_training_gives_the_same_weights_whichever_order_the_weight_is_kept_in(make_optimizer):
    x = np.random.default_rng(1).standard_normal((8, 80)).astype(np.float32)
    y = np.arange(8) % 3
    results = []
    for row_major in (False, True):
        model = _two_layer_net(row_major)
        optimizer = make_optimizer(model.parameters())
        for _ in range(3):
            optimizer.zero_grad()
            F.cross_entropy(model(ta.tensor(x)), y).backward()
            optimizer.step()
        results.append(model)
    column_major, row_major = results
    for ours, reference in zip(column_major.parameters(), row_major.parameters()):
        # the products round differently in the two orders; Adam's step, about lr whatever the size
        # of the gradient, turns that into up to 1e-5 on a weight whose gradient is near 0
        np.testing.assert_allclose(ours.data, reference.data, rtol=1e-5, atol=1e-4)
    first = column_major[0].weight
    # the gradient and the update come back in the weight's order: no copy into another layout
    assert first.data.flags.f_contiguous and first.grad.data.flags.f_contiguous


def test_sgd_momentum_and_a_restored_optimizer_state_keep_the_weights_order():
    model = _two_layer_net(weights_row_major=False)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ta.randn(4, 80)).sum().backward()
    optimizer.step()
    weight = model[0].weight
    assert optimizer.state[weight]["momentum_buffer"].flags.f_contiguous
    restored = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    restored.load_state_dict(optimizer.state_dict())
    buffer = restored.state[weight]["momentum_buffer"]
    assert buffer.flags.f_contiguous
    np.testing.assert_array_equal(buffer, optimizer.state[weight]["momentum_buffer"])


def test_a_saved_and_loaded_layer_computes_the_same_and_stays_column_major(tmp_path, seeded):
    layer, copy = nn.Linear(128, 32), nn.Linear(128, 32)
    ta.save(layer.state_dict(), tmp_path / "layer.safetensors")
    copy.load_state_dict(ta.load(tmp_path / "layer.safetensors"))
    x = ta.randn(2, 128)
    np.testing.assert_array_equal(copy(x).data, layer(x).data)
    assert copy.weight.data.flags.f_contiguous


def test_the_weight_reaches_pytorch_with_its_values(seeded):
    layer = nn.Linear(128, 32)  # column-major
    torch_layer = torch.nn.Linear(128, 32)
    with torch.no_grad():
        torch_layer.weight.copy_(torch.from_numpy(layer.weight.numpy()))
        torch_layer.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    x = np.random.default_rng(2).standard_normal((5, 128)).astype(np.float32)
    np.testing.assert_allclose(layer(ta.tensor(x)).numpy(), torch_layer(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_a_flattened_large_weight_is_a_copy_that_does_not_follow_an_optimizer_step(seeded):
    layer = nn.Linear(128, 32)
    flat = layer.weight.view(-1)
    before = flat.numpy().copy()
    layer(ta.randn(4, 128)).sum().backward()
    optim.SGD(layer.parameters(), lr=0.1).step()
    np.testing.assert_array_equal(flat.numpy(), before)  # PyTorch's view would show the step
    assert not np.array_equal(layer.weight.view(-1).numpy(), before)


def test_flattening_the_weight_gives_pytorchs_order_of_values(seeded):
    layer = nn.Linear(128, 32)
    torch_weight = torch.from_numpy(np.ascontiguousarray(layer.weight.numpy()))
    np.testing.assert_array_equal(layer.weight.view(-1).numpy(), torch_weight.view(-1).numpy())
    np.testing.assert_array_equal(layer.weight.flatten().numpy(), torch_weight.flatten().numpy())
    np.testing.assert_array_equal(layer.weight.t().numpy(), torch_weight.t().numpy())


def test_a_column_major_layer_crosses_the_bridges_with_its_values_and_gradients(seeded):
    from tinygrad_act.interop import from_torch, to_torch

    model = nn.Sequential(nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 4))
    x = np.random.default_rng(3).standard_normal((6, 128)).astype(np.float32)
    torch_model = to_torch(model)
    torch_x = torch.from_numpy(x)
    torch_model(torch_x).sum().backward()
    model(ta.tensor(x)).sum().backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), torch_model[0].weight.grad.numpy(), rtol=1e-5, atol=1e-6)
    back = from_torch(torch_model)
    assert back[0].weight.data.flags.f_contiguous
    np.testing.assert_allclose(back(ta.tensor(x)).numpy(), torch_model(torch_x).detach().numpy(), rtol=1e-5, atol=1e-6)
