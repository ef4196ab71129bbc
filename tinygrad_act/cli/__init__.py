"""The `tinygrad-act` command (also `python -m tinygrad_act`).

Each sub-command is a module in this package defining `add_parser(subparsers)` and
`run(args) -> int`; modules are discovered, so adding a command is adding a file.
`--import FILE_OR_MODULE` loads a user's own activations first, so `--activation` accepts them.
Every command takes `--threads N` (BLAS threads, default 1).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

from ..experiments.common import blas_threads


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
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}").add_parser(subparsers)
    for command in subparsers.choices.values():
        if "--threads" not in command._option_string_actions:
            command.add_argument("--threads", type=_positive_int, default=1,
                                 help="BLAS threads (default 1: these small matrices gain little from more, "
                                      "and the same seed gives the same numbers)")
    return parser


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # User code is imported before the full parse, so its activations are valid choices.
    pre_parser = argparse.ArgumentParser(add_help=False)
    pre_parser.add_argument("--import", dest="imports", action="append", default=[])
    known, _ = pre_parser.parse_known_args(argv)
    for target in known.imports:
        _load_user_code(target)
    args = build_parser().parse_args(argv)
    with blas_threads(args.threads):
        return int(args.run(args) or 0)
