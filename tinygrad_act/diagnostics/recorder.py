"""Recorder: a time-lapse of every layer and unit during training, every k steps.

Every `every` steps it keeps, per activation layer, histograms of the pre-activations x, the
activations f(x) and the activation gradients dL/df(x), per Linear layer a histogram of the weight
gradient dL/dW, and per unit a status:
- dead: f'(x) = 0 for every sample of the batch, by the activation's own backward rule
  (diagnostics.dead_unit_mask, so its fractions are exactly DeadUnits.fractions());
- saturated (bounded activations only, diagnostics.is_bounded: sigmoid, tanh, ...): not dead, but the
  batch mean of |f'(x)| is below `saturation` x the activation's largest derivative (a sigmoid unit
  pinned near 0 or 1, Glorot & Bengio 2010, Fig. 2); a relu unit is alive or dead, never saturated;
- alive otherwise.
From the statuses, each unit that died has the step it died at (and revived at, if it did).

Histogram bins are fixed at the first record, so pictures over time compare like with like: over
the activation's declared output range when it is finite on both sides (sigmoid: [0, 1]), else over
the first record's [min, max] widened by half its span on each side; later values outside are
counted in the outer bins.

    with Recorder(model, every=10) as recorder:
        for step in range(steps):
            opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
            recorder.step()
    recorder.dead_fractions()     # {"1": [0.0, 0.02, ...]}: one per recorded step
    recorder.events("1")          # [UnitEvent(unit=7, died_at=40, revived_at=None), ...]

Only the training forward is recorded (the one whose output requires grad: a forward under
no_grad, such as an evaluation, is ignored), and on the steps in between the hooks return at once,
so recording every 10 steps costs little. With `tensorboard=DIR` (needs `pip install tensorboardX`)
each record is also written as TensorBoard scalars and histograms.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..extras import require
from ..nn import Activation, Linear, Module
from ..tensor import Tensor
from .dead_units import derivative, flat_units
from .monitor import Monitor, activation_layers, layer_name
from .saturation import is_bounded

ALIVE, SATURATED, DEAD = 0, 1, 2
STATUS_NAMES = ("alive", "saturated", "dead")  # indexed by the status codes


@dataclass(frozen=True)
class UnitEvent:
    """One unit's death: the recorded step it was first seen dead, and the step it was first seen
    alive again (None: still dead at the last record)."""

    layer: str
    unit: int
    died_at: int
    revived_at: int | None


@dataclass
class _Capture:
    """What the hooks caught of one activation layer in the step being recorded."""

    x: np.ndarray | None = None
    y: np.ndarray | None = None
    grad: np.ndarray | None = None


def histogram_edges(values: np.ndarray, bins: int, value_range: tuple[float, float] = (-math.inf, math.inf)
                    ) -> np.ndarray:
    """`bins` + 1 edges over `value_range` when it is finite, else over [min, max] of the finite `values`
    widened by half the span on each side (by 1 when all values are equal)."""
    low, high = value_range
    finite = np.asarray(values, dtype=np.float64)[np.isfinite(values)]
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = (float(np.min(finite)), float(np.max(finite))) if finite.size else (-1.0, 1.0)
        margin = 0.5 * (high - low) or 1.0
        low, high = low - margin, high + margin
    return np.linspace(low, high, bins + 1)


def finite_values(values: np.ndarray) -> np.ndarray:
    """`values` flattened, without inf/NaN (a diverged run's); the check is one fast reduction."""
    values = np.asarray(values).ravel()
    return values if np.isfinite(values.sum()) else values[np.isfinite(values)]


def clipped_histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of the finite `values` in the equal-width bins of `edges`, values outside counted in
    the outer bins."""
    return _counts(finite_values(values), edges)


def _counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """clipped_histogram of finite values. The bin index is computed directly, in linear time and in
    the values' own dtype: np.histogram sorts, which made recording a weight gradient cost more than
    the training step it records."""
    bins = len(edges) - 1
    scaled = values - values.dtype.type(edges[0])
    scaled *= values.dtype.type(bins / (edges[-1] - edges[0]))
    np.clip(scaled, 0, bins - 1, out=scaled)
    return np.bincount(scaled.astype(np.intp), minlength=bins)


def _moments(values: np.ndarray) -> tuple[float, float]:
    """(mean, std) of finite values: a sum and a dot product, the cheapest two passes."""
    if not values.size:
        return math.nan, math.nan
    mean = float(values.sum(dtype=np.float64)) / values.size
    return mean, math.sqrt(max(float(values @ values) / values.size - mean * mean, 0.0))


class Recorder(Monitor):
    """Hooks that record per-layer histograms and per-unit statuses every `every` steps (see the
    module docstring). Call `step()` once per optimizer step, after backward."""

    def __init__(self, model: Module, every: int = 10, bins: int = 40, saturation: float = 0.1,
                 tensorboard: str | Path | None = None) -> None:
        if every < 1:
            raise ValueError(f"Recorder: every must be at least 1, got {every}")
        super().__init__()
        self.every, self.bins, self.saturation = every, bins, saturation
        self.layers = dict(activation_layers(model, lambda layer: layer.spec.elementwise))
        self.linears = {layer_name(path, module): module for path, module in model.named_modules()
                        if isinstance(module, Linear)}
        if not self.layers:
            raise ValueError(f"Recorder: {type(model).__name__} has no elementwise activation layer to record; "
                             "activations applied as functions (x.relu()) have no layer to hook")
        self.steps: list[int] = []
        self.edges: dict[tuple[str, str], np.ndarray] = {}
        self.histograms: dict[tuple[str, str], list[np.ndarray]] = {}
        self.moments: dict[tuple[str, str], list[tuple[float, float]]] = {}  # (mean, std) per record
        self.status: dict[str, list[np.ndarray]] = {name: [] for name in self.layers}
        self.seconds = 0.0  # time spent recording (hooks on due steps, and the records), for its cost
        self._step = 0
        self._captures = {name: _Capture() for name in self.layers}
        for name, layer in self.layers.items():
            self.add(layer.register_forward_hook(self._hook(name)))
        self._writer = _tensorboard_writer(tensorboard) if tensorboard is not None else None

    @property
    def due(self) -> bool:
        """Whether the current step is one that is recorded."""
        return self._step % self.every == 0

    def _hook(self, name: str) -> Callable[[Module, tuple, Any], None]:
        capture = self._captures[name]

        def keep_gradient(grad: Tensor) -> None:
            capture.grad = grad.data

        def record(layer: Module, inputs: tuple, output: Tensor) -> None:
            if not self.due or not output.requires_grad:
                return
            start = time.perf_counter()
            capture.x, capture.y, capture.grad = inputs[0].data, output.data, None
            output.register_hook(keep_gradient)
            self.seconds += time.perf_counter() - start

        return record

    def step(self) -> None:
        """End of one training step: record what the hooks caught when the step is due, then count it."""
        if self.due and any(capture.x is not None for capture in self._captures.values()):
            start = time.perf_counter()
            self._record()
            self.seconds += time.perf_counter() - start
        for capture in self._captures.values():
            capture.x = capture.y = capture.grad = None
        self._step += 1

    def _record(self) -> None:
        step = self._step
        self.steps.append(step)
        for name, layer in self.layers.items():
            capture = self._captures[name]
            if capture.x is None:
                continue
            status = self._unit_status(layer, capture.x, capture.y)
            self.status[name].append(status)
            value_range = layer.spec.range_for(layer.params)
            self._add("pre-activation", name, capture.x, step)
            self._add("activation", name, capture.y, step, value_range)
            if capture.grad is not None:
                self._add("activation gradient", name, capture.grad, step)
            if self._writer is not None:
                self._writer.add_scalar(f"dead_fraction/{name}", float(np.mean(status == DEAD)), step)
                self._writer.add_scalar(f"saturated_fraction/{name}", float(np.mean(status == SATURATED)), step)
        for name, linear in self.linears.items():
            if linear.weight.grad is not None:
                self._add("weight gradient", name, linear.weight.grad.data, step)
        if self._writer is not None:
            self._writer.flush()

    def _unit_status(self, layer: Activation, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """ALIVE, SATURATED or DEAD for each unit (the last dim) on this batch."""
        slope = derivative(layer, x, y)
        dead = flat_units(slope)
        if not is_bounded(layer):
            return np.where(dead, DEAD, ALIVE).astype(np.int8)
        largest = layer.spec.max_derivative_for(layer.params) or 1.0
        batch_axes = tuple(range(slope.ndim - 1))
        saturated = (np.mean(np.abs(slope), axis=batch_axes) < self.saturation * largest) & ~dead
        return np.where(dead, DEAD, np.where(saturated, SATURATED, ALIVE)).astype(np.int8)

    def _add(self, quantity: str, name: str, values: np.ndarray, step: int,
             value_range: tuple[float, float] = (-math.inf, math.inf)) -> None:
        key = (quantity, name)
        values = finite_values(values)
        if key not in self.edges:
            self.edges[key] = histogram_edges(values, self.bins, value_range)
            self.histograms[key], self.moments[key] = [], []
        self.histograms[key].append(_counts(values, self.edges[key]))
        self.moments[key].append(_moments(values))
        if self._writer is not None:
            self._writer.add_histogram(f"{quantity.replace(' ', '_')}/{name}", np.asarray(values, dtype=np.float64),
                                       step)

    # ------------------------------------------------------------------ reading the record

    def _fractions(self, status: int) -> dict[str, list[float]]:
        return {name: [float(np.mean(record == status)) for record in records]
                for name, records in self.status.items()}

    def dead_fractions(self) -> dict[str, list[float]]:
        """Per activation layer: the share of dead units at each recorded step."""
        return self._fractions(DEAD)

    def saturated_fractions(self) -> dict[str, list[float]]:
        """Per activation layer: the share of saturated (not dead) units at each recorded step."""
        return self._fractions(SATURATED)

    def status_matrix(self, name: str) -> np.ndarray:
        """(units, records) array of ALIVE / SATURATED / DEAD for layer `name`."""
        return np.stack(self.status[name], axis=1)

    def events(self, name: str) -> list[UnitEvent]:
        """Every death of a unit of layer `name`, in order of unit then step."""
        events = []
        for unit, history in enumerate(self.status_matrix(name)):
            died_at = None
            for step, status in zip(self.steps, history):
                if status == DEAD and died_at is None:
                    died_at = step
                elif status != DEAD and died_at is not None:
                    events.append(UnitEvent(name, unit, died_at, step))
                    died_at = None
            if died_at is not None:
                events.append(UnitEvent(name, unit, died_at, None))
        return events

    def remove(self) -> None:
        """Detach the hooks and close the TensorBoard file; the record stays readable."""
        super().remove()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _tensorboard_writer(folder: str | Path) -> Any:
    return require("tensorboardX", "tensorboard", "Recorder(tensorboard=...)").SummaryWriter(str(folder))
