"""The 2-D toy datasets (datasets.moons, circles, spiral, gaussian_xor): shapes, balance, seeding,
noise, and the geometry each promises."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_act.data import datasets

GENERATORS = [datasets.moons, datasets.circles, datasets.spiral, datasets.gaussian_xor]


@pytest.mark.parametrize("generate", GENERATORS)
def test_points_and_labels_have_xors_layout_and_balanced_classes(generate):
    points, labels = generate(101)
    assert points.shape == (101, 2) and points.dtype == np.float32
    assert labels.shape == (101, 1) and labels.dtype == np.float32
    assert set(np.unique(labels)) == {0.0, 1.0} and abs(labels.sum() - 50) <= 1


@pytest.mark.parametrize("generate", GENERATORS)
def test_the_same_seed_gives_the_same_points_and_another_seed_others(generate):
    np.testing.assert_array_equal(generate(50, seed=4)[0], generate(50, seed=4)[0])
    assert not np.array_equal(generate(50, seed=4)[0], generate(50, seed=5)[0])


@pytest.mark.parametrize("generate", GENERATORS)
def test_noise_moves_the_points_and_negative_noise_is_refused(generate):
    clean, _ = generate(60, noise=0.0)
    noisy, _ = generate(60, noise=0.3)
    assert 0.05 < np.abs(noisy - clean).mean() < 0.5
    with pytest.raises(ValueError, match="noise must be at least 0"):
        generate(60, noise=-0.1)


def test_circles_without_noise_lie_on_radius_one_and_factor():
    points, labels = datasets.circles(80, noise=0.0, factor=0.3)
    radius = np.linalg.norm(points, axis=1)
    np.testing.assert_allclose(radius, np.where(labels[:, 0] == 0, 1.0, 0.3), rtol=1e-6)


def test_moons_without_noise_lie_on_their_two_arcs():
    points, labels = datasets.moons(80, noise=0.0)
    upper = labels[:, 0] == 0
    np.testing.assert_allclose(np.linalg.norm(points[upper], axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(points[~upper] - [1.0, 0.5], axis=1), 1.0, rtol=1e-6)
    assert (points[upper, 1] >= 0).all() and (points[~upper, 1] <= 0.5).all()


def test_gaussian_xor_labels_are_the_xor_of_the_cluster_signs():
    points, labels = datasets.gaussian_xor(200, noise=0.0)
    np.testing.assert_array_equal(labels[:, 0] == 1, np.sign(points[:, 0]) != np.sign(points[:, 1]))


def test_spiral_arms_are_half_a_turn_apart():
    points, labels = datasets.spiral(100, noise=0.0)
    radius = np.linalg.norm(points, axis=1)
    assert radius.min() >= 0.1 - 1e-6 and radius.max() <= 1.0 + 1e-6
    # rotating class 0's arm by half a turn lands on class 1's arm: same radius-to-angle law
    angle = np.arctan2(points[:, 1], points[:, 0]) - np.pi * labels[:, 0]
    expected = 2 * np.pi * 1.5 * (radius - 0.1) / 0.9
    np.testing.assert_allclose(np.cos(angle), np.cos(expected), atol=1e-4)


def test_too_few_points_are_refused():
    with pytest.raises(ValueError, match="n must be at least 2"):
        datasets.moons(1)
