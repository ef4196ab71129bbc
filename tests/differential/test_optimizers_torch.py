"""Every optimizer takes the same steps as torch.optim, on 0-d and 2-d parameters, to 1e-10 (float64)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from tinygrad_act import Tensor, optim

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.01, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
]
SHAPES = [pytest.param((), id="0d"), pytest.param((2, 3), id="2d")]
STEPS = 6


def _loss(p: Any, coefficients: Any) -> Any:
    """A non-quadratic loss, so the gradient changes from step to step: sum(c p^3 / 3 + p^2 - p)."""
    return (coefficients * p * p * p / 3.0 + p * p - p).sum()


def _trajectory(library: str, name: str, options: dict, start: np.ndarray, coefficients: np.ndarray) -> list:
    if library == "torch":
        p = torch.tensor(start, requires_grad=True)
        optimizer = getattr(torch.optim, name)([p], **options)
        c, read = torch.tensor(coefficients), lambda: p.detach().numpy().copy()
    else:
        p = Tensor(start.copy(), requires_grad=True, dtype=np.float64)  # the optimizer updates it in place
        optimizer = getattr(optim, name)([p], **options)
        c, read = Tensor(coefficients, dtype=np.float64), lambda: np.array(p.data, copy=True)
    values = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        _loss(p, c).backward()
        optimizer.step()
        values.append(read())
    return values


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("name", "options"), CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_optimizer_steps_match_torch_optim(name: str, options: dict, shape: tuple) -> None:
    rng = np.random.default_rng(7)
    start, coefficients = rng.standard_normal(shape), rng.uniform(0.1, 0.5, shape)
    ours = _trajectory("tinygrad_act", name, options, start, coefficients)
    reference = _trajectory("torch", name, options, start, coefficients)
    for step, (mine, expected) in enumerate(zip(ours, reference, strict=True), start=1):
        assert mine.shape == expected.shape and mine.dtype == expected.dtype
        np.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-10, err_msg=f"{name}({options}) step {step}")
