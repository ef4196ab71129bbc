"""ta.gradcheck: accepts correct gradients, and reports a wrong one by input, element and both values."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor
from tinygrad_act.autograd import Function
from tinygrad_act.tensor import apply


class Square(Function):
    """x^2 with the right backward, 2 x."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad_output):
        return 2 * self.x * grad_output


class SquareWrongAtOneElement(Square):
    """x^2 whose backward adds 1 to the gradient of element (1, 2) of a 2-D input."""

    def backward(self, grad_output):
        grad = super().backward(grad_output)
        grad[1, 2] += 1.0
        return grad


class SquareForgettingItsGradient(Square):
    """x^2 whose backward returns no gradient at all."""

    def backward(self, grad_output):
        return None


class SquareWithNanGradient(Square):
    """x^2 whose backward gives NaN at element 0."""

    def backward(self, grad_output):
        grad = super().backward(grad_output)
        grad[0] = np.nan
        return grad


class SumRowsWithCollapsedGradient(Function):
    """x.sum(0) of a (3, 4) input whose backward returns a (1, 4) gradient instead of (3, 4)."""

    def forward(self, x):
        return x.sum(axis=0)

    def backward(self, grad_output):
        return grad_output[None, :]


def parse_values(message: str) -> tuple[float, float]:
    match = re.search(r"analytic (\S+), numeric (\S+) ", message)
    assert match, message
    return float(match.group(1)), float(match.group(2))


def test_returns_true_for_a_correct_composite(rng: np.random.Generator) -> None:
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal(4), requires_grad=True)
    assert ta.gradcheck(lambda a, b: ((a * b).exp() / (1 + a**2)).sum(dim=0), [a, b]) is True


def test_returns_true_for_a_correct_custom_function(rng: np.random.Generator) -> None:
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert ta.gradcheck(lambda x: apply(Square, x), x) is True


def test_gradcheck_error_is_an_assertion_error() -> None:
    assert issubclass(ta.GradcheckError, AssertionError)


def test_wrong_backward_is_reported_with_input_index_and_worst_element(rng: np.random.Generator) -> None:
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    with pytest.raises(ta.GradcheckError, match=r"input 1 \(shape \(3, 4\)\) is wrong at element \(1, 2\)"):
        ta.gradcheck(lambda a, b: a * 2 + apply(SquareWrongAtOneElement, b), [a, b])


def test_wrong_backward_message_gives_both_values(rng: np.random.Generator) -> None:
    x = Tensor(rng.uniform(0.5, 2.0, (3, 4)), dtype=np.float64, requires_grad=True)
    with pytest.raises(ta.GradcheckError) as error:
        ta.gradcheck(lambda x: apply(SquareWrongAtOneElement, x), x)
    analytic, numeric = parse_values(str(error.value))
    # The output is projected on random weights w in [0.5, 1.5]: numeric = w 2 x, analytic = numeric + 1.
    np.testing.assert_allclose(analytic - numeric, 1.0, rtol=1e-6)
    assert 0.5 <= numeric / (2 * x.numpy()[1, 2]) <= 1.5


def test_missing_gradient_is_reported() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ta.GradcheckError, match=r"input 0 .*analytic 0\.0, numeric"):
        ta.gradcheck(lambda x: apply(SquareForgettingItsGradient, x), x)


def test_nan_gradient_is_reported_at_its_element() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ta.GradcheckError, match=r"element \(0,\): analytic nan"):
        ta.gradcheck(lambda x: apply(SquareWithNanGradient, x), x)


def test_gradient_of_the_wrong_shape_is_reported() -> None:
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(
        ta.GradcheckError, match=r"input 0 has shape \(1, 4\) but the input has shape \(3, 4\)"
    ):
        ta.gradcheck(lambda x: apply(SumRowsWithCollapsedGradient, x), x)


def test_inputs_that_do_not_require_grad_are_passed_as_constants(rng: np.random.Generator) -> None:
    x = Tensor(rng.standard_normal(3), requires_grad=True)
    weights = Tensor(rng.standard_normal(3))
    assert ta.gradcheck(lambda x, w, offset: (x * w + offset).exp(), [x, weights, 0.5])


def test_checks_float32_inputs_in_float64(rng: np.random.Generator) -> None:
    x = Tensor(rng.uniform(0.5, 2.0, 4), requires_grad=True)
    assert x.dtype == np.float32
    assert ta.gradcheck(lambda x: (x.log() * x.sqrt()).sum(), x)


def test_leaves_the_callers_inputs_untouched(rng: np.random.Generator) -> None:
    data = rng.standard_normal(3).astype(np.float32)
    x = Tensor(data.copy(), requires_grad=True)
    ta.gradcheck(lambda x: x.exp(), x)
    np.testing.assert_array_equal(x.numpy(), data)
    assert x.dtype == np.float32
    assert x.grad is None


def test_restores_the_default_dtype() -> None:
    ta.gradcheck(lambda x: x * 2, Tensor([1.0], requires_grad=True))
    assert ta.get_default_dtype() == np.float32


def test_without_an_input_requiring_grad_raises() -> None:
    with pytest.raises(ValueError, match="no input requires grad"):
        ta.gradcheck(lambda x: x * 2, Tensor([1.0]))


def test_a_function_returning_a_non_float_raises() -> None:
    with pytest.raises(TypeError, match="fn must return a float Tensor"):
        ta.gradcheck(lambda x: x > 0, Tensor([1.0], requires_grad=True))
