"""Every loss against PyTorch: every reduction, weights, ignore_index, label smoothing, class
probabilities, class dim 1 of (N, C, d1, ...) inputs, 0-d and empty batches; values and the
gradients to the input and (where PyTorch gives one) to the target, float64 to 1e-12 and float32 to
1e-5 (relative, or 1/100 of that absolute for the elements near 0 of a gradient that cancels);
and the errors PyTorch raises, with its exception classes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

REDUCTIONS = ["mean", "sum", "none"]
DTYPES = [np.float32, np.float64]
RTOL = {np.float32: 1e-5, np.float64: 1e-12}
RNG = np.random.default_rng(0)


def _upstream(shape: tuple, dtype: Any) -> np.ndarray:
    """A gradient from above with a different value per element, so a 'none' loss is checked per sample."""
    return np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape).astype(dtype)


def _ours(loss: Any, input: np.ndarray, target: np.ndarray, target_grad: bool, **kwargs: Any  # noqa: A002
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x = ta.tensor(input, dtype=input.dtype, requires_grad=True)
    t = ta.tensor(target, dtype=target.dtype, requires_grad=True) if target_grad else target
    kwargs = {key: (ta.tensor(value, dtype=value.dtype) if isinstance(value, np.ndarray) else value)
              for key, value in kwargs.items()}
    value = loss(x, t, **kwargs)
    value.backward(_upstream(value.shape, input.dtype))
    return value.numpy(), x.grad.numpy(), (t.grad.numpy() if target_grad else None)


def _theirs(loss: Any, input: np.ndarray, target: np.ndarray, target_grad: bool, **kwargs: Any  # noqa: A002
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x = torch.tensor(input, requires_grad=True)
    t = torch.tensor(target, requires_grad=target_grad)
    kwargs = {key: (torch.tensor(value) if isinstance(value, np.ndarray) else value) for key, value in kwargs.items()}
    value = loss(x, t, **kwargs)
    value.backward(torch.tensor(_upstream(tuple(value.shape), input.dtype)))
    return value.detach().numpy(), x.grad.numpy(), (t.grad.numpy() if target_grad else None)


def assert_matches_torch(our_loss: Any, torch_loss: Any, input: np.ndarray, target: np.ndarray,  # noqa: A002
                         target_grad: bool = False, **kwargs: Any) -> None:
    ours = _ours(our_loss, input, target, target_grad, **kwargs)
    theirs = _theirs(torch_loss, input, target, target_grad, **kwargs)
    for what, actual, expected in zip(("value", "input gradient", "target gradient"), ours, theirs):
        if expected is None:
            continue
        assert actual.shape == expected.shape and actual.dtype == expected.dtype, what
        np.testing.assert_allclose(actual, expected, rtol=RTOL[input.dtype.type], atol=RTOL[input.dtype.type] / 100,
                                   equal_nan=True, err_msg=what)


def _logits(shape: tuple, dtype: Any) -> np.ndarray:
    return (RNG.normal(size=shape) * 2.0).astype(dtype)


def _classes(shape: tuple, classes: int, ignored: int | None = None) -> np.ndarray:
    target = RNG.integers(0, classes, size=shape)
    if ignored is not None and target.size:
        target.flat[::3] = ignored
    return target


# (input shape, target shape): a batch, a single 1-d sample with a 0-d target, classes at dim 1 of a
# 4-d input, and an empty batch.
CLASS_LAYOUTS = [((5, 4), (5,)), ((4,), ()), ((3, 4, 2, 3), (3, 2, 3)), ((0, 4), (0,))]
CLASS_OPTIONS = [
    {},
    {"weight": np.array([0.2, 1.0, 2.5, 0.7])},
    {"ignore_index": -100, "ignored": -100},
    {"ignore_index": 2, "ignored": 2},
    {"weight": np.array([0.2, 1.0, 2.5, 0.7]), "ignore_index": 1, "ignored": 1},
]
SMOOTHING_OPTIONS = [
    {"label_smoothing": 0.1},
    {"label_smoothing": 0.2, "weight": np.array([0.2, 1.0, 2.5, 0.7])},
    {"label_smoothing": 0.3, "weight": np.array([0.2, 1.0, 2.5, 0.7]), "ignore_index": 0, "ignored": 0},
]


def _option_id(options: dict) -> str:
    return ",".join(f"{key}" for key in options if key != "ignored") or "plain"


def _class_case(layout: tuple, options: dict, dtype: Any) -> tuple[np.ndarray, np.ndarray, dict]:
    (input_shape, target_shape), options = layout, dict(options)
    ignored = options.pop("ignored", None)
    if "weight" in options:
        options["weight"] = options["weight"].astype(dtype)
    return _logits(input_shape, dtype), _classes(target_shape, 4, ignored), options


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CLASS_OPTIONS + SMOOTHING_OPTIONS, ids=_option_id)
@pytest.mark.parametrize("layout", CLASS_LAYOUTS, ids=lambda layout: str(layout[0]))
def test_cross_entropy_with_class_targets_matches_pytorch(layout, options, reduction, dtype):
    logits, target, options = _class_case(layout, options, dtype)
    assert_matches_torch(F.cross_entropy, torch.nn.functional.cross_entropy, logits, target,
                         reduction=reduction, **options)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CLASS_OPTIONS, ids=_option_id)
@pytest.mark.parametrize("layout", CLASS_LAYOUTS, ids=lambda layout: str(layout[0]))
def test_nll_loss_matches_pytorch(layout, options, reduction, dtype):
    logits, target, options = _class_case(layout, options, dtype)
    log_probabilities = torch.log_softmax(torch.tensor(logits), dim=1 if logits.ndim > 1 else 0).numpy()
    assert_matches_torch(F.nll_loss, torch.nn.functional.nll_loss, log_probabilities, target,
                         reduction=reduction, **options)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, *SMOOTHING_OPTIONS[:2], {"weight": np.array([0.2, 1.0, 2.5, 0.7])}],
                         ids=_option_id)
@pytest.mark.parametrize("shape", [(5, 4), (4,), (3, 4, 2), (0, 4)], ids=str)
def test_cross_entropy_with_class_probabilities_matches_pytorch(shape, options, reduction):
    probabilities = torch.softmax(torch.tensor(RNG.normal(size=shape)), dim=1 if len(shape) > 1 else 0).numpy()
    assert_matches_torch(F.cross_entropy, torch.nn.functional.cross_entropy, _logits(shape, np.float64),
                         probabilities, target_grad=True, reduction=reduction, **options)


def test_cross_entropy_mean_over_only_ignored_targets_is_nan_with_zero_gradient():
    logits = _logits((3, 4), np.float64)
    assert_matches_torch(F.cross_entropy, torch.nn.functional.cross_entropy, logits, np.full(3, -100))
    value, grad, _ = _ours(F.cross_entropy, logits, np.full(3, -100), False)
    assert np.isnan(value) and not grad.any()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_cross_entropy_at_the_largest_finite_logits_matches_pytorch(dtype):
    big = np.finfo(dtype).max
    logits = np.array([[big, -big, 0.0], [-big, -big, 0.0], [big, big, -big]], dtype=dtype)
    assert_matches_torch(F.cross_entropy, torch.nn.functional.cross_entropy, logits, np.array([0, 2, 2]),
                         reduction="none")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (), (0, 3)], ids=str)
def test_mse_loss_matches_pytorch_for_input_and_target(shape, reduction, dtype):
    assert_matches_torch(F.mse_loss, torch.nn.functional.mse_loss, _logits(shape, dtype), _logits(shape, dtype),
                         target_grad=True, reduction=reduction)


def _probabilities(shape: tuple, dtype: Any) -> np.ndarray:
    return RNG.uniform(0.02, 0.98, size=shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weight"])
@pytest.mark.parametrize("shape", [(4, 3), (), (0, 3)], ids=str)
def test_binary_cross_entropy_matches_pytorch_for_input_and_target(shape, weighted, reduction, dtype):
    options = {"weight": RNG.uniform(0.5, 2.0, size=shape[-1:]).astype(dtype)} if weighted else {}
    assert_matches_torch(F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy,
                         _probabilities(shape, dtype), _probabilities(shape, dtype), target_grad=True,
                         reduction=reduction, **options)


def test_binary_cross_entropy_at_0_and_1_clamps_its_logs_as_pytorch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3])
    assert_matches_torch(F.binary_cross_entropy, torch.nn.functional.binary_cross_entropy, p, t,
                         target_grad=True, reduction="none")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
@pytest.mark.parametrize("shape", [(4, 3), (), (0, 3)], ids=str)
def test_binary_cross_entropy_with_logits_matches_pytorch_for_input_and_target(shape, options, reduction, dtype):
    kwargs = {}
    if options in ("weight", "both"):
        kwargs["weight"] = RNG.uniform(0.5, 2.0, size=shape[-1:]).astype(dtype)
    if options in ("pos_weight", "both"):
        kwargs["pos_weight"] = RNG.uniform(0.5, 3.0, size=shape[-1:]).astype(dtype)
    assert_matches_torch(F.binary_cross_entropy_with_logits, torch.nn.functional.binary_cross_entropy_with_logits,
                         _logits(shape, dtype) * 5, _probabilities(shape, dtype), target_grad=True,
                         reduction=reduction, **kwargs)


# ====================================================================== modules


def test_loss_modules_take_pytorchs_arguments():
    logits, target = _logits((6, 4), np.float64), _classes((6,), 4, ignored=3)
    weight = np.array([0.2, 1.0, 2.5, 0.7])
    for ours, theirs in [
        (nn.CrossEntropyLoss(weight, ignore_index=3, label_smoothing=0.1, reduction="sum"),
         torch.nn.CrossEntropyLoss(torch.tensor(weight), ignore_index=3, label_smoothing=0.1, reduction="sum")),
        (nn.NLLLoss(weight, ignore_index=3), torch.nn.NLLLoss(torch.tensor(weight), ignore_index=3)),
    ]:
        np.testing.assert_allclose(ours(ta.tensor(logits, dtype=np.float64), target).numpy(),
                                   theirs(torch.tensor(logits), torch.tensor(target)).numpy(), rtol=1e-12)
    probabilities, labels = _probabilities((5, 3), np.float64), _probabilities((5, 3), np.float64)
    weight, pos_weight = np.array([0.5, 1.0, 2.0]), np.array([3.0, 1.0, 0.5])
    for ours, theirs, input in [  # noqa: A001
        (nn.BCELoss(weight), torch.nn.BCELoss(torch.tensor(weight)), probabilities),
        (nn.BCEWithLogitsLoss(weight, pos_weight=pos_weight),
         torch.nn.BCEWithLogitsLoss(torch.tensor(weight), pos_weight=torch.tensor(pos_weight)), labels * 4 - 2),
    ]:
        np.testing.assert_allclose(ours(ta.tensor(input, dtype=np.float64), labels).numpy(),
                                   theirs(torch.tensor(input), torch.tensor(labels)).numpy(), rtol=1e-12)


def test_loss_module_weight_is_a_buffer_in_its_state_dict():
    assert list(nn.CrossEntropyLoss(np.ones(3)).state_dict()) == list(torch.nn.CrossEntropyLoss(torch.ones(3))
                                                                        .state_dict())


# ====================================================================== errors, with PyTorch's classes


def _raised_by_torch(call: Any) -> type[BaseException]:
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the class is what we compare
        call()
    return caught.type


@pytest.mark.parametrize("target", [[0.5, 1.5], [-0.5, 0.5], [np.nan, 0.5]], ids=["above", "below", "nan"])
def test_bce_with_a_target_outside_0_1_raises_as_pytorch(target):
    p, t = np.array([0.3, 0.6]), np.array(target)
    expected = _raised_by_torch(lambda: torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(t)))
    with pytest.raises(expected, match=r"binary_cross_entropy: all elements of target should be probabilities "
                                       r"in \[0, 1\], found"):
        F.binary_cross_entropy(ta.tensor(p, dtype=np.float64), t)


def test_bce_with_a_nan_input_raises_as_pytorch():
    p, t = np.array([np.nan, 0.6]), np.array([0.0, 1.0])
    expected = _raised_by_torch(lambda: torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(t)))
    with pytest.raises(expected, match="all elements of input should be probabilities in .* found nan"):
        F.binary_cross_entropy(ta.tensor(p, dtype=np.float64), t)


def test_cross_entropy_target_out_of_range_raises_as_pytorch():
    logits, target = _logits((3, 4), np.float64), np.array([0, 7, 1])
    expected = _raised_by_torch(lambda: torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target)))
    with pytest.raises(expected, match=r"target 7 is out of range for 4 classes \(0..3\) and is not ignore_index"):
        F.cross_entropy(ta.tensor(logits, dtype=np.float64), target)


def test_cross_entropy_with_classes_in_the_last_dim_says_they_belong_in_dim_1():
    with pytest.raises(ValueError, match=r"input of shape \(2, 3, 4\) needs a target of shape \(2, 4\), got "
                                         r"\(2, 3\) \(classes are along dim 1, as in PyTorch; it would fit "
                                         r"classes in the last dim: move them to dim 1\)"):
        F.cross_entropy(ta.zeros(2, 3, 4), np.zeros((2, 3), dtype=np.int64))


def test_cross_entropy_weight_needs_one_value_per_class():
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have one value per class, shape \(4,\), "
                                         r"got \(3,\)"):
        F.cross_entropy(ta.zeros(2, 4), np.array([0, 1]), weight=np.ones(3))


def test_zero_classes_raise_indexerror_for_a_real_target_as_pytorch_and_valueerror_when_all_are_ignored():
    # README, "Differences from PyTorch": PyTorch returns nan when every target is ignored
    logits, real_target, ignored = np.zeros((3, 0), np.float32), np.array([0, -100, -100]), np.full(3, -100)
    with pytest.raises(IndexError):
        torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(real_target))
    with pytest.raises(IndexError):
        F.cross_entropy(ta.tensor(logits), real_target)
    assert torch.isnan(torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(ignored)))
    with pytest.raises(ValueError, match="has no classes"):
        F.cross_entropy(ta.tensor(logits), ignored)
