"""The `tinygrad-act` command (also `python -m tinygrad_act`).

Every registered experiment (tinygrad_act.experiments) is a subcommand whose flags are its Settings'
knobs, built by one adapter (cli/adapter.py); `report` is the one other command. `--import
FILE_OR_MODULE` loads a user's own activations first, so `--activation` accepts them; every command
takes `--threads N` (BLAS threads, default 1).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path

from ..data import ChecksumError, DatasetNotFoundError, DownloadError, IdxFormatError
from ..experiments import registered
from ..experiments.common import blas_threads
from . import report
from .adapter import add_experiment_command, positive_int


def _load_user_code(target: str) -> None:
    """Import a .py file or a module by name (where a user registers activations)."""
    path = Path(target)
    if path.suffix == ".py":
        if not path.exists():
            raise SystemExit(f"tinygrad-act: --import {target}: no such file")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    else:
        importlib.import_module(target)


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
    report.add_parser(subparsers)
    for command in subparsers.choices.values():
        command.add_argument("--threads", type=positive_int, default=1,
                             help="BLAS threads (default 1: these small matrices gain little from more, "
                                  "and the same seed gives the same numbers)")
    return parser


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
