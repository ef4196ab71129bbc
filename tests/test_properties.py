"""Properties that hold for every shape: broadcasting gradients, reduction gradients, random composites.

Shapes are drawn by hypothesis (up to 4 dims of sizes 1-4, so size-1 and missing dims both occur).
The expected broadcasting gradients are computed without the engine's own rule: each input element
collects, by np.bincount, the upstream gradient of every output element it was broadcast to.
"""

from __future__ import annotations

from collections.abc import Callable

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_act as ta
from tinygrad_act import Tensor

SETTINGS = settings(max_examples=30, deadline=None)

pair_of_broadcastable_shapes = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=4
)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)
seeds = st.integers(0, 2**32 - 1)


def summed_to_shape(upstream: np.ndarray, shape: tuple) -> np.ndarray:
    """Each element of an array of `shape` collects the upstream gradient of every output element it
    was broadcast to."""
    size = int(np.prod(shape))
    owner = np.broadcast_to(np.arange(size).reshape(shape), upstream.shape)
    return np.bincount(owner.ravel(), weights=upstream.ravel(), minlength=size).reshape(shape)


@SETTINGS
@given(pair_of_broadcastable_shapes, seeds)
def test_add_gradient_is_the_upstream_gradient_summed_to_each_shape(broadcast, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape_a, shape_b = broadcast.input_shapes
    a = Tensor(rng.standard_normal(shape_a), dtype=np.float64, requires_grad=True)
    b = Tensor(rng.standard_normal(shape_b), dtype=np.float64, requires_grad=True)
    upstream = rng.standard_normal(broadcast.result_shape)
    (a + b).backward(upstream)
    np.testing.assert_allclose(a.grad.numpy(), summed_to_shape(upstream, shape_a), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), summed_to_shape(upstream, shape_b), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(pair_of_broadcastable_shapes, seeds)
def test_mul_gradient_is_the_other_operand_times_upstream_summed_to_each_shape(broadcast, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape_a, shape_b = broadcast.input_shapes
    a_data, b_data = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    a = Tensor(a_data, dtype=np.float64, requires_grad=True)
    b = Tensor(b_data, dtype=np.float64, requires_grad=True)
    upstream = rng.standard_normal(broadcast.result_shape)
    (a * b).backward(upstream)
    expected_a = summed_to_shape(upstream * np.broadcast_to(b_data, upstream.shape), shape_a)
    expected_b = summed_to_shape(upstream * np.broadcast_to(a_data, upstream.shape), shape_b)
    np.testing.assert_allclose(a.grad.numpy(), expected_a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), expected_b, rtol=1e-12, atol=1e-12)


@st.composite
def shape_and_dims(draw: st.DrawFn) -> tuple[tuple, object]:
    """A shape and a `dim` argument for it: None, one dim (maybe negative) or a tuple of distinct dims."""
    shape = draw(shapes.filter(lambda s: len(s) > 0))
    ndim = len(shape)
    dim_index = st.integers(-ndim, ndim - 1)
    dims = draw(
        st.one_of(
            st.none(),
            dim_index,
            st.lists(dim_index, min_size=1, max_size=ndim, unique_by=lambda d: d % ndim).map(tuple),
        )
    )
    return shape, dims


def reduced_count(shape: tuple, dims: object) -> int:
    if dims is None:
        return int(np.prod(shape))
    return int(np.prod([shape[d] for d in np.atleast_1d(dims)]))


@SETTINGS
@given(shape_and_dims(), st.booleans())
def test_sum_gradient_is_ones_of_the_input_shape(shape_dims: tuple, keepdim: bool) -> None:
    shape, dims = shape_dims
    x = Tensor(np.ones(shape), requires_grad=True)
    total = x.sum(dim=dims, keepdim=keepdim)
    total.backward(np.ones(total.shape))
    assert x.grad.shape == shape
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(shape))


@SETTINGS
@given(shape_and_dims(), st.booleans())
def test_mean_gradient_is_one_over_the_count_in_the_input_shape(shape_dims: tuple, keepdim: bool) -> None:
    shape, dims = shape_dims
    x = Tensor(np.ones(shape), dtype=np.float64, requires_grad=True)
    average = x.mean(dim=dims, keepdim=keepdim)
    average.backward(np.ones(average.shape))
    assert x.grad.shape == shape
    np.testing.assert_allclose(x.grad.numpy(), np.full(shape, 1.0 / reduced_count(shape, dims)))


BINARY_STEPS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (1.5 + y * y),
    "pow": lambda x, y: (1.5 + x * x) ** y,
}
UNARY_STEPS: dict[str, Callable[[Tensor], Tensor]] = {
    "exp-of-half": lambda x: (0.5 * x).exp(),
    "softened-log": lambda x: (1 + x * x).log(),
    "softened-sqrt": lambda x: (1 + x * x).sqrt(),
    "neg": lambda x: -x,
}


@SETTINGS
@given(
    pair_of_broadcastable_shapes,
    st.lists(st.tuples(st.sampled_from(sorted(BINARY_STEPS)), st.booleans()), min_size=1, max_size=3),
    st.sampled_from(sorted(UNARY_STEPS)),
    seeds,
)
def test_random_composite_of_broadcasting_ops_passes_gradcheck(
    broadcast, binary_steps: list, unary_step: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    a, b = (
        Tensor(rng.uniform(-1, 1, shape), dtype=np.float64, requires_grad=True)
        for shape in broadcast.input_shapes
    )

    def composite(a: Tensor, b: Tensor) -> Tensor:
        value = a
        for name, with_b in binary_steps:
            value = BINARY_STEPS[name](value, b if with_b else a)
        return UNARY_STEPS[unary_step](value + b)

    assert ta.gradcheck(composite, [a, b])
