"""theory/meanfield.py: mean-field signal propagation, checked against an independent quadrature.

The referee is written here from scratch: the trapezoid rule on a fine grid of z in [-12, 12] (a
different quadrature from the library's Gauss-Hermite), with tanh's derivatives in closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_act.activations import register_activation
from tinygrad_act.theory import meanfield

GRID = np.linspace(-12.0, 12.0, 24001)
DENSITY = np.exp(-GRID**2 / 2) / math.sqrt(2 * math.pi)
GRID_2D = np.linspace(-9.0, 9.0, 1201)
DENSITY_2D = np.exp(-GRID_2D**2 / 2) / math.sqrt(2 * math.pi)


def expect(g) -> float:
    """E[g(z)], z ~ N(0, 1), by the trapezoid rule."""
    return float(np.trapezoid(g(GRID) * DENSITY, GRID))


def expect_pair(g, h, q: float, c: float) -> float:
    """E[g(u1) h(u2)] for the correlated pair, by a 2-D trapezoid rule."""
    z1, z2 = GRID_2D[:, None], GRID_2D[None, :]
    u1, u2 = math.sqrt(q) * z1, math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    weights = DENSITY_2D[:, None] * DENSITY_2D[None, :]
    return float(np.trapezoid(np.trapezoid(g(u1) * h(u2) * weights, GRID_2D, axis=1), GRID_2D))


def tanh_square_mean(q: float) -> float:
    """E[tanh(sqrt(q) z)^2] by the trapezoid rule."""
    return float(np.trapezoid(np.tanh(math.sqrt(q) * GRID) ** 2 * DENSITY, GRID))


def tanh_prime(x):
    return 1 - np.tanh(x) ** 2


def referee(sigma_w2: float, sigma_b2: float) -> dict[str, float]:
    """q*, chi_1, c*, chi_c, xi_q, xi_c of tanh, computed independently (Schoenholz et al. 2017, eq. (5),
    with f'' = -2 tanh sech^2 in closed form)."""
    q = 1.0
    for _ in range(2000):
        q = sigma_w2 * tanh_square_mean(q) + sigma_b2
    root = math.sqrt(q)
    chi1 = sigma_w2 * expect(lambda z: tanh_prime(root * z) ** 2)
    second = sigma_w2 * expect(lambda z: -2 * np.tanh(root * z) ** 2 * tanh_prime(root * z))
    c = 1.0
    if chi1 > 1:
        low, high = -1.0, 1 - 1e-6
        for _ in range(60):
            middle = (low + high) / 2
            mapped = (sigma_w2 * expect_pair(np.tanh, np.tanh, q, middle) + sigma_b2) / q
            low, high = (middle, high) if mapped >= middle else (low, middle)
        c = (low + high) / 2
    chic = chi1 if c == 1.0 else sigma_w2 * expect_pair(tanh_prime, tanh_prime, q, c)
    return dict(q_star=q, chi_1=chi1, c_star=c, chi_c=chic, xi_q=-1 / math.log(chi1 + second),
                xi_c=-1 / math.log(chic))


@pytest.mark.parametrize("sigma_w2", [1.0, 1.5, 2.5, 4.0])
def test_tanh_quantities_match_an_independent_quadrature(sigma_w2):
    result, expected = meanfield.mean_field("tanh", sigma_w2, 0.05), referee(sigma_w2, 0.05)
    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(value, rel=1e-6, abs=1e-6), name


def test_length_map_matches_the_trapezoid_rule():
    for q in (0.01, 0.5, 3.0):  # larger q: see the module docstring's accuracy table
        expected = 1.7 * tanh_square_mean(q) + 0.1
        assert meanfield.length_map("tanh", q, 1.7, 0.1) == pytest.approx(expected, rel=1e-8)


def test_tanh_at_sigma_b2_005_is_critical_at_sigma_w2_176():
    critical = meanfield.critical_sigma_w2("tanh", 0.05)
    assert critical == pytest.approx(1.76, abs=0.005)
    assert referee(critical, 0.05)["chi_1"] == pytest.approx(1.0, abs=1e-6)


def test_phases_and_depth_scale_peak_at_criticality():
    ordered, critical, chaotic = (meanfield.mean_field("tanh", w, 0.05) for w in (1.0, 1.7609546, 3.0))
    assert ordered.phase == "ordered" and ordered.c_star == 1.0
    assert chaotic.phase == "chaotic" and chaotic.c_star < 1.0
    assert critical.xi_c > 100 * max(ordered.xi_c, chaotic.xi_c)


def test_relu_matches_its_closed_forms():
    # E[relu(sqrt(q) z)^2] = q/2, so q* = sigma_b^2 / (1 - sigma_w^2 / 2) and chi_1 = sigma_w^2 / 2
    result = meanfield.mean_field("relu", 1.5, 0.05)
    assert result.q_star == pytest.approx(0.05 / (1 - 0.75), rel=1e-9)
    assert result.chi_1 == pytest.approx(0.75, rel=1e-12)
    assert result.xi_q == pytest.approx(-1 / math.log(0.75), rel=1e-6)
    assert meanfield.length_fixed_point("relu", 2.5, 0.05) == math.inf
    assert meanfield.critical_sigma_w2("relu", 0.05) == pytest.approx(2.0, abs=1e-6)


def test_order_to_chaos_line_rises_with_the_bias_variance():
    line = meanfield.order_to_chaos_line("tanh", [0.0, 0.05, 0.5])
    weights = [weight for _, weight in line]
    assert weights[0] == pytest.approx(1.0, abs=1e-6)  # sigma_b^2 = 0: chi_1 = sigma_w^2 tanh'(0)^2
    assert weights == sorted(weights)


def test_forward_statistics_of_tanh_are_mean_zero_with_the_quadrature_variance():
    mean, variance = meanfield.forward_statistics("tanh", 0.7)
    assert mean == pytest.approx(0.0, abs=1e-12)
    assert variance == pytest.approx(expect(lambda z: np.tanh(math.sqrt(0.7) * z) ** 2), rel=1e-9)


def test_a_users_activation_works_through_its_own_rules(scratch_names):
    scratch_names.append("scaled_tanh")

    @register_activation(backward=lambda x, y, grad_output, a: grad_output * a * (1 - np.tanh(x) ** 2),
                         params={"a": 2.0})
    def scaled_tanh(x, a):
        return a * np.tanh(x)

    # f = a tanh is tanh with sigma_w^2 a^2: the same q* and chi_1 as tanh at (a^2 sigma_w^2, sigma_b^2)
    mine = meanfield.mean_field("scaled_tanh", 0.5, 0.05)
    reference = meanfield.mean_field("tanh", 2.0, 0.05)
    assert mine.q_star == pytest.approx(reference.q_star, rel=1e-9)
    assert mine.chi_1 == pytest.approx(reference.chi_1, rel=1e-9)
    assert meanfield.mean_field("scaled_tanh", 0.5, 0.05, params={"a": 1.0}).q_star == pytest.approx(
        meanfield.mean_field("tanh", 0.5, 0.05).q_star, rel=1e-9)
