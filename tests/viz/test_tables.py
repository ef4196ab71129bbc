"""viz/tables.py: a Table is data (values, formats, caption); one module renders it as
terminal text, Markdown and HTML, with every number formatted the same way in all three."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from tinygrad_act.viz.tables import Number, Table, render, to_html, to_markdown, to_text


def sample() -> Table:
    return Table(["name", "accuracy", "norm"], [["relu", 0.98123, Number(1.5e-6, ".2e")], ["a|b", np.float32(0.5), 2]],
                 "two runs", units=["", "", "s"], formats={1: ".4f"})


def test_cells_use_the_column_format_unless_a_number_carries_its_own():
    assert sample().texts() == [["relu", "0.9812", "1.50e-06"], ["a|b", "0.5000", "2"]]


def test_column_gives_the_values_for_checks_with_tolerances():
    assert sample().column("norm") == [1.5e-6, 2]


def test_text_is_aligned_under_the_caption_with_a_rule_and_no_trailing_spaces():
    assert to_text(sample()).splitlines() == [
        "two runs:", "", "name  accuracy  norm", "----  --------  --------", "relu  0.9812    1.50e-06",
        "a|b   0.5000    2"]


def test_text_with_a_line_template_prints_one_line_per_row():
    table = Table(["epoch", "loss"], [[1, 0.5], [2, 0.25]], "training", line="  epoch {0}: loss {1}")
    assert to_text(table) == "training\n  epoch 1: loss 0.5\n  epoch 2: loss 0.25"


def test_markdown_escapes_pipes_and_styles_code_and_math_columns():
    table = Table(["name", "formula"], [["softsign", "x / (1 + |x|)"]], styles={0: "code", 1: "math"})
    assert to_markdown(table).splitlines() == ["| name | formula |", "|---|---|", r"| `softsign` | $x / (1 + \|x\|)$ |"]


def test_html_is_escaped_well_formed_and_shows_the_same_cells():
    root = ET.fromstring(to_html(sample()))
    assert root.find("caption").text == "two runs"
    assert [cell.text for cell in root.iter("td")] == ["relu", "0.9812", "1.50e-06", "a|b", "0.5000", "2"]
    assert [header.get("title") for header in root.iter("th")] == [None, None, "s"]


def test_render_without_a_caption_gives_the_plain_table():
    assert render(sample(), caption=False).splitlines()[0] == "name  accuracy  norm"
    assert render(Table(["a", "b"], [[1.23456, "x"]])) == "a      b\n-----  -\n1.235  x"
    assert render(Table(["a"], [[1]]), markdown=True) == "| a |\n|---|\n| 1 |"
