"""The registry's table of facts about every activation, and the gallery of f and f'.

The facts come from each activation's registration, evaluated at its default parameters, so a
user's own activation (registered in a file loaded with `--import`) gets its row and its panel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..activations import ActivationSpec, get_activation, list_activations
from ..viz.tables import Table
from .protocol import About, SettingsBase, knob

HEADERS = ("name", "range", "zero-centred", "monotonic", "saturating", "max f'", "formula")
ABOUT = About("activations", "Activation functions", "table of every registered activation (and a gallery with --plot)",
              out_dir=False, timed=False, report=({"plot": "activations/gallery.png"},))


@dataclass(frozen=True)
class Settings(SettingsBase):
    plot: str | None = knob(None, "draw f and f' of each activation to FILE", suffixes=(".png", ".svg", ".pdf"),
                            metavar="FILE")


@dataclass
class Result:
    settings: Settings
    specs: list[ActivationSpec]


def _number(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def _flag(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def activation_row(spec: ActivationSpec) -> list[str]:
    """One table row: the facts of `spec` at its default parameters, as text."""
    low, high = spec.range_for()
    max_derivative = spec.max_derivative_for()
    return [spec.name, f"{_number(low)} .. {_number(high)}", _flag(spec.fact("zero_centred")),
            _flag(spec.fact("monotonic")), _flag(spec.fact("saturating")),
            "n/a" if max_derivative is None else _number(max_derivative), spec.formula]


def run(settings: Settings) -> Result:
    return Result(settings, [get_activation(name) for name in list_activations()])


def tables(result: Result) -> list[Table]:
    return [Table(list(HEADERS), [activation_row(spec) for spec in result.specs], styles={0: "code", 6: "math"})]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    if result.settings.plot is None:
        return {}
    from ..viz.activation_plots import plot_activations

    path = Path(folder) / result.settings.plot
    plot_activations([spec.name for spec in result.specs], path=path)
    return {path: f"the gallery of {len(result.specs)} activations (f solid, f' dashed)"}


def notes(result: Result) -> list[str]:
    return []
