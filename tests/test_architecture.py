"""The package's import graph: layers that import only downwards, and no cycle between packages.

Each top-level module or subpackage of tinygrad_act is a node; an arrow is any import, at module
level or inside a function, from one node to another. A new module must be given a layer here.
"""

from __future__ import annotations

import ast
import importlib.metadata
from pathlib import Path

import tinygrad_act

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_act"

LAYERS = [  # lowest first
    {"version", "files", "extras", "numerics", "special", "dtypes", "device", "shapes", "rng", "autograd", "ops", "safetensors_format"},
    {"tensor", "fused", "activations", "creation", "functions", "gradcheck", "serialization"},
    {"functional", "data", "optim"},
    {"nn", "theory", "train", "utils", "diagnostics", "interop"},
    {"viz"},
    {"experiments"},
    {"report"},
    {"cli", "__main__"},
]


def node_of(path: Path) -> str | None:
    """The top-level name a file belongs to (None for the package's own __init__)."""
    first = path.relative_to(PACKAGE).with_suffix("").parts[0]
    return None if first == "__init__" else first


def imported_nodes(path: Path) -> set[str]:
    """The top-level names that `path` imports from tinygrad_act ("" for the package root)."""
    package = list(path.relative_to(PACKAGE).parent.parts)
    found = set()
    for statement in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(statement, ast.ImportFrom) and statement.level:
            base = package[:len(package) - statement.level + 1]
            if statement.module:
                found.add((base + statement.module.split("."))[0])
            else:  # from . import x: x is a module, or a name of the package root (__version__)
                found |= {(base + [name.name])[0] if (base or (PACKAGE / name.name).exists()
                          or (PACKAGE / f"{name.name}.py").exists()) else "" for name in statement.names}
        elif isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith("tinygrad_act"):
            found.add((statement.module.split(".") + [""])[1])
        elif isinstance(statement, ast.Import):
            found |= {name.name.split(".")[1] for name in statement.names if name.name.startswith("tinygrad_act.")}
    return found


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        node = node_of(path)
        if node is not None:
            graph.setdefault(node, set()).update(imported_nodes(path) - {node})
    return graph


def layer_of(node: str) -> int:
    """The layer index; the package root (""), which re-exports everything, is above them all."""
    if node == "":
        return len(LAYERS)
    return next(index for index, layer in enumerate(LAYERS) if node in layer)


def test_every_module_has_a_layer():
    unplaced = set(import_graph()) - set().union(*LAYERS)
    assert not unplaced, f"give these a layer in LAYERS: {sorted(unplaced)}"


def test_every_import_goes_to_the_same_layer_or_a_lower_one():
    upward = [(source, target) for source, targets in import_graph().items() for target in targets
              if layer_of(target) > layer_of(source)]
    assert not upward, f"imports from a lower layer to a higher one: {sorted(upward)}"


def test_the_import_graph_has_no_cycle():
    graph, finished, path = import_graph(), set(), []

    def visit(node: str) -> None:
        assert node not in path, f"import cycle: {' -> '.join(path[path.index(node):] + [node])}"
        if node in finished:
            return
        path.append(node)
        for target in graph.get(node, ()):
            visit(target)
        path.pop()
        finished.add(node)

    for node in graph:
        visit(node)


def test_the_report_imports_no_command_line_module():
    assert "cli" not in import_graph()["report"]


def test_the_installed_version_is_the_one_written_in_version_py():
    # pyproject.toml reads the version from tinygrad_act/version.py: one place to change it
    assert importlib.metadata.version("tinygrad-act") == tinygrad_act.__version__
    assert 'version = "' not in (PACKAGE.parent / "pyproject.toml").read_text().split("[project.optional-dependencies]")[0]
