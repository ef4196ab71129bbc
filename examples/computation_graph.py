"""Computation graphs that show backpropagation: a small MLP, then a deep sigmoid net whose gradients fade.

A graph drawing that shows only names and shapes cannot show why training fails, so each box here
is coloured by the size of its gradient (log10 scale, darker = larger). In the small ReLU MLP the
ops are numbered in the order backward visits them. In the deep sigmoid net each layer is a box of
its own, and the colours fade toward the input: sigmoid' <= 1/4, so every layer shrinks the gradient.

    python examples/computation_graph.py [--quick] [--out-dir out/examples/computation_graph]

`--quick` writes only SVG (no PNG). Without Graphviz installed, the DOT text is written instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.viz import render, watch


def watched_loss(model: nn.Module, batch_size: int = 16, seed: int = 0) -> Tensor:
    """The cross-entropy of `model` on a seeded random batch, after one watched backward."""
    rng = np.random.default_rng(seed)
    inputs = Tensor(rng.standard_normal((batch_size, model.sizes[0])))
    labels = rng.integers(0, model.sizes[-1], batch_size)
    loss = F.cross_entropy(model(inputs), labels)
    watch(loss)  # before backward: op outputs are freed, so their gradient norms are recorded on the way
    loss.backward()
    return loss


_missing_graphviz: list[str] = []  # the install message, once Graphviz was found missing


def draw(loss: Tensor, model: nn.Module, path: Path, **options: object) -> Path:
    """Render the graph of `loss` to `path`, or its DOT text next to it when Graphviz is missing
    (saying so the first time only: every later picture would fail the same way)."""
    if not _missing_graphviz:
        try:  # params=model names every parameter and module by its path (0.weight, "1: relu")
            return render(loss, path, params=model, **options)
        except RuntimeError as error:
            _missing_graphviz.append(str(error))
            print(f"{error}\nWriting the DOT text instead.")
    return render(loss, path.with_suffix(".dot"), params=model, **options)


def mlp_graph(out_dir: Path, formats: tuple[str, ...] = ("svg",)) -> list[Path]:
    """A ReLU MLP with one hidden layer (4 -> 8 -> 3), ops numbered in backward order."""
    ta.manual_seed(0)
    model = nn.MLP([4, 8, 3], activation="relu")
    loss = watched_loss(model)
    print(f"ReLU MLP with 1 hidden layer: loss {loss.item():.4f}")
    return [draw(loss, model, out_dir / f"mlp_graph.{extension}", show_backward_order=True)
            for extension in formats]


def deep_sigmoid_graph(out_dir: Path, formats: tuple[str, ...] = ("svg",), depth: int = 5) -> list[Path]:
    """A sigmoid MLP with `depth` hidden layers of 8, one box per module, drawn top to bottom."""
    ta.manual_seed(0)
    model = nn.MLP([4] + [8] * depth + [3], activation="sigmoid")
    loss = watched_loss(model)
    print(f"sigmoid MLP with {depth} hidden layers: loss {loss.item():.4f}; gradient norm of each weight:")
    for name, parameter in model.named_parameters():
        if name.endswith("weight"):
            print(f"  {name:<10} {np.linalg.norm(parameter.grad.numpy()):.2e}")
    return [draw(loss, model, out_dir / f"deep_sigmoid_graph.{extension}", group_by_module=True, rankdir="TB")
            for extension in formats]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="write SVG only (no PNG)")
    parser.add_argument("--out-dir", type=Path, default=Path("out/examples/computation_graph"))
    args = parser.parse_args(argv)
    formats = ("svg",) if args.quick else ("svg", "png")
    paths = mlp_graph(args.out_dir, formats) + deep_sigmoid_graph(args.out_dir, formats)
    for path in dict.fromkeys(paths):  # without Graphviz, the .svg and .png of a graph are one .dot file
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
