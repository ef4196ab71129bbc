"""`tinygrad-act graph`: draw the computation graph of a small MLP's loss, coloured by gradient size.

    tinygrad-act graph --activation relu --out graph.svg
    tinygrad-act graph --activation sigmoid --depth 8 --group-by-module --out deep.png   # fading gradients
    tinygrad-act graph --activation tanh --out graph.dot --show-backward-order           # DOT text

The model is nn.MLP([features, width x depth, classes]) on a seeded random batch with a
cross-entropy loss; the graph is watched, backpropagated once and drawn. The per-layer gradient
norms printed below the path are the numbers the colours show.
"""

from __future__ import annotations

import argparse

import numpy as np

from .. import functional as F
from .. import nn
from ..rng import generator, manual_seed
from ..tensor import Tensor
from ..viz import render, watch
from ._common import add_activation_argument

FEATURES, CLASSES = 4, 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "graph", help="draw a small MLP's computation graph, coloured by gradient size",
        description="Build a small MLP, backpropagate a cross-entropy loss once and draw its graph "
                    "(the format follows the extension of --out: .svg, .png, .pdf or .dot).",
    )
    add_activation_argument(parser)
    parser.add_argument("--out", default="graph.svg", metavar="FILE",
                        help="where to write the picture (default graph.svg)")
    parser.add_argument("--depth", type=int, default=2, help="number of hidden layers (default 2)")
    parser.add_argument("--width", type=int, default=8, help="units per hidden layer (default 8)")
    parser.add_argument("--batch-size", type=int, default=16, help="random inputs in the batch (default 16)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the batch (default 0)")
    parser.add_argument("--group-by-module", action="store_true", help="draw each layer's ops in a box")
    parser.add_argument("--show-backward-order", action="store_true",
                        help="number the ops in the order backward visits them")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.depth < 0 or args.width < 1 or args.batch_size < 1:
        print("tinygrad-act graph: --depth must be >= 0, --width and --batch-size >= 1")
        return 2
    manual_seed(args.seed)
    model = nn.MLP([FEATURES] + [args.width] * args.depth + [CLASSES], activation=args.activation)
    inputs = Tensor(generator().standard_normal((args.batch_size, FEATURES)))
    labels = generator().integers(0, CLASSES, args.batch_size)
    loss = F.cross_entropy(model(inputs), labels)
    watch(loss)
    loss.backward()
    try:
        path = render(loss, args.out, params=model, group_by_module=args.group_by_module,
                      show_backward_order=args.show_backward_order)
    except RuntimeError as error:
        print(f"tinygrad-act graph: {error}")
        return 1
    print(f"wrote the computation graph of a {len(model.linears())}-layer {args.activation} MLP "
          f"(loss {loss.item():.4f}) to {path}")
    print("gradient norm of each layer's weight, input layer first:")
    names = {id(tensor): name for name, tensor in model.named_parameters()}
    norms = [float(np.linalg.norm(linear.weight.grad.data)) for linear in model.linears()]
    for linear, norm in zip(model.linears(), norms):
        print(f"  {names[id(linear.weight)]:<12} {norm:.3e}")
    if len(norms) > 1 and norms[-1] > 0:
        print(f"first layer / last layer: {norms[0] / norms[-1]:.3g}")
    return 0
