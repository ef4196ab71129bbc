"""The recorded graph as data, for drawing it: every op and leaf reachable from a tensor, the
gradient norms `watch` records during backward, and how a big graph collapses into fewer boxes."""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import Function
from ..nn import Activation, Module
from ..tensor import Tensor

# ------------------------------------------------------------ recording gradient norms


def gradient_norm(array: np.ndarray) -> float:
    """The Euclidean norm, in float64 so an exploding float32 gradient does not overflow to inf."""
    return float(np.linalg.norm(np.asarray(array, dtype=np.float64).ravel()))


# The norm of each watched node's output gradient, from its last backward. Weak keys: a record
# never keeps a node (or the graph behind it) alive.
_grad_norms: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def recorded_grad_norm(node: Function | None) -> float | None:
    """The gradient norm that `watch` recorded for `node`'s output (None if none was)."""
    return None if node is None else _grad_norms.get(node)


class _GradNormRecorder:
    """A backward hook that records the norm of its node's output gradient in `_grad_norms`.

    It holds the node weakly: the node holds its hooks, so a strong reference back would be a cycle.
    """

    __slots__ = ("node",)

    def __init__(self, node: Function) -> None:
        self.node = weakref.ref(node)

    def __call__(self, grad: np.ndarray) -> None:
        node = self.node()
        if node is not None:
            _grad_norms[node] = gradient_norm(grad)


def watch(root: Tensor) -> None:
    """Make the next backward from `root` record, for every op node, the norm of the gradient of
    that op's output (read it with `recorded_grad_norm(node)`); call it before `backward`.

    Intermediate tensors are freed as soon as they are used, so their gradients cannot be measured
    afterwards; leaves need no watching (their `.grad` stays). Watching twice adds nothing; a
    later backward overwrites the recorded norms.
    """
    for node in collect(root).ops:
        if not any(isinstance(hook, _GradNormRecorder) for hook in node.hooks):
            node.hooks = node.hooks + (_GradNormRecorder(node),)


# ------------------------------------------------------------ the graph in memory


@dataclass
class Graph:
    """Op nodes in creation order, leaf tensors in order of first use, and data-flow edges
    (source op or leaf -> consuming op)."""

    ops: list[Function]
    leaves: list[Tensor]
    edges: list[tuple[Any, Function]]


def collect(root: Tensor) -> Graph:
    """Every op node and leaf reachable from `root`, found with an explicit stack (no recursion)."""
    if root.grad_fn is None:
        return Graph([], [root], [])
    seen = {id(root.grad_fn)}
    stack, ops = [root.grad_fn], []
    while stack:
        node = stack.pop()
        ops.append(node)
        for parent in node.parents:
            if isinstance(parent, Function) and id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    ops.sort(key=lambda node: node.sequence)
    leaves: dict[int, Tensor] = {}
    edges = []
    for node in ops:
        for parent in node.parents:
            if parent is not None:  # an input that needs no gradient is not recorded
                if not isinstance(parent, Function):
                    leaves.setdefault(id(parent), parent)
                edges.append((parent, node))
    return Graph(ops, list(leaves.values()), edges)


# ------------------------------------------------------------ collapsing big graphs


@dataclass
class Unit:
    """What one drawn op box stands for: a single op (title None) or a collapsed group of ops.
    `kind` names it when looking for repeats: the op's name, or a module's class without its path."""

    ops: list[Function]
    title: str | None = None
    kind: str = ""
    leaves: list[Tensor] = field(default_factory=list)  # leaves used only by this group

    @property
    def last(self) -> Function:
        """The op whose output the box shows: the latest one (a module's output, a chain's end)."""
        return max(self.ops, key=lambda node: node.sequence)


def module_names(ops: list[Function], params: dict[str, Tensor],
                 module_paths: dict[int, str] | None = None) -> dict[int, tuple[str, str]]:
    """For each module that ran an op, keyed by id(module): its title and that title without the path.

    The title is "path: Class": the path from `module_paths` (id(module) -> attribute path, known
    when the model itself is drawn), else from a parameter it owns named in `params` (a Linear
    owning `0.weight` is "0: Linear"); an activation layer is named by its activation ("1: sigmoid",
    or "sigmoid" without a path); another module without a path by its repr when short, else its
    class name."""
    names = {id(tensor): name for name, tensor in params.items()}
    module_paths = module_paths or {}
    result: dict[int, tuple[str, str]] = {}
    for node in ops:
        scope = node.scope
        if scope is None or id(scope) in result:
            continue
        owned = [names[id(value)] for value in vars(scope).values() if id(value) in names]
        path = module_paths.get(id(scope)) or (owned[0].rpartition(".")[0] if owned else "")
        if isinstance(scope, Activation):  # named as the CLI and the tables name it: "sigmoid"
            kind = scope.spec.label(scope.params)
        elif path:
            kind = type(scope).__name__
        else:
            text = repr(scope)
            kind = text if len(text) <= 40 and "\n" not in text else type(scope).__name__
        result[id(scope)] = (f"{path}: {kind}" if path else kind, kind)
    return result


def _group_by_module(units: list[Unit], modules: dict[int, tuple[str, str]]) -> tuple[list[Unit], int]:
    """One unit for each module that ran more than one op (a module with one op already is one
    box); returns the units and how many modules were grouped."""
    ops_per_module = Counter(id(unit.ops[0].scope) for unit in units if unit.ops[0].scope is not None)
    groups: dict[int, Unit] = {}
    result = []
    for unit in units:
        scope = unit.ops[0].scope
        if scope is None or ops_per_module[id(scope)] == 1:
            result.append(unit)
        elif id(scope) in groups:
            groups[id(scope)].ops.extend(unit.ops)
        else:
            groups[id(scope)] = Unit(list(unit.ops), *modules[id(scope)])
            result.append(groups[id(scope)])
    return result, len(groups)


def _repeat_title(kinds: list[str]) -> str:
    """`(linear → sigmoid) × 6` for a sequence that repeats (`... → linear` when it stops part-way
    through a repeat), else counts by kind."""
    for period in range(1, len(kinds) // 2 + 1):
        if all(kinds[i] == kinds[i - period] for i in range(period, len(kinds))):
            repeats, remainder = divmod(len(kinds), period)
            body = " → ".join(kinds[:period])
            title = f"({body}) × {repeats}" if period > 1 else f"{body} × {repeats}"
            return title + "".join(f" → {kind}" for kind in kinds[:remainder])
    counts = Counter(kinds)
    shown = ", ".join(f"{kind} × {count}" for kind, count in list(counts.items())[:4])
    return shown + (", …" if len(counts) > 4 else "")


def _chains(units: list[Unit], edges: list[tuple[Any, Function]]) -> list[list[int]]:
    """Maximal runs of units (as indices, in data-flow order) where each feeds only the next and
    the next is fed only by it."""
    index = {id(node): i for i, unit in enumerate(units) for node in unit.ops}
    successors: list[set[int]] = [set() for _ in units]
    predecessors: list[set[int]] = [set() for _ in units]
    for source, target in edges:
        if isinstance(source, Function):
            a, b = index[id(source)], index[id(target)]
            if a != b:
                successors[a].add(b)
                predecessors[b].add(a)

    def only_successor(i: int) -> int | None:
        """The unit that continues i's chain, if any."""
        if len(successors[i]) != 1:
            return None
        following = next(iter(successors[i]))
        return following if len(predecessors[following]) == 1 else None

    continued = {only_successor(i) for i in range(len(units))}
    chains = []
    for head in range(len(units)):
        if head not in continued:
            chain = [head]
            while (following := only_successor(chain[-1])) is not None:
                chain.append(following)
            chains.append(chain)
    return chains


def _shorten_chains(units: list[Unit], edges: list[tuple[Any, Function]],
                    excess: int) -> tuple[list[Unit], int]:
    """Remove `excess` units by drawing the middle of the longest chains as one box each (their
    ends, nearest the input and the output, stay visible); returns the units and the boxes made."""
    replaced: dict[int, Unit] = {}
    removed: set[int] = set()
    for chain in sorted(_chains(units, edges), key=len, reverse=True):
        if excess <= 0 or len(chain) < 3:
            break
        middle = min(len(chain) - 2, excess + 1)
        run = chain[(len(chain) - middle) // 2:][:middle]
        ops = sorted((node for i in run for node in units[i].ops), key=lambda node: node.sequence)
        title = _repeat_title([units[i].kind for i in run])
        replaced[run[0]] = Unit(ops, title, title)
        removed.update(run[1:])
        excess -= middle - 1
    return [replaced.get(i, unit) for i, unit in enumerate(units) if i not in removed], len(replaced)


def collapse(graph: Graph, max_nodes: int,
              modules: dict[int, tuple[str, str]]) -> tuple[list[Unit], list[str]]:
    """The units to draw, at most `max_nodes` of them, and a note for each collapsing step taken."""
    units = [Unit([node], kind=node.name) for node in graph.ops]
    if len(units) <= max_nodes:
        return units, []
    notes = [f"{len(units):,} ops is more than max_nodes={max_nodes}, so the picture is collapsed:"]
    units, grouped = _group_by_module(units, modules)
    if grouped:
        notes.append(f"the ops of each module that ran several are one box ({grouped:,} modules)")
    if len(units) > max_nodes:
        units, boxes = _shorten_chains(units, graph.edges, len(units) - max_nodes)
        if boxes:
            notes.append(f"the middle of {boxes:,} long chain(s) of consecutive ops is one box each")
    if len(units) > max_nodes:
        keep = sorted(units, key=lambda unit: unit.last.sequence)[len(units) - max_nodes + 1:]
        kept = {id(unit) for unit in keep}
        rest = sorted((node for unit in units if id(unit) not in kept for node in unit.ops),
                      key=lambda node: node.sequence)
        notes.append(f"the {len(rest):,} earliest ops (furthest from the output) are one box")
        title = f"{len(rest):,} earlier ops"
        units = [Unit(rest, title, title), *keep]
    return units, notes


def fold_leaves(graph: Graph, unit_of: dict[int, Unit]) -> set[int]:
    """Move each leaf used only inside one collapsed group into that group's box; their ids."""
    consumers: dict[int, list[Unit]] = {}
    for source, target in graph.edges:
        if not isinstance(source, Function):
            owners = consumers.setdefault(id(source), [])
            if unit_of[id(target)] not in owners:
                owners.append(unit_of[id(target)])
    folded = set()
    for leaf in graph.leaves:
        owners = consumers.get(id(leaf), [])
        if len(owners) == 1 and owners[0].title is not None:
            owners[0].leaves.append(leaf)
            folded.add(id(leaf))
    return folded


def cluster_of(unit: Unit) -> int | None:
    """id() of the module whose box holds a single op; collapsed groups stand outside any box."""
    scope = unit.ops[0].scope
    return id(scope) if unit.title is None and scope is not None else None


def owning_modules(graph: Graph) -> dict[int, int]:
    """id(leaf) -> id(module) for each leaf that is an attribute of a module that ran an op."""
    owner = {}
    for node in graph.ops:
        if node.scope is not None:
            owner.update((id(value), id(node.scope)) for value in vars(node.scope).values())
    return owner


def box_edges(graph: Graph, unit_of: dict[int, Any], ids: dict[int, str],
              folded: set[int]) -> Iterator[tuple[Any, Function, str, str]]:
    """The graph's data-flow edges as edges between drawn boxes: (source, target, start id, end id)
    for each edge whose source is drawn (not a folded leaf) and that leaves its box."""
    for source, target in graph.edges:
        if id(source) not in folded:
            start = ids[id(unit_of[id(source)])] if isinstance(source, Function) else ids[id(source)]
            end = ids[id(unit_of[id(target)])]
            if start != end:
                yield source, target, start, end


def parameter_names(params: dict[str, Tensor] | Module | None) -> tuple[dict[str, Tensor], dict[int, str]]:
    """`params` as (name -> tensor, id(module) -> attribute path), as both pictures read it."""
    if isinstance(params, Module):
        paths = {id(module): path for path, module in params.named_modules() if path}
        return dict(params.named_parameters()), paths
    return dict(params or {}), {}
