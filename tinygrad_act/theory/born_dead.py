"""Born-dead ReLU nets (Lu, Shin, Su & Karniadakis 2019, "Dying ReLU and Initialization"): the
probability that a random ReLU net is a constant function at initialisation, exactly at depth 1
and by simulation at any depth, with a 95% interval for the simulated proportion.

A ReLU layer whose units are all <= 0 for every input outputs the zero vector everywhere; every
later layer then sees one constant input, so the net is constant over the whole domain.
"""

from __future__ import annotations

import math

import numpy as np

DOMAIN_BOUND = math.sqrt(3.0)  # the box [-sqrt(3), sqrt(3)]^d has unit variance per coordinate
Z_95 = 1.959963984540054  # the 97.5% quantile of the standard normal
INITS = ("symmetric", "asymmetric")
NETS_AT_ONCE = 500  # nets simulated in one batch: bounds the memory of the batched matmuls


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion p = successes / trials:
    (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n); unlike p -+ z sqrt(p(1-p)/n) it stays
    inside [0, 1] and is not of width 0 when successes is 0 or n."""
    if trials <= 0:
        raise ValueError(f"wilson_interval: trials must be positive, got {trials}")
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half_width = z * math.sqrt(p * (1.0 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # exact arithmetic puts p inside; the clamp keeps rounding (e.g. 4e-19 above 0 at p = 0) from moving it out
    return min(p, max(0.0, centre - half_width)), max(p, min(1.0, centre + half_width))


def exact_depth_one(width: int, bound: float = DOMAIN_BOUND) -> float:
    """P(a 1-input, 1-hidden-layer ReLU net is constant on [-bound, bound]) = (atan(1/bound) / pi)^width
    when each unit's (w, b) is an isotropic Gaussian: a unit is off on [-a, a] iff b <= -a |w|, a cone
    of angle 2 atan(1/a)."""
    return (math.atan(1.0 / bound) / math.pi) ** width


def input_grid(input_dim: int, points_per_dim: int, bound: float = DOMAIN_BOUND) -> np.ndarray:
    """The (points_per_dim^input_dim, input_dim) grid of [-bound, bound]^input_dim, corners included."""
    axis = np.linspace(-bound, bound, points_per_dim)
    mesh = np.meshgrid(*[axis] * input_dim, indexing="ij")
    return np.stack([coordinate.ravel() for coordinate in mesh], axis=1)


def simulation_grid(input_dim: int) -> np.ndarray:
    """The grid the simulations test constancy on: 1001 points for d = 1, 41 per axis for d = 2,
    11 per axis above."""
    return input_grid(input_dim, {1: 1001, 2: 41}.get(input_dim, 11))


def dead_by_depth(grid: np.ndarray, width: int, max_depth: int, nets: int, rng: np.random.Generator,
                  init: str = "symmetric") -> np.ndarray:
    """How many of `nets` random nets are constant on `grid` after 1, 2, ..., max_depth layers (an
    int64 array of max_depth counts): constant_by_depth, NETS_AT_ONCE nets at a time (a batch of
    500 width-5 nets on 1001 points takes about 60 MB)."""
    dead = np.zeros(max_depth, dtype=np.int64)
    for start in range(0, nets, NETS_AT_ONCE):
        dead += constant_by_depth(grid, width, max_depth, min(NETS_AT_ONCE, nets - start), rng, init).sum(axis=1)
    return dead


def constant_by_depth(grid: np.ndarray, width: int, max_depth: int, nets: int, rng: np.random.Generator,
                      init: str = "symmetric") -> np.ndarray:
    """Boolean (max_depth, nets): whether net n's first L hidden layers (row L-1) map every grid
    point to the same vector, for `nets` random ReLU nets of `width` units per layer, simulated at
    once with batched matmuls.

    "symmetric": every entry of W and b is N(0, 2 / fan_in) (He-normal weights, biases from the same
    law), so each unit's (w, b) is isotropic. "asymmetric": Lu et al.'s randomized asymmetric init,
    where one entry of each unit's (w, b), chosen at random, is drawn from Beta(2, 1) > 0 and the
    others from N(0, s^2), with s^2 set (our choice) so that E|(w, b)|^2 is the symmetric init's
    (fan_in + 1) 2 / fan_in.
    """
    if init not in INITS:
        raise ValueError(f"constant_by_depth: init must be one of {', '.join(INITS)}, got {init!r}")
    hidden = np.broadcast_to(grid, (nets, *grid.shape))  # (nets, points, fan_in)
    constant = np.empty((max_depth, nets), dtype=bool)
    for layer in range(max_depth):
        fan_in = hidden.shape[-1]
        if init == "symmetric":
            std = math.sqrt(2.0 / fan_in)
            weights = rng.normal(0.0, std, size=(nets, fan_in, width))
            biases = rng.normal(0.0, std, size=(nets, 1, width))
        else:
            variance = ((fan_in + 1) * 2.0 / fan_in - 0.5) / fan_in  # E[Beta(2, 1)^2] = 1/2
            entries = rng.normal(0.0, math.sqrt(variance), size=(nets, fan_in + 1, width))
            chosen = rng.integers(0, fan_in + 1, size=(nets, width))
            np.put_along_axis(entries, chosen[:, None, :], rng.beta(2.0, 1.0, size=(nets, 1, width)), axis=1)
            weights, biases = entries[:, :fan_in], entries[:, fan_in:]
        hidden = np.maximum(hidden @ weights + biases, 0.0)
        constant[layer] = np.all(hidden == hidden[:, :1, :], axis=(1, 2))
    return constant
