"""Computation-graph pictures that teach backpropagation: which op made what, and how big its gradient was.

    loss = F.cross_entropy(model(x), y)
    watch(loss)                      # before backward: record each op output's gradient norm
    loss.backward()
    params = dict(model.named_parameters())
    render(loss, "graph.svg", params=params)      # or draw_graph(loss, params=params) in Jupyter
    print(to_dot(loss, params=params))            # the DOT text, with or without Graphviz

Edges follow the data (inputs -> op -> output); backpropagation walks them in reverse. The fill
colour is the size of the gradient on a log10 scale (darker = larger), so in a deep sigmoid net the
colours fade toward the input (vanishing gradients), and a zero gradient, such as the output of a
layer feeding dead ReLUs, is grey with a red border and says "zero".

`to_dot` builds the DOT text itself and needs nothing installed; `draw_graph` wraps the same text in
a graphviz.Digraph (for Jupyter and `.render`); `render` writes a file and explains how to install
Graphviz when it is missing.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..nn import Module, Parameter
from ..tensor import Tensor
from .graph_structure import (
    Unit,
    box_edges,
    cluster_of,
    collapse,
    collect,
    fold_leaves,
    gradient_norm,
    module_names,
    owning_modules,
    parameter_names,
    recorded_grad_norm,
)

# ColorBrewer YlGnBu, pale (small gradient) to dark (large): one colour per decade of the norm.
_PALETTE = ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")
_FIRST_DARK = 5  # palette entries from here on need white text
_ZERO_FILL, _ZERO_BORDER = "#d9d9d9", "#d62728"
_KIND_FILLS = {"parameter": "#cfe2f3", "tensor": "#fff2cc", "op": "#eeeeee", "output": "#d9ead3"}
_KIND_NAMES = {"parameter": "named tensor (parameter)", "tensor": "input tensor", "op": "op",
               "output": "output"}
_COLOR_BY = ("grad", "kind", None)
_RANKDIRS = ("auto", "LR", "RL", "TB", "BT")
# Above this many op boxes a left-to-right chain is wider than a screen at a readable font size;
# top to bottom, with each layer's parameters beside its op, it scrolls like a page instead.
_MAX_OPS_LEFT_TO_RIGHT = 12
_TEXT_FORMATS = ("dot", "gv")
_MAX_LEAF_EDGES = 4  # a leaf used by more ops than this is drawn again beside each use

INSTALL_MESSAGE = (
    "drawing a graph needs Graphviz: the Python package (pip install graphviz, or "
    "pip install 'tinygrad-act[viz]') and the dot program (apt-get install graphviz / "
    "brew install graphviz / conda install graphviz). The DOT text is available without either: "
    "tinygrad_act.viz.to_dot(tensor), or render(tensor, 'graph.dot')."
)


def _repeat_busy_leaves(items: list[_Item], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Draw a leaf used by many ops (a weight shared along a chain) again beside each later use,
    adding the copies to `items`: one node with a hundred long edges takes `dot` minutes to lay out."""
    uses = Counter(start for start, _ in edges if start.startswith("leaf"))
    item_by_id = {item.node_id: item for item in items}
    seen: Counter[str] = Counter()
    result = []
    for start, end in edges:
        if uses[start] > _MAX_LEAF_EDGES and seen[start]:
            original = item_by_id[start]
            copy = _Item(f"{start}_{seen[start]}", original.kind,
                         [original.lines[0], f"same tensor, used by {uses[start]:,} ops"], original.norm)
            items.append(copy)
            start_id = copy.node_id
        else:
            start_id = start
        seen[start] += 1
        result.append((start_id, end))
    return result


# ------------------------------------------------------------ labels


def _shape_text(shape: tuple, dtype: Any) -> str:
    return f"{'scalar' if shape == () else shape} {np.dtype(dtype).name}"


def _number(value: float) -> str:
    return f"{value:.4g}"


def _data_lines(data: np.ndarray) -> list[str]:
    """A few values of a small tensor, or summary statistics of a big one."""
    if data.size == 1:
        return [f"data {_number(data.item())}"]
    if data.size <= 4:
        return ["data [" + ", ".join(_number(value) for value in data.ravel().tolist()) + "]"]
    values = np.asarray(data, dtype=np.float64)
    return [f"mean {_number(values.mean())}  std {_number(values.std())}",
            f"min {_number(values.min())}  max {_number(values.max())}"]


def _grad_text(norm: float) -> str:
    return "‖grad‖ = 0 (zero)" if norm == 0 else f"‖grad‖ = {norm:.3g}"


@dataclass
class _Item:
    """One drawn node: its DOT id, kind (picks the style and the kind colour), label lines (the
    first is the title), the gradient norm that colours it, and the module cluster it belongs to."""

    node_id: str
    kind: str
    lines: list[str]
    norm: float | None
    cluster: int | None = None
    shape: str = "box"  # box3d for a collapsed group of ops


def _palette_index(norm: float, decades: tuple[int, int]) -> int:
    """The palette entry of a non-zero norm: the top decade is the darkest; inf and nan count as top."""
    low, top = decades
    decade = math.floor(math.log10(norm)) if math.isfinite(norm) else top
    return len(_PALETTE) - 1 - (top - min(max(decade, low), top))


def _html_label(lines: list[str]) -> str:
    title, *details = (html.escape(line) for line in lines)
    small = "".join(f'<BR/><FONT POINT-SIZE="10">{line}</FONT>' for line in details)
    return f"<<B>{title}</B>{small}>"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attributes(attributes: dict[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in attributes.items())


# ------------------------------------------------------------ building the DOT text


class _DotBuilder:
    """Turns the graph under a root tensor into DOT body lines, in two passes: first the items
    (so the colour scale can see every gradient), then the text."""

    def __init__(self, root: Tensor, params: dict[str, Tensor] | Module | None, show_grad: bool,
                 show_data: bool, color_by: str | None, group_by_module: bool, show_backward_order: bool) -> None:
        self.params, self.module_paths = parameter_names(params)
        self.root = root
        self.show_grad, self.show_data, self.color_by = show_grad, show_data, color_by
        self.group_by_module, self.show_backward_order = group_by_module, show_backward_order
        self.names = {id(tensor): name for name, tensor in self.params.items()}

    # ---- items

    def leaf_item(self, leaf: Tensor, node_id: str, cluster: int | None) -> _Item:
        name = self.names.get(id(leaf))
        kind = "parameter" if name is not None or isinstance(leaf, Parameter) else "tensor"
        lines = [name or ("parameter" if kind == "parameter" else "tensor"),
                 _shape_text(leaf.shape, leaf.dtype)]
        norm = None if leaf.grad is None else gradient_norm(leaf.grad.data)
        if self.show_data and leaf.data.size == 1 and leaf.grad is not None:
            lines.append(f"data {_number(leaf.data.item())} | grad {_number(leaf.grad.data.item())}")
        else:
            if self.show_data:
                lines.extend(_data_lines(leaf.data))
            if self.show_grad and norm is not None:
                lines.append(_grad_text(norm))
        return _Item(node_id, kind, lines, norm, cluster)

    def unit_item(self, unit: Unit, node_id: str, steps: dict[int, int], cluster: int | None) -> _Item:
        last = unit.last
        title = unit.title or unit.kind
        if self.show_backward_order and unit.title is None:
            title = f"#{steps[id(last)]} {title}"
        lines = [title]
        if unit.title is not None:
            count = f"{len(unit.ops):,} op" + ("s" if len(unit.ops) != 1 else "")
            if self.show_backward_order:
                order = sorted(steps[id(node)] for node in unit.ops)
                count += f", backward #{order[0]}" + (f"–#{order[-1]}" if len(order) > 1 else "")
            lines.append(count)
        lines.append(_shape_text(last.shape, last.dtype))
        norm = recorded_grad_norm(last)
        if self.show_grad and norm is not None:
            lines.append(_grad_text(norm))
            inside = [value for node in unit.ops if (value := recorded_grad_norm(node)) is not None]
            if len(inside) > 1:
                lines.append(f"inside: ‖grad‖ {min(inside):.3g} to {max(inside):.3g}")
        folded = [self.names[id(leaf)] for leaf in unit.leaves if id(leaf) in self.names]
        if folded:
            lines.append(", ".join(folded[:3]) + (f" and {len(folded) - 3} more" if len(folded) > 3 else ""))
        unnamed = len(unit.leaves) - len(folded)
        if unnamed:
            lines.append(f"+ {unnamed:,} input tensor" + ("s" if unnamed != 1 else ""))
        return _Item(node_id, "op", lines, norm, cluster, "box" if unit.title is None else "box3d")

    def output_item(self) -> _Item:
        node = self.root.grad_fn
        norm = recorded_grad_norm(node)
        lines = ["output", _shape_text(self.root.shape, self.root.dtype)]
        if self.show_data:
            lines.extend(_data_lines(self.root.data))
        if self.show_grad and norm is not None:
            lines.append(_grad_text(norm))
        return _Item("output", "output", lines, norm)

    # ---- colours

    def decade_range(self, items: list[_Item]) -> tuple[int, int] | None:
        """The lowest decade to colour separately and the top (darkest) one: 1e0, or higher when
        gradients explode; the palette spans at most eight decades below it."""
        decades = [math.floor(math.log10(item.norm)) for item in items
                   if item.norm is not None and item.norm > 0 and math.isfinite(item.norm)]
        if not decades:
            return None
        top = max(0, *decades)  # a gradient of 1 (the output's) is always "large"
        return max(min(decades), top - len(_PALETTE) + 1), top

    def fill(self, item: _Item, decades: tuple[int, int] | None) -> dict[str, str]:
        """The fill (and for a zero gradient the border) that colours `item`."""
        if self.color_by == "kind":
            return {"fillcolor": _quote(_KIND_FILLS[item.kind])}
        if self.color_by is None or item.norm is None:
            return {"fillcolor": "white"}
        if item.norm == 0:
            return {"fillcolor": _quote(_ZERO_FILL), "color": _quote(_ZERO_BORDER), "penwidth": "2.5"}
        index = _palette_index(item.norm, decades)
        colours = {"fillcolor": _quote(_PALETTE[index])}
        if index >= _FIRST_DARK:
            colours["fontcolor"] = "white"
        return colours

    def legend(self, items: list[_Item], decades: tuple[int, int] | None) -> str | None:
        """An HTML table node saying what each colour (and #n) means; None when nothing needs it."""
        rows, title = [], "legend"
        if self.color_by == "grad":
            title = "‖gradient‖, log10 scale"
            if decades is not None:
                low, top = decades
                clamped = any(item.norm is not None and 0 < item.norm < 10.0 ** low for item in items)
                for decade in range(top, low - 1, -1):
                    text = f"below 1e{decade + 1}" if decade == low and clamped else f"1e{decade} to 1e{decade + 1}"
                    rows.append((f'BGCOLOR="{_PALETTE[len(_PALETTE) - 1 - (top - decade)]}"', text))
            if any(item.norm == 0 for item in items):
                rows.append((f'BGCOLOR="{_ZERO_FILL}" COLOR="{_ZERO_BORDER}"', "zero gradient"))
            if any(item.norm is None for item in items):
                rows.append(('BGCOLOR="white"', "not recorded (call watch() before backward)"))
        elif self.color_by == "kind":
            title = "node kind"
            kinds = [kind for kind in _KIND_FILLS if any(item.kind == kind for item in items)]
            rows = [(f'BGCOLOR="{_KIND_FILLS[kind]}"', _KIND_NAMES[kind]) for kind in kinds]
        cells = "".join(
            f'<TR><TD {style} BORDER="1" WIDTH="24"></TD><TD ALIGN="LEFT">{html.escape(text)}</TD></TR>'
            for style, text in rows
        )
        if self.show_backward_order:
            cells += '<TR><TD COLSPAN="2" ALIGN="LEFT">#n: the n-th op that backward visits</TD></TR>'
        if not cells:
            return None
        header = f'<TR><TD COLSPAN="2"><B>{html.escape(title)}</B></TD></TR>'
        return f'legend [shape=plaintext label=<<TABLE BORDER="0" CELLSPACING="2">{header}{cells}</TABLE>>]'

    # ---- text

    def body(self, rankdir: str, max_nodes: int) -> list[str]:
        """The DOT statements of the picture, one per line, tab-indented as graphviz writes them."""
        graph = collect(self.root)
        modules = module_names(graph.ops, self.params, self.module_paths)
        units, notes = collapse(graph, max_nodes, modules)
        if rankdir == "auto":
            rankdir = "LR" if len(units) <= _MAX_OPS_LEFT_TO_RIGHT else "TB"
        unit_of = {id(node): unit for unit in units for node in unit.ops}
        steps = {id(node): step for step, node in enumerate(reversed(graph.ops), start=1)}
        folded = fold_leaves(graph, unit_of)
        owner = owning_modules(graph) if self.group_by_module else {}

        ids: dict[int, str] = {}
        items: list[_Item] = []
        for number, unit in enumerate(units):
            ids[id(unit)] = f"op{number}"
            cluster = cluster_of(unit) if self.group_by_module else None
            items.append(self.unit_item(unit, ids[id(unit)], steps, cluster))
        beside: dict[str, str] = {}  # a module's parameter is drawn beside the op that uses it
        for number, leaf in enumerate(leaf for leaf in graph.leaves if id(leaf) not in folded):
            ids[id(leaf)] = f"leaf{number}"
            items.append(self.leaf_item(leaf, ids[id(leaf)], owner.get(id(leaf))))
        edges: dict[tuple[str, str], None] = {}  # an ordered set
        for source, target, start, end in box_edges(graph, unit_of, ids, folded):
            edges[start, end] = None
            if id(source) in owner and owner[id(source)] == cluster_of(unit_of[id(target)]):
                beside.setdefault(start, end)
        if self.root.grad_fn is not None:
            items.append(self.output_item())
            edges[ids[id(unit_of[id(self.root.grad_fn)])], "output"] = None
        return self.text(items, _repeat_busy_leaves(items, list(edges)), beside, modules, notes, rankdir)

    def text(self, items: list[_Item], edges: list[tuple[str, str]], beside: dict[str, str],
             modules: dict[int, tuple[str, str]], notes: list[str], rankdir: str) -> list[str]:
        decades = self.decade_range(items)
        lines = [
            f"graph [rankdir={rankdir} newrank=true fontname=Helvetica nodesep=0.25 ranksep=0.35]",
            'node [fontname=Helvetica fontsize=11 margin="0.12,0.06"]',
            'edge [color="#555555" arrowsize=0.7]',
        ]
        clusters: dict[int, list[_Item]] = {}
        for item in items:
            if item.cluster is None:
                lines.append(self.node_line(item, decades))
            else:
                clusters.setdefault(item.cluster, []).append(item)
        for number, (scope_id, members) in enumerate(clusters.items()):
            lines.append(f"subgraph cluster_{number} {{")
            lines.append(f'\tlabel={_quote(modules[scope_id][0])} style="rounded,dashed" color="#888888" '
                         "fontname=Helvetica fontsize=11")
            lines.extend(f"\t{self.node_line(item, decades)}" for item in members)
            # On the op's rank, parameters stack beside it and the layers stay on one straight line.
            lines.extend(f"\t{{rank=same; {item.node_id}; {beside[item.node_id]}}}"
                         for item in members if item.node_id in beside)
            lines.append("}")
        # Heavy op-to-op edges keep the main path straight, with the leaves hanging off it.
        lines.extend(f"{start} -> {end}" + (" [weight=8]" if start[:2] == end[:2] == "op" else "")
                     for start, end in edges)
        legend = self.legend(items, decades)
        if legend is not None:
            lines.append(legend)
        if notes:
            text = "".join(f'{html.escape(line)}<BR ALIGN="LEFT"/>' for line in notes)
            lines.append(f'note [shape=note style=filled fillcolor="#fff7e6" fontsize=11 label=<{text}>]')
        return [f"\t{line}\n" for line in lines]

    def node_line(self, item: _Item, decades: tuple[int, int] | None) -> str:
        attributes = {"shape": item.shape,
                      "style": '"rounded,filled"' if item.kind == "op" else "filled"}
        if item.kind == "output":
            attributes["peripheries"] = "2"
        attributes.update(self.fill(item, decades))
        attributes["label"] = _html_label(item.lines)
        return f"{item.node_id} [{_attributes(attributes)}]"


def _builder(root: Tensor, params: dict[str, Tensor] | Module | None, show_grad: bool, show_data: bool,
             color_by: str | None, rankdir: str, max_nodes: int, group_by_module: bool,
             show_backward_order: bool) -> list[str]:
    """Check the drawing options and return the DOT body lines."""
    if color_by not in _COLOR_BY:
        raise ValueError(f"color_by must be one of {_COLOR_BY}, got {color_by!r}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    builder = _DotBuilder(root, params, show_grad, show_data, color_by, group_by_module, show_backward_order)
    return builder.body(rankdir, max_nodes)


# ------------------------------------------------------------ public API

_GRAPH_NAME = "computation_graph"


def to_dot(root: Tensor, params: dict[str, Tensor] | Module | None = None, show_grad: bool = True,
           show_data: bool = False, color_by: str | None = "grad", rankdir: str = "auto", max_nodes: int = 200,
           group_by_module: bool = False, show_backward_order: bool = False) -> str:
    """The DOT text of the graph that produced `root` (see draw_graph); needs no Graphviz installed."""
    body = _builder(root, params, show_grad, show_data, color_by, rankdir, max_nodes, group_by_module,
                    show_backward_order)
    return f"digraph {_GRAPH_NAME} {{\n{''.join(body)}}}\n"


def draw_graph(root: Tensor, params: dict[str, Tensor] | Module | None = None, show_grad: bool = True,
               show_data: bool = False, color_by: str | None = "grad", rankdir: str = "auto",
               max_nodes: int = 200, group_by_module: bool = False,
               show_backward_order: bool = False) -> Any:
    """A graphviz.Digraph of the graph that produced `root`: shows inline in Jupyter, and
    `.render(filename, format="svg")` writes a file (or use `render`, which explains a missing `dot`).

    - Nodes: leaf tensors (named from `params`, a dict name -> tensor such as
      `dict(model.named_parameters())`, or the model itself, which also names every module; any
      leaf may be named, `dict(x=x)`), one box per op named
      as in the code (`linear`, `mul`, `leaky_relu(0.2)`) showing its output's shape and dtype, and
      the output. Inputs that need no gradient are not part of the graph and are not drawn.
    - show_grad: the norm of each gradient, after backward: a leaf's from its `.grad`, an op
      output's only if `watch(root)` was called before backward.
    - show_data: a leaf's values (a few, or mean/std/min/max for big tensors; `data | grad` for a
      scalar, as micrograd draws it) and the output's. An op's output is freed after use, so only
      the root's data exists to show.
    - color_by: "grad" fills by gradient norm on a log10 scale (darker = larger; grey with a red
      border = exactly zero), "kind" by node kind, None not at all; a legend says which is which.
    - group_by_module: ops made inside a module's forward are drawn in a box per module, named
      by its attribute path ("0: Linear", "1: sigmoid") when `params` is the model or names one of
      its parameters.
    - show_backward_order: numbers the ops in the order backward visits them (#1 = the output's op).
    - rankdir: "LR" (left to right), "TB" (top to bottom), "RL", "BT", or "auto": left to right up
      to 12 op boxes, top to bottom beyond, so a deep net's graph fits a screen's width at a
      readable size and scrolls down like a page.
    - max_nodes: above this many ops, the picture is collapsed until it has at most max_nodes op
      boxes: each module that ran several ops becomes one box, then the middle of each long chain
      becomes one box named by its repeating pattern ("(linear → sigmoid) × 40"; both ends stay
      visible), then the ops furthest from the output share one box; a note says what was done.

    Raises RuntimeError explaining how to install Graphviz when the Python package is missing.
    """
    graphviz = _graphviz()
    body = _builder(root, params, show_grad, show_data, color_by, rankdir, max_nodes, group_by_module,
                    show_backward_order)
    return graphviz.Digraph(_GRAPH_NAME, body=body)


def render(graph: Any, path: str | Path, format: str | None = None, **options: Any) -> Path:  # noqa: A002
    """Write a picture of `graph` (a Tensor, drawn with `options` as in draw_graph, or a Digraph)
    to `path`; the format comes from the extension unless given. ".dot"/".gv" write the DOT text
    and need no Graphviz. Other formats (svg, png, pdf) need the `dot` program and the Python
    package: without them the DOT text goes beside `path` (.dot) and RuntimeError says how to
    install Graphviz and where the text is. Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    format = (format or path.suffix.lstrip(".")).lower()  # noqa: A001
    if not format:
        raise ValueError(f"render: cannot tell the format of {str(path)!r}; add an extension or pass format=")
    if not isinstance(graph, Tensor) and options:
        raise TypeError(f"render: drawing options {sorted(options)} apply only when drawing a Tensor")
    source = to_dot(graph, **options) if isinstance(graph, Tensor) else graph.source  # the graph is built once
    if format in _TEXT_FORMATS:
        path.write_text(source, encoding="utf-8")
        return path
    try:
        path.write_bytes(_picture(source, format))
    except RuntimeError as error:
        dot = path.with_suffix(".dot")
        dot.write_text(source, encoding="utf-8")
        raise RuntimeError(f"{error} The DOT text is in {dot}.") from None
    return path


def _picture(source: str, format: str) -> bytes:  # noqa: A002
    """The picture of the DOT text `source` from Graphviz; RuntimeError saying how to install it when
    the Python package or the `dot` program is missing."""
    graphviz = _graphviz()
    try:
        return graphviz.Source(source).pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(INSTALL_MESSAGE) from None


def _graphviz() -> Any:
    """The graphviz Python package; RuntimeError saying how to install Graphviz when it is missing."""
    try:
        import graphviz
    except ImportError:
        raise RuntimeError(INSTALL_MESSAGE) from None
    return graphviz
