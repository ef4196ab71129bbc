"""Two-dimensional toy datasets for two classes, as TensorFlow Playground and scikit-learn draw them:
moons, circles, spiral and Gaussian XOR. Each is generated from a seed, with noise as a parameter.

Every function returns (X float32 (n, 2), y float32 (n, 1) of 0/1 labels), the layout of
`datasets.xor()`, so the same network and loss (a single logit with
F.binary_cross_entropy_with_logits) train on any of them. Classes alternate (even rows class 0,
odd rows class 1), so the two classes have the same size.
"""

from __future__ import annotations

import numpy as np


def _labelled(
    points: np.ndarray, labels: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Add Gaussian noise of standard deviation `noise` to each coordinate; float32 outputs."""
    if noise < 0:
        raise ValueError(f"noise must be at least 0, got {noise}")
    noisy = points + rng.normal(scale=noise, size=points.shape) if noise > 0 else points
    return noisy.astype(np.float32), labels.reshape(-1, 1).astype(np.float32)


def _check_count(n: int) -> None:
    if n < 2:
        raise ValueError(f"n must be at least 2 (one point of each class), got {n}")


def _alternating(n: int) -> np.ndarray:
    """Labels 0, 1, 0, 1, ...: the class of each row."""
    return np.arange(n) % 2


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's make_moons): class 0 is the upper arc centred
    at (0, 0), class 1 the lower arc centred at (1, 0.5); both of radius 1."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = _alternating(n)
    angle = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    return _labelled(np.where(labels[:, None] == 0, upper, lower), labels, noise, rng)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (scikit-learn's make_circles): class 0 on the outer circle of radius 1,
    class 1 on the inner circle of radius `factor` (between 0 and 1)."""
    _check_count(n)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1, got {factor}")
    rng = np.random.default_rng(seed)
    labels = _alternating(n)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(labels == 0, 1.0, factor)
    return _labelled(radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1), labels, noise, rng)


def spiral(
    n: int = 200, noise: float = 0.05, turns: float = 1.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms of `turns` turns from the centre to radius 1; class 1's arm is
    class 0's turned by half a turn. The hardest of the four: it needs curved, nested boundaries."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = _alternating(n)
    progress = rng.uniform(0.0, 1.0, n)  # 0 at the centre, 1 at the outer end of an arm
    angle = 2 * np.pi * turns * progress + np.pi * labels
    radius = 0.1 + 0.9 * progress
    return _labelled(radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1), labels, noise, rng)


def gaussian_xor(n: int = 200, noise: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """XOR with Gaussian clusters: four blobs of standard deviation `noise` centred at (±1, ±1);
    class 1 where the coordinates' signs differ (the second and fourth quadrants), as in XOR."""
    _check_count(n)
    rng = np.random.default_rng(seed)
    labels = _alternating(n)
    first_sign = rng.choice([-1.0, 1.0], n)
    second_sign = np.where(labels == 1, -first_sign, first_sign)
    return _labelled(np.stack([first_sign, second_sign], axis=1), labels, noise, rng)


PLANAR_DATASETS = {"moons": moons, "circles": circles, "spiral": spiral, "gaussian_xor": gaussian_xor}
