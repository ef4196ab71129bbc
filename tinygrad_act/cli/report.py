"""`tinygrad-act report`: run every experiment and write one HTML page with its tables and figures.

    tinygrad-act report --out report            # the experiments' default settings (a few minutes)
    tinygrad-act report --out report --quick    # small data and short runs (well under a minute)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments import registered
from ..report import ReportOptions, build_report
from .adapter import add_knobs, folder, given_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    names = ", ".join(experiment.ABOUT.key for experiment in registered())
    parser = subparsers.add_parser(
        "report", help="run every experiment and write an HTML page (DIR/index.html) with tables and figures",
        description=f"Run every experiment ({names}) and write DIR/index.html, a self-contained page with a "
                    "section per experiment: what it shows, its tables and figures, the command that "
                    "reproduces it and the time it took.",
    )
    parser.add_argument("--out", type=folder, default=Path("out/report"), metavar="DIR",
                        help="folder for index.html and the figures (default out/report)")
    add_knobs(parser, ReportOptions)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    page = build_report(args.out, ReportOptions(**given_settings(ReportOptions, args)))
    print(f"wrote the report to {page}")
    return 0
