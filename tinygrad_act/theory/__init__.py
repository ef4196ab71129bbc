"""Theory that predicts what the experiments measure: mean-field signal propagation (theory.meanfield)
and the probability that a ReLU net is born dead (theory.born_dead)."""

from .meanfield import (
    MeanField,
    chi_1,
    correlation_fixed_point,
    correlation_map,
    critical_sigma_w2,
    forward_statistics,
    gaussian_expectation,
    length_fixed_point,
    length_map,
    length_trajectory,
    mean_field,
    order_to_chaos_line,
)

__all__ = [
    "MeanField", "chi_1", "correlation_fixed_point", "correlation_map", "critical_sigma_w2", "forward_statistics",
    "gaussian_expectation", "length_fixed_point", "length_map", "length_trajectory", "mean_field",
    "order_to_chaos_line",
]
