"""Run every registered experiment and write one self-contained HTML page with its tables, figures
and commands.

    build_report("out/report", ReportOptions(quick=True, seed=0))   # out/report/index.html

The report is generic over the experiment protocol (tinygrad_act.experiments.protocol): for each
registered experiment and each of its report runs, it resolves the Settings exactly as the command
line does (the given values, then the quick values, then the defaults), shows the `tinygrad-act`
command that gives those Settings, and renders the experiment's tables, notes and figures. So the
command shown on the page gives the same numbers (timings aside) and, run from the report folder,
rewrites the section's figures. Everything runs with one BLAS thread, as every command does by
default (`--threads`). The page has inline CSS, no scripts and is well-formed XML.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import os
import platform
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from . import __version__
from .data.datasets import DATASETS
from .experiments import registered
from .experiments.common import blas_threads
from .experiments.protocol import SettingsBase, command_line, explanation, flags, knob, resolve
from .viz.tables import Table, to_html

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


@dataclass
class Picture:
    """A figure of the page (PNG or SVG) and its caption."""

    path: str  # relative to the report folder, with forward slashes
    caption: str


@dataclass
class Section:
    """One experiment's part of the page."""

    key: str  # the HTML id, and the folder its figures go to
    title: str
    explanation: str
    commands: list[str]
    tables: list[Table] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


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


def machine_summary() -> dict[str, str]:
    """The software and machine the numbers were produced on."""
    return {
        "tinygrad_act": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "CPU count": str(os.cpu_count()),
    }


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1 { margin-bottom: 0.2rem; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.5rem; }
nav ol { columns: 2; }
dl.header { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; }
dl.header dt { font-weight: 600; }
dl.header dd { margin: 0; }
pre, code { background: #f4f4f4; border-radius: 3px; }
pre { padding: 0.5rem 0.8rem; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.85rem; }
caption { text-align: left; font-style: italic; padding-bottom: 0.3rem; width: max-content; max-width: 62rem; }
th, td { border: 1px solid #ddd; padding: 0.15rem 0.5rem; text-align: left;
         font-variant-numeric: tabular-nums; }
th { background: #f0f0f0; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1rem 0; }
figure { display: block; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #eee; }
figure.graph .frame { overflow: auto; max-height: 85vh; border: 1px solid #eee; }
figure.graph img { max-width: none; border: none; }
figcaption { display: block; font-size: 0.85rem; color: #555; margin-top: 0.3rem; }
math { font-size: 1.05em; }
.time { color: #666; font-size: 0.85rem; }
"""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _section_html(section: Section) -> str:
    parts = [f'<section id="{_escape(section.key)}">', f"<h2>{_escape(section.title)}</h2>",
             f"<p>{_escape(section.explanation)}</p>",
             "<p>Reproduce (from the report folder: this also rewrites the figures):</p>",
             "<pre>" + "\n".join(f"<code>{_escape(command)}</code>" for command in section.commands) + "</pre>"]
    parts += [to_html(table) for table in section.tables]
    if section.notes:
        parts.append("<ul>" + "".join(f"<li>{_escape(note)}</li>" for note in section.notes) + "</ul>")
    parts += [_figure_html(picture) for picture in section.pictures]
    parts.append(f'<p class="time">took {section.seconds:.1f} s</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _figure_html(picture: Any) -> str:
    """A picture as a figure that links to itself, its caption on its own line below it; a graph
    drawing (SVG) at its natural size in a scrollable frame, since shrunk to the page's width its
    labels become unreadable; a page (the explorer) as a link to open it."""
    path, caption = _escape(picture.path), _escape(picture.caption)
    if str(picture.path).endswith(".html"):
        return f'<p class="page"><a href="{path}">{caption}</a> (an interactive page: open it)</p>'
    image = f'<a href="{path}"><img src="{path}" alt="{caption}" /></a>'
    if str(picture.path).endswith(".svg"):
        return f'<figure class="graph"><div class="frame">{image}</div><figcaption>{caption}</figcaption></figure>'
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"


def render_html(sections: Sequence[Section], options: ReportOptions, command: str, seconds: float,
                created: datetime.datetime) -> str:
    """The whole page: a header (date, versions, machine, mode), a table of contents, the sections."""
    header = {"date": created.isoformat(timespec="seconds"), **machine_summary(),
              "mode": "quick (small data, short runs: noisier numbers)" if options.quick else "full",
              "dataset": options.dataset, "seed": str(options.seed), "total time": f"{seconds:.1f} s",
              "command": command}
    items = "".join(f"<dt>{_escape(name)}</dt><dd>{_escape(value)}</dd>" for name, value in header.items())
    contents = "".join(f'<li><a href="#{_escape(section.key)}">{_escape(section.title)}</a> '
                       f'<span class="time">({section.seconds:.1f} s)</span></li>' for section in sections)
    body = "\n\n".join(_section_html(section) for section in sections)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
            f"<title>tinygrad_act report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<header>\n<h1>tinygrad_act: why activation functions matter</h1>\n"
            f"<p>Every experiment of the package, run by one command. Each section says what it shows and the "
            f"command that reproduces it: the same seed gives the same numbers (timings aside). Everything runs "
            f"with one BLAS thread, as the commands do by default (--threads): a float32 matmul split between "
            f"threads rounds differently, and short training runs amplify the difference.</p>\n"
            f'<dl class="header">{items}</dl>\n</header>\n<nav><h2>Contents</h2><ol>{contents}</ol></nav>\n\n'
            f"{body}\n</body>\n</html>\n")


def report_command(out_dir: Path, options: ReportOptions) -> str:
    """The `tinygrad-act report` command that writes this report."""
    return shlex.join(["tinygrad-act", "report", "--out", str(out_dir), *options.flags()])


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
    page.write_text(render_html(sections, options, report_command(out_dir, options), seconds, created),
                    encoding="utf-8")
    return page
