"""`tinygrad-act activations`: the table of registered activations, its Markdown form, the gallery
drawn by viz.plot_activations, and a user's own activations loaded with --import."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tinygrad_act.activations import get_activation, list_activations
from tinygrad_act.viz import plot_activations
from tinygrad_act.viz.activation_plots import activation_curve

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

USER_FILE = '''
import math
import numpy as np
from tinygrad_act.activations import register_activation

register_activation(
    "bent_identity", lambda x: (np.sqrt(x * x + 1.0) - 1.0) / 2.0 + x,
    backward=lambda x, y, grad_output: grad_output * (x / (2.0 * np.sqrt(x * x + 1.0)) + 1.0),
    formula=r"f(x) = \\frac{\\sqrt{x^2 + 1} - 1}{2} + x", derivative=r"\\frac{x}{2\\sqrt{x^2 + 1}} + 1",
    output_range=(-math.inf, math.inf), zero_centred=False, monotonic=True, saturating=False,
    max_derivative=1.5,
)
'''


def _rows(table: str) -> dict[str, list[str]]:
    """The plain table's rows by activation name, split into cells on runs of 2+ spaces."""
    rows = {}
    for line in table.splitlines()[2:]:
        cells = re.split(r" {2,}", line)
        rows[cells[0]] = cells
    return rows


@pytest.fixture
def user_file(tmp_path: Path, scratch_names: list[str]) -> Iterator[Path]:
    """A user's file registering `bent_identity`; afterwards the registration is undone."""
    path = tmp_path / "user_activations.py"
    path.write_text(USER_FILE)
    scratch_names.append("bent_identity")
    yield path
    sys.modules.pop("user_activations", None)


# ====================================================================== the table


def test_table_lists_every_registered_activation(run_cli):
    rows = _rows(run_cli(["activations"]))
    assert list(rows) == list_activations()


def test_table_header_names_the_columns(run_cli):
    header = run_cli(["activations"]).splitlines()[0]
    assert re.split(r" {2,}", header) == ["name", "range", "zero-centred", "monotonic", "saturating",
                                          "max f'", "formula"]


def test_table_row_states_the_sigmoid_facts(run_cli):
    row = _rows(run_cli(["activations"]))["sigmoid"]
    assert row == ["sigmoid", "0 .. 1", "no", "yes", "yes", "0.25", "σ(x) = 1/(1 + e^(-x))"]


@pytest.mark.parametrize("name, range_text, monotonic, max_slope", [
    ("relu", "0 .. inf", "yes", "1"),
    ("tanh", "-1 .. 1", "yes", "1"),
    ("gelu", "-0.17 .. inf", "no", "1.129"),
    ("selu", "-1.758 .. inf", "yes", "1.758"),
    ("softmax", "0 .. 1", "n/a", "0.25"),
])
def test_table_row_shows_range_monotonicity_and_largest_slope(run_cli, name, range_text, monotonic, max_slope):
    row = _rows(run_cli(["activations"]))[name]
    assert (row[1], row[3], row[5]) == (range_text, monotonic, max_slope)


def test_markdown_table_has_a_header_separator_and_one_row_per_activation(run_cli):
    lines = run_cli(["activations", "--markdown"]).splitlines()
    assert lines[0] == "| name | range | zero-centred | monotonic | saturating | max f' | formula |"
    assert lines[1] == "|---|---|---|---|---|---|---|"
    assert [line.split(" | ")[0] for line in lines[2:]] == [f"| `{name}`" for name in list_activations()]


def test_markdown_formula_is_math_with_pipes_escaped(run_cli):
    lines = run_cli(["activations", "--markdown"]).splitlines()
    softsign = next(line for line in lines if line.startswith("| `softsign`"))
    assert softsign.endswith(r"| $f(x) = \frac{x}{1 + \|x\|}$ |")


def test_imported_user_activation_appears_in_the_table(run_cli, user_file):
    rows = _rows(run_cli(["--import", str(user_file), "activations"]))
    assert rows["bent_identity"][:6] == ["bent_identity", "-inf .. inf", "no", "yes", "no", "1.5"]


def test_python_dash_m_prints_the_table():
    result = subprocess.run([sys.executable, "-m", "tinygrad_act", "activations"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert list(_rows(result.stdout)) == list_activations()


# ====================================================================== the gallery


def test_plot_option_writes_a_png_and_says_where(run_cli, tmp_path):
    path = tmp_path / "gallery.png"
    out = run_cli(["activations", "--plot", str(path)])
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert f"to {path}" in out.splitlines()[-1]


def test_plot_option_writes_an_svg_that_parses_as_xml(run_cli, tmp_path):
    path = tmp_path / "gallery.svg"
    run_cli(["activations", "--plot", str(path)])
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_gallery_has_one_visible_panel_per_activation():
    figure = plot_activations()
    visible = [axes for axes in figure.axes if axes.get_visible()]
    assert [axes.get_title() for axes in visible[:3]] == list_activations()[:3]
    assert len(visible) == len(list_activations())


def test_gallery_panel_draws_f_and_its_derivative():
    figure = plot_activations(["leaky_relu"], x_range=(-2.0, 2.0), params={"leaky_relu": {"negative_slope": 0.2}})
    panel = figure.axes[0]
    (x, f), (_, slope) = [line.get_xydata().T for line in panel.get_lines() if line.get_label() in ("f(x)", "f'(x)")]
    assert panel.get_title() == "leaky_relu(0.2)"
    np.testing.assert_allclose(f, np.where(x > 0, x, 0.2 * x))
    np.testing.assert_allclose(slope, np.where(x > 0, 1.0, 0.2))


def test_gallery_of_no_activations_is_an_error():
    with pytest.raises(ValueError, match="no activations to draw"):
        plot_activations([])


def test_gallery_of_an_unknown_activation_lists_the_registered_ones():
    with pytest.raises(ValueError, match="unknown activation 'swishy'; registered: identity"):
        plot_activations(["swishy"])


def test_softmax_curve_is_the_sigmoid_and_its_derivative():
    x = np.linspace(-6.0, 6.0, 13)
    value, slope = activation_curve(get_activation("softmax"), x)
    sigmoid = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(value, sigmoid, rtol=1e-12)
    np.testing.assert_allclose(slope, sigmoid * (1.0 - sigmoid), rtol=1e-12)


def test_softmax_curve_along_dim_0_is_the_same_sigmoid():
    x = np.linspace(-6.0, 6.0, 13)
    along_rows = activation_curve(get_activation("softmax"), x, {"dim": 0})
    along_columns = activation_curve(get_activation("softmax"), x)
    np.testing.assert_allclose(along_rows, along_columns, rtol=1e-12)
