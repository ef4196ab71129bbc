"""The one adapter from experiments to subcommands: flags from Settings knobs, run, print.

Each knob becomes a flag (--field-name; a bool is a switch) whose value is checked against the
knob's range by the parser, so a bad value exits with status 2 and one line saying what is allowed.
`--quick` fills only the knobs the user did not give with their quick values.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import typing
from functools import partial
from pathlib import Path
from types import ModuleType, UnionType
from typing import Any

from ..experiments import protocol


def positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def folder(text: str) -> Path:
    """argparse type of a folder the command writes to: it must exist or be creatable."""
    try:
        return protocol.check_output_path(Path(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _element_type(annotation: Any) -> tuple[type, bool]:
    """(type of one value, whether the knob takes several) of a Settings annotation."""
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    if typing.get_origin(annotation) is tuple:
        return typing.get_args(annotation)[0], True
    return annotation, False


def _converter(field: dataclasses.Field, base: type) -> Any:
    """argparse type of a knob: the text as `base`, valid by protocol.check (a choice in any case)."""
    choices = field.metadata.get("choices")

    def convert(text: str) -> Any:
        if text is argparse.SUPPRESS:  # argparse passes an absent optional positional's default through `type`
            return text
        try:
            value = base(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {base.__name__} value: {text!r}") from None
        try:
            return protocol.check(field, value.lower() if choices else value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = base.__name__
    return convert


def _shown(value: Any) -> str:
    return " ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def add_knob(parser: argparse.ArgumentParser, field: dataclasses.Field, annotation: Any) -> None:
    """The flag of one Settings knob; its value lands in args.<field name> only when given."""
    meta = field.metadata
    options: dict[str, Any] = dict(dest=field.name, default=argparse.SUPPRESS)
    if annotation is bool:
        options.update(action="store_false" if field.default is True else "store_true", help=meta["help"])
    else:
        base, several = _element_type(annotation)
        default = "" if field.default is None else f" (default {_shown(field.default)})"
        choices = "{" + ",".join(meta["choices"]) + "}" if meta.get("choices") else None
        options.update(type=_converter(field, base), help=meta["help"] + default, metavar=meta.get("metavar") or choices)
        options.update(nargs="+") if several else None
    parser.add_argument(protocol.flag_name(field), **options)
    if meta.get("positional"):  # also as the command's optional positional argument: `reproduce NAME`
        parser.add_argument(field.name, nargs="?", default=argparse.SUPPRESS, metavar=options.get("metavar"),
                            type=options["type"], help=f"same as {protocol.flag_name(field)}")


def add_knobs(parser: argparse.ArgumentParser, settings_class: type, seen: set[str] | None = None) -> list[str]:
    """The flags of every knob of `settings_class` not in `seen` (which gains their names); returns
    the quick values of those that have one, as "--flag value" texts."""
    seen = set() if seen is None else seen
    types, quick_values = typing.get_type_hints(settings_class), []
    for field in dataclasses.fields(settings_class):
        if field.name not in seen:
            seen.add(field.name)
            add_knob(parser, field, types[field.name])
            if field.metadata["quick"] is not dataclasses.MISSING:
                quick_values.append(f"{protocol.flag_name(field)} {_shown(field.metadata['quick'])}".replace(" True", ""))
    return quick_values


def add_experiment_command(subparsers: argparse._SubParsersAction, experiments: list[ModuleType]) -> None:
    """One subcommand for experiments sharing a command: the first is the default, each other is
    chosen by its selector switch (`dying-relu --born-dead`)."""
    about = experiments[0].ABOUT
    parser = subparsers.add_parser(about.command_name, help=about.help, description=protocol.explanation(experiments[0]))
    seen: set[str] = set()
    quick_values: list[str] = []
    for experiment in experiments:
        if experiment.ABOUT.selector:
            parser.add_argument(f"--{experiment.ABOUT.selector}", action="store_true", help=experiment.ABOUT.help)
        quick_values += add_knobs(parser, experiment.Settings, seen)
    parser.add_argument("--quick", action="store_true",
                        help=f"small, fast settings for every knob you do not give ({', '.join(quick_values)})")
    if any(experiment.ABOUT.out_dir for experiment in experiments):
        parser.add_argument("--out-dir", type=folder, default=Path("out") / about.command_name,
                            help=f"where the figures go (default out/{about.command_name})")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.set_defaults(run=partial(run_experiment, experiments))


def given_settings(settings_class: type, args: argparse.Namespace) -> dict[str, Any]:
    """The knobs of `settings_class` the user gave on the command line."""
    names = {field.name for field in dataclasses.fields(settings_class)}
    return {name: tuple(value) if isinstance(value, list) else value
            for name, value in vars(args).items() if name in names}


def run_experiment(experiments: list[ModuleType], args: argparse.Namespace) -> int:
    """Run the selected experiment and print its tables, notes, time and figures."""
    experiment = next((candidate for candidate in experiments[1:]
                       if getattr(args, candidate.ABOUT.selector.replace("-", "_"))), experiments[0])
    settings = protocol.resolve(experiment.Settings, given_settings(experiment.Settings, args), quick=args.quick)
    start = time.perf_counter()
    result = experiment.run(settings)
    seconds = time.perf_counter() - start
    text = protocol.as_text(experiment, result, args.markdown)
    try:
        written = experiment.figures(result, args.out_dir if experiment.ABOUT.out_dir else Path())
    except RuntimeError as error:
        print(f"{text}\ntinygrad-act {experiment.ABOUT.command_name}: {error}")
        return 1
    ending = ([f"({seconds:.1f} s)"] if experiment.ABOUT.timed else [])
    ending += [f"{caption} written to {path}" for path, caption in written.items()]
    print("\n\n".join(block for block in (text, "\n".join(ending)) if block))
    return 0
