"""The computation graph of a small MLP's loss, drawn after one backward and coloured by gradient size.

The model is nn.MLP([4, width x depth, 3]) on a seeded random batch with a cross-entropy loss; the
graph is watched, backpropagated once and drawn (the format follows the extension: .svg, .png,
.pdf or .dot). The per-layer weight-gradient norms in the table are the numbers the colours show:
in a deep sigmoid net they fade towards the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import functional as F
from .. import nn
from ..diagnostics.gradient_flow import first_over_last
from ..rng import generator
from ..tensor import Tensor
from ..viz import render, watch
from ..viz.tables import Number, Table
from .common import seeded_mlp
from .protocol import About, SettingsBase, activation_knob, knob, seed_knob

FEATURES, CLASSES = 4, 3
ABOUT = About("graph", "Computation graphs", "draw a small MLP's computation graph, coloured by gradient size",
              out_dir=False, timed=False,
              report=({"activation": "relu", "out": "graph/mlp.svg"},
                      {"activation": "sigmoid", "depth": 8, "group_by_module": True, "out": "graph/deep_sigmoid.svg"}))


@dataclass(frozen=True)
class Settings(SettingsBase):
    activation: str = activation_knob("relu")
    out: str = knob("graph.svg", "where to write the picture", suffixes=(".svg", ".png", ".pdf", ".dot"),
                    metavar="FILE")
    depth: int = knob(2, "number of hidden layers", at_least=0)
    width: int = knob(8, "units per hidden layer", at_least=1)
    batch_size: int = knob(16, "random inputs in the batch", at_least=1)
    seed: int = seed_knob()
    group_by_module: bool = knob(False, "draw each layer's ops in a box")
    show_backward_order: bool = knob(False, "number the ops in the order backward visits them")


@dataclass
class Result:
    settings: Settings
    loss: Tensor
    model: nn.MLP


def run(settings: Settings) -> Result:
    """The watched, backpropagated loss of the seeded model on a seeded random batch."""
    s = settings
    model = seeded_mlp(s.seed, [FEATURES, *[s.width] * s.depth, CLASSES], s.activation)
    inputs = Tensor(generator().standard_normal((s.batch_size, FEATURES)))
    labels = generator().integers(0, CLASSES, s.batch_size)
    loss = F.cross_entropy(model(inputs), labels)
    watch(loss)
    loss.backward()
    return Result(s, loss, model)


def tables(result: Result) -> list[Table]:
    names = {id(tensor): name for name, tensor in result.model.named_parameters()}
    rows = [[names[id(linear.weight)], Number(float(np.linalg.norm(linear.weight.grad.data)), ".3e")]
            for linear in result.model.linears()]
    return [Table(["weight", "||dL/dW||"], rows, "gradient norm of each layer's weight, input layer first",
                  line="  {0:<12} {1}")]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    """The drawing; without Graphviz, viz.render writes the DOT text beside it and raises saying where."""
    s = result.settings
    path = render(result.loss, Path(folder) / s.out, params=result.model, group_by_module=s.group_by_module,
                  show_backward_order=s.show_backward_order)
    return {Path(path): f"the computation graph of a {s.activation} MLP with {s.depth} hidden layers "
                        f"(loss {result.loss.item():.4f})"}


def notes(result: Result) -> list[str]:
    norms = tables(result)[0].column("||dL/dW||")
    return [f"first layer / last layer: {first_over_last(norms):.3g}"] if len(norms) > 1 and norms[-1] > 0 else []
