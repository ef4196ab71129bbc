"""The report's HTML page: one section per experiment (its paragraph, the commands that reproduce it,
its tables, notes and figures) under a header and a table of contents. Inline CSS, no scripts,
well-formed XML; tinygrad_act.report runs the experiments and fills the sections."""

from __future__ import annotations

import html
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..version import __version__
from .tables import Table, to_html


@dataclass
class Picture:
    """A figure of the page (PNG or SVG, or an HTML page to open) and its caption."""

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


def machine_summary() -> dict[str, str]:
    """The software (tinygrad_act, numpy, Python) and machine the numbers were produced on."""
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


def _figure_html(picture: Picture) -> str:
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


def render_page(sections: Sequence[Section], header: Mapping[str, str]) -> str:
    """The whole page: a header (date, versions, machine, mode: `header`'s items), a table of
    contents, the sections."""
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
