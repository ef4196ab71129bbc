"""The recorded graph as the explorer page's data: nodes with their values, gradients and local rules,
the data-flow edges, the engine's forward and backward orders, and a layered layout.

The graph is collected and collapsed exactly as the static pictures do it (viz.graph_structure);
the gradients come from one backward pass of the engine itself (on a retained graph, with a hook on
every node), so what the page shows is what `backward()` computes, in the order it computes it.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections import defaultdict
from typing import Any

import numpy as np

from ... import autograd
from ...activations import ActivationFunction
from ...autograd import Function
from ...nn import Module, Parameter
from ...tensor import Tensor
from ..graph_structure import Unit, box_edges, collapse, collect, fold_leaves, module_names, parameter_names
from ..mathml import to_mathml
from .recording import recorded_value

MAX_LISTED_VALUES = 64  # a tensor with more elements is shown as min/mean/max and a histogram
HISTOGRAM_BINS = 12
FACTS = ("output_range", "zero_centred", "monotonic", "saturating", "max_derivative")


# ------------------------------------------------------------ arrays as data


def _number(value: float) -> float | str:
    """A float for JSON; inf and NaN (which JSON lacks) as the strings "inf", "-inf", "nan"."""
    return value if math.isfinite(value) else str(value)


def array_data(array: np.ndarray | None) -> dict[str, Any] | None:
    """Every element of a small array (row-major), or min/mean/max/std and a histogram of a large one."""
    if array is None:
        return None
    array = np.asarray(array)
    data: dict[str, Any] = {"shape": list(array.shape)}
    if array.size <= MAX_LISTED_VALUES:
        data["values"] = [_number(float(value)) for value in array.ravel().tolist()]
        return data
    values = np.asarray(array, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    if finite.size:
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS)
        data["summary"] = {
            "min": float(finite.min()),
            "mean": float(finite.mean()),
            "max": float(finite.max()),
            "std": float(finite.std()),
            "non_finite": int(values.size - finite.size),
        }
        data["histogram"] = {"low": float(edges[0]), "high": float(edges[-1]), "counts": counts.tolist()}
    else:
        data["summary"] = {"non_finite": int(values.size)}
    return data


# ------------------------------------------------------------ gradients from the engine


def _store_gradient(store: dict[int, np.ndarray], key: int, grad: np.ndarray) -> None:
    store[key] = np.array(grad, copy=True)


def engine_gradients(
    root: Tensor, ops: list[Function]
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """The gradient of `root` (summed over its elements) with respect to each op's output and each
    leaf, keyed by id(): one engine backward on the retained graph. Leaves' `.grad` are untouched;
    hooks already on the nodes run as in any backward."""
    if any(node.released for node in ops):
        raise RuntimeError(
            "explore: this graph was already backpropagated, which freed what backward needs. Call "
            "viz.explore(output) before output.backward(), or use output.backward(retain_graph=True)."
        )
    node_grads: dict[int, np.ndarray] = {}
    originals = {node: node.hooks for node in ops}
    try:
        for node in ops:
            # keyed by id, so the hook refers to no node: the graph stays free of cycles
            node.hooks = node.hooks + (functools.partial(_store_gradient, node_grads, id(node)),)
        leaf_grads = autograd.backward(root, np.ones(root.shape, dtype=root.dtype), retain_graph=True)
    finally:
        for node, hooks in originals.items():
            node.hooks = hooks
    return node_grads, {id(leaf): grad for leaf, grad in leaf_grads.items()}


# ------------------------------------------------------------ what each node does


def _fact_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return (
            "("
            + ", ".join("∞" if v == math.inf else "−∞" if v == -math.inf else f"{v:g}" for v in value)
            + ")"
        )
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


def activation_rule(node: ActivationFunction) -> dict[str, Any]:
    """An activation node's rule from the registry: formula and derivative (MathML), facts, note."""
    spec = node.spec
    facts = {}
    for name in FACTS:
        value = spec.fact(name, node.params)
        if value is not None:
            facts[name.replace("_", " ")] = _fact_text(value)
    derivative = spec.derivative
    rule = (
        "grad_in = grad_out · f′(x)"
        if derivative
        else "grad_in = its registered backward rule applied to grad_out (no derivative formula declared)"
    )
    return {
        "rule": rule,
        "formula": to_mathml(spec.formula) if spec.formula else None,
        "derivative": to_mathml(derivative if "=" in derivative else f"f'(x) = {derivative}")
        if derivative
        else None,
        "facts": facts,
        "note": spec.note or None,
    }


def op_rule(node: Function) -> dict[str, Any]:
    """A built-in or user-defined op's rule: the first paragraph of its class docstring, where each
    op states f and its derivative ("a * b; d/da = b, d/db = a.")."""
    if isinstance(node, ActivationFunction):
        return activation_rule(node)
    docstring = inspect.getdoc(type(node)) if type(node).__doc__ else None
    return {
        "rule": _first_paragraph(docstring) or f"{type(node).__name__}.backward",
        "formula": None,
        "derivative": None,
        "facts": {},
        "note": None,
    }


# ------------------------------------------------------------ layout


def layered_layout(
    ids: list[str], edges: list[tuple[str, str]], leaf_ids: set[str]
) -> dict[str, tuple[int, int]]:
    """Columns by data-flow depth (an op one column right of its deepest input; a leaf one column
    left of its first consumer); within a column, ops first, then leaves, in the given order.
    Returns (column, row) of each node; the page turns them into pixels."""
    inputs: dict[str, list[str]] = defaultdict(list)
    consumers: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        inputs[target].append(source)
        consumers[source].append(target)
    column: dict[str, int] = {}
    for node_id in ids:  # ops are in creation order, so every input op already has its column
        if node_id not in leaf_ids:
            column[node_id] = 1 + max(
                (column[source] for source in inputs[node_id] if source not in leaf_ids), default=0
            )
    for node_id in ids:
        if node_id in leaf_ids:
            column[node_id] = max(0, min((column[target] for target in consumers[node_id]), default=1) - 1)
    rows: dict[int, int] = defaultdict(int)
    positions = {}
    for node_id in sorted(ids, key=lambda key: key in leaf_ids):
        positions[node_id] = (column[node_id], rows[column[node_id]])
        rows[column[node_id]] += 1
    return positions


# ------------------------------------------------------------ the whole graph


def graph_data(
    root: Tensor, params: dict[str, Tensor] | Module | None = None, max_nodes: int = 40
) -> dict[str, Any]:
    """The page's `graph` object: nodes, edges, forward/backward orders and collapse notes."""
    named, module_paths = parameter_names(params)
    graph = collect(root)
    if not graph.ops:
        raise ValueError(
            "explore: the output was not computed from any tensor that requires grad, "
            "so there is no graph to explore (create the inputs with requires_grad=True)"
        )
    node_grads, leaf_grads = engine_gradients(root, graph.ops)
    modules = module_names(graph.ops, named, module_paths)
    units, notes = collapse(graph, max_nodes, modules)
    unit_of = {id(node): unit for unit in units for node in unit.ops}
    folded = fold_leaves(graph, unit_of)
    names = {id(tensor): name for name, tensor in named.items()}

    ids: dict[int, str] = {}
    nodes = []
    for number, unit in enumerate(units):
        ids[id(unit)] = f"op{number}"
        nodes.append(_unit_node(ids[id(unit)], unit, root, node_grads, modules))
    leaves = [leaf for leaf in graph.leaves if id(leaf) not in folded]
    for number, leaf in enumerate(leaves):
        ids[id(leaf)] = f"leaf{number}"
        nodes.append(_leaf_node(ids[id(leaf)], leaf, names.get(id(leaf)), leaf_grads.get(id(leaf))))
    edges = dict.fromkeys((start, end) for _, _, start, end in box_edges(graph, unit_of, ids, folded))

    leaf_ids = {ids[id(leaf)] for leaf in leaves}
    positions = layered_layout([node["id"] for node in nodes], list(edges), leaf_ids)
    for node in nodes:
        node["column"], node["row"] = positions[node["id"]]
    by_sequence = sorted(units, key=lambda unit: unit.last.sequence)
    return {
        "nodes": nodes,
        "edges": [{"source": source, "target": target} for source, target in edges],
        "forward_order": [ids[id(unit)] for unit in by_sequence],
        "backward_order": [ids[id(unit)] for unit in reversed(by_sequence)],
        "notes": notes,
        "values_recorded": all(
            recorded_value(unit.last) is not None or unit.last is root.grad_fn for unit in units
        ),
    }


def _unit_node(
    node_id: str,
    unit: Unit,
    root: Tensor,
    node_grads: dict[int, np.ndarray],
    modules: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    last = unit.last
    value = root.data if last is root.grad_fn else recorded_value(last)
    scope = last.scope
    node = {
        "id": node_id,
        "kind": "group" if unit.title else "op",
        "op": unit.kind,
        "label": unit.title or last.name,
        "shape": list(last.shape),
        "dtype": np.dtype(last.dtype).name,
        "value": array_data(value),
        "grad": array_data(node_grads.get(id(last))),
        "module": modules[id(scope)][0] if scope is not None and id(scope) in modules else None,
    }
    if unit.title:
        node.update(
            rule=f"{len(unit.ops):,} ops collapsed into one box; backward runs each of them in turn "
            "(explore with a larger max_nodes to see them)",
            formula=None,
            derivative=None,
            facts={},
            note=None,
        )
    else:
        node.update(op_rule(last))
    return node


def _leaf_node(node_id: str, leaf: Tensor, name: str | None, grad: np.ndarray | None) -> dict[str, Any]:
    is_parameter = name is not None or isinstance(leaf, Parameter)
    return {
        "id": node_id,
        "kind": "parameter" if is_parameter else "input",
        "op": "leaf",
        "label": name or ("parameter" if is_parameter else "input"),
        "shape": list(leaf.shape),
        "dtype": np.dtype(leaf.dtype).name,
        "value": array_data(leaf.data),
        "grad": array_data(grad),
        "module": None,
        "rule": "a leaf: its gradient is the sum of what every use sends back (this is what .grad receives)",
        "formula": None,
        "derivative": None,
        "facts": {},
        "note": None,
    }
