"""Every activation agrees with its PyTorch twin at the extremes: 0, the smallest subnormals, 1e4,
1e30, the largest float, infinities and NaN, forward and backward, in float64 and float32."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_act.activations import list_activations

from .graphs import (
    ACTIVATION_PARAMS,
    BUILTIN_ACTIVATIONS,
    CUSTOM_ACTIVATION,
    DIM_ACTIVATIONS,
    TORCH_ACTIVATIONS,
    TinygradBackend,
    TorchBackend,
    assert_same,
)

pytestmark = pytest.mark.usefixtures("custom_activation")


def _extremes(dtype: type) -> np.ndarray:
    info = np.finfo(dtype)
    tiny = info.smallest_subnormal
    return np.array([0.0, tiny, -tiny, 1e4, -1e4, 1e30, -1e30, info.max, -info.max, np.inf, -np.inf, np.nan],
                    dtype=dtype)


# Where the piecewise activations change formula: PyTorch's choice of side is the contract.
KINKS = np.array([0.0, -0.0, 1.0, -1.0, -2.0, 0.5, 3.0, -3.0, 6.0, 20.0, 10.0, 0.5 * 20.0, 1.0 / 6.0])


def _cases(names: list[str]) -> list:
    options = {name: [{"dim": -1}] for name in DIM_ACTIVATIONS} | ACTIVATION_PARAMS
    return [pytest.param(name, params, id=f"{name}-{i}") for name in names
            for i, params in enumerate(options.get(name, [{}]))]


CASES = _cases([*BUILTIN_ACTIVATIONS, CUSTOM_ACTIVATION])
# The extremes test the library's rules; the suite's own activation is checked at its kinks and in graphs.
BUILTIN_CASES = _cases(BUILTIN_ACTIVATIONS)
DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]


def _input(name: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The input and the gradient arriving from above: one value per row [v, 0.5] for softmax-like
    activations (over the last dim), else the values themselves."""
    if name in DIM_ACTIVATIONS:
        x = np.stack([values, np.full_like(values, 0.5)], axis=-1)
        return x, np.tile(np.array([1.0, -2.0], dtype=values.dtype), (len(values), 1))
    return values, np.linspace(0.5, 1.5, len(values)).astype(values.dtype)


def _run(backend: TinygradBackend, name: str, params: dict, x: np.ndarray, grad_output: np.ndarray) -> tuple:
    leaf = backend.leaf(x)
    y = backend.activation(name, leaf, params)
    y.backward(backend.floats(grad_output))
    return backend.numpy(y), backend.grad(leaf)


# Where PyTorch's own formula breaks down far from 0 (inf / inf, inf * 0, or x * (x + 3) overflowing
# although f(x) = x there), the reference is the limit: f(x) -> x, f'(x) -> 1 for the activations
# that become the identity for large x (and f, f' -> 0 for x -> -inf), and softsign -> +-1, f' -> 0.
BECOME_IDENTITY = ("gelu", "silu", "mish", "hardswish", CUSTOM_ACTIVATION)


def _limit(name: str, params: dict, x: float, forward: float, gradient: float, grad_output: float) -> tuple:
    """The reference value at x: PyTorch's, unless its formula broke down at a huge |x|."""
    broke_down = not (np.isfinite(forward) and np.isfinite(gradient)) and not np.isnan(x) and abs(x) >= 1e4
    if broke_down and name in BECOME_IDENTITY and params.get("beta", 1.0) > 0:
        if x > 0:
            return np.array(x, dtype=forward.dtype), np.array(grad_output, dtype=gradient.dtype)
        return np.zeros_like(forward), np.zeros_like(gradient)
    if broke_down and name == "softsign":
        return np.sign(x).astype(forward.dtype), np.zeros_like(gradient)
    return forward, gradient


def _check(name: str, params: dict, values: np.ndarray, dtype: type) -> None:
    x, grad_output = _input(name, values)
    ours = _run(TinygradBackend(dtype), name, params, x, grad_output)
    reference = _run(TorchBackend(dtype), name, params, x, grad_output)
    failures = []
    for i, value in enumerate(values):
        forward, gradient = reference[0][i], reference[1][i]
        if name not in DIM_ACTIVATIONS:
            forward, gradient = _limit(name, params, value, forward, gradient, grad_output[i])
        where = f"{name}({params}) at x={value!r} ({np.dtype(dtype).name})"
        for what, mine, expected in (("forward", ours[0][i], forward), ("gradient", ours[1][i], gradient)):
            try:
                assert_same(mine, expected, dtype, f"{where}: {what}")
            except AssertionError as error:
                failures.append(f"{where}: {what}: tinygrad_act {mine}, torch {expected} ({str(error).split(chr(10))[0]})")
    assert not failures, "\n".join(failures)


def test_every_registered_activation_has_a_torch_twin() -> None:
    assert set(list_activations()) <= set(TORCH_ACTIVATIONS)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "params"), BUILTIN_CASES)
def test_activation_at_extreme_inputs_matches_torch(name: str, params: dict, dtype: type) -> None:
    _check(name, params, _extremes(dtype), dtype)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_activation_at_its_kinks_matches_torch(name: str, params: dict) -> None:
    _check(name, params, KINKS.copy(), np.float64)


def _large_batch(dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """5,000 inputs cycling through the extremes and kinks, and gradients cycling through +-inf and
    nan: above 4,096 elements relu's forward and the selects of the backward rules take their
    vectorised forms (a block of zeros, a select on the bits)."""
    values = np.resize(np.concatenate([_extremes(dtype), KINKS.astype(dtype)]), 5000)
    grad_output = np.resize(np.array([1.0, -np.inf, np.nan, np.inf, -2.5, 0.25], dtype=dtype), 5000)
    return values, grad_output


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh"])
def test_a_large_batch_with_infinite_and_nan_gradients_matches_torch(name: str, dtype: type) -> None:
    values, grad_output = _large_batch(dtype)  # the same answers as small arrays
    ours = _run(TinygradBackend(dtype), name, {}, values, grad_output)
    reference = _run(TorchBackend(dtype), name, {}, values, grad_output)
    np.testing.assert_array_equal(ours[0], reference[0])
    # At a nan input we pass the gradient through (README, "Differences from PyTorch": PyTorch's own
    # answer there changes with the length of the tensor); everywhere else, PyTorch's gradient.
    nan_input = np.isnan(values)
    np.testing.assert_array_equal(ours[1][~nan_input], reference[1][~nan_input])
    np.testing.assert_array_equal(ours[1][nan_input], grad_output[nan_input])


@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_of_a_large_batch_with_infinite_gradients_matches_torch(dtype: type) -> None:
    import torch

    import tinygrad_act as ta

    values, grad_output = _large_batch(dtype)
    ours = ta.tensor(values, dtype=dtype, requires_grad=True)
    ours.clamp(-1.0, 2.0).backward(ta.tensor(grad_output, dtype=dtype))
    theirs = torch.tensor(values, requires_grad=True)
    theirs.clamp(-1.0, 2.0).backward(torch.from_numpy(grad_output))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
