"""What every plot in the package shares: saving a figure, telling series apart (a colour and a
marker each, coinciding lines found and named), and smoothing a noisy curve."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Colour and marker both change from one series to the next, so two series stay apart in grey
# print, for colour-blind readers and where the lines cross.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def save_figure(figure: Any, path: str | Path) -> Path:
    """Write `figure` to `path` (format from the extension: .png, .svg, .pdf), creating missing folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    return path


def series_style(index: int) -> dict[str, str]:
    """The colour and marker of the `index`-th series of a plot (matplotlib keyword arguments)."""
    return {"color": f"C{index % 10}", "marker": MARKERS[index % len(MARKERS)]}


def coinciding(curves: Mapping[str, Sequence[float]], rtol: float = 0.05) -> dict[str, str]:
    """For each curve that lies on an earlier one (every point within `rtol` of it, relatively), the
    name of that earlier curve: these are the lines a reader would otherwise not see."""
    names = list(curves)
    twins: dict[str, str] = {}
    for position, name in enumerate(names):
        values = np.asarray(curves[name], dtype=np.float64)
        for earlier in names[:position]:
            reference = np.asarray(curves[earlier], dtype=np.float64)
            if earlier not in twins and len(reference) == len(values) and len(values) and np.all(
                    np.abs(values - reference) <= rtol * np.maximum(np.abs(reference), np.abs(values))):
                twins[name] = earlier
                break
    return twins


def is_noisy(values: Sequence[float]) -> bool:
    """True when a curve jitters from one point to the next: the typical step-to-step change is
    over 1% of the curve's whole range (a smooth curve of hundreds of points changes far less)."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 20 or np.ptp(values) == 0:
        return False
    return float(np.median(np.abs(np.diff(values)))) > 0.01 * float(np.ptp(values))


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each point and the `window - 1` before it (fewer at the start), same length."""
    values = np.asarray(values, dtype=np.float64)
    sums = np.cumsum(np.concatenate([[0.0], values]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (sums[ends] - sums[starts]) / (ends - starts)
