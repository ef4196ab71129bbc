"""Optimizers against PyTorch's: 0-d parameters, resuming from a state_dict or a checkpoint, bad
checkpoints, parameter groups and zero_grad."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn, optim

torch = pytest.importorskip("torch")

CONFIGS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "betas": (0.8, 0.9), "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.1, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.2}),
]
IDS = [f"{name}-{'-'.join(settings)}" for name, settings in CONFIGS]
START = {"scalar": np.array(0.3), "matrix": np.array([[0.5, -1.0, 2.0], [0.1, 0.0, -0.4]])}
STEPS = 8


def loss(scalar, matrix):
    """A loss (the same code for both libraries) whose gradient changes from step to step, so that
    amsgrad's running max matters."""
    return 3 * (scalar - 0.7) ** 2 + 0.1 * (scalar * matrix).exp().sum() + (matrix * matrix).sum()


class Pair:
    """The same parameters and optimizer in tinygrad_act and in torch, stepped side by side."""

    def __init__(self, name, settings):
        self.name, self.settings = name, settings
        self.ours = [nn.Parameter(START[key], dtype=np.float64) for key in START]
        self.theirs = [torch.tensor(START[key], dtype=torch.float64, requires_grad=True) for key in START]
        self.ours_optimizer = getattr(optim, name)(self.ours, **settings)
        self.theirs_optimizer = getattr(torch.optim, name)(self.theirs, **settings)

    def step(self, steps=1):
        for _ in range(steps):
            self.ours_optimizer.zero_grad()
            loss(*self.ours).backward()
            self.ours_optimizer.step()
            self.theirs_optimizer.zero_grad()
            loss(*self.theirs).backward()
            self.theirs_optimizer.step()
        return self

    def assert_parameters_match(self):
        for ours, theirs in zip(self.ours, self.theirs):
            np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)

    def resume_ours_from(self, state_dict):
        """Replace our side by a fresh optimizer over fresh parameters that loads `state_dict`."""
        self.ours = [nn.Parameter(parameter.data.copy(), dtype=np.float64) for parameter in self.ours]
        self.ours_optimizer = getattr(optim, self.name)(self.ours, **self.settings)
        self.ours_optimizer.load_state_dict(state_dict)


@pytest.mark.parametrize("name, settings", CONFIGS, ids=IDS)
def test_steps_on_a_0d_and_a_2d_parameter_match_pytorch(name, settings):
    pair = Pair(name, settings)
    for _ in range(STEPS):
        pair.step().assert_parameters_match()


@pytest.mark.parametrize("name, settings", CONFIGS, ids=IDS)
def test_state_dict_round_trip_continues_like_pytorch(name, settings):
    pair = Pair(name, settings).step(4)
    pair.resume_ours_from(pair.ours_optimizer.state_dict())
    for _ in range(4):
        pair.step().assert_parameters_match()


@pytest.mark.parametrize("name, settings", CONFIGS, ids=IDS)
def test_checkpoint_file_round_trip_continues_like_pytorch(name, settings, tmp_path):
    pair = Pair(name, settings).step(4)
    ta.save({"optimizer": pair.ours_optimizer.state_dict()}, tmp_path / "checkpoint.npz")
    pair.resume_ours_from(ta.load(tmp_path / "checkpoint.npz")["optimizer"])
    for _ in range(4):
        pair.step().assert_parameters_match()


@pytest.mark.parametrize("name, settings", CONFIGS, ids=IDS)
def test_restored_state_of_a_0d_parameter_is_arrays(name, settings):
    pair = Pair(name, settings).step(2)
    pair.resume_ours_from(pair.ours_optimizer.state_dict())
    scalar_state = pair.ours_optimizer.state[pair.ours[0]]
    assert scalar_state, "the optimizer keeps state for this configuration"
    for key, value in scalar_state.items():
        if key != "step":
            assert isinstance(value, np.ndarray) and value.shape == (), key


@pytest.mark.parametrize("name, settings", CONFIGS, ids=IDS)
def test_gradient_given_as_a_numpy_scalar_still_updates_the_state(name, settings):
    ours = nn.Parameter(np.array(0.3), dtype=np.float64)
    theirs = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    ours_optimizer = getattr(optim, name)([ours], **settings)
    theirs_optimizer = getattr(torch.optim, name)([theirs], **settings)
    for gradient in [0.5, -1.5, 2.0, 0.25, -0.75]:
        ours.grad = ta.Tensor(np.zeros(()), dtype=np.float64)
        ours.grad.data = np.float64(gradient)  # a numpy scalar, as some numpy reductions return
        theirs.grad = torch.tensor(gradient, dtype=torch.float64)
        ours_optimizer.step()
        theirs_optimizer.step()
        np.testing.assert_allclose(ours.data, theirs.item(), rtol=1e-12)


# ---------------------------------------------------------------- bad checkpoints load nothing


def test_load_state_dict_with_a_bad_entry_changes_nothing():
    pair = Pair("Adam", {"lr": 0.1}).step(2)
    before = pair.ours_optimizer.state_dict()
    bad = pair.ours_optimizer.state_dict()
    bad["param_groups"][0]["lr"] = 0.5
    bad["state"][0]["exp_avg"] = np.array(7.0)          # a good value for the 0-d parameter...
    bad["state"][1]["exp_avg_sq"] = np.array(["oops"] * 6).reshape(2, 3)   # ...and a bad one
    with pytest.raises(ValueError, match="exp_avg_sq.*parameter 1"):
        pair.ours_optimizer.load_state_dict(bad)
    after = pair.ours_optimizer.state_dict()
    assert after["param_groups"][0]["lr"] == 0.1
    for index in before["state"]:
        for key in before["state"][index]:
            np.testing.assert_array_equal(after["state"][index][key], before["state"][index][key])


def test_load_state_dict_rejects_state_of_the_wrong_shape():
    pair = Pair("SGD", {"lr": 0.1, "momentum": 0.9}).step(1)
    bad = pair.ours_optimizer.state_dict()
    bad["state"][1]["momentum_buffer"] = np.zeros(6)
    with pytest.raises(ValueError, match=r"momentum_buffer.*\(6,\).*\(2, 3\)"):
        pair.ours_optimizer.load_state_dict(bad)


@pytest.mark.parametrize("not_a_state_dict", [None, 3, [1, 2], {"state": {}}])
def test_load_state_dict_of_a_non_state_dict_is_a_type_error(not_a_state_dict):
    optimizer = optim.SGD([nn.Parameter(np.zeros(2))], lr=0.1)
    with pytest.raises(TypeError, match="expected a mapping with 'state' and 'param_groups'"):
        optimizer.load_state_dict(not_a_state_dict)


# ---------------------------------------------------------------- params, groups and zero_grad


def hyperparameters(group):
    return {key: value for key, value in group.items() if key != "params"}


def test_params_may_be_a_generator_a_list_or_group_dicts_as_in_pytorch():
    model, torch_model = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    for make_params in (lambda m: m.parameters(), lambda m: list(m.parameters()),
                        lambda m: [{"params": [m.weight]}, {"params": m.bias, "lr": 0.5, "momentum": 0.2}]):
        ours = optim.SGD(make_params(model), lr=0.1, momentum=0.9)
        theirs = torch.optim.SGD(make_params(torch_model), lr=0.1, momentum=0.9)
        assert len(ours.param_groups) == len(theirs.param_groups)
        for our_group, their_group in zip(ours.param_groups, theirs.param_groups):
            assert len(our_group["params"]) == len(their_group["params"])
            assert hyperparameters(our_group).items() <= hyperparameters(their_group).items()


def test_add_param_group_fills_defaults_and_trains_the_new_group_like_pytorch():
    ours_first, ours_second = nn.Parameter(np.ones(2), dtype=np.float64), nn.Parameter(np.ones(3), dtype=np.float64)
    theirs_first = torch.ones(2, dtype=torch.float64, requires_grad=True)
    theirs_second = torch.ones(3, dtype=torch.float64, requires_grad=True)
    ours, theirs = optim.Adam([ours_first], lr=0.1), torch.optim.Adam([theirs_first], lr=0.1)
    ours.add_param_group({"params": [ours_second], "lr": 0.01})
    theirs.add_param_group({"params": [theirs_second], "lr": 0.01})
    assert hyperparameters(ours.param_groups[1]).items() <= hyperparameters(theirs.param_groups[1]).items()
    for parameter in (ours_first, ours_second):
        parameter.grad = ta.Tensor(np.ones(parameter.shape), dtype=np.float64)
    for parameter in (theirs_first, theirs_second):
        parameter.grad = torch.ones_like(parameter)
    ours.step()
    theirs.step()
    np.testing.assert_allclose(ours_second.data, theirs_second.detach().numpy(), rtol=1e-12)


def test_add_param_group_rejects_a_group_without_params():
    optimizer = optim.SGD([nn.Parameter(np.zeros(2))], lr=0.1)
    with pytest.raises(TypeError, match="'params'"):
        optimizer.add_param_group({"lr": 0.1})


@pytest.mark.parametrize("owner", ["optimizer", "module"])
def test_zero_grad_defaults_to_none_and_can_zero_in_place_as_in_pytorch(owner):
    grads = []
    for library in (ta, torch):
        model = library.nn.Linear(3, 2)
        optimizer = library.optim.SGD(model.parameters(), lr=0.1)
        clear = optimizer.zero_grad if owner == "optimizer" else model.zero_grad
        model(library.ones(4, 3)).sum().backward()
        weight_grad = model.weight.grad
        clear(set_to_none=False)
        assert model.weight.grad is weight_grad
        grads.append(model.weight.grad.numpy().copy())
        clear()
        assert model.weight.grad is None
    np.testing.assert_array_equal(grads[0], grads[1])
    assert not grads[0].any()
