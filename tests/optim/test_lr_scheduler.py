"""Learning-rate schedulers follow PyTorch's: the same lr (and momentum) at every step, and a resumable state."""

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn
from tinygrad_act.optim import lr_scheduler

torch = pytest.importorskip("torch")

STEPS = 30


def warm_up(epoch):
    return min(1.0, (epoch + 1) / 5)


def halve_every_ten(epoch):
    return 0.5 ** (epoch // 10)


SCHEDULES = {
    "StepLR": {"step_size": 7, "gamma": 0.5},
    "MultiStepLR": {"milestones": [3, 10, 10, 21], "gamma": 0.3},
    "ExponentialLR": {"gamma": 0.9},
    "CosineAnnealingLR": {"T_max": 12, "eta_min": 0.01},
    "LambdaLR": {"lr_lambda": [warm_up, halve_every_ten]},
    "OneCycleLR": {"max_lr": [0.5, 0.2], "total_steps": STEPS, "pct_start": 0.25},
    "OneCycleLR-three-phase-linear": {"max_lr": 0.5, "epochs": 5, "steps_per_epoch": 6, "pct_start": 0.3,
                                      "anneal_strategy": "linear", "three_phase": True},
}


def two_group_optimizers(library, optimizer_name="SGD", **hyperparameters):
    """The same two-group optimizer (lr 0.1 and 0.04) in tinygrad_act or torch."""
    if library is torch:
        first, second = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    else:
        first, second = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(3))
    optimizer_class = getattr(library.optim, optimizer_name)
    return optimizer_class([{"params": [first]}, {"params": [second], "lr": 0.04}], lr=0.1, **hyperparameters)


def scheduler_class(library, name):
    return getattr(library.optim.lr_scheduler, name.split("-")[0])


def trajectory(scheduler, optimizer, steps, group_key="lr"):
    """get_last_lr() and each group's `group_key` after construction and after each step."""
    lrs, values = [scheduler.get_last_lr()], [[group[group_key] for group in optimizer.param_groups]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        values.append([group[group_key] for group in optimizer.param_groups])
    return np.array(lrs, dtype=np.float64), np.array(values, dtype=np.float64)


@pytest.mark.parametrize("name", SCHEDULES)
def test_lr_sequence_matches_pytorch(name):
    ours_optimizer, torch_optimizer = two_group_optimizers(ta), two_group_optimizers(torch)
    ours = scheduler_class(ta, name)(ours_optimizer, **SCHEDULES[name])
    theirs = scheduler_class(torch, name)(torch_optimizer, **SCHEDULES[name])
    ours_lrs, ours_group_lrs = trajectory(ours, ours_optimizer, STEPS)
    theirs_lrs, _ = trajectory(theirs, torch_optimizer, STEPS)
    np.testing.assert_allclose(ours_lrs, theirs_lrs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours_group_lrs, ours_lrs, rtol=0, atol=0)
    assert len(set(map(tuple, ours_lrs))) > 3, "the schedule should change the lr"


@pytest.mark.parametrize("optimizer_name, key", [("SGD", "momentum"), ("Adam", "betas")])
def test_one_cycle_momentum_matches_pytorch(optimizer_name, key):
    settings = {"max_lr": 0.3, "total_steps": 20, "base_momentum": [0.8, 0.7], "max_momentum": 0.9}
    results = []
    for library in (ta, torch):
        extra = {"momentum": 0.5} if optimizer_name == "SGD" else {}
        optimizer = two_group_optimizers(library, optimizer_name, **extra)
        scheduler = scheduler_class(library, "OneCycleLR")(optimizer, **settings)
        momenta = [[group[key] for group in optimizer.param_groups]]
        for _ in range(20):
            optimizer.step()
            scheduler.step()
            momenta.append([group[key] for group in optimizer.param_groups])
        results.append(np.array(momenta, dtype=np.float64))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
    if key == "betas":
        assert optimizer.param_groups[0]["betas"][1] == 0.999  # beta2 is left alone


def test_one_cycle_refuses_to_step_past_total_steps_like_pytorch():
    for library in (ta, torch):
        optimizer = two_group_optimizers(library)
        scheduler = scheduler_class(library, "OneCycleLR")(optimizer, max_lr=0.1, total_steps=4)
        for _ in range(4):
            optimizer.step()
            scheduler.step()
        optimizer.step()
        with pytest.raises(ValueError, match="total"):
            scheduler.step()


def test_one_cycle_needs_momentum_to_cycle_it():
    optimizer = two_group_optimizers(ta, "Adagrad")
    with pytest.raises(ValueError, match="cycle_momentum"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, cycle_momentum=False)


# Falls, plateaus (reduction after patience), keeps bad during cooldown, recovers, plateaus again.
METRICS = [5.0, 4.0, 3.9, 3.95, 3.92, 3.91, 3.9, 3.9, 3.0, 3.1, 3.2, 3.3, 3.4, 2.9999, 2.5, 2.6, 2.6, 2.6,
           2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6]


@pytest.mark.parametrize("settings", [
    {"patience": 2, "cooldown": 2},
    {"patience": 1, "factor": 0.5, "threshold": 0.05, "threshold_mode": "abs", "min_lr": [0.01, 0.0]},
    {"mode": "max", "patience": 0, "cooldown": 1, "factor": 0.3},
    {"patience": 0, "factor": 0.5, "min_lr": 0.0249, "eps": 1e-3},
])
def test_reduce_lr_on_plateau_matches_pytorch(settings):
    metrics = [-m for m in METRICS] if settings.get("mode") == "max" else METRICS
    results = []
    for library in (ta, torch):
        optimizer = two_group_optimizers(library)
        scheduler = library.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **settings)
        lrs = [scheduler.get_last_lr()]
        for metric in metrics:
            optimizer.step()
            scheduler.step(metric)
            lrs.append(scheduler.get_last_lr())
        results.append(np.array(lrs, dtype=np.float64))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
    assert len(set(results[0][:, 0])) >= 3, "the metrics should trigger at least two reductions"


def test_reduce_lr_on_plateau_rejects_a_factor_of_one():
    with pytest.raises(ValueError, match="factor"):
        lr_scheduler.ReduceLROnPlateau(two_group_optimizers(ta), factor=1.0)


@pytest.mark.parametrize("name", [*SCHEDULES, "ReduceLROnPlateau"])
def test_state_dict_resumes_the_schedule_through_a_checkpoint(name, tmp_path):
    def make(optimizer):
        if name == "ReduceLROnPlateau":
            return lr_scheduler.ReduceLROnPlateau(optimizer, patience=1)
        return scheduler_class(ta, name)(optimizer, **SCHEDULES[name])

    def advance(scheduler, optimizer, steps, offset):
        for step in range(offset, offset + steps):
            optimizer.step()
            scheduler.step(METRICS[step]) if name == "ReduceLROnPlateau" else scheduler.step()
        return scheduler.get_last_lr()

    optimizer = two_group_optimizers(ta)
    scheduler = make(optimizer)
    advance(scheduler, optimizer, 12, 0)
    ta.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "ckpt.npz")
    expected = advance(scheduler, optimizer, 10, 12)

    checkpoint = ta.load(tmp_path / "ckpt.npz")
    resumed_optimizer = two_group_optimizers(ta)
    resumed = make(resumed_optimizer)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    assert advance(resumed, resumed_optimizer, 10, 12) == pytest.approx(expected, rel=1e-12)


def test_lambda_lr_saves_the_state_of_callable_objects_only():
    class Warmup:
        def __init__(self, epochs):
            self.epochs = epochs

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.epochs)

    scheduler = lr_scheduler.LambdaLR(two_group_optimizers(ta), [Warmup(4), warm_up])
    assert scheduler.state_dict()["lr_lambdas"] == [{"epochs": 4}, None]
    other = lr_scheduler.LambdaLR(two_group_optimizers(ta), [Warmup(9), warm_up])
    other.load_state_dict(scheduler.state_dict())
    assert other.lr_lambdas[0].epochs == 4


def test_lambda_lr_needs_one_function_per_group():
    with pytest.raises(ValueError, match="one value per parameter group"):
        lr_scheduler.LambdaLR(two_group_optimizers(ta), [warm_up])
