"""Every op, activation and loss on 0-d tensors agrees with PyTorch, forward and backward (float64)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_act as ta
from tinygrad_act import Tensor

from .graphs import (
    ACTIVATION_PARAMS,
    BUILTIN_ACTIVATIONS,
    CUSTOM_ACTIVATION,
    DIM_ACTIVATIONS,
    Program,
    Step,
    compare,
)

pytestmark = pytest.mark.usefixtures("custom_activation")

X, Y = 0.7, -1.3  # the 0-d leaves; log, sqrt, rsqrt and powers see X only


def _case(op: str, inputs: tuple[float, ...] = (X,), case_id: str = "", **params: Any) -> Any:
    return pytest.param(op, inputs, params, id=case_id or op)


def _reductions() -> list:
    cases = []
    for op in ("sum", "mean", "amax", "amin", "max_dim", "min_dim", "logsumexp", "prod"):
        dims = [0, -1] if op in ("max_dim", "min_dim", "logsumexp") else [None, 0, -1, (0,)]
        if op == "prod":
            dims = [None, 0, -1]
        for dim in dims:
            for keepdim in (False, True):
                cases.append(_case(op, case_id=f"{op}-dim={dim}-keepdim={keepdim}", dim=dim, keepdim=keepdim))
    for op in ("var", "std"):
        for dim in (None, 0):
            cases.append(_case(op, case_id=f"{op}-dim={dim}-correction=0", dim=dim, keepdim=False, correction=0))
    return cases


def _activations() -> list:
    cases = []
    for name in [*BUILTIN_ACTIVATIONS, CUSTOM_ACTIVATION]:
        options = [{"dim": 0}, {"dim": -1}] if name in DIM_ACTIVATIONS else ACTIVATION_PARAMS.get(name, [{}])
        for i, params in enumerate(options):
            cases.append(_case("activation", case_id=f"{name}-{i}", name=name, params=params))
    return cases


CASES = [
    *[_case(op, (X, Y)) for op in ("add", "sub", "mul", "div", "maximum", "minimum")],
    _case("pow", (X, Y)),
    *[_case("scalar", case_id=f"x{symbol}{c}" if not reflected else f"{c}{symbol}x", symbol=symbol, c=c,
            reflected=reflected)
      for symbol in ("+", "-", "*", "/", "**") for c in (2, 0.5) for reflected in (False, True)],
    *[_case(op) for op in ("neg", "exp", "log", "sqrt", "abs", "rsqrt", "sin", "cos", "max_all", "min_all")],
    _case("abs", (0.0,), "abs-at-0"),
    _case("clamp", case_id="clamp-both", min=-0.5, max=0.5),
    _case("clamp", case_id="clamp-min", min=1.0, max=None),
    *_reductions(),
    *[_case("reshape", case_id=f"reshape-{shape}", shape=shape) for shape in ((1,), (), (1, 1), (-1,))],
    _case("view", case_id="view", shape=(1, -1)),
    _case("flatten", case_id="flatten", start_dim=0, end_dim=-1),
    *[_case("unsqueeze", case_id=f"unsqueeze-{dim}", dim=dim) for dim in (0, -1)],
    *[_case("squeeze", case_id=f"squeeze-{dim}", dim=dim) for dim in (None, 0, -1)],
    _case("transpose", case_id="transpose", dim0=0, dim1=-1),
    _case("permute", case_id="permute", dims=()),
    *[_case("getitem", case_id=f"getitem-{label}", index=index)
      for label, index in (("None", (None,)), ("Ellipsis", (Ellipsis,)), ("empty", ()), ("None-Ellipsis", (None, ...)))],
    _case("stack", (X, Y), "stack-0", dim=0),
    _case("stack", (X, Y), "stack--1", dim=-1),
    _case("where", (X, Y), "where", condition=np.array(True)),
    _case("where", (X,), "where-scalar", condition=np.array(False), other=2.0),
    _case("masked_fill", case_id="masked_fill", mask=np.array(True), value=-2.0),
    _case("gather", case_id="gather", dim=0, index=np.array(0)),
    _case("remainder", (X, Y), "remainder"),
    _case("expand", case_id="expand", shape=(3,)),
    _case("clone", case_id="clone"),
    _case("var_mean", (X,), "var_mean", dim=None, keepdim=False, correction=0),
    *_activations(),
    *[_case("loss", case_id=f"mse-{reduction}", name="mse_loss", reduction=reduction, target=np.array(0.2))
      for reduction in ("mean", "sum", "none")],
    _case("loss", (X, Y), "mse-two-leaves", name="mse_loss", reduction="mean"),
    *[_case("loss", case_id=f"bce_with_logits-{reduction}", name="binary_cross_entropy_with_logits",
            reduction=reduction, target=np.array(0.3)) for reduction in ("mean", "sum", "none")],
]


def _program(op: str, inputs: tuple[float, ...], params: dict) -> Program:
    steps = [Step("leaf", (), {"value": np.array(value)}) for value in inputs]
    steps.append(Step(op, tuple(range(len(inputs))), params))
    return Program(steps, {len(steps) - 1: np.array(1.7)})


@pytest.mark.parametrize(("op", "inputs", "params"), CASES)
def test_zero_d_op_matches_torch(op: str, inputs: tuple, params: dict) -> None:
    compare(_program(op, inputs, params), np.float64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_on_zero_d_matches_torch(reduction: str) -> None:
    steps = [Step("leaf", (), {"value": np.array(X)}),
             Step("activation", (0,), {"name": "sigmoid", "params": {}}),
             Step("loss", (1,), {"name": "binary_cross_entropy", "reduction": reduction, "target": np.array(0.3)})]
    compare(Program(steps, {2: np.array(1.7)}), np.float64)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_unbatched_class_loss_with_zero_d_target_matches_torch(name: str, reduction: str) -> None:
    steps = [Step("leaf", (), {"value": np.array([0.3, -1.2, 2.0])}),
             Step("loss", (0,), {"name": name, "reduction": reduction, "target": np.array(2)})]
    compare(Program(steps, {1: np.array(1.7)}), np.float64)


@pytest.mark.parametrize("call", [
    pytest.param(lambda lib, x: x @ x, id="matmul"),
    pytest.param(lambda lib, x: lib.cat([x, x]), id="cat"),
])
def test_zero_d_op_that_torch_refuses_raises(call: Any) -> None:
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor(X, dtype=torch.float64))
    with pytest.raises(RuntimeError):
        call(ta, Tensor(np.array(X), dtype=np.float64))
