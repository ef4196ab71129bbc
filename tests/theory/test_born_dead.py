"""theory/born_dead.py: the Wilson interval and the simulation of random ReLU nets, symmetric and
randomized asymmetric (Lu et al. 2019). The exact depth-1 probability is checked, value and agreement
with the simulation, in tests/experiments/test_experiments_dying_relu.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_act.theory.born_dead import (
    NETS_AT_ONCE,
    constant_by_depth,
    dead_by_depth,
    input_grid,
    simulation_grid,
    wilson_interval,
)


def test_wilson_interval_matches_the_formula():
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.27753, abs=1e-5)
    assert wilson_interval(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-5)
    low, high = wilson_interval(5, 10)
    assert (low, high) == pytest.approx((0.23659, 0.76341), abs=1e-5)


def test_grid_covers_the_domain_corners():
    grid = input_grid(2, 5)
    assert grid.shape == (25, 2)
    bound = math.sqrt(3.0)
    assert {tuple(point) for point in grid} >= {(-bound, -bound), (-bound, bound), (bound, -bound), (bound, bound)}


def test_constant_nets_stay_constant_at_every_greater_depth():
    constant = constant_by_depth(input_grid(1, 11), width=2, max_depth=12, nets=400,
                                 rng=np.random.default_rng(0))
    assert constant.shape == (12, 400)
    assert np.all(constant[1:] >= constant[:-1])


def test_asymmetric_init_leaves_fewer_narrow_deep_nets_dead():
    grid = input_grid(1, 101)
    symmetric = constant_by_depth(grid, 2, 10, 1000, np.random.default_rng(0)).mean(axis=1)
    asymmetric = constant_by_depth(grid, 2, 10, 1000, np.random.default_rng(0), init="asymmetric").mean(axis=1)
    assert symmetric[-1] > 0.5
    assert asymmetric[-1] < 0.8 * symmetric[-1]


def test_an_unknown_init_is_refused_by_name():
    with pytest.raises(ValueError, match="init must be one of symmetric, asymmetric, got 'he'"):
        constant_by_depth(input_grid(1, 3), 2, 2, 2, np.random.default_rng(0), init="he")


def test_dead_by_depth_counts_batch_after_batch_of_the_same_draws():
    grid, nets = simulation_grid(1), NETS_AT_ONCE * 2 + 37
    counts = dead_by_depth(grid, 2, 6, nets, np.random.default_rng(3), init="asymmetric")
    rng = np.random.default_rng(3)
    expected = sum(constant_by_depth(grid, 2, 6, size, rng, init="asymmetric").sum(axis=1)
                   for size in (NETS_AT_ONCE, NETS_AT_ONCE, 37))
    np.testing.assert_array_equal(counts, expected)
    assert counts.dtype == np.int64 and grid.shape == (1001, 1)
