"""Arguments shared by several commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..activations import get_activation, list_activations
from ..data.datasets import DATASETS


def activation_name(value: str) -> str:
    """argparse type for --activation: any registered name (built-in or the user's own)."""
    try:
        get_activation(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def add_activation_argument(parser: argparse.ArgumentParser, default: str = "relu", **kwargs) -> None:
    parser.add_argument(
        "--activation", type=activation_name, default=default,
        help=f"a registered activation ({', '.join(list_activations())}, or your own via --import)",
        **kwargs,
    )


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """--dataset and --root, for commands that train on MNIST or Fashion-MNIST."""
    parser.add_argument("--dataset", choices=DATASETS, default="mnist")
    parser.add_argument("--root", default=None, help="data folder (default $TINYGRAD_ACT_DATA or ~/.cache/tinygrad_act)")


def add_experiment_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    """What every experiment command takes: its data, --seed, --out-dir (out/<command>) and --markdown."""
    add_data_arguments(parser)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", type=Path, default=Path("out") / command, help="where the figures go")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
