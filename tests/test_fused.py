"""The fused kernels (fused.py), checked as kernels: each against the same arithmetic written with
numpy, and against finite differences through the graph."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, fused
from tinygrad_act.autograd import apply


@pytest.fixture
def batch(rng):
    return rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)


@pytest.mark.parametrize("input_shape", [(4,), (5, 4), (2, 5, 4)])
def test_linear_is_x_times_weight_transposed_plus_bias(rng, input_shape, float64_default):
    x = Tensor(rng.standard_normal(input_shape), requires_grad=True)
    weight = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    bias = Tensor(rng.standard_normal(3), requires_grad=True)
    out = apply(fused.Linear, x, weight, bias)
    np.testing.assert_allclose(out.numpy(), x.numpy() @ weight.numpy().T + bias.numpy(), rtol=1e-12)
    assert ta.gradcheck(lambda a, w, b: apply(fused.Linear, a, w, b), (x, weight, bias))


def test_linear_without_bias_and_without_input_gradient(batch, float64_default):
    x, weight, _ = batch
    w = Tensor(weight, requires_grad=True)
    out = apply(fused.Linear, Tensor(x), w)
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.ones((5, 3)).T @ x, rtol=1e-12)


@pytest.mark.parametrize("input_shape", [(5, 4), (2, 5, 4)])
def test_linear_with_a_column_major_weight_gives_its_gradient_column_major(rng, input_shape, float64_default):
    x = Tensor(rng.standard_normal(input_shape), requires_grad=True)
    weight = Tensor(np.asfortranarray(rng.standard_normal((3, 4))), requires_grad=True)
    bias = Tensor(rng.standard_normal(3), requires_grad=True)
    assert ta.gradcheck(lambda a, w, b: apply(fused.Linear, a, w, b), (x, weight, bias))
    grad_output = rng.standard_normal(input_shape[:-1] + (3,))
    apply(fused.Linear, x, weight, bias).backward(grad_output)
    expected = grad_output.reshape(-1, 3).T @ x.numpy().reshape(-1, 4)
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-12)
    assert weight.grad.data.flags.f_contiguous and weight.grad.data.base is None  # handed over, not copied


def test_linear_refuses_mismatched_features_naming_both_shapes(batch):
    x, weight, _ = batch
    with pytest.raises(RuntimeError, match=r"input has 3 features .* weight expects 4"):
        apply(fused.Linear, Tensor(x[:, :3]), Tensor(weight))


def test_cross_entropy_kernel_gives_per_sample_losses_of_the_log_softmax(rng, float64_default):
    logits, target = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    losses = F.cross_entropy(Tensor(logits), target, reduction="none")
    np.testing.assert_allclose(losses.numpy(), -log_p[np.arange(6), target], rtol=1e-12)


@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.2}, {"ignore_index": 1},
                                     {"weight": np.array([1.0, 2.0, 0.5, 1.0, 3.0])}])
def test_cross_entropy_kernel_passes_gradcheck(rng, options, float64_default):
    logits = Tensor(rng.standard_normal((6, 5)), requires_grad=True)
    target = np.array([0, 1, 2, 3, 4, 1])
    weight = options.get("weight")
    kwargs = {**options, "weight": None if weight is None else Tensor(weight)}
    assert ta.gradcheck(lambda z: F.cross_entropy(z, target, **kwargs), logits)


def test_the_loss_mean_of_nothing_is_nan_with_a_zero_gradient(float64_default):
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([-100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(logits.grad.numpy(), np.zeros((2, 3)))


def test_squared_error_and_binary_cross_entropy_kernels(rng, float64_default):
    x, t = rng.standard_normal(7), rng.standard_normal(7)
    np.testing.assert_allclose(apply(fused.SquaredError, x, t).numpy(), (x - t) ** 2, rtol=1e-12)
    p, q = rng.uniform(0.05, 0.95, 7), rng.uniform(0, 1, 7)
    expected = -(q * np.log(p) + (1 - q) * np.log1p(-p))
    np.testing.assert_allclose(apply(fused.BinaryCrossEntropy, p, q).numpy(), expected, rtol=1e-12)
    probabilities = Tensor(p, requires_grad=True)
    targets = Tensor(q, requires_grad=True)
    assert ta.gradcheck(lambda a, b: apply(fused.BinaryCrossEntropy, a, b), (probabilities, targets))
