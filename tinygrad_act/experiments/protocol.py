"""What every experiment module provides, and the knobs its Settings are made of.

An experiment is a module with
- a docstring that explains what it shows (the report's paragraph and the command's description);
- `ABOUT`: an About (its command, title, one-line help, the report's runs);
- `Settings`: a frozen dataclass of knobs (`knob(...)`: default, help, quick value, valid range),
  with `Settings.quick()` (inherited from SettingsBase);
- `run(settings) -> Result`: the computation, seeded, printing nothing beyond a progress bar;
- `tables(result) -> list[Table]`, `figures(result, folder) -> {path: caption}` and
  `notes(result) -> list[str]`: the numbers as data, the pictures, the sentences that explain them.
Registering it is one line in experiments/__init__.py; the CLI, the report, the examples and the
notebooks are generic over this protocol, and call nothing else:

    result = vanishing.run(vanishing.Settings.quick(activations=("sigmoid", "relu")))
    print(as_text(vanishing, result))            # what `tinygrad-act vanishing --quick ...` prints
    vanishing.figures(result, Path("figures"))   # and the pictures it draws
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from ..activations import get_activation
from ..data import datasets
from ..viz.tables import render

SettingsT = TypeVar("SettingsT", bound="SettingsBase")


@dataclass(frozen=True)
class About:
    """How an experiment presents itself."""

    key: str  # the report section's id and figures folder, e.g. "born-dead"
    title: str  # the report's heading
    help: str  # one line for `tinygrad-act --help`
    explanation: str = ""  # the report's paragraph and the command's description (default: the docstring)
    command: str = ""  # the CLI subcommand (default: key)
    selector: str = ""  # a flag that selects this experiment within a shared command ("born-dead")
    out_dir: bool = True  # figures go to --out-dir (else the Settings name their files)
    timed: bool = True  # the command prints its wall time
    report: tuple[Mapping[str, Any], ...] = ({},)  # the settings of each run on the report page

    @property
    def command_name(self) -> str:
        return self.command or self.key


def explanation(experiment: ModuleType) -> str:
    """The paragraph that explains an experiment: its About's, else its module docstring on one line."""
    return experiment.ABOUT.explanation or " ".join((experiment.__doc__ or "").split())


def knob(default: Any, text: str, *, quick: Any = dataclasses.MISSING, at_least: float | None = None,
         above: float | None = None, at_most: float | None = None, choices: tuple[str, ...] | None = None,
         parse: Callable[[str], Any] | None = None, suffixes: tuple[str, ...] | None = None,
         flag: str | None = None, metavar: str | None = None, positional: bool = False) -> Any:
    """A Settings field: its default, help `text`, value under `--quick`, and what values are valid
    (a range, `choices`, a `parse` that raises ValueError, file `suffixes`); `flag` overrides the
    command-line name (default --field-name, or --no-field-name for a bool that defaults to True);
    `positional` also accepts the value as the command's optional positional argument."""
    metadata = dict(help=text, quick=quick, at_least=at_least, above=above, at_most=at_most, choices=choices,
                    parse=parse, suffixes=suffixes, flag=flag, metavar=metavar, positional=positional)
    return dataclasses.field(default=default, metadata=metadata)


def activation_knob(default: str) -> Any:
    return knob(default, "a registered activation (see `tinygrad-act activations`; your own via --import)",
                parse=get_activation)


def activations_knob(default: tuple[str, ...], text: str = "activations to compare") -> Any:
    return knob(default, text, parse=get_activation)


def seed_knob() -> Any:
    return knob(0, "seed of every random draw", metavar="N")


def check(field: dataclasses.Field, value: Any) -> Any:
    """`value` if it is valid for `field` (each element of a tuple is checked), else ValueError
    with the allowed range."""
    meta = field.metadata
    for item in value if isinstance(value, tuple) else (value,):
        if item is None or isinstance(item, bool):
            continue
        if meta.get("parse"):
            meta["parse"](item)
        if meta.get("choices") and item not in meta["choices"]:
            raise ValueError(f"must be one of {', '.join(meta['choices'])}, got {item!r}")
        if meta.get("at_least") is not None and item < meta["at_least"]:
            raise ValueError(f"must be at least {meta['at_least']:g}, got {item:g}")
        if meta.get("above") is not None and item <= meta["above"]:
            raise ValueError(f"must be greater than {meta['above']:g}, got {item:g}")
        if meta.get("at_most") is not None and item > meta["at_most"]:
            raise ValueError(f"must be at most {meta['at_most']:g}, got {item:g}")
        if meta.get("suffixes"):
            check_output_path(Path(item), meta["suffixes"])
    return value


def check_output_path(path: Path, suffixes: tuple[str, ...] | None = None) -> Path:
    """`path` if it has one of `suffixes` (None: a folder) and its folder exists or can be created."""
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ValueError(f"{path}: the extension must be one of {', '.join(suffixes)}")
    folder = path.parent if suffixes is not None else path
    existing = next(parent for parent in [folder, *folder.parents] if parent.exists() or parent == parent.parent)
    if existing.exists() and (not existing.is_dir() or not os.access(existing, os.W_OK)):
        raise ValueError(f"cannot create the folder {folder}: {existing} is not a writable folder")
    return path


@dataclass(frozen=True)
class SettingsBase:
    """Base of every experiment's Settings: checks each knob on creation, and makes quick settings."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            try:
                check(field, getattr(self, field.name))
            except ValueError as error:
                raise ValueError(f"{type(self).__qualname__}.{field.name}: {error}") from None

    @classmethod
    def quick(cls: type[SettingsT], **given: Any) -> SettingsT:
        """The quick settings (small data, short runs: for tests and a first look), `given` winning."""
        return resolve(cls, given, quick=True)

    def replace(self: SettingsT, **changes: Any) -> SettingsT:
        return dataclasses.replace(self, **changes)


def resolve(settings_class: type[SettingsT], given: Mapping[str, Any], quick: bool = False) -> SettingsT:
    """Settings from the values the user gave; with `quick`, each knob not given takes its quick
    value (if it has one); the rest keep their defaults."""
    values = dict(given)
    if quick:
        for field in dataclasses.fields(settings_class):
            if field.name not in values and field.metadata.get("quick", dataclasses.MISSING) is not dataclasses.MISSING:
                values[field.name] = field.metadata["quick"]
    return settings_class(**values)


def flag_name(field: dataclasses.Field) -> str:
    """The command-line flag of a knob: --field-name, or --no-field-name for a bool defaulting to True."""
    if field.metadata.get("flag"):
        return field.metadata["flag"]
    prefix = "--no-" if field.default is True else "--"
    return prefix + field.name.replace("_", "-")


def flags(settings_class: type, given: Mapping[str, Any], quick: bool = False) -> list[str]:
    """The flags that give `settings_class`'s knobs the `given` values: switches first (then
    `--quick` when asked), then the valued ones; a None value is left out."""
    fields = {field.name: field for field in dataclasses.fields(settings_class)}
    switches = [flag_name(fields[name]) for name, value in given.items()
                if isinstance(value, bool) and value != fields[name].default]
    valued = []
    for name, value in given.items():
        if value is not None and not isinstance(value, bool):
            valued += [flag_name(fields[name]), *map(str, value if isinstance(value, tuple) else (value,))]
    return switches + (["--quick"] if quick else []) + valued


def command_line(experiment: ModuleType, given: Mapping[str, Any], quick: bool = False,
                 out_dir: str | None = None) -> list[str]:
    """The `tinygrad-act` arguments that run `experiment` with the `given` values."""
    about: About = experiment.ABOUT
    has_quick = any(field.metadata["quick"] is not dataclasses.MISSING for field in dataclasses.fields(experiment.Settings))
    argv = [about.command_name, *([f"--{about.selector}"] if about.selector else [])]
    argv += flags(experiment.Settings, given, quick and has_quick)
    return argv + (["--out-dir", out_dir] if out_dir is not None else [])


def as_text(experiment: ModuleType, result: Any, markdown: bool = False) -> str:
    """The tables (terminal text, or Markdown) and notes of `experiment`'s `result`, as its command prints them."""
    notes = experiment.notes(result)
    blocks = [render(table, markdown) for table in experiment.tables(result)]
    return "\n\n".join(blocks + (["\n".join(notes)] if notes else []))


@dataclass
class Result:
    """What most experiments' `run` returns: the settings, and one entry per run (an activation, a
    variant, a width: whatever the experiment compares)."""

    settings: Any
    runs: list


@dataclass(frozen=True)
class DataSettings(SettingsBase):
    """The knobs of every experiment that reads a dataset, and its seed."""

    seed: int = seed_knob()
    dataset: str = knob("mnist", "dataset to train on", choices=datasets.DATASETS)
    root: str | None = knob(None, "data folder (default $TINYGRAD_ACT_DATA or ~/.cache/tinygrad_act)", metavar="DIR")
    subset: bool = knob(False, "the small built-in MNIST subset (other datasets: the first 1,000 / 500 images)",
                        quick=True)

    def load_data(self, download: bool = True) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """(train images, labels), (test images, labels): datasets.train_and_test of these knobs."""
        return datasets.train_and_test(self.dataset, self.root, self.subset, download)
