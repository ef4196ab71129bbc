"""Mean-field signal propagation through a deep random network, for any registered activation.

A fully connected net with weights W_ij ~ N(0, sigma_w^2 / fan_in) and biases b_i ~ N(0, sigma_b^2)
sends its pre-activations z^l = W^l f(z^{l-1}) + b^l through layers. In the wide limit each z^l_i
is Gaussian, and two numbers describe the signal (Poole et al. 2016, eq. (3) and (5); Schoenholz et
al. 2017, eq. (1)-(3)):

- the length q^l = E[(z^l_i)^2]:   q^l = sigma_w^2 E_z[f(sqrt(q^{l-1}) z)^2] + sigma_b^2,  z ~ N(0, 1),
  which settles at a fixed point q*;
- the correlation c^l of two inputs' pre-activations:
  c^l = (sigma_w^2 E[f(u_1) f(u_2)] + sigma_b^2) / q*,  u_1 = sqrt(q*) z_1,
  u_2 = sqrt(q*) (c^{l-1} z_1 + sqrt(1 - (c^{l-1})^2) z_2),  with a fixed point c*.

The slope of the correlation map at c = 1 is chi_1 = sigma_w^2 E[f'(sqrt(q*) z)^2]: chi_1 < 1 is the
ordered phase (every input is mapped to the same output, c* = 1), chi_1 > 1 the chaotic phase (nearby
inputs decorrelate, c* < 1), and chi_1 = 1 the order-to-chaos line where signals travel furthest.
chi_1 is also the factor by which a backpropagated gradient's squared norm changes per layer, so it
says when gradients vanish (< 1) or explode (> 1). Deviations from the fixed points decay as
e^{-l / xi}, with the depth scales (Schoenholz et al. 2017, eq. (5) and (9)):

- xi_q^{-1} = -log(chi_1 + sigma_w^2 E[f''(sqrt(q*) z) f(sqrt(q*) z)]) = -log(dq^l / dq^{l-1} at q*);
- xi_c^{-1} = -log(chi_c),  chi_c = sigma_w^2 E[f'(u_1) f'(u_2)] at c = c*  (chi_c = chi_1 when c* = 1).

A network is trainable only when its depth is below about 6 xi_c (Schoenholz et al. 2017, Fig. 5).

Expectations are Gauss-Hermite quadratures (probabilists' nodes and weights, normalised to sum to 1)
of the activation's own registered forward rule f and backward rule (f' = backward(x, f(x), 1)),
so a user's activation works unchanged. The second derivative in xi_q is never formed: by Stein's
lemma, E[f'^2 + f f''] = E[z f(sqrt(q) z) f'(sqrt(q) z)] / sqrt(q), which needs f and f' only, and
holds for kinked activations such as relu too. The default order is even, so no node sits at 0,
where relu-like derivatives jump. Accuracy (checked against a fine trapezoid rule): for tanh, 1e-10
relative at q <= 3, 1e-7 at q = 5, 1e-5 at q = 10, 3e-3 at q = 40 (the nodes, spaced about
0.2 sqrt(q) apart in x, stop resolving a saturating activation's transition); positively homogeneous
activations (relu, leaky_relu) are exact in the length map at any q; a kink at 0 (selu, elu) costs
about 1e-4, and kinks cost about 1e-3 in the two-dimensional correlation map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from ..activations import get_activation

DEFAULT_ORDER = 200  # even: no node at 0, where relu-like derivatives jump
DIVERGED = 1e10  # a length above this is taken as unbounded growth (q* = inf)
ArrayRule = Callable[[np.ndarray], np.ndarray]


@lru_cache(maxsize=8)
def _nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of E_z[g(z)], z ~ N(0, 1): sum_i w_i g(x_i) with sum_i w_i = 1."""
    nodes, weights = hermegauss(order)
    keep = weights > 0  # the outermost weights underflow to 0 at high order: they add nothing
    return nodes[keep], weights[keep] / weights[keep].sum()


def rules(activation: str, params: Mapping[str, Any] | None = None) -> tuple[ArrayRule, ArrayRule]:
    """(f, f') of a registered activation as float64 array functions, from its forward and backward
    rules (f' = backward(x, f(x), ones))."""
    spec = get_activation(activation)
    bound = spec.bind((), dict(params or {}))

    def forward(x: np.ndarray) -> np.ndarray:
        return np.asarray(spec.forward(np.asarray(x, dtype=np.float64), **bound), dtype=np.float64)

    def derivative(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(spec.backward(x, spec.forward(x, **bound), np.ones_like(x), **bound), dtype=np.float64)

    return forward, derivative


def gaussian_expectation(g: ArrayRule, q: float, order: int = DEFAULT_ORDER) -> float:
    """E_z[g(sqrt(q) z)], z ~ N(0, 1), by Gauss-Hermite quadrature of `order` nodes."""
    nodes, weights = _nodes(order)
    return float(weights @ g(math.sqrt(q) * nodes))


def length_map(activation: str, q: float, sigma_w2: float, sigma_b2: float,
               params: Mapping[str, Any] | None = None, order: int = DEFAULT_ORDER) -> float:
    """q^l = sigma_w^2 E[f(sqrt(q^{l-1}) z)^2] + sigma_b^2 (Poole et al. 2016, eq. (3))."""
    f, _ = rules(activation, params)
    return sigma_w2 * gaussian_expectation(lambda x: f(x) ** 2, q, order) + sigma_b2


def length_trajectory(activation: str, q0: float, depth: int, sigma_w2: float, sigma_b2: float,
                      params: Mapping[str, Any] | None = None, order: int = DEFAULT_ORDER) -> list[float]:
    """[q^1, ..., q^depth]: the pre-activation length of each layer when the first layer's is q0."""
    lengths = [q0]
    for _ in range(depth - 1):
        lengths.append(length_map(activation, lengths[-1], sigma_w2, sigma_b2, params, order))
    return lengths


def length_fixed_point(activation: str, sigma_w2: float, sigma_b2: float, params: Mapping[str, Any] | None = None,
                       order: int = DEFAULT_ORDER, q0: float = 1.0, tolerance: float = 1e-13,
                       iterations: int = 500) -> float:
    """q* = lim q^l: the length map iterated from q0 until it moves less than `tolerance` (relative).
    Near the edge of chaos the iteration crawls (relu's converges as (sigma_w^2/2)^l), so after
    `iterations` layers the root of q^l - q^{l-1} is bracketed (doubling or halving q in the direction
    the map moves) and bisected in log q. inf when the length grows without bound (relu with
    sigma_w^2 >= 2), 0 when it decays to 0 (tanh with sigma_b^2 = 0 and sigma_w^2 <= 1)."""
    q = q0
    for _ in range(iterations):
        following = length_map(activation, q, sigma_w2, sigma_b2, params, order)
        if not following < DIVERGED:
            return math.inf
        if abs(following - q) <= tolerance * following:
            return following
        q = following

    def gap(length: float) -> float:
        return length_map(activation, length, sigma_w2, sigma_b2, params, order) - length

    growing = gap(q) > 0
    other = q
    while (gap(other) > 0) == growing:
        other = other * 2.0 if growing else other / 2.0
        if other > DIVERGED:
            return math.inf
        if other < 1e-300:
            return 0.0
    low, high = sorted((q, other))
    while high - low > tolerance * high:
        middle = math.sqrt(low * high)
        if (gap(middle) > 0) == (gap(low) > 0):
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def chi_1(activation: str, q_star: float, sigma_w2: float, params: Mapping[str, Any] | None = None,
          order: int = DEFAULT_ORDER) -> float:
    """chi_1 = sigma_w^2 E[f'(sqrt(q*) z)^2] (Poole et al. 2016, eq. (7); Schoenholz et al. 2017, eq. (4))."""
    _, derivative = rules(activation, params)
    return sigma_w2 * gaussian_expectation(lambda x: derivative(x) ** 2, q_star, order)


def length_slope(activation: str, q_star: float, sigma_w2: float, params: Mapping[str, Any] | None = None,
                 order: int = DEFAULT_ORDER) -> float:
    """dq^l/dq^{l-1} at q* = chi_1 + sigma_w^2 E[f'' f] = sigma_w^2 E[z f(sqrt(q*) z) f'(sqrt(q*) z)] / sqrt(q*)
    (Stein's lemma turns Schoenholz et al.'s eq. (5) into first derivatives only)."""
    f, derivative = rules(activation, params)
    nodes, weights = _nodes(order)
    root = math.sqrt(q_star)
    return float(sigma_w2 * (weights @ (nodes * f(root * nodes) * derivative(root * nodes))) / root)


def _pair_expectation(g: ArrayRule, h: ArrayRule, q_star: float, c: float, order: int) -> float:
    """E[g(u_1) h(u_2)] for u_1 = sqrt(q*) z_1, u_2 = sqrt(q*) (c z_1 + sqrt(1 - c^2) z_2), z_1, z_2 ~ N(0, 1)
    independent: a product Gauss-Hermite rule."""
    nodes, weights = _nodes(order)
    root = math.sqrt(q_star)
    u1 = root * nodes[:, None]
    u2 = root * (c * nodes[:, None] + math.sqrt(max(0.0, 1.0 - c * c)) * nodes[None, :])
    return float(weights @ (g(u1) * h(u2)) @ weights)


def correlation_map(activation: str, c: float, q_star: float, sigma_w2: float, sigma_b2: float,
                    params: Mapping[str, Any] | None = None, order: int = DEFAULT_ORDER) -> float:
    """c^l = (sigma_w^2 E[f(u_1) f(u_2)] + sigma_b^2) / q* (Poole et al. 2016, eq. (5))."""
    f, _ = rules(activation, params)
    return (sigma_w2 * _pair_expectation(f, f, q_star, c, order) + sigma_b2) / q_star


def correlation_fixed_point(activation: str, q_star: float, sigma_w2: float, sigma_b2: float,
                            params: Mapping[str, Any] | None = None, order: int = DEFAULT_ORDER,
                            tolerance: float = 1e-12) -> float:
    """The stable fixed point c* of the correlation map. c = 1 is always a fixed point, stable when
    chi_1 <= 1 (ordered phase). In the chaotic phase (chi_1 > 1) the map lies above the diagonal at
    c = -1 (the map is at least -1) and below it just under c = 1 (slope chi_1 > 1 there), so c* is
    found by bisection between; when it lies within 1e-6 of 1 (at the edge of chaos) it is taken as 1."""
    if chi_1(activation, q_star, sigma_w2, params, order) <= 1.0:
        return 1.0

    def gap(c: float) -> float:
        return correlation_map(activation, c, q_star, sigma_w2, sigma_b2, params, order) - c

    low, high = -1.0, 1.0 - 1e-6
    if gap(high) >= 0.0:
        return 1.0
    while high - low > tolerance:
        middle = 0.5 * (low + high)
        low, high = (middle, high) if gap(middle) >= 0.0 else (low, middle)
    return 0.5 * (low + high)


def chi_c(activation: str, c_star: float, q_star: float, sigma_w2: float, params: Mapping[str, Any] | None = None,
          order: int = DEFAULT_ORDER) -> float:
    """chi_c = sigma_w^2 E[f'(u_1) f'(u_2)] at c* (Schoenholz et al. 2017, eq. (9)): the slope of the
    correlation map at its fixed point; chi_1 when c* = 1."""
    _, derivative = rules(activation, params)
    return sigma_w2 * _pair_expectation(derivative, derivative, q_star, c_star, order)


def depth_scale(slope: float) -> float:
    """xi = -1 / log(slope): deviations decay as slope^l = e^{-l / xi}; inf at slope 1."""
    if slope >= 1.0:
        return math.inf
    if slope <= 0.0:
        return 0.0
    return -1.0 / math.log(slope)


@dataclass(frozen=True)
class MeanField:
    """Every mean-field quantity of one activation at (sigma_w^2, sigma_b^2)."""

    activation: str
    sigma_w2: float
    sigma_b2: float
    q_star: float
    chi_1: float
    c_star: float
    chi_c: float
    xi_q: float
    xi_c: float

    @property
    def phase(self) -> str:
        """"ordered" (chi_1 < 1), "chaotic" (chi_1 > 1) or "critical" (within 1e-6 of 1)."""
        if abs(self.chi_1 - 1.0) < 1e-6:
            return "critical"
        return "ordered" if self.chi_1 < 1.0 else "chaotic"

    def trainable_depth(self, factor: float = 6.0) -> float:
        """The deepest trainable net by Schoenholz et al. 2017 (Fig. 5): factor * xi_c layers."""
        return factor * self.xi_c


def mean_field(activation: str, sigma_w2: float, sigma_b2: float, params: Mapping[str, Any] | None = None,
               order: int = DEFAULT_ORDER) -> MeanField:
    """q*, chi_1, c*, chi_c, xi_q and xi_c of `activation` at (sigma_w^2, sigma_b^2). When the length
    diverges (q* = inf: relu with sigma_w^2 >= 2) the slopes are those of scale-free growth, taken at
    q = DIVERGED, and xi_q is inf."""
    q_star = length_fixed_point(activation, sigma_w2, sigma_b2, params, order)
    q_eval = min(q_star, DIVERGED)
    slope = chi_1(activation, q_eval, sigma_w2, params, order)
    c_star = correlation_fixed_point(activation, q_eval, sigma_w2, sigma_b2, params, order)
    slope_c = slope if c_star == 1.0 else chi_c(activation, c_star, q_eval, sigma_w2, params, order)
    xi_q = math.inf if math.isinf(q_star) else depth_scale(length_slope(activation, q_star, sigma_w2, params, order))
    return MeanField(activation, sigma_w2, sigma_b2, q_star, slope, c_star, slope_c, xi_q, depth_scale(slope_c))


def critical_sigma_w2(activation: str, sigma_b2: float, params: Mapping[str, Any] | None = None,
                      low: float = 0.1, high: float = 16.0, tolerance: float = 1e-9,
                      order: int = DEFAULT_ORDER) -> float | None:
    """The sigma_w^2 where chi_1 = 1 at this sigma_b^2 (the order-to-chaos line), by bisection on
    [low, high]; None when chi_1 - 1 does not change sign there. The default `high` keeps q* small
    enough for the quadrature (see the accuracy table above): at sigma_w^2 = 64 tanh's q* is about 60
    and Gauss-Hermite no longer resolves its transition, so chi_1 would come out below 1."""

    def excess(sigma_w2: float) -> float:
        q_star = min(length_fixed_point(activation, sigma_w2, sigma_b2, params, order), DIVERGED)
        return chi_1(activation, q_star, sigma_w2, params, order) - 1.0

    below, above = excess(low), excess(high)
    if below * above > 0:
        return None
    while high - low > tolerance * high:
        middle = 0.5 * (low + high)
        if (excess(middle) > 0) == (above > 0):
            high = middle
        else:
            low = middle
    return 0.5 * (low + high)


def order_to_chaos_line(activation: str, sigma_b2_values: Iterable[float], params: Mapping[str, Any] | None = None,
                        order: int = DEFAULT_ORDER) -> list[tuple[float, float | None]]:
    """[(sigma_b^2, critical sigma_w^2)] along the order-to-chaos line (Poole et al. 2016, Fig. 3)."""
    return [(sigma_b2, critical_sigma_w2(activation, sigma_b2, params, order=order)) for sigma_b2 in sigma_b2_values]


def forward_statistics(activation: str, q: float, params: Mapping[str, Any] | None = None,
                       order: int = DEFAULT_ORDER) -> tuple[float, float]:
    """(mean, variance) of a layer's activations f(z) when its pre-activations have length q:
    E[f(sqrt(q) z)] and E[f^2] - E[f]^2. (Pre-activations have mean 0 and variance q.)"""
    f, _ = rules(activation, params)
    mean = gaussian_expectation(f, q, order)
    return mean, gaussian_expectation(lambda x: f(x) ** 2, q, order) - mean**2
