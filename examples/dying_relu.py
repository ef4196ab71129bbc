"""Dying ReLU, measured: units that never fire again, what causes them and what prevents them.

A ReLU unit whose input is negative for every sample outputs 0 and has derivative 0, so the weights
feeding it never change again. The script shows it by hand first: a ReLU MLP whose biases start at
-0.5, with diagnostics.DeadUnits counting, per layer, the units that are off for a whole batch. Then
it runs experiments.dying_relu (too-large learning rate and negative bias, against leaky_relu, elu,
selu, a small positive bias and a smaller learning rate) and experiments.born_dead (how likely a
narrow deep ReLU net is constant before any training), and saves their plots:

    python examples/dying_relu.py [--quick] [--out-dir out/examples/dying_relu]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tinygrad_act as ta
from tinygrad_act import Tensor, nn
from tinygrad_act.data import datasets
from tinygrad_act.diagnostics import DeadUnits
from tinygrad_act.experiments import born_dead, dying_relu


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
    parser.add_argument("--quick", action="store_true", help="the built-in MNIST subset, 3 epochs, 200 random nets")
    parser.add_argument("--out-dir", type=Path, default=Path("out/examples/dying_relu"))
    args = parser.parse_args()

    for bias in (0.0, -0.5):
        fractions = ", ".join(f"layer {name}: {value:.2f}" for name, value in dead_at_init(bias).items())
        print(f"bias {bias:+g} at init, dead fraction on 1000 images: {fractions}")

    print("\nTraining under conditions that kill units, and with the fixes:")
    runs = dying_relu.run_dying_relu(quick=args.quick, epochs=3 if args.quick else 5)
    print(dying_relu.dying_table(runs))

    print("\nBorn dead: P(a ReLU net with one input is constant on [-sqrt(3), sqrt(3)] at init):")
    estimates = born_dead.simulate_born_dead(nets=200 if args.quick else 2000)
    print(born_dead.born_dead_table(estimates, depths=[1, 5, 10, 20, 30]))

    dying_relu.plot_dying(runs, args.out_dir / "dead_units.png")
    born_dead.plot_born_dead(estimates, args.out_dir / "born_dead.png")
    print(f"\nwrote {args.out_dir / 'dead_units.png'} and {args.out_dir / 'born_dead.png'}")


if __name__ == "__main__":
    main()
