"""`tinygrad-act dying-relu`: train ReLU nets under conditions that kill units, and the fixes; with
`--born-dead`, the probability that a narrow deep ReLU net is constant at initialisation.

    tinygrad-act dying-relu                     # dead fraction per layer per epoch, 10 variants
    tinygrad-act dying-relu --born-dead         # widths 2..5, depths 1..30, 1-D and 2-D inputs
"""

from __future__ import annotations

import argparse
import time

from ..experiments import born_dead, dying_relu
from ._common import add_experiment_arguments

QUICK_EPOCHS = 3
QUICK_NETS = 200
BORN_DEAD_DEPTHS = (1, 2, 3, 5, 10, 15, 20, 25, 30)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dying-relu", help="dead ReLU units: what kills them, what fixes them (--born-dead: at init)",
        description="Train an MLP on MNIST under conditions that kill ReLU units (a too-large learning rate, "
                    "negative bias init) and with the fixes, tracking each layer's dead fraction per epoch. "
                    "--born-dead instead estimates by simulation the probability that a narrow deep ReLU "
                    "net is constant at initialisation (Lu et al. 2019).",
    )
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 128, 128], help="hidden sizes (128 128 128)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--optimizer", default="adam", help="adam (default), sgd, ...")
    parser.add_argument("--large-lr", type=float, default=dying_relu.LARGE_LR, help="the too-large learning rate")
    parser.add_argument("--small-lr", type=float, default=dying_relu.SMALL_LR, help="the normal learning rate")
    parser.add_argument("--negative-bias", type=float, default=dying_relu.NEGATIVE_BIAS)
    parser.add_argument("--positive-bias", type=float, default=dying_relu.POSITIVE_BIAS)
    parser.add_argument("--probe-size", type=int, default=1000, help="training images the dead fraction is measured on")
    parser.add_argument("--born-dead", action="store_true",
                        help="simulate random narrow deep ReLU nets instead of training (no data needed)")
    parser.add_argument("--widths", type=int, nargs="+", default=[2, 3, 4, 5], help="--born-dead widths")
    parser.add_argument("--max-depth", type=int, default=30, help="--born-dead: depths 1..N")
    parser.add_argument("--input-dims", type=int, nargs="+", default=[1, 2], help="--born-dead input dimensions")
    parser.add_argument("--nets", type=int, default=2000, help="--born-dead: random nets per width")
    parser.add_argument("--quick", action="store_true",
                        help=f"the built-in MNIST subset, {QUICK_EPOCHS} epochs; --born-dead: {QUICK_NETS} nets")
    add_experiment_arguments(parser, "dying-relu")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    if args.born_dead:
        _run_born_dead(args)
    else:
        _run_training(args)
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


def _run_training(args: argparse.Namespace) -> None:
    epochs = min(args.epochs, QUICK_EPOCHS) if args.quick else args.epochs
    variants = dying_relu.default_variants(args.large_lr, args.small_lr, args.negative_bias, args.positive_bias)
    runs = dying_relu.run_dying_relu(variants, dataset=args.dataset, quick=args.quick, hidden=args.hidden,
                                     epochs=epochs, batch_size=args.batch_size, optimizer=args.optimizer,
                                     probe_size=args.probe_size, seed=args.seed, root=args.root)
    sizes = "-".join(str(size) for size in [784, *args.hidden, 10])
    print(f"{args.dataset}: {sizes} MLP, {epochs} epochs of {args.optimizer} (batch {args.batch_size}); dead = "
          f"f'(x) = 0 on all of {args.probe_size} training images, after the last epoch:\n")
    print(dying_relu.dying_table(runs, markdown=args.markdown))
    print("\nmean dead fraction at init, then after each epoch:")
    for run in runs:
        print(f"  {run.variant.name}: " + " ".join(f"{value:.2f}" for value in run.mean_dead_history()))
    path = args.out_dir / "dead_units.png"
    dying_relu.plot_dying(runs, path)
    print(f"\nwrote the dead fraction per epoch to {path}")


def _run_born_dead(args: argparse.Namespace) -> None:
    nets = min(args.nets, QUICK_NETS) if args.quick else args.nets
    estimates = []
    for input_dim in args.input_dims:
        estimates += born_dead.simulate_born_dead(args.widths, args.max_depth, input_dim, nets, seed=args.seed)
    depths = [depth for depth in BORN_DEAD_DEPTHS if depth <= args.max_depth]
    print(f"P(a ReLU net is constant on [-sqrt(3), sqrt(3)]^d at init), {nets} random nets per width "
          f"(W, b ~ N(0, 2/fan_in)), with 95% Wilson intervals:\n")
    print(born_dead.born_dead_table(estimates, depths, markdown=args.markdown))
    if 1 in args.input_dims:
        exact = ", ".join(f"width {width}: {born_dead.exact_depth_one(width):.4f}" for width in args.widths)
        print(f"\nexact at depth 1 with 1-D input: {exact}")
    path = args.out_dir / "born_dead.png"
    born_dead.plot_born_dead(estimates, path)
    print(f"\nwrote P(born dead) against depth to {path}")
