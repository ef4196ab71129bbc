"""The experiments behind the CLI, the report, the examples and the notebooks.

Each is a module following experiments.protocol (Settings, run, tables, figures, notes); this tuple
registers them, in the report's order. Adding an experiment is one module and one name here: it
then appears in `tinygrad-act --help`, as a command, and as a section of the report.
"""

from __future__ import annotations

import importlib
from types import ModuleType

REGISTERED = ("activations", "xor", "mnist", "graph", "explore", "vanishing", "dying_relu", "born_dead", "selu",
              "speed", "signal", "timelapse", "reproduce")


def registered() -> list[ModuleType]:
    """Every registered experiment module, in the report's order."""
    return [importlib.import_module(f"{__name__}.{name}") for name in REGISTERED]
