"""`tinygrad-act xor`: train a 2-H-1 network on XOR and print its truth table, or compare activations."""

from __future__ import annotations

import argparse
import time

from ..experiments import xor
from ..experiments.common import OPTIMIZERS
from ._common import activation_name, add_activation_argument


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("xor", help="learn XOR with one hidden layer; --compare activations")
    add_activation_argument(parser, default="tanh")
    parser.add_argument("--hidden", type=int, default=4, help="hidden units (default 4)")
    parser.add_argument("--steps", type=int, default=1000, help="full-batch training steps (default 1000)")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--optimizer", type=str.lower, choices=list(OPTIMIZERS), default="adam")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true",
                        help="train every activation of --activations over --seeds and print success rates")
    parser.add_argument("--activations", type=activation_name, nargs="+", default=list(xor.COMPARED_ACTIVATIONS),
                        help="activations for --compare")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per activation for --compare")
    parser.add_argument("--markdown", action="store_true", help="print the --compare table as Markdown")
    parser.add_argument("--quick", action="store_true", help="fewer steps and seeds (for tests)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    steps, seeds = (300, min(args.seeds, 3)) if args.quick else (args.steps, args.seeds)
    options = dict(hidden=args.hidden, steps=steps, lr=args.lr, optimizer=args.optimizer)
    start = time.perf_counter()
    if args.compare:
        rows = xor.compare(args.activations, seeds=range(args.seed, args.seed + seeds), **options)
        print(f"XOR with a 2-{args.hidden}-1 network, {steps} steps of {args.optimizer} "
              f"(lr {args.lr}), {seeds} seeds per activation ({args.seed}..{args.seed + seeds - 1}):\n")
        print(xor.comparison_table(rows, markdown=args.markdown))
        print("\nidentity: a stack of linear maps is linear, so at most 3 of the 4 points can be right."
              "\nstep: its derivative is 0, so the hidden weights never move.")
    else:
        result = xor.train_xor(args.activation, seed=args.seed, **options)
        print(f"XOR, 2-{args.hidden}-1 network with {args.activation}, {steps} steps of {args.optimizer}:")
        print(xor.truth_table(result))
        print(f"loss {result.loss:.4f}, accuracy {result.accuracy:.2f}, "
              f"hidden weights moved by {result.hidden_weight_change:.4g}")
    print(f"\n({time.perf_counter() - start:.1f} s)")
    return 0
