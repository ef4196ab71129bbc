"""Dying ReLU, measured: units that never fire again, what causes them and what prevents them.

A ReLU unit whose input is negative for every sample outputs 0 and has derivative 0, so the weights
feeding it never change again. The script shows it by hand first: a ReLU MLP whose biases start at
-0.5, with diagnostics.DeadUnits counting, per layer, the units that are off for a whole batch. Then
it runs experiments.dying_relu (too-large learning rate and negative bias, against leaky_relu, elu,
selu, a small positive bias and a smaller learning rate) and experiments.born_dead (how likely a
narrow deep ReLU net is constant before any training) exactly as `tinygrad-act dying-relu` does, and
saves their plots:

    python examples/dying_relu.py [--quick] [--out-dir out/examples/dying_relu]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tinygrad_act as ta
from tinygrad_act import Tensor, nn
from tinygrad_act.data import datasets
from tinygrad_act.device import blas_threads
from tinygrad_act.diagnostics import DeadUnits
from tinygrad_act.experiments import born_dead, dying_relu
from tinygrad_act.experiments.protocol import as_text


def dead_at_init(bias: float) -> dict[str, float]:
    """Dead fraction of each ReLU layer of a fresh 784-128-128-128-10 MLP whose biases start at `bias`."""
    ta.manual_seed(0)
    model = nn.MLP([784, 128, 128, 128, 10], activation="relu", bias_init=bias)
    images, _ = datasets.mnist_subset(train=True)
    with DeadUnits(model) as dead, ta.no_grad():
        model(Tensor(images))
    return dead.fractions()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick settings of both experiments")
    parser.add_argument("--out-dir", type=Path, default=Path("out/examples/dying_relu"))
    args = parser.parse_args()

    for bias in (0.0, -0.5):
        fractions = ", ".join(f"layer {name}: {value:.2f}" for name, value in dead_at_init(bias).items())
        print(f"bias {bias:+g} at init, dead fraction on 1000 images: {fractions}")

    # The same computation as `tinygrad-act dying-relu [--born-dead] [--quick]`, with one BLAS thread as
    # the command uses: a float32 matmul split between threads rounds differently, and training
    # amplifies the difference, so the same seed gives the same numbers only at the same thread count.
    training = dying_relu.Settings.quick() if args.quick else dying_relu.Settings()
    simulation = born_dead.Settings.quick() if args.quick else born_dead.Settings()
    with blas_threads(1):
        for experiment, settings in ((dying_relu, training), (born_dead, simulation)):
            result = experiment.run(settings)
            print(f"\n{as_text(experiment, result)}")
            for path, caption in experiment.figures(result, args.out_dir).items():
                print(f"wrote {caption} to {path}")


if __name__ == "__main__":
    main()
