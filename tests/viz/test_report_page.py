"""viz/report_page.py: the report's HTML page from its sections, checked as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tinygrad_act.version import __version__
from tinygrad_act.viz.report_page import Picture, Section, machine_summary, render_page
from tinygrad_act.viz.tables import Table


def page(*sections: Section, header: dict[str, str] | None = None) -> ET.Element:
    return ET.fromstring(render_page(list(sections), header or {"date": "2024-01-02"}))


def text(element: ET.Element) -> str:
    return "".join(element.itertext())


def test_text_in_titles_tables_commands_and_notes_is_escaped():
    section = Section("odd", "<Odd> & co", "x < y & y > z", ["tinygrad-act xor --activation 'a<b'"],
                      tables=[Table(["<th>"], [["<b>&amp;</b>"]], "cap <i>")], notes=["p < 0.5 & <b>"])
    root = page(section)
    assert [text(cell) for cell in root.iter("td")] + [text(cell) for cell in root.iter("th")] == ["<b>&amp;</b>", "<th>"]
    assert text(root.find(".//section/h2")) == "<Odd> & co"
    assert [text(code) for code in root.find(".//section").iter("code")] == ["tinygrad-act xor --activation 'a<b'"]
    assert [text(item) for item in root.find(".//section/ul")] == ["p < 0.5 & <b>"]
    assert not list(root.iter("b")) and not list(root.iter("i"))


def test_pictures_are_figures_graphs_scroll_at_natural_size_and_pages_are_links():
    section = Section("s", "S", "why", [], pictures=[Picture("s/curve.png", "a curve"), Picture("s/g.svg", "a graph"),
                                                       Picture("s/explorer.html", "the explorer")])
    root = page(section)
    figures = list(root.iter("figure"))
    assert [figure.get("class") for figure in figures] == [None, "graph"]
    assert [child.tag for child in figures[1]] == ["div", "figcaption"] and figures[1].find("div").get("class") == "frame"
    assert [text(figure.find("figcaption")) for figure in figures] == ["a curve", "a graph"]
    assert all(figure.find(".//a").get("href") == figure.find(".//img").get("src") for figure in figures)
    link = root.find(".//p[@class='page']/a")
    assert link.get("href") == "s/explorer.html" and text(link) == "the explorer"


def test_header_lists_its_items_and_the_contents_link_every_section_with_its_time():
    sections = [Section("a", "First", "", [], seconds=1.25), Section("b", "Second", "", [], seconds=30.0)]
    root = page(*sections, header={"date": "2024-01-02", **machine_summary()})
    terms = [text(term) for term in root.iter("dt")]
    assert terms[:3] == ["date", "tinygrad_act", "numpy"] and "CPU count" in terms
    assert [text(item) for item in root.iter("dd")][1] == __version__
    contents = root.find(".//nav/ol")
    assert [(link.get("href"), text(link)) for link in contents.iter("a")] == [("#a", "First"), ("#b", "Second")]
    assert "(1.2 s)" in text(contents) and "(30.0 s)" in text(contents)
    assert [section.get("id") for section in root.iter("section")] == ["a", "b"]
