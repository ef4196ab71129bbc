"""The differentiable primitives, checked against numpy in forward and finite differences in backward.

The tables below are the specification: each row names an op, the Tensor expression, its numpy
reference and the inputs it is checked on (a shape and a domain that keeps away from kinks and
poles). Every row is run three ways: forward against numpy, backward against `ta.gradcheck` in
float64, and backward in float32 for the shape and dtype of each gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor

pytestmark = pytest.mark.filterwarnings("error")

Domain = Callable[[np.random.Generator, tuple], np.ndarray]


def signed(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(rng.uniform(-2.0, 2.0, shape))


def positive(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(rng.uniform(0.5, 2.0, shape))


def away_from_zero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.asarray(rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape))


def around_clamp_bounds(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Values below, inside and above the bounds -0.5 and 0.5, never within 0.2 of them."""
    return np.asarray(rng.choice([-1.5, -0.1, 0.1, 1.5], shape) + rng.uniform(-0.1, 0.1, shape))


def row(name: str, op: Callable, reference: Callable | None, *inputs: tuple) -> pytest.param:
    """One table row; each input is a shape or (shape, domain); `reference` None means the expression
    works on ndarrays as it is."""
    inputs = tuple(spec if len(spec) == 2 and callable(spec[1]) else (spec, signed) for spec in inputs)
    return pytest.param(op, reference or op, inputs, id=name)


MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

# ---------------------------------------------------------------- binary arithmetic with broadcasting

BINARY_OPS = {
    "add": (lambda a, b: a + b, signed, signed),
    "sub": (lambda a, b: a - b, signed, signed),
    "mul": (lambda a, b: a * b, signed, signed),
    "div": (lambda a, b: a / b, signed, away_from_zero),
    "pow": (lambda a, b: a**b, positive, signed),
}
BROADCAST_SHAPES = {
    "same": ((3, 4), (3, 4)),
    "missing-leading-dim": ((3, 4), (4,)),
    "size-1-dim": ((3, 4), (1, 4)),
    "outer": ((3, 1), (1, 4)),
    "missing-and-size-1": ((2, 3, 4), (3, 1)),
    "left-operand-smaller": ((4,), (2, 3, 4)),
    "0-d-tensor": ((), (3, 4)),
    "both-stretched": ((2, 1, 4), (3, 1)),
}
BINARY_ROWS = [
    row(f"{op_name}-{shapes_name}", op, None, (shape_a, domain_a), (shape_b, domain_b))
    for op_name, (op, domain_a, domain_b) in BINARY_OPS.items()
    for shapes_name, (shape_a, shape_b) in BROADCAST_SHAPES.items()
]

# ---------------------------------------------------------------- unary ops, scalars and reflected forms

UNARY_ROWS = [
    row("neg", lambda x: -x, None, (3, 4)),
    row("exp", Tensor.exp, np.exp, (3, 4)),
    row("exp-0-d", Tensor.exp, np.exp, ()),
    row("log", Tensor.log, np.log, ((3, 4), positive)),
    row("sqrt", Tensor.sqrt, np.sqrt, ((3, 4), positive)),
    row("abs", Tensor.abs, np.abs, ((3, 4), away_from_zero)),
    row(
        "clamp", lambda x: x.clamp(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), ((3, 4), around_clamp_bounds)
    ),
    row(
        "clamp-min", lambda x: x.clamp(min=-0.5), lambda a: np.maximum(a, -0.5), ((3, 4), around_clamp_bounds)
    ),
    row("clamp-max", lambda x: x.clamp(max=0.5), lambda a: np.minimum(a, 0.5), ((3, 4), around_clamp_bounds)),
    row("to-float64", lambda x: x.to(np.float64), lambda a: a.astype(np.float64), (3, 4)),
    row("square", lambda x: x**2, None, (3, 4)),
    row("cube", lambda x: x**3, None, (3, 4)),
    row("pow-method", lambda x: x.pow(2), lambda a: a**2, (3, 4)),
    row("square-root-power", lambda x: x**0.5, None, ((3, 4), positive)),
    row("negative-power", lambda x: x**-1.5, None, ((3, 4), positive)),
    row("scalar-times", lambda x: 2 * x, None, (3, 4)),
    row("times-scalar", lambda x: x * 2.5, None, (3, 4)),
    row("scalar-plus", lambda x: 1 + x, None, (3, 4)),
    row("plus-scalar", lambda x: x + 1.5, None, (3, 4)),
    row("scalar-minus", lambda x: 1 - x, None, (3, 4)),
    row("minus-scalar", lambda x: x - 1, None, (3, 4)),
    row("scalar-over", lambda x: 2 / x, None, ((3, 4), away_from_zero)),
    row("over-scalar", lambda x: x / 2, None, (3, 4)),
    row("scalar-to-the", lambda x: 2**x, None, (3, 4)),
    row("ndarray-times", lambda x: np.arange(1.0, 5.0) * x, None, (3, 4)),
    row("ndarray-minus", lambda x: np.arange(1.0, 5.0) - x, None, (3, 4)),
    row("minus-ndarray", lambda x: x - np.arange(1.0, 5.0), None, (3, 4)),
    row("ndarray-over", lambda x: np.arange(1.0, 5.0) / x, None, ((3, 4), away_from_zero)),
]

# ---------------------------------------------------------------- reductions

REDUCTIONS = {
    "sum": (Tensor.sum, np.sum),
    "mean": (Tensor.mean, np.mean),
    "amax": (Tensor.amax, np.max),
    "amin": (Tensor.amin, np.min),
    "var": (Tensor.var, partial(np.var, ddof=1)),
    "std": (Tensor.std, partial(np.std, ddof=1)),
}
DIMS = [None, 0, -1, (0, 2), (-1, -3)]
REDUCTION_ROWS = [
    row(
        f"{name}-dim={dim}-keepdim={keepdim}",
        partial(method, dim=dim, keepdim=keepdim),
        partial(reference, axis=dim, keepdims=keepdim),
        (2, 3, 4),
    )
    for name, (method, reference) in REDUCTIONS.items()
    for dim in DIMS
    for keepdim in (False, True)
] + [
    row("var-correction=0", lambda x: x.var(1, correction=0), lambda a: np.var(a, 1), (2, 3, 4)),
    row("std-correction=2", lambda x: x.std(correction=2), lambda a: np.std(a, ddof=2), (2, 3, 4)),
]

# ---------------------------------------------------------------- movement

MOVEMENT_ROWS = [
    row("reshape", lambda x: x.reshape(4, 6), None, (2, 3, 4)),
    row("reshape-tuple-with-minus-1", lambda x: x.reshape((6, -1)), None, (2, 3, 4)),
    row("view", lambda x: x.view(-1), lambda a: a.reshape(-1), (2, 3, 4)),
    row("flatten", Tensor.flatten, lambda a: a.reshape(-1), (2, 3, 4)),
    row("flatten-start-1", lambda x: x.flatten(1), lambda a: a.reshape(2, 12), (2, 3, 4)),
    row("flatten-0-to-1", lambda x: x.flatten(0, 1), lambda a: a.reshape(6, 4), (2, 3, 4)),
    row("unsqueeze-0", lambda x: x.unsqueeze(0), lambda a: a[None], (2, 3, 4)),
    row("unsqueeze-minus-1", lambda x: x.unsqueeze(-1), lambda a: a[..., None], (2, 3, 4)),
    row("unsqueeze-middle", lambda x: x.unsqueeze(1), lambda a: a[:, None], (2, 3, 4)),
    row("squeeze-all", Tensor.squeeze, np.squeeze, (2, 1, 3, 1)),
    row("squeeze-dim", lambda x: x.squeeze(1), lambda a: np.squeeze(a, 1), (2, 1, 3, 1)),
    row("squeeze-minus-1", lambda x: x.squeeze(-1), lambda a: np.squeeze(a, -1), (2, 1, 3, 1)),
    row("transpose", lambda x: x.transpose(0, 2), lambda a: np.swapaxes(a, 0, 2), (2, 3, 4)),
    row("transpose-negative", lambda x: x.transpose(-1, -2), lambda a: np.swapaxes(a, -1, -2), (2, 3, 4)),
    row("permute", lambda x: x.permute(2, 0, 1), lambda a: np.transpose(a, (2, 0, 1)), (2, 3, 4)),
    row("permute-tuple", lambda x: x.permute((1, 2, 0)), lambda a: np.transpose(a, (1, 2, 0)), (2, 3, 4)),
    row("T-matrix", lambda x: x.T, None, (3, 4)),
    row("T-3-d", lambda x: x.T, None, (2, 3, 4)),
]

# ---------------------------------------------------------------- indexing

INDEX_ROWS = [
    row("int", lambda x: x[1], None, (3, 4)),
    row("negative-int", lambda x: x[-1], None, (3, 4)),
    row("two-ints", lambda x: x[1, 2], None, (3, 4)),
    row("slice", lambda x: x[1:], None, (3, 4)),
    row("column-slice", lambda x: x[:, 1:3], None, (3, 4)),
    row("step-with-ellipsis", lambda x: x[..., ::2], None, (2, 3, 4)),
    row("new-axis", lambda x: x[None, 1], None, (3, 4)),
    row("int-list", lambda x: x[[0, 2]], None, (3, 4)),
    row("repeated-int-list", lambda x: x[[0, 0, 1]], None, (3, 4)),
    row("negative-int-list", lambda x: x[[-1, 0]], None, (3, 4)),
    row("2-d-int-array", lambda x: x[np.array([[0, 1], [1, 0]])], None, (3, 4)),
    row("columns-by-list", lambda x: x[:, [2, 0, 2]], None, (3, 4)),
    row("paired-int-lists", lambda x: x[[0, 1, 1], [1, 2, 1]], None, (3, 4)),
    row("int-tensor", lambda x: x[Tensor(np.array([2, 0, 2]))], lambda a: a[np.array([2, 0, 2])], (3, 4)),
    row("bool-mask", lambda x: x[MASK], None, (3, 4)),
    row("bool-row-mask", lambda x: x[np.array([True, False, True])], None, (3, 4)),
    row("bool-mask-tensor", lambda x: x[Tensor(MASK)], lambda a: a[MASK], (3, 4)),
    row("own-comparison-mask", lambda x: x[x > 0], None, ((3, 4), away_from_zero)),
]

# ---------------------------------------------------------------- joining and selecting


def last_dim_join_row(join: Callable, numpy_join: Callable, *inputs: tuple) -> pytest.param:
    """A row joining three tensors along the last dim: join([a, b, c], dim=-1) against
    numpy_join([a, b, c], axis=-1)."""
    return row(f"{join.__name__}-last-dim-three-tensors", lambda a, b, c: join([a, b, c], dim=-1),
               lambda a, b, c: numpy_join([a, b, c], axis=-1), *inputs)


JOIN_ROWS = [
    row("cat", lambda a, b: ta.cat([a, b]), lambda a, b: np.concatenate([a, b]), (2, 3), (1, 3)),
    last_dim_join_row(ta.cat, np.concatenate, (2, 3), (2, 1), (2, 2)),
    row("stack", lambda a, b: ta.stack([a, b]), lambda a, b: np.stack([a, b]), (2, 3), (2, 3)),
    last_dim_join_row(ta.stack, np.stack, (2, 3), (2, 3), (2, 3)),
    row("where", lambda a, b: ta.where(MASK, a, b), lambda a, b: np.where(MASK, a, b), (3, 4), (3, 4)),
    row(
        "where-tensor-condition",
        lambda a, b: ta.where(Tensor(MASK), a, b),
        lambda a, b: np.where(MASK, a, b),
        (3, 4),
        (3, 4),
    ),
    row(
        "where-broadcasting",
        lambda a, b: ta.where(MASK[:, :1], a, b),
        lambda a, b: np.where(MASK[:, :1], a, b),
        (3, 4),
        (4,),
    ),
    row("where-scalar-other", lambda a: ta.where(MASK, a, 0.0), lambda a: np.where(MASK, a, 0.0), (3, 4)),
    row(
        "where-own-condition",
        lambda a: ta.where(a > 0, a, a * 0.1),
        lambda a: np.where(a > 0, a, a * 0.1),
        ((3, 4), away_from_zero),
    ),
]

# ---------------------------------------------------------------- matmul

MATMUL_SHAPES = {
    "vector-vector": ((3,), (3,)),
    "matrix-matrix": ((2, 3), (3, 4)),
    "vector-matrix": ((3,), (3, 4)),
    "matrix-vector": ((2, 3), (3,)),
    "batched": ((5, 2, 3), (5, 3, 4)),
    "batch-matrix": ((5, 2, 3), (3, 4)),
    "matrix-batch": ((2, 3), (5, 3, 4)),
    "broadcasting-batch": ((2, 1, 2, 3), (5, 3, 4)),
    "vector-batch": ((3,), (5, 3, 4)),
    "batch-vector": ((5, 2, 3), (3,)),
}
MATMUL_ROWS = [
    row(f"matmul-{name}", lambda a, b: a @ b, None, shape_a, shape_b)
    for name, (shape_a, shape_b) in MATMUL_SHAPES.items()
] + [
    row("matmul-constant-right", lambda a: a @ np.linspace(-1, 1, 8).reshape(4, 2), None, (3, 4)),
    row("matmul-constant-left", lambda b: np.linspace(-1, 1, 6).reshape(2, 3) @ b, None, (3, 4)),
]

ALL_ROWS = BINARY_ROWS + UNARY_ROWS + REDUCTION_ROWS + MOVEMENT_ROWS + INDEX_ROWS + JOIN_ROWS + MATMUL_ROWS


def sample(inputs: tuple, rng: np.random.Generator) -> list[np.ndarray]:
    return [domain(rng, shape) for shape, domain in inputs]


@pytest.mark.parametrize(("op", "reference", "inputs"), ALL_ROWS)
def test_forward_matches_numpy(
    op: Callable, reference: Callable, inputs: tuple, rng: np.random.Generator
) -> None:
    arrays = sample(inputs, rng)
    out = op(*[Tensor(array, dtype=np.float64) for array in arrays])
    expected = reference(*arrays)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("op", "reference", "inputs"), ALL_ROWS)
def test_backward_matches_finite_differences(
    op: Callable, reference: Callable, inputs: tuple, rng: np.random.Generator
) -> None:
    tensors = [Tensor(array, dtype=np.float64, requires_grad=True) for array in sample(inputs, rng)]
    assert ta.gradcheck(op, tensors)


@pytest.mark.parametrize(("op", "reference", "inputs"), ALL_ROWS)
def test_gradients_have_the_shape_and_dtype_of_their_inputs(
    op: Callable, reference: Callable, inputs: tuple, rng: np.random.Generator
) -> None:
    tensors = [Tensor(array, requires_grad=True) for array in sample(inputs, rng)]
    op(*tensors).sum().backward()
    for tensor in tensors:
        assert tensor.grad.shape == tensor.shape
        assert tensor.grad.dtype == np.float32


# ---------------------------------------------------------------- gradient reduction, spelled out


def test_add_gradient_sums_over_size_1_and_missing_leading_dims() -> None:
    column = Tensor(np.zeros((3, 1)), requires_grad=True)
    row_vector = Tensor(np.zeros(4), requires_grad=True)
    (column + row_vector).sum().backward()
    np.testing.assert_array_equal(column.grad.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_array_equal(row_vector.grad.numpy(), np.full(4, 3.0))


def test_mul_gradient_is_the_other_operand_summed_over_broadcast_dims() -> None:
    matrix_data = np.arange(6.0).reshape(2, 3)
    matrix = Tensor(matrix_data, requires_grad=True)
    vector = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (matrix * vector).sum().backward()
    np.testing.assert_array_equal(matrix.grad.numpy(), np.broadcast_to([1.0, 2.0, 3.0], (2, 3)))
    np.testing.assert_array_equal(vector.grad.numpy(), matrix_data.sum(axis=0))


def test_repeated_integer_index_accumulates_gradient() -> None:
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 1.0, 0.0])


def test_repeated_row_index_accumulates_weighted_gradients() -> None:
    x = Tensor(np.zeros((2, 2)), requires_grad=True)
    (x[[0, 0]] * Tensor([[1.0, 1.0], [2.0, 2.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3.0, 3.0], [0.0, 0.0]])


def test_mask_index_sends_gradient_only_to_selected_elements() -> None:
    x = Tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    x[x > 0].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0, 1.0])


# ---------------------------------------------------------------- conventions at kinks (as PyTorch)


def test_max_ties_share_the_gradient_equally() -> None:
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5])


def test_min_over_dim_ties_share_the_gradient_within_each_slice() -> None:
    x = Tensor([[2.0, 2.0, 5.0], [1.0, 4.0, 6.0]], requires_grad=True)
    x.amin(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])


def test_abs_gradient_at_zero_is_zero() -> None:
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, 0.0, 1.0])


def test_clamp_gradient_is_one_on_the_bounds_and_zero_outside() -> None:
    x = Tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clamp(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clamp_without_bounds_raises() -> None:
    with pytest.raises(RuntimeError, match="at least one of 'min' or 'max'"):
        Tensor([1.0]).clamp()


def test_square_has_zero_gradient_at_zero() -> None:
    x = Tensor([0.0, 1.5], requires_grad=True)
    (x**2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 3.0])


def test_gradient_of_exponent_is_zero_where_the_base_is_zero() -> None:
    exponent = Tensor([1.0, 2.0], requires_grad=True)
    (Tensor([0.0, 0.0]) ** exponent).sum().backward()
    np.testing.assert_array_equal(exponent.grad.numpy(), [0.0, 0.0])


# ---------------------------------------------------------------- numerical safety (no warnings, as PyTorch)


def test_log_of_zero_is_minus_inf_and_its_gradient_inf() -> None:
    x = Tensor([0.0, 1.0], requires_grad=True)
    y = x.log()
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), [-np.inf, 0.0])
    np.testing.assert_array_equal(x.grad.numpy(), [np.inf, 1.0])


def test_log_of_negative_is_nan() -> None:
    np.testing.assert_array_equal(Tensor([-1.0]).log().numpy(), [np.nan])


def test_sqrt_of_zero_has_infinite_gradient() -> None:
    x = Tensor([0.0, 4.0], requires_grad=True)
    x.sqrt().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [np.inf, 0.25])


def test_division_by_zero_gives_inf_and_nan_in_forward_and_backward() -> None:
    numerator = Tensor([1.0, 0.0], requires_grad=True)
    denominator = Tensor([0.0, 0.0], requires_grad=True)
    quotient = numerator / denominator
    quotient.sum().backward()
    np.testing.assert_array_equal(quotient.numpy(), [np.inf, np.nan])
    np.testing.assert_array_equal(numerator.grad.numpy(), [np.inf, np.inf])
    np.testing.assert_array_equal(denominator.grad.numpy(), [-np.inf, np.nan])


def test_reciprocal_of_zero_is_inf() -> None:
    x = Tensor([0.0], requires_grad=True)
    (1.0 / x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-np.inf])


def test_exp_overflow_gives_inf() -> None:
    np.testing.assert_array_equal(Tensor([1000.0]).exp().numpy(), [np.inf])


def test_fractional_power_of_zero_has_infinite_gradient() -> None:
    x = Tensor([0.0], requires_grad=True)
    (x**0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [np.inf])


def test_nan_input_propagates_through_forward_and_backward() -> None:
    x = Tensor([np.nan, 1.0], requires_grad=True)
    y = ((x * 2.0).exp() @ Tensor([1.0, 1.0])).sqrt()
    y.backward()
    assert np.isnan(y.item())
    assert np.isnan(x.grad.numpy()).all()


@pytest.mark.parametrize("reduce", [Tensor.amax, Tensor.amin, lambda x, dim: Tensor.max(x, dim).values,
                                    lambda x, dim: Tensor.min(x, dim).values])
def test_nan_is_the_extreme_of_a_slice_and_takes_its_gradient(reduce: Callable) -> None:
    x = Tensor([[np.nan, 1.0], [2.0, 3.0]], requires_grad=True)
    extremes = reduce(x, dim=1)
    extremes.sum().backward()
    assert np.isnan(extremes.numpy()[0])
    np.testing.assert_array_equal(x.grad.numpy()[0], [1.0, 0.0])


# ---------------------------------------------------------------- shape errors name the op and both shapes


def test_matmul_shape_mismatch_names_the_op_and_both_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_broadcasting_mismatch_names_the_op_and_both_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"add: shapes \(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones((4, 5)))


def test_max_of_an_empty_tensor_raises() -> None:
    with pytest.raises(RuntimeError, match=r"max of an empty tensor of shape \(0,\)"):
        Tensor(np.zeros(0)).max()


def test_permute_with_a_wrong_order_raises() -> None:
    with pytest.raises(RuntimeError, match=r"permute\(\): duplicate dims are not allowed"):
        Tensor(np.ones((2, 3))).permute(0, 0)
