"""dtypes.py: the default float dtype, converting user data, and PyTorch's type promotion."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act.dtypes import default_dtype, result_type, to_array

torch = pytest.importorskip("torch")

TORCH_DTYPES = {np.dtype(np.bool_): torch.bool, np.dtype(np.uint8): torch.uint8, np.dtype(np.int8): torch.int8,
                np.dtype(np.int16): torch.int16, np.dtype(np.int32): torch.int32, np.dtype(np.int64): torch.int64,
                np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


def test_float_data_gets_the_default_dtype_and_integers_keep_theirs():
    assert to_array([1.5, 2.0]).dtype == np.float32
    assert to_array(np.arange(3)).dtype == np.int64
    assert to_array([True, False]).dtype == np.bool_
    with default_dtype(np.float64):
        assert to_array([1.5]).dtype == np.float64
    assert to_array([1.5]).dtype == np.float32


def test_an_array_of_the_wanted_dtype_is_not_copied():
    array = np.zeros(3, dtype=np.float32)
    assert to_array(array) is array
    assert to_array(array, np.float64) is not array


@pytest.mark.parametrize("data, dtype, error", [
    ([[1.0, 2.0], [3.0]], None, ValueError), (["a", "b"], None, TypeError), ([1.0], str, TypeError),
    ([1.0], object, TypeError),
])
def test_refused_data_raise_a_sentence(data, dtype, error):
    with pytest.raises(error, match="Tensor:"):
        to_array(data, dtype)


def test_only_float_dtypes_can_be_the_default():
    with pytest.raises(TypeError, match="must be a float dtype"):
        ta.set_default_dtype(np.int64)


@pytest.mark.parametrize("first", list(TORCH_DTYPES))
@pytest.mark.parametrize("second", list(TORCH_DTYPES))
def test_promotion_of_two_tensors_is_torchs(first, second):
    expected = torch.promote_types(TORCH_DTYPES[first], TORCH_DTYPES[second])
    assert TORCH_DTYPES[result_type(np.zeros(2, first), np.zeros(2, second))] == expected


@pytest.mark.parametrize("tensor_dtype", list(TORCH_DTYPES))
@pytest.mark.parametrize("scalar", [True, 3, 2.5])
def test_promotion_with_a_python_scalar_is_torchs(tensor_dtype, scalar):
    ours = result_type(np.zeros(2, tensor_dtype), scalar)
    theirs = (torch.zeros(2, dtype=TORCH_DTYPES[tensor_dtype]) + scalar).dtype
    assert TORCH_DTYPES[ours] == theirs


def test_a_zero_dimensional_tensor_counts_only_from_a_higher_category():
    assert result_type(np.zeros(2, np.float32), np.zeros((), np.float64)) == np.float32
    assert result_type(np.zeros(2, np.int32), np.zeros((), np.float64)) == np.float64
    assert result_type(np.zeros((), np.int64), np.zeros((), np.float32)) == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("operator", ["add", "sub", "mul", "truediv"])
@pytest.mark.parametrize("number", [0.1, 3, -7.25, 1e-3])
def test_arithmetic_with_a_python_number_is_numpys_to_the_bit(dtype, operator, number):
    """A number beside a float tensor is converted to the tensor's dtype once (a 0-d array): the
    values, dtype and gradient are exactly numpy's with the number itself, on either side (the
    gradient of number / x, -number / x^2, is rounded in two steps: to within 2 ulp)."""
    import operator as operators

    function = getattr(operators, operator)
    data = np.array([0.3, -1.7, 2.5], dtype)
    number_as_dtype = np.asarray(number, dtype)
    slope_of_x_op_number = {"add": 1, "sub": 1, "mul": number_as_dtype, "truediv": 1 / number_as_dtype}[operator]
    slope_of_number_op_x = {"add": 1, "sub": -1, "mul": number_as_dtype, "truediv": None}[operator]
    for number_first, slope in [(False, slope_of_x_op_number), (True, slope_of_number_op_x)]:
        x = ta.Tensor(data, requires_grad=True, dtype=dtype)
        if number_first:
            result, expected = function(number, x), function(number, data)
        else:
            result, expected = function(x, number), function(data, number)
        assert result.dtype == expected.dtype == dtype
        np.testing.assert_array_equal(result.numpy(), expected)
        result.sum().backward()
        assert x.grad.dtype == dtype
        if slope is None:
            exact = -np.float64(number_as_dtype) / data.astype(np.float64) ** 2
            np.testing.assert_allclose(x.grad.numpy(), exact, rtol=2 * np.finfo(dtype).eps)
        else:
            np.testing.assert_array_equal(x.grad.numpy(), np.full(3, slope, dtype))
