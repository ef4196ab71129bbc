"""The array helpers of numerics.py that the activation rules and the fused kernels share."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_act.numerics import (
    log_softmax,
    max_keepdims,
    one_of,
    relu,
    select_zero,
    zero_of,
)


@pytest.mark.parametrize("shape", [(128, 10), (40, 32), (8, 2), (128, 100), (3, 4, 5), (0, 3), (64, 0)])
def test_max_keepdims_is_numpys_max_on_tall_short_and_empty_arrays(shape):
    # (128, 10), (40, 32) and (64, 0) take the transposed path; the others numpy's own reduction
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    expected = np.max(x, axis=-1, keepdims=True, initial=-np.inf)
    result = max_keepdims(x, -1)
    assert result.shape == expected.shape and result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


def test_log_softmax_of_a_batch_of_logits_matches_a_float64_reference():
    logits = np.random.default_rng(1).normal(0, 30, (128, 10)).astype(np.float32)
    reference = logits.astype(np.float64)
    reference = reference - reference.max(1, keepdims=True)
    reference -= np.log(np.exp(reference).sum(1, keepdims=True))
    np.testing.assert_allclose(log_softmax(logits, 1), reference, rtol=1e-5, atol=1e-5)


def test_log_softmax_of_an_empty_dim_is_empty_and_silent():
    assert log_softmax(np.zeros((4, 0), np.float32), 1).shape == (4, 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_cached_zero_and_one_keep_the_dtype_of_their_array(dtype):
    x = np.array([-2.0, 0.5], dtype)
    assert relu(x).dtype == dtype and (one_of(x) - x).dtype == dtype
    assert zero_of(x).dtype == dtype and one_of(x) == 1


def test_integer_arrays_get_python_numbers_so_their_dtype_is_kept():
    x = np.array([-2, 3], np.int32)
    assert zero_of(x) == 0 and type(zero_of(x)) is int
    assert relu(x).dtype == np.int32 and relu(x).tolist() == [0, 3]


@pytest.mark.parametrize("size", [6, 10_000])  # np.where below 4,096 elements, the bit select above
def test_select_zero_gives_exact_zeros_even_for_infinite_or_nan_gradients(size):
    condition = np.arange(size) % 3 == 0
    grad = np.full(size, np.inf, np.float32)
    grad[1::3] = np.nan
    result = select_zero(condition, grad)
    assert np.all(result[condition] == 0)
    assert np.all(np.isinf(result[2::3])) and np.all(np.isnan(result[1::3]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(128, 256), (3, 70_001), (5000,)])  # one block, several and a partial one
def test_relu_of_a_large_array_is_numpys_max_with_zero(dtype, shape):
    x = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    x.reshape(-1)[:4] = [np.nan, -np.inf, np.inf, -0.0]
    result = relu(x)
    assert result.dtype == dtype and result.shape == x.shape
    np.testing.assert_array_equal(result, np.maximum(x, 0))
    assert np.isnan(result.reshape(-1)[0]) and result.reshape(-1)[1] == 0 and result.reshape(-1)[2] == np.inf


def test_relu_of_a_strided_array_and_the_zeros_it_compares_with_stay_untouched():
    x = np.random.default_rng(4).standard_normal((300, 200)).astype(np.float32)
    np.testing.assert_array_equal(relu(x.T), np.maximum(x.T, 0))
    relu(x)
    np.testing.assert_array_equal(relu(-np.abs(x)), np.zeros_like(x))  # the block of zeros is still zeros


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [8, 10_000])  # np.where below 4,096 elements, the bit select above
def test_select_zero_keeps_the_gradient_bit_for_bit_and_gives_plus_zero_elsewhere(dtype, size):
    rng = np.random.default_rng(5)
    values = np.maximum(rng.standard_normal(size), 0).astype(dtype)  # a relu output
    values[:4] = [np.nan, -0.0, np.inf, 0.0]
    grad = rng.standard_normal(size).astype(dtype)
    grad[:8] = [np.inf, np.nan, -np.inf, np.nan, -1.5, 2.0, np.inf, -np.inf]
    off = values <= 0  # relu's backward: at a nan input the gradient passes
    result = select_zero(off, grad)
    assert result.dtype == dtype and result.shape == grad.shape
    np.testing.assert_array_equal(result[~off], grad[~off])  # nan where the gradient was nan, inf kept
    assert np.all(result[off] == 0) and not np.signbit(result[off]).any()


def test_select_zero_of_an_integer_gradient_or_a_broadcast_condition_takes_np_where():
    condition = np.zeros(5000, bool)
    condition[::2] = True
    integer = select_zero(condition, np.full(5000, 7))
    assert integer.dtype == np.int64 and np.all(integer[::2] == 0) and np.all(integer[1::2] == 7)
    broadcast = select_zero(condition[:10], np.full((500, 10), np.inf))
    assert broadcast.shape == (500, 10) and np.all(broadcast[:, ::2] == 0) and np.all(broadcast[:, 1::2] == np.inf)


def test_select_zero_of_a_float64_gradient_on_a_float32_relu_output():
    values = np.zeros(5000, np.float32)
    values[::2] = 1.0
    result = select_zero(values <= 0, np.full(5000, np.inf))
    assert result.dtype == np.float64 and np.all(result[::2] == np.inf) and np.all(result[1::2] == 0)
