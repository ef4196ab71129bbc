"""Optimizers and schedulers: a few steps on a small quadratic against the same update written in numpy."""

import math

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn, optim
from tinygrad_act.optim import lr_scheduler

# f(w) = sum(a (w - c)^2), so grad f = 2 a (w - c): curvature differs per coordinate, which is
# what makes the adaptive optimizers differ from SGD.
CURVATURE = np.array([1.0, 3.0, 0.5])
MINIMUM = np.array([1.0, -2.0, 0.5])
START = np.array([0.3, 0.8, -1.2])
STEPS = 5


def gradient(w: np.ndarray) -> np.ndarray:
    return 2 * CURVATURE * (w - MINIMUM)


def quadratic_loss(w: ta.Tensor) -> ta.Tensor:
    curvature = ta.tensor(CURVATURE, dtype=np.float64)
    minimum = ta.tensor(MINIMUM, dtype=np.float64)
    return (curvature * (w - minimum) * (w - minimum)).sum()


def run(optimizer_class, steps=STEPS, **hyperparameters) -> np.ndarray:
    """The parameter after each of `steps` optimizer steps on the quadratic."""
    w = nn.Parameter(START.copy(), dtype=np.float64)
    optimizer = optimizer_class([w], **hyperparameters)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        quadratic_loss(w).backward()
        optimizer.step()
        trajectory.append(w.data.copy())
    return np.array(trajectory)


# ---------------------------------------------------------------- the update rules


def test_sgd_plain_step_is_minus_lr_times_grad():
    w, expected = START.copy(), []
    for _ in range(STEPS):
        w = w - 0.1 * gradient(w)
        expected.append(w)
    np.testing.assert_allclose(run(optim.SGD, lr=0.1), expected, rtol=1e-12)


def test_sgd_momentum_with_dampening_and_weight_decay():
    lr, momentum, dampening, weight_decay = 0.05, 0.9, 0.3, 0.1
    w, buffer, expected = START.copy(), None, []
    for _ in range(STEPS):
        g = gradient(w) + weight_decay * w
        buffer = g.copy() if buffer is None else momentum * buffer + (1 - dampening) * g
        w = w - lr * buffer
        expected.append(w)
    trajectory = run(optim.SGD, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
    np.testing.assert_allclose(trajectory, expected, rtol=1e-12)


def test_sgd_nesterov_steps_along_grad_plus_momentum_buffer():
    lr, momentum = 0.05, 0.9
    w, buffer, expected = START.copy(), None, []
    for _ in range(STEPS):
        g = gradient(w)
        buffer = g.copy() if buffer is None else momentum * buffer + g
        w = w - lr * (g + momentum * buffer)
        expected.append(w)
    np.testing.assert_allclose(run(optim.SGD, lr=lr, momentum=momentum, nesterov=True), expected, rtol=1e-12)


def adam_by_hand(lr, beta1, beta2, eps, weight_decay, amsgrad=False, decoupled=False):
    w, m, v, v_max, expected = START.copy(), np.zeros(3), np.zeros(3), np.zeros(3), []
    for t in range(1, STEPS + 1):
        g = gradient(w)
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = np.maximum(v_max, v)
        second = v_max if amsgrad else v
        w = w - lr / (1 - beta1**t) * m / (np.sqrt(second) / np.sqrt(1 - beta2**t) + eps)
        expected.append(w)
    return np.array(expected)


def test_adam_defaults_match_pytorch():
    defaults = optim.Adam([nn.Parameter(np.zeros(1))]).defaults
    assert defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}


def test_adam_update():
    expected = adam_by_hand(0.1, 0.9, 0.999, 1e-8, 0.0)
    np.testing.assert_allclose(run(optim.Adam, lr=0.1), expected, rtol=1e-12)


def test_adam_amsgrad_with_l2_weight_decay():
    expected = adam_by_hand(0.1, 0.8, 0.9, 1e-6, 0.2, amsgrad=True)
    trajectory = run(optim.Adam, lr=0.1, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.2, amsgrad=True)
    np.testing.assert_allclose(trajectory, expected, rtol=1e-12)


def test_adamw_decays_weights_before_the_adam_step():
    expected = adam_by_hand(0.1, 0.9, 0.999, 1e-8, 0.3, decoupled=True)
    np.testing.assert_allclose(run(optim.AdamW, lr=0.1, weight_decay=0.3), expected, rtol=1e-12)


def test_adamw_default_weight_decay_is_0_01():
    assert optim.AdamW([nn.Parameter(np.zeros(1))]).defaults["weight_decay"] == 0.01


def rmsprop_by_hand(lr, alpha, eps, weight_decay, momentum, centered):
    w, square_avg, grad_avg, buffer, expected = START.copy(), np.zeros(3), np.zeros(3), np.zeros(3), []
    for _ in range(STEPS):
        g = gradient(w) + weight_decay * w
        square_avg = alpha * square_avg + (1 - alpha) * g * g
        if centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * g
            denominator = np.sqrt(square_avg - grad_avg**2) + eps
        else:
            denominator = np.sqrt(square_avg) + eps
        if momentum:
            buffer = momentum * buffer + g / denominator
            w = w - lr * buffer
        else:
            w = w - lr * g / denominator
        expected.append(w)
    return np.array(expected)


def test_rmsprop_defaults_update():
    np.testing.assert_allclose(run(optim.RMSprop), rmsprop_by_hand(1e-2, 0.99, 1e-8, 0.0, 0.0, False), rtol=1e-12)


def test_rmsprop_centered_with_momentum_and_weight_decay():
    expected = rmsprop_by_hand(0.01, 0.9, 1e-6, 0.1, 0.5, True)
    trajectory = run(optim.RMSprop, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.5, centered=True)
    np.testing.assert_allclose(trajectory, expected, rtol=1e-12)


def adagrad_by_hand(lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    w, accumulator, expected = START.copy(), np.full(3, initial_accumulator_value), []
    for t in range(1, STEPS + 1):
        g = gradient(w) + weight_decay * w
        accumulator = accumulator + g * g
        w = w - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(accumulator) + eps)
        expected.append(w)
    return np.array(expected)


def test_adagrad_defaults_update():
    np.testing.assert_allclose(run(optim.Adagrad), adagrad_by_hand(1e-2, 0.0, 0.0, 0.0, 1e-10), rtol=1e-12)


def test_adagrad_lr_decay_weight_decay_and_initial_accumulator():
    expected = adagrad_by_hand(0.5, 0.1, 0.05, 0.3, 1e-10)
    trajectory = run(optim.Adagrad, lr=0.5, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.3)
    np.testing.assert_allclose(trajectory, expected, rtol=1e-12)


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad])
def test_each_optimizer_decreases_the_loss(optimizer_class):
    final = run(optimizer_class, steps=50, lr=0.2)[-1]
    start_loss = float(np.sum(CURVATURE * (START - MINIMUM) ** 2))
    assert float(np.sum(CURVATURE * (final - MINIMUM) ** 2)) < 0.5 * start_loss


# ---------------------------------------------------------------- how steps treat parameters and grads


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
def test_step_skips_parameters_without_grad(optimizer_class):
    used, unused = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    optimizer = optimizer_class([used, unused], lr=0.1, weight_decay=0.1)
    (used * used).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(unused.data, np.ones(2))
    assert unused not in optimizer.state
    assert np.all(used.data < 1.0)


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
def test_step_updates_data_in_place_and_never_writes_into_the_grad(optimizer_class):
    w = nn.Parameter(np.ones(3))
    kwargs = {"momentum": 0.9} if optimizer_class in (optim.SGD, optim.RMSprop) else {}
    optimizer = optimizer_class([w], lr=0.1, weight_decay=0.1, **kwargs)
    data = w.data
    grad = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    w.grad = ta.Tensor(grad)
    optimizer.step()
    optimizer.step()
    assert w.data is data
    np.testing.assert_array_equal(grad, [1.0, -2.0, 3.0])


def test_param_groups_use_their_own_lr():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a.sum() + b.sum()).backward()
    optimizer.step()
    np.testing.assert_allclose(a.data, [0.9, 0.9], rtol=1e-6)
    np.testing.assert_allclose(b.data, [0.5, 0.5], rtol=1e-6)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.5]


def test_param_groups_are_filled_with_the_defaults():
    group = optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, momentum=0.9).param_groups[0]
    assert {key: group[key] for key in ("lr", "momentum", "dampening", "nesterov", "weight_decay")} == {
        "lr": 0.1, "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}


def test_zero_grad_sets_grads_to_none_or_zero():
    w = nn.Parameter(np.ones(2))
    optimizer = optim.SGD([w], lr=0.1)
    w.sum().backward()
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    optimizer.zero_grad()
    assert w.grad is None


def test_step_returns_the_closure_loss():
    w = nn.Parameter(np.ones(2))
    optimizer = optim.SGD([w], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == pytest.approx(2.0)
    np.testing.assert_allclose(w.data, [0.8, 0.8], rtol=1e-6)


# ---------------------------------------------------------------- argument errors


def test_optimizer_rejects_an_empty_parameter_list():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam([])


def test_optimizer_rejects_a_single_tensor():
    with pytest.raises(TypeError, match="got a single Tensor; wrap it in a list"):
        optim.SGD(nn.Parameter(np.ones(1)), lr=0.1)


def test_optimizer_rejects_a_parameter_in_two_groups():
    w = nn.Parameter(np.ones(1))
    with pytest.raises(ValueError, match="some parameters appear more than once"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_optimizer_rejects_a_negative_learning_rate():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        optim.SGD([nn.Parameter(np.ones(1))], lr=-0.1)


def test_nesterov_needs_momentum_and_no_dampening():
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, nesterov=True)


def test_adam_rejects_a_beta_of_one():
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam([nn.Parameter(np.ones(1))], betas=(0.9, 1.0))


# ---------------------------------------------------------------- state_dict


def test_state_dict_numbers_parameters_and_copies_state(train):
    model = nn.Linear(2, 1)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    train(model, optimizer, 2, seed=0)
    state = optimizer.state_dict()
    assert state["param_groups"][0]["params"] == [0, 1]
    assert state["state"][0]["step"] == 2
    assert state["state"][0]["exp_avg"] is not optimizer.state[model.weight]["exp_avg"]
    np.testing.assert_array_equal(state["state"][1]["exp_avg_sq"], optimizer.state[model.bias]["exp_avg_sq"])


@pytest.mark.parametrize(
    ("optimizer_class", "hyperparameters"),
    [(optim.SGD, {"lr": 0.1, "momentum": 0.9}), (optim.Adam, {"lr": 0.01, "amsgrad": True}),
     (optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}), (optim.Adagrad, {"lr": 0.1})],
)
def test_state_dict_round_trip_continues_training_identically(train, optimizer_class, hyperparameters):
    ta.manual_seed(0)
    model = nn.MLP([2, 4, 1], activation="tanh")
    optimizer = optimizer_class(model.parameters(), **hyperparameters)
    train(model, optimizer, 3, seed=1)
    clone = nn.MLP([2, 4, 1], activation="tanh")
    clone.load_state_dict(model.state_dict())
    clone_optimizer = optimizer_class(clone.parameters(), lr=123.0)
    clone_optimizer.load_state_dict(optimizer.state_dict())
    assert clone_optimizer.param_groups[0]["lr"] == hyperparameters["lr"]
    train(model, optimizer, 3, seed=2)
    train(clone, clone_optimizer, 3, seed=2)
    for (name, mine), (_, theirs) in zip(model.named_parameters(), clone.named_parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data, err_msg=name)


def test_load_state_dict_rejects_a_different_group_layout():
    state = optim.SGD([nn.Parameter(np.ones(1)), nn.Parameter(np.ones(1))], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="parameter group 0 has 2 parameters in the saved state and 1 here"):
        optim.SGD([nn.Parameter(np.ones(1))], lr=0.1).load_state_dict(state)


# ---------------------------------------------------------------- schedulers


def sgd_with_groups(*lrs):
    return optim.SGD([{"params": [nn.Parameter(np.ones(1))], "lr": lr} for lr in lrs], lr=lrs[0])


def test_step_lr_decays_by_gamma_every_step_size_epochs():
    optimizer = sgd_with_groups(0.1, 1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    seen = []
    for _ in range(8):
        seen.append(scheduler.get_last_lr())
        scheduler.step()
    expected = [[0.1 * 0.5 ** (epoch // 3), 1.0 * 0.5 ** (epoch // 3)] for epoch in range(8)]
    np.testing.assert_allclose(seen, expected, rtol=1e-12)


def test_scheduler_writes_the_lr_into_the_param_groups():
    optimizer = sgd_with_groups(0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.1)
    scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.01)
    assert scheduler.get_last_lr() == [optimizer.param_groups[0]["lr"]]


def test_cosine_annealing_follows_the_closed_form():
    optimizer = sgd_with_groups(0.1)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=10, eta_min=0.001)
    seen = []
    for _ in range(21):
        seen.append(scheduler.get_last_lr()[0])
        scheduler.step()
    expected = [0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * epoch / 10)) / 2 for epoch in range(21)]
    np.testing.assert_allclose(seen, expected, rtol=1e-12)
    assert seen[10] == pytest.approx(0.001)


def test_scheduler_requires_an_optimizer():
    with pytest.raises(TypeError, match="StepLR: expected an Optimizer, got list"):
        lr_scheduler.StepLR([], step_size=1)


@pytest.mark.parametrize(
    ("optimizer_class", "hyperparameters", "message"),
    [(optim.RMSprop, {"alpha": -0.1}, "Invalid alpha value: -0.1"),
     (optim.Adagrad, {"lr_decay": -1.0}, "Invalid lr_decay value: -1.0"),
     (optim.Adam, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
     (optim.SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5")],
)
def test_optimizers_reject_negative_hyperparameters(optimizer_class, hyperparameters, message):
    with pytest.raises(ValueError, match=message):
        optimizer_class([nn.Parameter(np.ones(1))], **hyperparameters)


def test_optimizer_repr_lists_each_group_hyperparameters():
    text = repr(optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, momentum=0.9))
    assert text.splitlines()[:3] == ["SGD (", "Parameter Group 0", "    dampening: 0.0"]
    assert "    lr: 0.1" in text and "    momentum: 0.9" in text


def test_scheduler_state_dict_resumes_the_schedule():
    scheduler = lr_scheduler.CosineAnnealingLR(sgd_with_groups(0.1), T_max=10)
    for _ in range(4):
        scheduler.step()
    resumed = lr_scheduler.CosineAnnealingLR(sgd_with_groups(0.1), T_max=10)
    resumed.load_state_dict(scheduler.state_dict())
    scheduler.step()
    resumed.step()
    assert resumed.last_epoch == 5
    assert resumed.get_last_lr() == scheduler.get_last_lr()
    assert resumed.optimizer.param_groups[0]["lr"] == scheduler.get_last_lr()[0]


def test_by_name_makes_the_named_optimizer_in_any_case_with_its_options():
    weight = ta.Tensor(np.ones(3, np.float32), requires_grad=True)
    optimizer = optim.by_name("SGD", [weight], lr=0.1, momentum=0.9)
    assert type(optimizer) is optim.SGD and optimizer.param_groups[0]["momentum"] == 0.9
    assert {name: type(optim.by_name(name, [weight], lr=0.1)) for name in optim.OPTIMIZERS} == optim.OPTIMIZERS


def test_by_name_refuses_an_unknown_name_listing_the_valid_ones():
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'; valid names: sgd, adam, adamw, rmsprop, adagrad"):
        optim.by_name("lbfgs", [], lr=0.1)
