"""to_torch / from_torch: a model crosses to PyTorch and back with the same outputs, gradients and
state_dict names, and the PyTorch copy trains with torch.optim."""

import sys
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from tinygrad_act import Tensor, nn  # noqa: E402
from tinygrad_act.activations import list_activations  # noqa: E402
from tinygrad_act.interop import from_torch, to_torch  # noqa: E402

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-6}


def outputs_and_gradients_agree(model, dtype, rng):
    """Run `model` and to_torch(model) on one batch with a cross-entropy loss; assert the outputs and
    every parameter's gradient agree within the dtype's tolerance; return the largest differences."""
    x = rng.standard_normal((16, model.sizes[0] if hasattr(model, "sizes") else 6)) * 2
    target = rng.integers(0, 3, 16)
    torch_model = to_torch(model)
    ours = model(Tensor(x, dtype=dtype))
    theirs = torch_model(torch.from_numpy(x.astype(dtype)))
    F.cross_entropy(ours, target).backward()
    torch.nn.functional.cross_entropy(theirs, torch.from_numpy(target)).backward()
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(theirs.detach().numpy(), ours.data, rtol=tolerance, atol=tolerance)
    torch_parameters = dict(torch_model.named_parameters())
    assert list(torch_parameters) == [name for name, _ in model.named_parameters()]
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(torch_parameters[name].grad.numpy(), parameter.grad.data, rtol=tolerance,
                                   atol=tolerance, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", [*list_activations(), "prelu"])
def test_mlp_with_each_activation_gives_the_same_outputs_and_gradients_in_pytorch(activation, dtype, rng):
    ta.manual_seed(0)
    outputs_and_gradients_agree(nn.MLP([6, 8, 8, 3], activation=activation, dtype=dtype), dtype, rng)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_activation_without_a_pytorch_twin_runs_its_numpy_rules_inside_torch_autograd(
        swish_registered, dtype, rng):
    ta.manual_seed(0)
    model = nn.MLP([6, 8, 3], activation="swish", dtype=dtype, beta=1.5)
    outputs_and_gradients_agree(model, dtype, rng)
    layer = to_torch(model)[1]
    assert type(layer).__name__ == "NumpyActivation" and layer.params == {"beta": 1.5}


def test_each_activation_becomes_the_pytorch_class_named_on_its_spec():
    torch_model = to_torch(nn.Sequential(nn.LeakyReLU(0.2), nn.Activation("gelu", approximate="tanh"),
                                         nn.Softmax(dim=0), nn.Activation("step")))
    assert [type(layer).__name__ for layer in torch_model] == ["LeakyReLU", "GELU", "Softmax", "NumpyActivation"]
    assert (torch_model[0].negative_slope, torch_model[1].approximate, torch_model[2].dim) == (0.2, "tanh", 0)


def test_layers_with_state_carry_their_weights_buffers_and_mode(rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 10), nn.BatchNorm1d(10), nn.PReLU(10), nn.Dropout(0.3),
                          nn.Maxout(10, 5, pieces=3), nn.Linear(5, 3))
    for _ in range(3):  # move the running statistics away from their initial values
        model(Tensor(rng.standard_normal((8, 3, 4)) + 1.0))
    model.eval()
    torch_model = to_torch(model)
    assert not torch_model.training and not torch_model[2].training
    theirs = torch_model.state_dict()
    assert sorted(theirs) == sorted(model.state_dict())
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(theirs[name].numpy(), value.data, err_msg=name)
    x = rng.standard_normal((5, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(torch_model(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data,
                               rtol=1e-5, atol=1e-5)


def test_the_pytorch_copy_trains_with_torch_optim(rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Activation("arctan"), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
    torch_model = to_torch(model)
    x = torch.from_numpy(rng.standard_normal((64, 4)).astype(np.float32))
    y = (x[:, 0] * x[:, 1] > 0).long()
    optimizer = torch.optim.Adam(torch_model.parameters(), lr=1e-2)
    losses = []
    for _ in range(100):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(torch_model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_the_copies_share_no_memory():
    model = nn.MLP([3, 4, 2])
    torch_model = to_torch(model)
    with torch.no_grad():
        torch_model[0].weight.fill_(7.0)
    assert not np.any(model[0].weight.data == 7.0)
    from_torch(torch_model)[0].weight.data[...] = 0.0
    assert torch.all(torch_model[0].weight == 7.0)


def test_from_torch_rebuilds_a_pytorch_mlp_with_activations_mapped_back_by_name(rng):
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(OrderedDict([
        ("hidden", torch.nn.Linear(5, 8)), ("act", torch.nn.LeakyReLU(0.2)), ("drop", torch.nn.Dropout(0.1)),
        ("norm", torch.nn.BatchNorm1d(8)), ("mid", torch.nn.Linear(8, 8, dtype=torch.float32)),
        ("gelu", torch.nn.GELU("tanh")), ("out", torch.nn.Linear(8, 3)), ("probs", torch.nn.Softmax(dim=1)),
    ])).eval()
    model = from_torch(torch_model)
    assert [name for name, _ in model.named_children()] == ["hidden", "act", "drop", "norm", "mid", "gelu", "out",
                                                            "probs"]
    assert (model.act.name, model.act.params) == ("leaky_relu", {"negative_slope": 0.2})
    assert (model.gelu.params, model.probs.params) == ({"approximate": "tanh"}, {"dim": 1})
    assert not model.training and not model.norm.training
    x = rng.standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(model(Tensor(x)).data, torch_model(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_to_torch_then_from_torch_gives_back_the_same_model(swish_registered, rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.Activation("swish", beta=2.0), nn.Maxout(6, 3), nn.PReLU(),
                          nn.Linear(3, 2, bias=False))
    back = from_torch(to_torch(model))
    assert repr(back) == repr(model)
    x = Tensor(rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(back(x).data, model(x).data)


def test_from_torch_names_an_unsupported_layer_and_lists_the_supported_ones():
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Sequential(torch.nn.Conv1d(1, 1, 3)))
    with pytest.raises(TypeError, match=r"layer '1.0' is a Conv1d.*supported layers: Sequential, Linear.*LeakyReLU"):
        from_torch(torch_model)


def test_from_torch_advises_a_sequential_for_a_model_with_its_own_forward():
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(2, 2)

        def forward(self, x):
            return torch.relu(self.fc(x))

    with pytest.raises(TypeError, match="the model is a Net.*write it as an nn.Sequential"):
        from_torch(Net())


def test_from_torch_refuses_a_softmax_without_a_dim():
    with pytest.raises(ValueError, match=r"layer '0' is Softmax\(dim=None\) without a dim"):
        from_torch(torch.nn.Sequential(torch.nn.Softmax()))


def test_to_torch_names_a_layer_with_its_own_forward():
    class Doubler(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2

    with pytest.raises(TypeError, match="to_torch: layer '1' is a Doubler, which it cannot translate"):
        to_torch(nn.Sequential(nn.ReLU(), Doubler(2, 2)))


def test_a_missing_torch_is_reported_with_the_extra_that_installs_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ImportError, match=r"to_torch needs the optional package 'torch'.*pip install "
                                          r"'tinygrad-act\[torch\]'"):
        to_torch(nn.MLP([2, 2]))
