"""Diagnostics that explain why training fails: vanishing or exploding gradients (GradientFlow),
dying units (DeadUnits), saturated activations (Saturation), and the first NaN/Inf (detect_anomaly).

Each monitor attaches hooks to a model, records as the model runs, and detaches with `.remove()`
or at the end of a `with` block; nothing is recorded or slowed down once it is removed.
"""

from ..autograd import detect_anomaly
from .dead_units import DeadUnits, dead_fraction, dead_unit_mask
from .gradient_flow import GradientFlow
from .monitor import layer_inputs_outputs
from .recorder import Recorder, UnitEvent
from .saturation import Saturation, is_bounded, saturated_fraction

__all__ = [
    "DeadUnits", "GradientFlow", "Saturation", "dead_fraction", "dead_unit_mask", "detect_anomaly",
    "is_bounded", "layer_inputs_outputs", "saturated_fraction", "Recorder", "UnitEvent",
]
