"""Creation functions: shapes, dtypes and values of new leaf tensors, and reproducible randomness."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor

# ---------------------------------------------------------------- shapes, dtypes and values


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ta.zeros(2, 3), np.zeros((2, 3))),
        (lambda: ta.zeros((2, 3)), np.zeros((2, 3))),
        (lambda: ta.ones(4), np.ones(4)),
        (lambda: ta.ones([2, 2]), np.ones((2, 2))),
        (lambda: ta.full((2, 3), 7.5), np.full((2, 3), 7.5)),
        (lambda: ta.full(3, -1.0), np.full(3, -1.0)),
        (lambda: ta.eye(3), np.eye(3)),
        (lambda: ta.eye(2, 3), np.eye(2, 3)),
        (lambda: ta.linspace(0, 1, 5), [0.0, 0.25, 0.5, 0.75, 1.0]),
        (lambda: ta.arange(0, 1, 0.25), [0.0, 0.25, 0.5, 0.75]),
        (lambda: ta.tensor([[1.0, 2.0]]), [[1.0, 2.0]]),
        (lambda: Tensor.zeros(2), np.zeros(2)),
        (lambda: Tensor.ones(2, 1), np.ones((2, 1))),
        (lambda: Tensor.eye(2), np.eye(2)),
    ],
    ids=[
        "zeros",
        "zeros-tuple",
        "ones",
        "ones-list",
        "full",
        "full-int-size",
        "eye",
        "eye-rectangular",
        "linspace",
        "arange-float",
        "tensor",
        "Tensor.zeros",
        "Tensor.ones",
        "Tensor.eye",
    ],
)
def test_float_creation_gives_values_shape_and_default_dtype(
    make: Callable[[], Tensor], expected: object
) -> None:
    made = make()
    assert made.dtype == np.float32
    assert made.shape == np.shape(expected)
    np.testing.assert_array_equal(made.numpy(), expected)


@pytest.mark.parametrize(
    "make",
    [ta.zeros, ta.ones, ta.rand, ta.randn, Tensor.randn, Tensor.rand, lambda *size: ta.full(size, 1.0)],
    ids=["zeros", "ones", "rand", "randn", "Tensor.randn", "Tensor.rand", "full"],
)
def test_creation_follows_the_default_dtype(make: Callable, float64_default: None) -> None:
    assert make(2, 3).dtype == np.float64


@pytest.mark.parametrize(
    "make",
    [ta.zeros, ta.ones, ta.rand, ta.randn, lambda *size, dtype: ta.full(size, 1.0, dtype=dtype)],
    ids=["zeros", "ones", "rand", "randn", "full"],
)
def test_creation_with_an_explicit_dtype(make: Callable) -> None:
    assert make(2, dtype=np.float64).dtype == np.float64


def test_zeros_with_an_integer_dtype() -> None:
    made = ta.zeros(3, dtype=np.int64)
    assert made.dtype == np.int64
    np.testing.assert_array_equal(made.numpy(), [0, 0, 0])


@pytest.mark.parametrize("make", [ta.rand, ta.randn], ids=["rand", "randn"])
def test_random_creation_with_an_integer_dtype_raises(make: Callable) -> None:
    with pytest.raises(TypeError, match=r"rand.*: random samples need a float dtype, got int64"):
        make(2, dtype=np.int64)


@pytest.mark.parametrize(
    "make",
    [ta.zeros, ta.ones, ta.rand, ta.randn, Tensor.randn],
    ids=["zeros", "ones", "rand", "randn", "Tensor.randn"],
)
def test_creation_can_make_a_leaf_that_requires_grad(make: Callable) -> None:
    made = make(2, 3, requires_grad=True)
    assert made.requires_grad
    assert made.is_leaf


def test_arange_of_integers_is_int64() -> None:
    made = ta.arange(5)
    assert made.dtype == np.int64
    np.testing.assert_array_equal(made.numpy(), [0, 1, 2, 3, 4])


def test_arange_with_start_end_and_step() -> None:
    np.testing.assert_array_equal(ta.arange(2, 10, 3).numpy(), [2, 5, 8])


def test_arange_with_a_float_dtype() -> None:
    assert ta.arange(3, dtype=np.float32).dtype == np.float32


def test_rand_lies_in_the_unit_interval(seeded: None) -> None:
    samples = ta.rand(1000).numpy()
    assert samples.min() >= 0.0
    assert samples.max() < 1.0


def test_randn_has_zero_mean_and_unit_variance(seeded: None) -> None:
    samples = ta.randn(10_000).numpy()
    assert abs(samples.mean()) < 0.05
    assert abs(samples.std() - 1.0) < 0.05


# ---------------------------------------------------------------- *_like


@pytest.mark.parametrize(
    ("make", "fill"),
    [
        (ta.zeros_like, 0.0),
        (ta.ones_like, 1.0),
        (lambda other, **kwargs: ta.full_like(other, 3.0, **kwargs), 3.0),
    ],
    ids=["zeros_like", "ones_like", "full_like"],
)
def test_like_functions_copy_shape_and_dtype(make: Callable, fill: float) -> None:
    made = make(Tensor(np.ones((2, 3)), dtype=np.float64))
    assert made.shape == (2, 3)
    assert made.dtype == np.float64
    np.testing.assert_array_equal(made.numpy(), np.full((2, 3), fill))


@pytest.mark.parametrize("make", [ta.rand_like, ta.randn_like], ids=["rand_like", "randn_like"])
def test_random_like_functions_copy_shape_and_dtype(make: Callable) -> None:
    made = make(Tensor(np.ones((2, 3)), dtype=np.float64))
    assert made.shape == (2, 3)
    assert made.dtype == np.float64


def test_like_functions_accept_another_dtype() -> None:
    assert ta.zeros_like(Tensor([1.0, 2.0]), dtype=np.float64).dtype == np.float64


def test_zeros_like_keeps_an_integer_dtype() -> None:
    assert ta.zeros_like(Tensor([1, 2])).dtype == np.int64


# ---------------------------------------------------------------- tensor()


def test_tensor_copies_an_ndarray() -> None:
    array = np.zeros(2, dtype=np.float32)
    made = ta.tensor(array)
    made.data[0] = 1.0
    assert array[0] == 0.0


def test_tensor_of_a_tensor_is_a_new_leaf_with_copied_data() -> None:
    source = Tensor([1.0, 2.0], requires_grad=True) * 2
    made = ta.tensor(source)
    assert made.is_leaf
    assert not made.requires_grad
    assert not np.shares_memory(made.data, source.data)


def test_tensor_with_dtype_and_requires_grad() -> None:
    made = ta.tensor([1, 2], dtype=np.float64, requires_grad=True)
    assert made.dtype == np.float64
    assert made.requires_grad


# ---------------------------------------------------------------- manual_seed


@pytest.mark.parametrize(
    "make",
    [ta.rand, ta.randn, Tensor.randn, lambda *size: ta.randn_like(ta.zeros(*size))],
    ids=["rand", "randn", "Tensor.randn", "randn_like"],
)
def test_manual_seed_makes_random_tensors_reproducible(make: Callable) -> None:
    ta.manual_seed(123)
    first = make(3, 2).numpy().copy()
    ta.manual_seed(123)
    np.testing.assert_array_equal(make(3, 2).numpy(), first)


def test_different_seeds_give_different_values() -> None:
    ta.manual_seed(1)
    first = ta.randn(5).numpy().copy()
    ta.manual_seed(2)
    assert not np.array_equal(ta.randn(5).numpy(), first)


def test_successive_random_calls_differ(seeded: None) -> None:
    assert not np.array_equal(ta.rand(5).numpy(), ta.rand(5).numpy())
