"""`tinygrad-act report`: every experiment on one self-contained page, with its tables, figures,
reproducing commands and timings; the commands on the page give the page's numbers."""

from __future__ import annotations

import contextlib
import datetime
import io
import re
import shlex
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act
from tinygrad_act import report
from tinygrad_act.activations import list_activations
from tinygrad_act.cli import main
from tinygrad_act.experiments import graph, registered, selu, vanishing
from tinygrad_act.viz.tables import Table

SECTIONS = tuple(experiment.ABOUT.key for experiment in registered())  # the registry's order
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, ET.Element]:
    """The folder of one quick report, what the command printed, and the parsed page."""
    out_dir = tmp_path_factory.mktemp("report")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", "--out", str(out_dir), "--quick"]) == 0
    return out_dir, printed.getvalue(), ET.parse(out_dir / "index.html").getroot()


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


def _sections(page: ET.Element) -> dict[str, ET.Element]:
    return {section.get("id"): section for section in page.iter("section")}


def _table_rows(table: ET.Element) -> list[list[str]]:
    """Header row first, then the body rows, as cell texts."""
    return [[_text(cell) for cell in row] for row in table.iter("tr")]


def _commands(section: ET.Element) -> list[str]:
    return [_text(code) for block in section.iter("pre") for code in block.iter("code")]


def _run_command(command: str, cwd: Path, monkeypatch: pytest.MonkeyPatch,
                 run_cli: Callable[[list[str]], str]) -> str:
    """Run a command shown on the page, in `cwd`, and return what it printed."""
    program, *argv = shlex.split(command)
    assert program == "tinygrad-act"
    monkeypatch.chdir(cwd)
    return run_cli(argv)


def test_report_prints_progress_and_where_the_page_is(quick_report):
    out_dir, printed, _ = quick_report
    assert f"[{len(SECTIONS)}/{len(SECTIONS)}] {SECTIONS[-1]}" in printed
    assert printed.rstrip().endswith(f"wrote the report to {out_dir / 'index.html'}")


def test_page_has_a_section_per_experiment_in_order(quick_report):
    _, _, page = quick_report
    assert tuple(_sections(page)) == SECTIONS
    links = [link.get("href") for link in page.find("body/nav").iter("a")]
    assert links == [f"#{key}" for key in SECTIONS]


@pytest.mark.needs_dot
def test_every_section_explains_shows_a_table_a_command_and_its_time(quick_report):
    _, _, page = quick_report
    for key, section in _sections(page).items():
        paragraphs = [_text(paragraph) for paragraph in section.iter("p")]
        assert len(paragraphs[0]) > 200, key
        assert list(section.iter("table")), key
        assert all(len(rows) > 1 for rows in map(_table_rows, section.iter("table"))), key
        assert _commands(section)
        assert all(command.startswith("tinygrad-act ") for command in _commands(section))
        assert re.fullmatch(r"took \d+\.\d s", paragraphs[-1]), key


def test_commands_carry_the_quick_flag_and_the_seed(quick_report):
    _, _, page = quick_report
    commands = {key: " ".join(_commands(section)) for key, section in _sections(page).items()}
    assert "tinygrad-act vanishing --quick --seed 0 " in commands["vanishing"]
    assert "tinygrad-act dying-relu --born-dead --quick --seed 0" in commands["born-dead"]
    for key in ("mnist", "dying-relu", "selu", "speed"):
        assert "--quick" in commands[key] and "--seed 0" in commands[key], key
    assert "tinygrad-act xor --compare --quick" in commands["xor"]
    assert "--seed 0" in commands["graph"]


def test_vanishing_gradient_table_has_a_column_per_activation_and_a_row_per_layer(quick_report):
    _, _, page = quick_report
    header, *rows = _table_rows(next(_sections(page)["vanishing"].iter("table")))
    assert header == ["layer", *vanishing.COMPARED_ACTIVATIONS]
    assert [row[0] for row in rows] == ["init", *map(str, range(1, 12)), "first/last", "dL/dz first/last"]
    assert all(float(value) > 0 for row in rows[1:12] for value in row[1:])


def test_activation_table_lists_every_registered_activation(quick_report):
    _, _, page = quick_report
    _, *rows = _table_rows(next(_sections(page)["activations"].iter("table")))
    assert [row[0] for row in rows] == list_activations()


@pytest.mark.needs_dot
def test_sections_show_their_figures(quick_report):
    _, _, page = quick_report
    counts = {key: len(list(section.iter("img"))) for key, section in _sections(page).items()}
    expected = {"activations": 1, "xor": 0, "mnist": 1, "graph": 2, "vanishing": 3, "dying-relu": 1, "born-dead": 1,
                "selu": 1, "speed": 1, "explore": 0}
    assert {key: counts[key] for key in expected} == expected


def test_the_explorer_page_is_linked_not_embedded(quick_report):
    out_dir, _, page = quick_report
    links = [a.get("href") for a in _sections(page)["explore"].iter("a") if a.get("href", "").endswith(".html")]
    assert links and all((out_dir / link).read_text().startswith("<!DOCTYPE html>") for link in links)


def test_every_figure_is_an_existing_png_or_svg_inside_the_folder_and_links_to_itself(quick_report):
    out_dir, _, page = quick_report
    for figure in page.iter("figure"):
        source = figure.find(".//a/img").get("src")
        assert figure.find(".//a").get("href") == source
        assert not Path(source).is_absolute() and ".." not in Path(source).parts
        path = out_dir / source
        if source.endswith(".svg"):
            assert ET.parse(path).getroot().tag.endswith("svg")
        else:
            assert path.read_bytes().startswith(PNG_SIGNATURE), source


def test_page_is_self_contained(quick_report):
    _, _, page = quick_report
    assert not [element.tag for element in page.iter() if element.tag in ("script", "link", "iframe")]
    assert page.find("head/style") is not None
    references = [element.get(name) for element in page.iter() for name in ("src", "href") if element.get(name)]
    assert not [reference for reference in references if re.match(r"[a-z]+:|//", reference)]


def test_header_names_the_versions_the_machine_and_the_mode(quick_report):
    _, _, page = quick_report
    header = page.find("body/header/dl")
    facts = dict(zip((_text(term) for term in header.iter("dt")), (_text(value) for value in header.iter("dd"))))
    assert facts["numpy"] == np.__version__
    assert facts["tinygrad_act"] == tinygrad_act.__version__
    assert facts["CPU count"].isdigit()
    assert facts["mode"].startswith("quick")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", facts["date"])
    assert facts["command"].startswith("tinygrad-act report --out ") and "--quick --seed 0" in facts["command"]


@pytest.mark.parametrize("key, tables", [("xor", 1), ("vanishing", 2), ("dying-relu", 1), ("born-dead", 1),
                                         ("selu", 1), ("speed", 1)])
def test_command_on_the_page_prints_the_section_tables(quick_report, tmp_path, monkeypatch, run_cli, key, tables):
    _, _, page = quick_report
    section = _sections(page)[key]
    printed = _run_command(_commands(section)[0], tmp_path, monkeypatch, run_cli)
    lines = [re.sub(r"\s+", " ", line).strip() for line in printed.splitlines()]
    for table in list(section.iter("table"))[:tables]:
        header, *rows = _table_rows(table)
        timed = header.index("seconds") if "seconds" in header else len(header)  # the one column that varies
        for row in [header, *rows]:
            expected = " ".join(row[:timed])
            assert any(line.startswith(expected) for line in lines), expected


def test_mnist_command_on_the_page_reaches_the_same_accuracy(quick_report, tmp_path, monkeypatch, run_cli):
    _, _, page = quick_report
    section = _sections(page)["mnist"]
    (tmp_path / "mnist").mkdir()
    printed = _run_command(_commands(section)[0], tmp_path, monkeypatch, run_cli)
    accuracy = next(_text(item) for item in section.iter("li") if _text(item).startswith("test accuracy"))
    assert f"\n{accuracy}\n" in printed
    assert (tmp_path / "mnist" / "history.png").read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.needs_dot
def test_graph_commands_on_the_page_print_the_section_norms(quick_report, tmp_path, monkeypatch, run_cli):
    _, _, page = quick_report
    section = _sections(page)["graph"]
    (tmp_path / "graph").mkdir()
    for command, table in zip(_commands(section), section.iter("table"), strict=True):
        printed = _run_command(command, tmp_path, monkeypatch, run_cli)
        _, *rows = _table_rows(table)
        assert re.findall(r"^  (\d+\.weight)\s+(\S+)$", printed, re.M) == [tuple(row) for row in rows]


def test_same_seed_gives_the_same_table_and_another_seed_does_not(tmp_path):
    def selu_rows(seed: int) -> list[list[str]]:
        section = report.experiment_section(selu, report.ReportOptions(quick=True, seed=seed), tmp_path)
        return section.tables[0].texts()

    first = selu_rows(0)
    assert selu_rows(0) == first
    assert selu_rows(1) != first


def test_graph_section_writes_dot_text_when_graphviz_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program
    section = report.experiment_section(graph, report.ReportOptions(), tmp_path)
    assert section.pictures == []
    assert sum("apt-get install graphviz" in note and "The DOT text is in" in note for note in section.notes) == 2
    for name in ("mlp.dot", "deep_sigmoid.dot"):
        assert (tmp_path / "graph" / name).read_text().startswith("digraph")


def test_page_escapes_text_in_tables_and_commands():
    section = report.Section("odd", "<Odd> & co", "x < y & y > z", ["tinygrad-act xor --activation 'a<b'"],
                             tables=[Table(["<th>"], [["<b>&amp;</b>"]], "cap <i>")])
    page = ET.fromstring(report.render_html([section], report.ReportOptions(), "tinygrad-act report", 1.0,
                                            datetime.datetime(2024, 1, 2)))
    cells = [_text(cell) for cell in page.iter("td")] + [_text(cell) for cell in page.iter("th")]
    assert cells == ["<b>&amp;</b>", "<th>"]
    assert _text(page.find(".//section/h2")) == "<Odd> & co"
    assert _commands(page.find(".//section")) == ["tinygrad-act xor --activation 'a<b'"]
    assert not list(page.iter("b")) and not list(page.iter("i"))


def test_options_reach_only_the_experiments_that_take_them():
    options = report.ReportOptions(quick=True, dataset="fashion-mnist", seed=3, root="data")
    assert options.given(vanishing, {}) == {"dataset": "fashion-mnist", "root": "data", "seed": 3}
    assert options.given(graph, {"depth": 8}) == {"depth": 8, "seed": 3}
    assert options.flags() == ["--quick", "--dataset", "fashion-mnist", "--root", "data", "--seed", "3"]
    assert report.ReportOptions().flags() == ["--seed", "0"]


def test_formulas_are_rendered_as_mathml_not_raw_latex(quick_report):
    _, _, page = quick_report
    section = _sections(page)["activations"]
    cells = [row[-1] for row in section.iter("tr")]
    assert any(cell.find("math") is not None for cell in cells)
    assert "\\frac" not in _text(section)


@pytest.mark.needs_dot
def test_graph_drawings_sit_at_natural_size_in_a_scrollable_frame_with_the_caption_below(quick_report):
    _, _, page = quick_report
    figures = [figure for figure in _sections(page)["graph"].iter("figure")]
    assert figures and all(figure.get("class") == "graph" for figure in figures)
    for figure in figures:
        assert [child.tag for child in figure] == ["div", "figcaption"]
        assert figure.find("div").get("class") == "frame"
