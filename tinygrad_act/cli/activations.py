"""`tinygrad-act activations`: the table of every registered activation, and a gallery of f and f'.

    tinygrad-act activations                      # plain-text table
    tinygrad-act activations --markdown           # the same table in Markdown (for the README)
    tinygrad-act activations --plot gallery.png   # f and f' of each activation, one panel each
    tinygrad-act --import my_activations.py activations   # includes the user's own

The facts come from each activation's registration, evaluated at its default parameters.
"""

from __future__ import annotations

import argparse
import math

from ..activations import ActivationSpec, get_activation, list_activations

HEADERS = ("name", "range", "zero-centred", "monotonic", "saturating", "max f'", "formula")


def _number(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def _flag(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def activation_row(spec: ActivationSpec) -> tuple[str, ...]:
    """One table row: the facts of `spec` at its default parameters, as text."""
    low, high = spec.range_for()
    max_derivative = spec.max_derivative_for()
    return (
        spec.name,
        f"{_number(low)} .. {_number(high)}",
        _flag(spec.fact("zero_centred")),
        _flag(spec.fact("monotonic")),
        _flag(spec.fact("saturating")),
        "n/a" if max_derivative is None else _number(max_derivative),
        spec.formula,
    )


def plain_table(rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell; the formula (last column) is left ragged."""
    widths = [max(len(row[column]) for row in [HEADERS, *rows]) for column in range(len(HEADERS) - 1)]

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        return "  ".join([*cells, row[-1]]).rstrip()

    rule = "  ".join("-" * width for width in widths) + "  " + "-" * len(HEADERS[-1])
    return "\n".join([line(HEADERS), rule, *(line(row) for row in rows)])


def markdown_table(rows: list[tuple[str, ...]]) -> str:
    """A GitHub Markdown table; the formula is LaTeX math, with `|` escaped so it stays in its cell."""

    def cell(text: str, column: int) -> str:
        if column == 0:
            return f"`{text}`"
        if column == len(HEADERS) - 1:
            return f"${text}$".replace("|", r"\|") if text else ""
        return text

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join("---" for _ in HEADERS) + "|"]
    lines += ["| " + " | ".join(cell(text, column) for column, text in enumerate(row)) + " |" for row in rows]
    return "\n".join(lines)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "activations", help="table of every registered activation (and a gallery with --plot)",
        description="List every registered activation with its range, shape facts and largest slope.",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--plot", metavar="FILE", help="draw f and f' of each activation to FILE (.png or .svg)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = [activation_row(get_activation(name)) for name in list_activations()]
    print(markdown_table(rows) if args.markdown else plain_table(rows))
    if args.plot:
        from ..viz.activation_plots import plot_activations

        plot_activations(path=args.plot)
        print(f"wrote the gallery of {len(rows)} activations (f solid, f' dashed) to {args.plot}")
    return 0
