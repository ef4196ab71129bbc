"""`tinygrad-act speed`: steps (and epochs) each activation needs to reach a target training accuracy.

    tinygrad-act speed                          # relu, tanh, sigmoid; 784-256-256-10; target 0.95
    tinygrad-act speed --target 0.97 --budget 30000
"""

from __future__ import annotations

import argparse
import time

from ..experiments import speed
from ._common import activation_name, add_experiment_arguments

QUICK_BUDGET = 500
QUICK_EVAL_EVERY = 10


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "speed", help="steps to reach a target training accuracy: relu against tanh and sigmoid",
        description="Train the same MLP with each activation (SGD with momentum, same seed and batches) until "
                    "the accuracy on a fixed subset of the training images reaches --target; print the "
                    "steps, epochs and the ratio to relu's steps.",
    )
    parser.add_argument("--activations", type=activation_name, nargs="+", default=list(speed.COMPARED_ACTIVATIONS),
                        help="activations to race (the first is the baseline of the ratios)")
    parser.add_argument("--target", type=float, default=0.95, help="training accuracy to reach (default 0.95)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="hidden sizes (256 256)")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--budget", type=int, default=15000, help="most steps per activation (default 15000)")
    parser.add_argument("--eval-every", type=int, default=50, help="steps between accuracy checks (default 50)")
    parser.add_argument("--eval-size", type=int, default=2000, help="training images the accuracy is measured on")
    parser.add_argument("--quick", action="store_true",
                        help=f"the built-in MNIST subset, at most {QUICK_BUDGET} steps, a check every "
                             f"{QUICK_EVAL_EVERY} steps (for tests)")
    add_experiment_arguments(parser, "speed")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    budget = min(args.budget, QUICK_BUDGET) if args.quick else args.budget
    eval_every = min(args.eval_every, QUICK_EVAL_EVERY) if args.quick else args.eval_every
    runs = speed.run_speed(args.activations, dataset=args.dataset, quick=args.quick, target=args.target,
                           hidden=args.hidden, lr=args.lr, momentum=args.momentum, batch_size=args.batch_size,
                           budget=budget, eval_every=eval_every, eval_size=args.eval_size, seed=args.seed,
                           root=args.root)
    baseline = runs[0]
    sizes = "-".join(str(size) for size in [784, *args.hidden, 10])
    print(f"{args.dataset}: {sizes} MLP, SGD lr {args.lr} momentum {args.momentum}, batch {args.batch_size}; "
          f"steps until the accuracy on {baseline.eval_samples} "
          f"training images (checked every {eval_every} steps) reaches {args.target:g}, at most {budget}:\n")
    print(speed.speed_table(runs, baseline=baseline.activation, markdown=args.markdown))
    print()
    for run in runs[1:]:
        ratio, relation = speed.step_ratio(run, baseline)
        words = {"=": f"{ratio:.1f}x", ">": f"more than {ratio:.1f}x", "<": f"at most {ratio:.1f}x",
                 "?": "an unknown multiple of"}[relation]
        print(f"{run.activation} needs {words} the steps of {baseline.activation}")
    if {"relu", "tanh"} <= {run.activation for run in runs}:
        ratio, relation = speed.step_ratio(next(r for r in runs if r.activation == "tanh"),
                                           next(r for r in runs if r.activation == "relu"))
        here = f"{ratio:.1f}x" if relation == "=" else f"{relation} {ratio:.1f}x"
        print(f"Krizhevsky et al. (2012) report that ReLU reached 25% training error on CIFAR-10 about 6x "
              f"faster than tanh (a 4-layer CNN); here, tanh/relu steps on {args.dataset} with this MLP: {here}")
    path = args.out_dir / "speed.png"
    speed.plot_speed(runs, path)
    print(f"\nwrote the accuracy curves to {path}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0
