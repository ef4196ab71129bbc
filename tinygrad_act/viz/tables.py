"""Tables as data (headers, rows of values, units, caption), and the one place they become text:
aligned terminal text, Markdown or HTML. Experiments return Tables; the CLI, the report, the
examples and the notebooks render them at the edge, so a number is formatted one way everywhere."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .mathml import GREEK, OPERATORS, SPACES, to_mathml


@dataclass(frozen=True)
class Number:
    """A number with its own format, for a cell whose column holds differently formatted values."""

    value: float
    format: str = ".4g"

    def __str__(self) -> str:
        return format(self.value, self.format)


@dataclass
class Table:
    """A table of values. Floats are formatted with their column's format (`formats`, default .4g);
    a Number carries its own; anything else is shown with str().

    `units` name each column's unit (shown in HTML as the header's title), `styles` how Markdown
    shows a column ("code" or "math"), and `line`, when set, a str.format template for one row of
    terminal text (cells as formatted strings) instead of aligned columns."""

    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""
    units: list[str] = field(default_factory=list)
    formats: dict[int, str] = field(default_factory=dict)
    styles: dict[int, str] = field(default_factory=dict)
    line: str | None = None

    def cell(self, row: int, column: int) -> str:
        """The text of one cell, as every renderer shows it."""
        value = self.rows[row][column]
        if isinstance(value, (float, np.floating)):
            return format(value, self.formats.get(column, ".4g"))
        return str(value)

    def texts(self) -> list[list[str]]:
        """Every row as formatted cell texts."""
        return [[self.cell(row, column) for column in range(len(self.headers))] for row in range(len(self.rows))]

    def column(self, header: str) -> list[Any]:
        """The values of the column called `header` (Numbers unwrapped), for checks with tolerances."""
        index = self.headers.index(header)
        return [row[index].value if isinstance(row[index], Number) else row[index] for row in self.rows]


_SUBSCRIPTS = {"i": "ᵢ", "j": "ⱼ", "0": "₀", "1": "₁", "2": "₂", "n": "ₙ", "k": "ₖ"}
_LATEX_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(.)", re.DOTALL)


def _group(latex: str, start: int) -> tuple[str, int]:
    """The argument of a command at `start`: a {braced group} (its inside) or one character."""
    while start < len(latex) and latex[start] == " ":
        start += 1
    if start < len(latex) and latex[start] == "{":
        depth = 0
        for end in range(start, len(latex)):
            depth += {"{": 1, "}": -1}.get(latex[end], 0)
            if depth == 0:
                return latex[start + 1:end], end + 1
    return latex[start:start + 1], start + 1


def _atom(text: str) -> str:
    """`text` bracketed when it is more than one symbol, so "1/(1 + e^(-x))" reads right."""
    return text if re.fullmatch(r"\w|\w+\([^()]*\)|\d+(\.\d+)?", text) else f"({text})"


def latex_to_unicode(latex: str) -> str:
    r"""A registry formula in plain Unicode for a terminal: r"\sigma(x) = \frac{1}{1 + e^{-x}}" gives
    "σ(x) = 1/(1 + e^(-x))". Covers what mathml.to_mathml covers, with its symbol and space tables;
    anything else keeps its name."""
    parts, position = [], 0
    while position < len(latex):
        match = _LATEX_TOKEN.match(latex, position)
        command, char = match.groups()
        position = match.end()
        if command in ("frac", "dfrac"):
            numerator, position = _group(latex, position)
            denominator, position = _group(latex, position)
            parts.append(f"{_atom(latex_to_unicode(numerator))}/{_atom(latex_to_unicode(denominator))}")
        elif command == "sqrt":
            argument, position = _group(latex, position)
            parts.append("√" + _atom(latex_to_unicode(argument)))
        elif command in ("text", "mathrm", "operatorname", "mathbf"):
            argument, position = _group(latex, position)
            parts.append(argument)
        elif command in ("left", "right"):
            continue
        elif command is not None:  # a space, a Greek letter or an operator, else the command's name
            symbol = GREEK.get(command) or OPERATORS.get(command) or command
            parts.append(" " if command in SPACES else symbol)
        elif char in "^_":
            argument, position = _group(latex, position)
            argument = latex_to_unicode(argument)
            if char == "_" and all(letter in _SUBSCRIPTS for letter in argument):
                parts.append("".join(_SUBSCRIPTS[letter] for letter in argument))
            else:
                parts.append(char + (argument if len(argument) == 1 else f"({argument})"))
        else:
            parts.append(char)
    return re.sub(" {2,}", " ", "".join(parts))


def to_text(table: Table, caption: bool = True) -> str:
    """Aligned plain text (2 spaces between columns, a dashed rule under the header), under the
    caption; or, with `table.line`, one templated line per row under the caption. Formulas (a
    "math" column) are shown in Unicode: σ(x) = 1/(1 + e^(-x))."""
    rows = [[latex_to_unicode(text) if table.styles.get(column) == "math" else text
             for column, text in enumerate(row)] for row in table.texts()]
    if table.line is not None:
        lines = [table.line.format(*row) for row in rows]
        return "\n".join(([table.caption] if caption and table.caption else []) + lines)
    widths = [max([len(header), *(len(row[index]) for row in rows)]) for index, header in enumerate(table.headers)]

    def aligned(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    lines = [aligned(table.headers), aligned(["-" * width for width in widths]), *map(aligned, rows)]
    return "\n".join(([f"{table.caption}:", ""] if caption and table.caption else []) + lines)


def to_markdown(table: Table, caption: bool = True) -> str:
    """A GitHub Markdown table (pipes inside cells escaped), under the caption."""

    def shown(text: str, column: int) -> str:
        style = table.styles.get(column)
        text = f"`{text}`" if style == "code" else f"${text}$" if style == "math" and text else text
        return text.replace("|", r"\|")

    lines = ["| " + " | ".join(table.headers) + " |", "|" + "|".join("---" for _ in table.headers) + "|"]
    lines += ["| " + " | ".join(shown(text, column) for column, text in enumerate(row)) + " |"
              for row in table.texts()]
    return "\n".join(([f"{table.caption}:", ""] if caption and table.caption else []) + lines)


def to_html(table: Table) -> str:
    """An HTML table with the caption; every text escaped, so the page stays well-formed XML, and
    formulas (a "math" column) rendered as MathML, which browsers draw with no script or network."""

    def shown(text: str, column: int) -> str:
        style = table.styles.get(column)
        if style == "math" and text:
            return to_mathml(text)
        return f"<code>{html.escape(text)}</code>" if style == "code" else html.escape(text)

    units = table.units or [""] * len(table.headers)
    head = "".join(f'<th title="{html.escape(unit)}">{html.escape(header)}</th>' if unit
                   else f"<th>{html.escape(header)}</th>" for header, unit in zip(table.headers, units))
    body = "\n".join("<tr>" + "".join(f"<td>{shown(text, column)}</td>" for column, text in enumerate(row))
                     + "</tr>" for row in table.texts())
    return (f"<table>\n<caption>{html.escape(table.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody>\n</table>")


def render(table: Table, markdown: bool = False, caption: bool = True) -> str:
    """Terminal text, or Markdown with `markdown`."""
    return to_markdown(table, caption) if markdown else to_text(table, caption)
