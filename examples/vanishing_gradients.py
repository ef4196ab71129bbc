"""Vanishing gradients, measured: the gradient of each layer of a deep sigmoid net against a deep ReLU net.

Backpropagation multiplies the gradient by W^T diag(f'(z)) once per layer. Sigmoid's derivative is
at most 1/4, so ten sigmoid layers shrink the gradient reaching the first layer by about a million;
ReLU's derivative is 1 where it is active, and He (Kaiming) init keeps the product near 1.

The script first does it by hand on one batch, with diagnostics.GradientFlow, then runs the full
comparison of experiments.vanishing (7 activations, training included) and saves its plots:

    python examples/vanishing_gradients.py [--quick] [--out-dir out/examples/vanishing]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.data import datasets
from tinygrad_act.device import blas_threads
from tinygrad_act.diagnostics import GradientFlow
from tinygrad_act.experiments import vanishing
from tinygrad_act.experiments.protocol import as_text


def one_backward(activation: str, images: np.ndarray, labels: np.ndarray) -> GradientFlow:
    """One backward of cross-entropy through a fresh 10-hidden-layer MLP, watched by GradientFlow."""
    ta.manual_seed(0)
    model = nn.MLP([784, *[128] * 10, 10], activation=activation)  # init="auto": xavier or kaiming
    with GradientFlow(model) as flow:
        F.cross_entropy(model(Tensor(images)), Tensor(labels)).backward()
    return flow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick settings: the built-in MNIST subset, 150 steps")
    parser.add_argument("--out-dir", type=Path, default=Path("out/examples/vanishing"))
    args = parser.parse_args()

    images, labels = datasets.mnist_subset(train=True)
    for activation in ("sigmoid", "relu"):
        flow = one_backward(activation, images[:256], labels[:256])
        print(f"\n{activation}:")
        print(flow.table())
        print(f"first layer / last layer: {flow.ratio():.3g}")

    print("\nAll seven activations, then training each one (SGD, the same budget), as `tinygrad-act vanishing`:")
    with blas_threads(1):  # the command's thread count, so the numbers are the command's
        result = vanishing.run(vanishing.Settings.quick() if args.quick else vanishing.Settings())
    print(f"\n{as_text(vanishing, result)}")
    for path, caption in vanishing.figures(result, args.out_dir).items():
        print(f"wrote {caption} to {path}")


if __name__ == "__main__":
    main()
