"""A training timeline for the explorer: snapshots of a small 2-D classifier every few steps.

Each frame holds the loss and accuracy, the predicted probability over a grid of the input plane
(the decision boundary), every hidden unit's output over the same grid (as TensorFlow Playground
draws it), which units are dead (f' = 0 on every training input) or saturated, and the weights.

    timeline = Timeline(model, inputs, targets)
    for step in range(steps):
        ...; loss.backward(); opt.step()
        if step % 10 == 0:
            timeline.record(step, loss.item())

Grids travel as bytes (one per cell, base64), which keeps a 200-step page far below 2 MB. The
probability byte is 0..127 for class 0 and 128..255 for class 1, so the class of every cell is
exact even where the probability is within 1/255 of 0.5.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from ...autograd import no_grad
from ...diagnostics.dead_units import dead_unit_mask
from ...diagnostics.saturation import is_bounded, near_bound
from ...nn import MLP, Activation
from ...tensor import Tensor

SATURATION_THRESHOLD = 0.01  # an output this close to a bound of the range counts as saturated
SATURATED_SHARE = 0.9  # a unit is marked saturated when this share of its outputs is


def _bytes(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=np.uint8).tobytes()).decode("ascii")


def probability_bytes(probability: np.ndarray) -> np.ndarray:
    """Probabilities as bytes whose top bit is the predicted class (p > 0.5), exactly."""
    scaled = np.rint(probability * 255)
    return np.where(probability > 0.5, np.clip(scaled, 128, 255), np.clip(scaled, 0, 127)).astype(np.uint8)


def _scaled_bytes(values: np.ndarray) -> tuple[str, float, float]:
    """Values scaled from their min..max to 0..255, with that min and max."""
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) * 255 if high > low else np.full(values.shape, 127.5)
    return _bytes(np.rint(scaled)), low, high


def _saturated(layer: Activation, outputs: np.ndarray) -> np.ndarray:
    """Per unit (last dim): True when most of its outputs sit within the threshold of a bound."""
    if not is_bounded(layer):
        return np.zeros(outputs.shape[-1], dtype=bool)
    return near_bound(layer, outputs, SATURATION_THRESHOLD).mean(axis=0) >= SATURATED_SHARE


class Timeline:
    """Records frames of an MLP with 2 inputs and 1 output logit trained on (inputs, targets)."""

    def __init__(
        self, model: MLP, inputs: np.ndarray, targets: np.ndarray, grid_size: int = 40, margin: float = 0.5
    ) -> None:
        if model.sizes[0] != 2 or model.sizes[-1] != 1:
            raise ValueError(f"Timeline: needs an MLP with 2 inputs and 1 output, got sizes {model.sizes}")
        self.model, self.grid_size = model, grid_size
        self.inputs = np.asarray(inputs, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.float32).reshape(-1)
        low, high = self.inputs.min(axis=0) - margin, self.inputs.max(axis=0) + margin
        self.extent = [float(low[0]), float(high[0]), float(low[1]), float(high[1])]
        # cell centres, row 0 at the top (largest x2), as an image is drawn
        x1 = np.linspace(low[0], high[0], grid_size)
        x2 = np.linspace(high[1], low[1], grid_size)
        self.grid = np.stack(np.meshgrid(x1, x2), axis=-1).reshape(-1, 2).astype(np.float32)
        self.frames: list[dict[str, Any]] = []

    def forward(
        self, points: np.ndarray
    ) -> tuple[np.ndarray, list[tuple[Activation, np.ndarray, np.ndarray]]]:
        """The output logits at `points` and, for each activation layer, (layer, its input, its output)."""
        hidden = []
        with no_grad():
            h = Tensor(points)
            for layer in self.model.children():
                output = layer(h)
                if isinstance(layer, Activation):
                    hidden.append((layer, h.data, output.data))
                h = output
        return h.data.reshape(-1), hidden

    def predict_grid(self) -> np.ndarray:
        """The model's predicted class (0/1) at every grid cell, row-major from the top-left."""
        logits, _ = self.forward(self.grid)
        return (logits > 0).astype(np.int64)

    def record(self, step: int, loss: float) -> None:
        """Append a frame of the model as it is now, after `step` training steps."""
        logits, hidden = self.forward(self.inputs)
        grid_logits, grid_hidden = self.forward(self.grid)
        linears = self.model.linears()
        units = []
        for (layer, x, y), (_, _, grid_y) in zip(hidden, grid_hidden):
            dead, saturated = dead_unit_mask(layer, x, y), _saturated(layer, y)
            for unit in range(y.shape[-1]):
                heatmap, low, high = _scaled_bytes(grid_y[:, unit])
                units.append(
                    {
                        "heatmap": heatmap,
                        "low": low,
                        "high": high,
                        "dead": bool(dead[unit]),
                        "saturated": bool(saturated[unit]),
                    }
                )
        with np.errstate(over="ignore"):  # a huge negative logit gives probability 0, as it should
            probability = 1 / (1 + np.exp(-grid_logits.astype(np.float64)))
        self.frames.append(
            {
                "step": step,
                "loss": float(loss),
                "accuracy": float(((logits > 0) == (self.targets > 0.5)).mean()),
                "boundary": _bytes(probability_bytes(probability)),
                "units": units,
                "weights": [
                    np.round(linear.weight.data.astype(np.float64), 5).tolist() for linear in linears
                ],
                "biases": [np.round(linear.bias.data.astype(np.float64), 5).tolist() for linear in linears],
            }
        )

    def data(self) -> dict[str, Any]:
        """The page's `timeline` object."""
        return {
            "sizes": self.model.sizes,
            "activation": self.model.activation,
            "grid_size": self.grid_size,
            "extent": self.extent,
            "points": np.round(self.inputs.astype(np.float64), 4).tolist(),
            "labels": self.targets.astype(int).tolist(),
            "frames": self.frames,
        }
