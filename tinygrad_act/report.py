"""Run every registered experiment and write one self-contained HTML page with its tables, figures
and commands.

    build_report("out/report", ReportOptions(quick=True, seed=0))   # out/report/index.html

The report is generic over the experiment protocol (tinygrad_act.experiments.protocol): for each
registered experiment and each of its report runs, it resolves the Settings exactly as the command
line does (the given values, then the quick values, then the defaults), shows the `tinygrad-act`
command that gives those Settings, and renders the experiment's tables, notes and figures. So the
command shown on the page gives the same numbers (timings aside) and, run from the report folder,
rewrites the section's figures. Everything runs with one BLAS thread, as every command does by
default (`--threads`). viz/report_page.py renders the page.
"""

from __future__ import annotations

import dataclasses
import datetime
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .data.datasets import DATASETS
from .device import blas_threads
from .experiments import registered
from .experiments.protocol import SettingsBase, command_line, explanation, flags, knob, resolve
from .viz.report_page import Picture, Section, machine_summary, render_page

PAGE_NAME = "index.html"


@dataclass(frozen=True)
class ReportOptions(SettingsBase):
    """What the whole report runs with (the flags of `tinygrad-act report`): quick settings or the
    defaults, the dataset, the data folder, the seed."""

    quick: bool = knob(False, "each experiment's quick settings and the built-in MNIST subset")
    dataset: str = knob("mnist", "dataset of the training experiments", choices=DATASETS)
    root: str | None = knob(None, "data folder (default $TINYGRAD_ACT_DATA or ~/.cache/tinygrad_act)", metavar="DIR")
    seed: int = knob(0, "seed of every experiment", metavar="N")

    def given(self, experiment: ModuleType, run: Mapping[str, Any]) -> dict[str, Any]:
        """The knobs one report run gives `experiment`: the run's own, then the dataset and data
        folder (when not the defaults) and the seed, for the experiments that take them."""
        names = {knob.name for knob in dataclasses.fields(experiment.Settings)}
        options = {"dataset": self.dataset if self.dataset != "mnist" else None, "root": self.root, "seed": self.seed}
        return {**run, **{name: value for name, value in options.items() if name in names and value is not None}}

    def flags(self) -> list[str]:
        """The flags of `tinygrad-act report` that give these options (the seed always)."""
        defaults = ReportOptions()
        return flags(ReportOptions, {name: value for name, value in vars(self).items()
                                     if value != getattr(defaults, name) or name == "seed"})


def experiment_section(experiment: ModuleType, options: ReportOptions, out_dir: Path) -> Section:
    """Run each of the experiment's report runs and collect its commands, tables, notes and figures."""
    about = experiment.ABOUT
    section = Section(about.key, about.title, explanation(experiment), [])
    for run in about.report:
        given = options.given(experiment, run)
        folder = about.key if about.out_dir else None
        argv = command_line(experiment, given, options.quick, folder)
        section.commands.append(shlex.join(["tinygrad-act", *argv]))
        result = experiment.run(resolve(experiment.Settings, given, quick=options.quick))
        section.tables += experiment.tables(result)
        section.notes += experiment.notes(result)
        try:
            written = experiment.figures(result, out_dir / folder if folder else out_dir)
        except RuntimeError as error:  # e.g. no Graphviz: the section says so, the page is still written
            section.notes.append(str(error))
            continue
        section.pictures += [Picture(Path(path).relative_to(out_dir).as_posix(), caption)
                             for path, caption in written.items()]
    return section


def render_html(sections: Sequence[Section], options: ReportOptions, command: str, seconds: float,
                created: datetime.datetime) -> str:
    """The page, its header saying when, on what, in which mode and by which command it was made."""
    header = {"date": created.isoformat(timespec="seconds"), **machine_summary(),
              "mode": "quick (small data, short runs: noisier numbers)" if options.quick else "full",
              "dataset": options.dataset, "seed": str(options.seed), "total time": f"{seconds:.1f} s",
              "command": command}
    return render_page(sections, header)


def build_report(out_dir: str | Path, options: ReportOptions | None = None,
                 log: Callable[[str], None] = print) -> Path:
    """Run every registered experiment into `out_dir` (created if needed) and write its index.html;
    returns the page's path. `log` receives a progress line per section. BLAS is limited to one
    thread: with few cores, a second BLAS thread waiting for a busy core makes these small matmuls
    many times slower."""
    options = options or ReportOptions()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    created = datetime.datetime.now().astimezone()
    start = time.perf_counter()
    experiments, sections = registered(), []
    with blas_threads(1):
        for index, experiment in enumerate(experiments, 1):
            log(f"[{index}/{len(experiments)}] {experiment.ABOUT.key} ...")
            section_start = time.perf_counter()
            section = experiment_section(experiment, options, out_dir)
            section.seconds = time.perf_counter() - section_start
            sections.append(section)
            log(f"[{index}/{len(experiments)}] {experiment.ABOUT.key}: {section.seconds:.1f} s")
    seconds = time.perf_counter() - start
    page = out_dir / PAGE_NAME
    command = shlex.join(["tinygrad-act", "report", "--out", str(out_dir), *options.flags()])
    page.write_text(render_html(sections, options, command, seconds, created), encoding="utf-8")
    return page
