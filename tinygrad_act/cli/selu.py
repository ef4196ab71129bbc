"""`tinygrad-act selu`: self-normalisation: activation mean and std layer by layer in a 50-layer net.

    tinygrad-act selu                          # random N(0, 1) inputs, selu / relu / tanh / sigmoid
    tinygrad-act selu --inputs data            # standardised MNIST images instead
"""

from __future__ import annotations

import argparse
import time

from ..experiments import selu
from ._common import activation_name, add_experiment_arguments


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "selu", help="self-normalisation: activation mean/std by depth for selu, relu, tanh, sigmoid",
        description="Mean and std of every layer's activations in a deep MLP at initialisation (each "
                    "activation with its matching init, zero biases) on standardised inputs.",
    )
    parser.add_argument("--activations", type=activation_name, nargs="+", default=list(selu.COMPARED_ACTIVATIONS))
    parser.add_argument("--depth", type=int, default=50, help="hidden layers (default 50)")
    parser.add_argument("--width", type=int, default=100, help="units per hidden layer (default 100)")
    parser.add_argument("--inputs", choices=("random", "data"), default="random",
                        help="N(0, 1) inputs (default) or standardised images of --dataset")
    parser.add_argument("--samples", type=int, default=1000, help="inputs in the batch (default 1000)")
    parser.add_argument("--seeds", type=int, default=5, help="random nets averaged per activation (default 5)")
    parser.add_argument("--every", type=int, default=5, help="print every N-th layer (default 5)")
    parser.add_argument("--quick", action="store_true", help="500 inputs, 2 seeds, the built-in MNIST subset")
    add_experiment_arguments(parser, "selu")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    samples, seeds = (min(args.samples, 500), min(args.seeds, 2)) if args.quick else (args.samples, args.seeds)
    results = selu.run_selu(args.activations, depth=args.depth, width=args.width, source=args.inputs,
                            samples=samples, seeds=seeds, seed=args.seed, dataset=args.dataset, quick=args.quick,
                            root=args.root)
    source = "N(0, 1) inputs" if args.inputs == "random" else f"standardised {args.dataset} images"
    inits = ", ".join(f"{result.activation}: {result.init}" for result in results)
    print(f"{args.depth} hidden layers of {args.width}, {samples} {source}, mean over {seeds} nets "
          f"({inits}; biases 0):\n")
    print(selu.selu_table(results, every=args.every, markdown=args.markdown))
    print()
    for result in results:
        worst_mean = max(result.means, key=abs)
        print(f"{result.activation}: mean in [{min(result.means):.3f}, {max(result.means):.3f}] "
              f"(largest |mean| {abs(worst_mean):.3f}), std in [{min(result.stds):.3f}, {max(result.stds):.3f}]")
    path = args.out_dir / "selu_statistics.png"
    selu.plot_selu(results, path)
    print(f"\nwrote mean and std by depth to {path}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0
