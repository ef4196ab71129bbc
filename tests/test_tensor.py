"""Tensor: construction from data, dtypes, attributes, conversions and comparisons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor

# ---------------------------------------------------------------- dtype of new tensors


@pytest.mark.parametrize(
    "data",
    [1.5, [1.0, 2.0], [[1, 2.5]], np.array([1.0, 2.0]), np.float64(1.5), np.array([1.0], dtype=np.float16)],
    ids=["python-float", "float-list", "mixed-list", "float64-ndarray", "float64-scalar", "float16-ndarray"],
)
def test_float_data_becomes_float32_by_default(data: object) -> None:
    assert Tensor(data).dtype == np.float32


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([1.0, 2.0], np.float64),
        (np.array([1.0]), np.float32),
        ([1, 2], np.float32),
        (np.ones(2, np.float32), "float64"),
    ],
    ids=["floats-as-float64", "float64-as-float32", "ints-as-float32", "dtype-by-name"],
)
def test_explicit_dtype_wins(data: object, dtype: object) -> None:
    assert Tensor(data, dtype=dtype).dtype == np.dtype(dtype)


def test_set_default_dtype_float64_changes_new_float_tensors() -> None:
    ta.set_default_dtype(np.float64)
    assert ta.get_default_dtype() == np.float64
    assert Tensor([1.0]).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float64


def test_set_default_dtype_rejects_integer_dtypes() -> None:
    with pytest.raises(TypeError, match="must be a float dtype, got int32"):
        ta.set_default_dtype(np.int32)


def test_default_dtype_context_restores_the_previous_default() -> None:
    with ta.default_dtype(np.float64):
        assert Tensor([1.0]).dtype == np.float64
    assert Tensor([1.0]).dtype == np.float32


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([1, 2], np.int64),
        (np.array([1, 2], dtype=np.int32), np.int32),
        ([True, False], np.bool_),
        (3, np.int64),
    ],
    ids=["int-list", "int32-ndarray", "bools", "python-int"],
)
def test_integer_and_boolean_data_keep_their_dtype(data: object, dtype: type) -> None:
    assert Tensor(data).dtype == dtype


def test_integer_data_stays_integer_under_a_float64_default(float64_default: None) -> None:
    assert Tensor([1, 2]).dtype == np.int64


def test_integer_tensor_cannot_require_grad() -> None:
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        Tensor([1, 2], requires_grad=True)


def test_requires_grad_underscore_on_an_integer_tensor_raises() -> None:
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2]).requires_grad_()


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x * 2.0,
        lambda x: 2.0 * x,
        lambda x: x + 1,
        lambda x: 1 - x,
        lambda x: x / 3,
        lambda x: 3 / x,
        lambda x: x**2,
        lambda x: 2**x,
        lambda x: x * np.float64(2.0),
        lambda x: x + np.sqrt(2.0),
        lambda x: x * np.array([1.0, 2.0]),
    ],
    ids=[
        "x*2.0",
        "2.0*x",
        "x+1",
        "1-x",
        "x/3",
        "3/x",
        "x**2",
        "2**x",
        "x*np.float64",
        "x+np.sqrt(2)",
        "x*ndarray",
    ],
)
def test_scalar_and_ndarray_operands_keep_float32(op: Callable[[Tensor], Tensor]) -> None:
    assert op(Tensor([1.0, 2.0])).dtype == np.float32


def test_ndarray_operand_keeps_full_precision_with_a_float64_tensor() -> None:
    x = Tensor([0.0], dtype=np.float64)
    assert (x + np.array([0.1])).item() == 0.1


def test_float32_and_float64_tensors_combine_to_float64() -> None:
    assert (Tensor([1.0]) * Tensor([2.0], dtype=np.float64)).dtype == np.float64


def test_gradient_of_a_float32_leaf_in_a_float64_op_is_float32() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], dtype=np.float64, requires_grad=True)
    (x * w).sum().backward()
    assert x.grad.dtype == np.float32
    assert w.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


def test_to_float64_sends_a_float32_gradient_back() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.to(np.float64)
    (y * y).sum().backward()
    assert y.dtype == np.float64
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_to_the_same_dtype_returns_the_tensor_itself() -> None:
    x = Tensor([1.0])
    assert x.to(np.float32) is x


def test_to_an_integer_dtype_leaves_the_graph() -> None:
    y = Tensor([1.7, -2.2], requires_grad=True).to(np.int64)
    assert y.dtype == np.int64
    assert not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), [1, -2])


# ---------------------------------------------------------------- construction errors


def test_ragged_data_raises_a_clear_error() -> None:
    with pytest.raises(ValueError, match="data is ragged"):
        Tensor([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("data", [["a", "b"], "text", [None, 1.0]], ids=["strings", "string", "none"])
def test_non_numeric_data_raises_a_clear_error(data: object) -> None:
    with pytest.raises(TypeError, match="data must be numbers or booleans"):
        Tensor(data)


# ---------------------------------------------------------------- attributes and conversions


def test_attributes_follow_pytorch() -> None:
    x = Tensor(np.zeros((2, 3)))
    assert x.shape == (2, 3)
    assert isinstance(x.shape, tuple)
    assert isinstance(x.dtype, np.dtype)
    assert x.ndim == 2
    assert isinstance(x.data, np.ndarray)
    assert x.numel() == 6
    assert x.size() == (2, 3)
    assert x.size(-1) == 3
    assert len(x) == 2


def test_ndarray_of_the_right_dtype_is_shared_not_copied() -> None:
    array = np.zeros(3, dtype=np.float32)
    x = Tensor(array)
    x.data[0] = 5.0
    assert array[0] == 5.0


def test_in_place_write_to_data_changes_the_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.data -= 0.5
    np.testing.assert_array_equal(x.numpy(), [0.5, 1.5])


def test_tensor_from_a_tensor_shares_its_data() -> None:
    x = Tensor([1.0, 2.0])
    assert Tensor(x).data is x.data


def test_numpy_returns_the_underlying_array() -> None:
    x = Tensor([1.0, 2.0])
    assert x.numpy() is x.data


def test_item_returns_a_python_number() -> None:
    value = Tensor([[2.5]]).item()
    assert value == 2.5
    assert type(value) is float


def test_item_of_several_elements_raises_naming_the_shape() -> None:
    with pytest.raises(RuntimeError, match=r"a Tensor with 2 elements cannot be converted to Scalar \(shape \(2,\)\)"):
        Tensor([1.0, 2.0]).item()


def test_truth_value_of_several_elements_raises() -> None:
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_len_of_a_0_d_tensor_raises() -> None:
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_iteration_yields_rows_that_carry_gradient() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    (rows[1] * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0], [2.0, 2.0]])


def test_numpy_asarray_of_a_tensor_gives_its_data() -> None:
    np.testing.assert_array_equal(np.asarray(Tensor([1.0, 2.0])), [1.0, 2.0])


def test_ndarray_on_the_left_of_an_operator_gives_a_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    assert y.requires_grad


def test_repr_shows_values_and_grad_fn() -> None:
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2., 4.], grad_fn=<mul backward>)"


# ---------------------------------------------------------------- comparisons and argmax (no gradient)


@pytest.mark.parametrize(
    ("compare", "expected"),
    [
        (lambda x: x > 2, [False, False, True]),
        (lambda x: x >= 2, [False, True, True]),
        (lambda x: x < 2, [True, False, False]),
        (lambda x: x <= 2, [True, True, False]),
        (lambda x: x == 2, [False, True, False]),
        (lambda x: x != 2, [True, False, True]),
        (lambda x: x > Tensor([0.0, 5.0, 0.0]), [True, False, True]),
    ],
    ids=[">", ">=", "<", "<=", "==", "!=", "tensor-operand"],
)
def test_comparisons_give_boolean_tensors_outside_the_graph(compare: Callable, expected: list) -> None:
    result = compare(Tensor([1.0, 2.0, 3.0], requires_grad=True))
    assert result.dtype == np.bool_
    assert not result.requires_grad
    np.testing.assert_array_equal(result.numpy(), expected)


def test_argmax_gives_integer_indices_outside_the_graph() -> None:
    x = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    indices = x.argmax(dim=1)
    assert indices.dtype.kind == "i"
    assert not indices.requires_grad
    np.testing.assert_array_equal(indices.numpy(), [1, 0])


def test_argmin_over_everything_gives_a_flat_index() -> None:
    assert Tensor([[1.0, 5.0], [-7.0, 0.0]]).argmin().item() == 2
