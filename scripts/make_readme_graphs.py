"""Regenerate the computation-graph pictures in the README (docs/images/*.svg), deterministically.

    python scripts/make_readme_graphs.py

They are the pictures of examples/computation_graph.py: a 2-layer ReLU MLP with the ops numbered
in backward order, and a 6-layer sigmoid MLP, one box per layer, whose gradients fade toward the input.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

from computation_graph import deep_sigmoid_graph, mlp_graph  # noqa: E402


def main() -> None:
    out_dir = ROOT / "docs" / "images"
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in mlp_graph(out_dir) + deep_sigmoid_graph(out_dir):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
