"""Single ops at the edges PyTorch defines (0, ties, infinities, constant data), and the errors it
raises, each as a one-line program compared with PyTorch (float64)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from tinygrad_act import Tensor

from .graphs import Program, Step, compare

INF = np.inf


def _program(op: str, values: list, **params: Any) -> Program:
    steps = [Step("leaf", (), {"value": np.asarray(value, dtype=np.float64)}) for value in values]
    steps.append(Step(op, tuple(range(len(values))), params))
    return Program(steps, {len(steps) - 1: np.array(1.5)})


def _case(case_id: str, op: str, values: list, **params: Any) -> Any:
    return pytest.param(op, values, params, id=case_id)


EDGE_CASES = [
    # powers at 0: PyTorch's gradient is 0 (or -inf for 0 ** x at x <= 0... ) where x ** y's formula gives NaN
    _case("x**0-at-0", "scalar", [[0.0, 1.0]], symbol="**", c=0, reflected=False),
    _case("x**2-at-0", "scalar", [[0.0, -1.0]], symbol="**", c=2, reflected=False),
    _case("x**0.5-at-0", "scalar", [[0.0, 4.0]], symbol="**", c=0.5, reflected=False),
    _case("0**x", "scalar", [[0.0, 1.0, 2.0, -1.0]], symbol="**", c=0.0, reflected=True),
    _case("x**x-at-0", "pow", [[0.0, 1.0], [0.0, 1.0]]),
    _case("x**y-at-0", "pow", [[0.0, 0.0, 0.0], [0.0, 2.0, -1.0]]),
    # constant data: PyTorch's std gradient is 0 where std is 0
    _case("std-of-constant", "std", [[2.0, 2.0, 2.0]], dim=None, keepdim=False, correction=1),
    _case("std-of-constant-rows", "std", [[[1.0, 1.0], [1.0, 3.0]]], dim=1, keepdim=False, correction=1),
    _case("var-of-constant", "var", [[2.0, 2.0, 2.0]], dim=None, keepdim=False, correction=1),
    # masked backward rules at infinity: the gradient outside the mask is 0, not inf * 0
    # (one infinity per output: the scalar backpropagated is a sum, and inf - inf would be NaN)
    *[_case(f"{name}-at-{sign}inf", "activation", [[sign * INF, 1.0]], name=name, params={})
      for name in ("relu", "leaky_relu", "elu", "hardtanh", "relu6", "softplus") for sign in (1, -1)],
    *[_case(f"clamp-at-{sign}inf", "clamp", [[sign * INF, 0.2]], min=-0.5, max=0.5) for sign in (1, -1)],
    *[_case(f"abs-at-{sign}inf", "abs", [[sign * INF, 0.0]]) for sign in (1, -1)],
    *[_case(f"exp-at-{sign}inf", "exp", [[sign * INF, 0.0]]) for sign in (1, -1)],
    _case("sqrt-at-0-and-inf", "sqrt", [[0.0, INF]]),
    _case("log-at-0", "log", [[0.0, 1.0]]),
    _case("log-at-inf", "log", [[INF, 1.0]]),
    # ties: amax/amin share the gradient equally, max(dim) gives it to the index it returns
    _case("amax-ties", "amax", [[[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]]], dim=1, keepdim=False),
    _case("max-all-ties", "max_all", [[3.0, 1.0, 3.0]]),
    _case("max-dim-ties", "max_dim", [[[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]]], dim=1, keepdim=False),
    _case("min-dim-ties", "min_dim", [[[1.0, 1.0, 3.0]]], dim=-1, keepdim=True),
    _case("maximum-ties", "maximum", [[1.0, 2.0], [1.0, 3.0]]),
    _case("clamp-at-bounds", "clamp", [[-0.5, 0.5, 0.0]], min=-0.5, max=0.5),
    _case("relu-at-0", "activation", [[0.0, -0.0]], name="relu", params={}),
    # indexing
    _case("int-slice-array", "getitem", [np.arange(24.0).reshape(2, 3, 4)], index=(1, slice(None), np.array([0, 2]))),
    _case("array-slice-array", "getitem", [np.arange(24.0).reshape(2, 3, 4)],
          index=(np.array([0, 1]), slice(None), np.array([0, 2]))),
    _case("repeated-indices", "getitem", [[1.0, 2.0, 3.0]], index=(np.array([0, 0, 2, 0]),)),
    _case("mask-leading-dims", "getitem", [np.arange(6.0).reshape(2, 3)],
          index=(np.array([[True, False, True], [False, False, True]]),)),
    _case("negative-step-free-slice", "getitem", [np.arange(6.0)], index=(slice(-4, None, 2),)),
    # losses at their edges
    _case("bce-at-0-and-1", "loss", [[0.0, 1.0, 0.5]], name="binary_cross_entropy", reduction="none",
          target=np.array([1.0, 0.0, 0.5])),
    _case("cross-entropy-huge-logits", "loss", [[[1e4, -1e4, 0.0], [0.0, 0.0, 1e4]]], name="cross_entropy",
          reduction="mean", target=np.array([1, 2])),
]


@pytest.mark.parametrize(("op", "values", "params"), EDGE_CASES)
def test_op_at_edge_matches_torch(op: str, values: list, params: dict) -> None:
    compare(_program(op, values, **params), np.float64)


def test_max_with_dim_returns_values_and_indices_like_torch() -> None:
    data = np.array([[3.0, 1.0, 3.0], [0.0, 2.0, 2.0]])
    values, indices = Tensor(data, dtype=np.float64).max(dim=1)
    expected = torch.tensor(data).max(dim=1)
    np.testing.assert_array_equal(np.asarray(values.data), expected.values.numpy())
    np.testing.assert_array_equal(np.asarray(indices.data), expected.indices.numpy())


INVALID = [
    pytest.param(lambda x: x.sum(dim=2), id="sum-dim-out-of-range"),
    pytest.param(lambda x: x.mean(dim=-3), id="mean-dim-out-of-range"),
    pytest.param(lambda x: x.var(dim=5), id="var-dim-out-of-range"),
    pytest.param(lambda x: x.transpose(0, 2), id="transpose-dim-out-of-range"),
    pytest.param(lambda x: x.unsqueeze(3), id="unsqueeze-dim-out-of-range"),
    pytest.param(lambda x: x.squeeze(2), id="squeeze-dim-out-of-range"),
    pytest.param(lambda x: x.flatten(1, 0), id="flatten-start-after-end"),
    pytest.param(lambda x: x.permute(0, 0), id="permute-repeated-dim"),
    pytest.param(lambda x: x.reshape(4), id="reshape-wrong-size"),
    pytest.param(lambda x: x[2], id="index-out-of-range"),
    pytest.param(lambda x: x @ x, id="matmul-shapes"),
    pytest.param(lambda x: x.softmax(dim=2), id="softmax-dim-out-of-range"),
]


@pytest.mark.parametrize("call", INVALID)
def test_invalid_call_raises_like_torch(call: Any) -> None:
    data = np.arange(6.0).reshape(2, 3)
    with pytest.raises((IndexError, RuntimeError, ValueError)) as theirs:
        call(torch.tensor(data))
    with pytest.raises(type(theirs.value)):  # the same class as PyTorch's, so `except` clauses carry over
        call(Tensor(data, dtype=np.float64))
