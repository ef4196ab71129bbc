"""Loss functions and modules: values against numpy by hand, gradients by gradcheck, reductions, errors."""

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(5, 4))
CLASSES = np.array([0, 3, 1, 1, 2])
PROBABILITIES = RNG.uniform(0.05, 0.95, size=(3, 2))
BINARY_TARGETS = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.25]])


def float64(values, requires_grad=False) -> ta.Tensor:
    return ta.tensor(np.asarray(values, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


def cross_entropy_by_hand(logits, target):
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return -log_probabilities[np.arange(len(target)), target]


def bce_by_hand(p, t):
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def reduced(per_element, reduction):
    """What reduction="mean", "sum" or "none" makes of the per-element losses."""
    return {"mean": per_element.mean(), "sum": per_element.sum(), "none": per_element}[reduction]


# ---------------------------------------------------------------- values and reductions


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_numpy(reduction):
    expected = reduced(cross_entropy_by_hand(LOGITS, CLASSES), reduction)
    loss = nn.CrossEntropyLoss(reduction=reduction)(float64(LOGITS), CLASSES)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_picks_minus_the_target_log_probability(reduction):
    log_probabilities = np.log(np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]))
    target = np.array([1, 0, 1])
    expected = reduced(-log_probabilities[np.arange(3), target], reduction)
    loss = nn.NLLLoss(reduction=reduction)(float64(log_probabilities), target)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


def test_nll_of_log_softmax_equals_cross_entropy():
    x = float64(LOGITS)
    np.testing.assert_allclose(F.nll_loss(x.log_softmax(dim=-1), CLASSES).data,
                               F.cross_entropy(x, CLASSES).data, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_numpy(reduction):
    prediction, target = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    expected = reduced((prediction - target) ** 2, reduction)
    loss = nn.MSELoss(reduction=reduction)(float64(prediction), target)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_loss_matches_numpy(reduction):
    expected = reduced(bce_by_hand(PROBABILITIES, BINARY_TARGETS), reduction)
    loss = nn.BCELoss(reduction=reduction)(float64(PROBABILITIES), BINARY_TARGETS)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


def test_bce_clamps_each_log_at_minus_100():
    loss = F.binary_cross_entropy(float64([0.0, 1.0]), [1.0, 0.0], reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_equals_bce_of_the_sigmoid(reduction):
    logits = RNG.normal(size=(3, 2)) * 3
    expected = reduced(bce_by_hand(1 / (1 + np.exp(-logits)), BINARY_TARGETS), reduction)
    loss = nn.BCEWithLogitsLoss(reduction=reduction)(float64(logits), BINARY_TARGETS)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-10)


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradient_passes_gradcheck(reduction):
    assert ta.gradcheck(lambda x: F.cross_entropy(x, CLASSES, reduction=reduction),
                        float64(LOGITS, requires_grad=True))


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x = float64(LOGITS, requires_grad=True)
    F.cross_entropy(x, CLASSES).backward()
    softmax = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(x.grad.data, (softmax - np.eye(4)[CLASSES]) / 5, rtol=1e-12)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_class_loss_gradient_of_column_major_input_equals_row_major(loss):
    # the target entries are read and written by their flat position: a column-major input (the
    # output of x @ W for a column-major W) must give the same values and gradient
    row_major, transposed = float64(LOGITS, requires_grad=True), float64(LOGITS.T, requires_grad=True)
    column_major = transposed.T
    assert column_major.data.flags.f_contiguous and not column_major.data.flags.c_contiguous
    losses = [loss(x, CLASSES, weight=np.array([1.0, 2.0, 0.5, 1.5])) for x in (row_major, column_major)]
    for value in losses:
        value.backward()
    assert losses[0].item() == losses[1].item()
    np.testing.assert_array_equal(transposed.grad.data.T, row_major.grad.data)


def test_nll_loss_gradient_passes_gradcheck():
    assert ta.gradcheck(lambda x: F.nll_loss(x, CLASSES, reduction="sum"), float64(LOGITS, requires_grad=True))


def test_mse_loss_gradient_is_two_differences_over_n():
    prediction, target = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    x = float64(prediction, requires_grad=True)
    F.mse_loss(x, target).backward()
    np.testing.assert_allclose(x.grad.data, 2 * (prediction - target) / 12, rtol=1e-12)


def test_bce_gradient_passes_gradcheck():
    assert ta.gradcheck(lambda p: F.binary_cross_entropy(p, BINARY_TARGETS, reduction="none"),
                        float64(PROBABILITIES, requires_grad=True))


def test_bce_with_logits_gradient_is_sigmoid_minus_target():
    logits = RNG.normal(size=(3, 2))
    x = float64(logits, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, BINARY_TARGETS, reduction="sum").backward()
    np.testing.assert_allclose(x.grad.data, 1 / (1 + np.exp(-logits)) - BINARY_TARGETS, rtol=1e-12)
    assert ta.gradcheck(lambda z: F.binary_cross_entropy_with_logits(z, BINARY_TARGETS), float64(logits, True))


# ---------------------------------------------------------------- numerical safety (RuntimeWarning is an error)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_finite_for_logits_of_1e4(dtype):
    x = ta.tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]]), dtype=dtype, requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 2]))
    loss.backward()
    assert loss.item() == pytest.approx(1e4)
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_is_finite_for_logits_of_1e4(dtype):
    x = ta.tensor(np.array([1e4, -1e4, 1e4, -1e4]), dtype=dtype, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0, 0.0, 1.0]), reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1e4, 1e4])
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0, 1.0, -1.0])


# ---------------------------------------------------------------- errors


def test_cross_entropy_rejects_float_targets():
    with pytest.raises(TypeError, match="target must hold integer class indices, got dtype float64"):
        F.cross_entropy(float64(LOGITS), CLASSES.astype(np.float64))


@pytest.mark.parametrize("bad_class", [4, -1])
def test_cross_entropy_rejects_targets_out_of_range(bad_class):
    with pytest.raises(IndexError, match=rf"target {bad_class} is out of range for 4 classes \(0..3\)"):
        F.cross_entropy(float64(LOGITS), np.array([0, 1, bad_class, 2, 3]))


def test_cross_entropy_of_an_input_without_classes_names_its_shape():
    with pytest.raises(ValueError, match=r"cross_entropy: input of shape \(3, 0\) has no classes"):
        F.cross_entropy(ta.zeros(3, 0), np.full(3, -100))
    with pytest.raises(IndexError, match="target 0 is out of range for 0 classes"):  # as PyTorch: IndexError
        F.cross_entropy(ta.zeros(3, 0), np.array([0, -100, -100]))


def test_nll_loss_rejects_targets_out_of_range():
    with pytest.raises(IndexError, match="target 7 is out of range for 4 classes"):
        nn.NLLLoss()(float64(LOGITS), np.array([0, 1, 7, 2, 3]))


def test_cross_entropy_rejects_a_target_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"input of shape \(5, 4\) needs a target of shape \(5,\), got \(4,\)"):
        F.cross_entropy(float64(LOGITS), np.array([0, 1, 2, 3]))


def test_mse_loss_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\) differ"):
        F.mse_loss(ta.zeros(4, 1), np.zeros(4))


def test_bce_rejects_inputs_outside_0_1_with_pytorchs_runtime_error():
    with pytest.raises(RuntimeError, match="input should be probabilities in \\[0, 1\\], found 1.5; for logits use"):
        nn.BCELoss()(float64([0.5, 1.5]), [0.0, 1.0])


def test_loss_module_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="CrossEntropyLoss: reduction must be one of mean, sum, none, got 'avg'"):
        nn.CrossEntropyLoss(reduction="avg")
