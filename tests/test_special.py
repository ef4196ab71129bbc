"""erf and erfc (special.py): Cody's rational approximations, checked against math.erf/erfc."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_act.special import erf, erfc

GRID = np.concatenate([np.linspace(-6.0, 6.0, 2001), [-27.0, -10.0, 10.0, 26.0, 27.0, 1e-300, -1e-300, 0.0]])


def test_erf_matches_math_erf_to_double_precision():
    expected = np.array([math.erf(x) for x in GRID])
    np.testing.assert_allclose(erf(GRID), expected, rtol=0, atol=3e-16)


def test_erfc_has_a_small_relative_error_even_far_in_the_tail():
    expected = np.array([math.erfc(x) for x in GRID])
    tiny = expected > 0
    np.testing.assert_allclose(erfc(GRID)[tiny], expected[tiny], rtol=2e-15)


def test_odd_and_complementary_symmetries():
    x = np.linspace(0.0, 5.0, 101)
    np.testing.assert_array_equal(erf(-x), -erf(x))
    np.testing.assert_allclose(erfc(-x), 2.0 - erfc(x), rtol=0, atol=4e-16)
    np.testing.assert_allclose(erf(x) + erfc(x), 1.0, rtol=0, atol=4e-16)


def test_limits_and_nan_without_warnings():  # the suite turns a RuntimeWarning into an error
    values = erf(np.array([-np.inf, np.inf, np.nan]))
    tails = erfc(np.array([-np.inf, np.inf, 40.0]))
    np.testing.assert_array_equal(values[:2], [-1.0, 1.0])
    assert np.isnan(values[2])
    np.testing.assert_array_equal(tails, [2.0, 0.0, 0.0])


@pytest.mark.parametrize("function, reference", [(erf, math.erf), (erfc, math.erfc)])
def test_float32_in_float32_out_within_float32_precision(function, reference):
    x = np.linspace(-4.0, 4.0, 801, dtype=np.float32)
    result = function(x)
    assert result.dtype == np.float32
    expected = np.array([reference(float(v)) for v in x])
    np.testing.assert_allclose(result, expected, rtol=2e-6, atol=2e-7)
