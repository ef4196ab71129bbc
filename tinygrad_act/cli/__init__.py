"""The `tinygrad-act` command (also `python -m tinygrad_act`).

Every registered experiment (tinygrad_act.experiments) is a subcommand whose flags are its Settings'
knobs, built by one adapter (cli/adapter.py); `report` is the one other command. `--import
FILE_OR_MODULE` loads a user's own activations first, so `--activation` accepts them; every command
takes `--threads N` (BLAS threads, default 1).
"""

from __future__ import annotations

import argparse
import importlib
import runpy
import sys
from pathlib import Path

from ..data import ChecksumError, DatasetNotFoundError, DownloadError, IdxFormatError
from ..device import blas_threads
from ..experiments import registered
from ..report import ReportOptions, build_report
from .adapter import add_experiment_command, add_knobs, folder, given_settings, positive_int


def _load_user_code(target: str) -> None:
    """Run a .py file, or import a module by name, where a user registers activations."""
    if not target.endswith(".py"):
        importlib.import_module(target)
    elif not Path(target).exists():
        raise SystemExit(f"tinygrad-act: --import {target}: no such file")
    else:
        runpy.run_path(target, run_name=Path(target).stem)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-act", description="Experiments that show why activation functions matter."
    )
    parser.add_argument(
        "--import", dest="imports", action="append", default=[], metavar="FILE_OR_MODULE",
        help="load a Python file or module first (to register your own activations)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands: dict[str, list] = {}
    for experiment in registered():
        commands.setdefault(experiment.ABOUT.command_name, []).append(experiment)
    for experiments in commands.values():
        add_experiment_command(subparsers, experiments)
    _add_report_command(subparsers)
    for command in subparsers.choices.values():
        command.add_argument("--threads", type=positive_int, default=1,
                             help="BLAS threads (default 1: these small matrices gain little from more, "
                                  "and the same seed gives the same numbers)")
    return parser


def _add_report_command(subparsers: argparse._SubParsersAction) -> None:
    """`tinygrad-act report --out DIR [--quick]`: every experiment on one HTML page, DIR/index.html."""
    parser = subparsers.add_parser(
        "report", help="run every experiment and write an HTML page (DIR/index.html) with tables and figures",
        description=f"Run every experiment ({', '.join(e.ABOUT.key for e in registered())}) and write "
                    "DIR/index.html, a self-contained page with a section per experiment: what it shows, its "
                    "tables and figures, the command that reproduces it and the time it took.",
    )
    parser.add_argument("--out", type=folder, default=Path("out/report"), metavar="DIR",
                        help="folder for index.html and the figures (default out/report)")
    add_knobs(parser, ReportOptions)
    parser.set_defaults(run=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    page = build_report(args.out, ReportOptions(**given_settings(ReportOptions, args)))
    print(f"wrote the report to {page}")
    return 0


# Errors whose message already tells the user what to do (put the files here, delete the damaged one):
# a traceback in front of it would only hide the sentence.
USER_ERRORS = (DatasetNotFoundError, ChecksumError, DownloadError, IdxFormatError)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (1 after a data error, printed without a traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # User code is imported before the full parse, so its activations are valid choices.
    pre_parser = argparse.ArgumentParser(add_help=False)
    pre_parser.add_argument("--import", dest="imports", action="append", default=[])
    known, _ = pre_parser.parse_known_args(argv)
    for target in known.imports:
        _load_user_code(target)
    args = build_parser().parse_args(argv)
    try:
        with blas_threads(args.threads):
            return int(args.run(args) or 0)
    except USER_ERRORS as error:
        print(f"tinygrad-act {args.command}: error: {error}", file=sys.stderr)
        return 1
