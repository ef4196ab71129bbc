"""The registry's table of facts about every activation, and the gallery of f and f'.

The facts come from each activation's registration, evaluated at its default parameters, so a
user's own activation (registered in a file loaded with `--import`) gets its row and its panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..activations import get_activation, list_activations
from ..viz.tables import Table
from .protocol import About, Result, SettingsBase, knob

ABOUT = About("activations", "Activation functions", "table of every registered activation (and a gallery with --plot)",
              out_dir=False, timed=False, report=({"plot": "activations/gallery.png"},))


@dataclass(frozen=True)
class Settings(SettingsBase):
    plot: str | None = knob(None, "draw f and f' of each activation to FILE", suffixes=(".png", ".svg", ".pdf"),
                            metavar="FILE")


def run(settings: Settings) -> Result:
    """The spec of every registered activation (the runs), in registration order."""
    return Result(settings, [get_activation(name) for name in list_activations()])


def tables(result: Result) -> list[Table]:
    facts = list(result.runs[0].facts_text()) if result.runs else []
    rows = [[spec.name, *spec.facts_text().values(), spec.formula] for spec in result.runs]
    return [Table(["name", *facts, "formula"], rows, styles={0: "code", len(facts) + 1: "math"})]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    if result.settings.plot is None:
        return {}
    from ..viz.activation_plots import plot_activations

    path = Path(folder) / result.settings.plot
    plot_activations([spec.name for spec in result.runs], path=path)
    return {path: f"the gallery of {len(result.runs)} activations (f solid, f' dashed)"}


def notes(result: Result) -> list[str]:
    return []
