"""The explorer page: one self-contained HTML file (inline CSS, JS and JSON data, no network), and
the object `explore` returns, which writes it and shows it inline in Jupyter."""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ...nn import Module
from ...tensor import Tensor
from .graph_data import graph_data
from .timeline import Timeline

# Only inline script and style and data: images: the page cannot fetch or send anything.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
)
DATA_ELEMENT_ID = "tinygrad-act-data"
# The inline frame's height in px: the step panel and graph, and the timeline below them when there is one.
IFRAME_HEIGHT, IFRAME_HEIGHT_WITH_TIMELINE = 560, 900


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _script_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside a <script> element: "</" cannot end it early."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def render_page(data: dict[str, Any]) -> str:
    """The whole HTML document for the page's data."""
    title = html.escape(data["title"])
    timeline = "" if data["timeline"] is None else _asset("timeline.html")
    return _asset("page.html").format(
        csp=html.escape(CONTENT_SECURITY_POLICY, quote=True),
        title=title,
        css=_asset("explorer.css"),
        timeline=timeline,
        data_id=DATA_ELEMENT_ID,
        data=_script_json(data),
        script=_asset("explorer.js"),
    )


class Explorer:
    """A written (or writable) explorer page: `.html` is the document, `.data` what it embeds;
    in Jupyter it displays inline as a sandboxed iframe whose `srcdoc` is the page."""

    def __init__(self, data: dict[str, Any], path: Path | None = None) -> None:
        self.data = data
        self.html = render_page(data)
        self.path = path

    def write(self, path: str | Path) -> Path:
        """Write the page to `path` (its folder is created); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        self.path = path
        return path

    def _repr_html_(self) -> str:
        height = IFRAME_HEIGHT if self.data["timeline"] is None else IFRAME_HEIGHT_WITH_TIMELINE
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {height}px; border: 1px solid #ddd"></iframe>'
        )

    def __repr__(self) -> str:
        where = f" written to {self.path}" if self.path else ""
        return f"<Explorer of {len(self.data['graph']['nodes'])} nodes{where}>"


def explore(
    output: Tensor,
    path: str | Path | None = None,
    params: dict[str, Tensor] | Module | None = None,
    timeline: Timeline | None = None,
    max_nodes: int = 40,
    title: str | None = None,
) -> Explorer:
    """An explorer page for the graph that produced `output` (see the package docstring); written
    to `path` when given. Call it before `output.backward()` (it runs its own backward on the
    retained graph); build the graph inside `record_values()` for every node to show its value."""
    if max_nodes < 1:
        raise ValueError(f"explore: max_nodes must be at least 1, got {max_nodes}")
    data = {
        "title": title or "Backpropagation, step by step",
        "graph": graph_data(output, params, max_nodes),
        "timeline": None if timeline is None else timeline.data(),
    }
    explorer = Explorer(data)
    if path is not None:
        explorer.write(path)
    return explorer
