"""Arguments shared by several commands."""

from __future__ import annotations

import argparse

from ..activations import get_activation, list_activations


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
