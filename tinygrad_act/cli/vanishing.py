"""`tinygrad-act vanishing`: per-layer gradient norms of a deep MLP at init for each activation, then
training; `--init-scale` and `--clip` show exploding gradients and clipping.

    tinygrad-act vanishing                                  # 10 hidden layers of 128, 7 activations
    tinygrad-act vanishing --init xavier_uniform            # one init for every activation
    tinygrad-act vanishing --activations relu --init-scale 2 --clip 1   # exploding, then clipped
"""

from __future__ import annotations

import argparse
import math
import time

from ..experiments import vanishing
from ..nn.init import INITIALIZERS
from ._common import activation_name, add_experiment_arguments

QUICK_STEPS = 150


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "vanishing", help="gradient norms per layer of a deep MLP, per activation (vanishing/exploding)",
        description="Per-layer weight-gradient norms of a deep MLP at initialisation for each activation "
                    "(one backward on a fixed batch), then a fixed training budget and the test accuracy.",
    )
    parser.add_argument("--activations", type=activation_name, nargs="+",
                        default=list(vanishing.COMPARED_ACTIVATIONS), help="activations to compare")
    parser.add_argument("--depth", type=int, default=10, help="hidden layers (default 10)")
    parser.add_argument("--width", type=int, default=128, help="units per hidden layer (default 128)")
    parser.add_argument("--init", choices=["auto", *INITIALIZERS], default="auto",
                        help="weight init for every activation (default auto: the one matching each)")
    parser.add_argument("--init-scale", type=float, default=1.0,
                        help="multiply the initial weights by S (S=2 with relu: exploding gradients)")
    parser.add_argument("--clip", type=float, default=None, metavar="C",
                        help="also train with the gradients' joint norm clipped to C (nn.utils.clip_grad_norm_)")
    parser.add_argument("--steps", type=int, default=500, help="training steps (default 500)")
    parser.add_argument("--optimizer", default="sgd", help="sgd (default: shows raw gradients), adam, ...")
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--probe-size", type=int, default=256, help="images in the fixed batch of the norms")
    parser.add_argument("--quick", action="store_true",
                        help=f"the small built-in MNIST subset and at most {QUICK_STEPS} steps (for tests)")
    add_experiment_arguments(parser, "vanishing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    steps = min(args.steps, QUICK_STEPS) if args.quick else args.steps
    result = vanishing.run_vanishing(
        args.activations, dataset=args.dataset, quick=args.quick, depth=args.depth, width=args.width,
        init=args.init, init_scale=args.init_scale, steps=steps, optimizer=args.optimizer, lr=args.lr,
        batch_size=args.batch_size, clip=args.clip, probe_size=args.probe_size, seed=args.seed, root=args.root,
    )
    settings = result.settings
    scale = "" if args.init_scale == 1.0 else f", initial weights x{args.init_scale:g}"
    print(f"{args.dataset}: MLP with {args.depth} hidden layers of {args.width}{scale}; gradient norms "
          f"||dL/dW|| after one backward of cross-entropy on {settings['probe_size']} training images:\n")
    print(vanishing.gradient_table(result, markdown=args.markdown))
    print(f"\ntraining: {steps} steps of {args.optimizer} (lr {args.lr}, batch {args.batch_size}) on "
          f"{settings['train_samples']} images; test accuracy on {settings['test_samples']} (chance: 0.1):\n")
    print(vanishing.training_table(result, markdown=args.markdown))
    print()
    for profile in result.profiles:
        print(_summary(profile, result.run(profile.activation)))
    paths = {"gradient_norms.png": "weight-gradient norms per layer",
             "backward_signal.png": "backward signal ||dL/dz|| per layer", "loss_curves.png": "loss per step"}
    vanishing.plot_gradient_norms(result, args.out_dir / "gradient_norms.png")
    vanishing.plot_gradient_norms(result, args.out_dir / "backward_signal.png", signal=True)
    vanishing.plot_loss_curves(result, args.out_dir / "loss_curves.png")
    print()
    for name, what in paths.items():
        print(f"wrote {what} to {args.out_dir / name}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


def _summary(profile: vanishing.GradientProfile, run: vanishing.TrainingRun) -> str:
    """One sentence per activation: how the first layer's gradient compares with the last's, and the outcome."""
    if not math.isfinite(profile.ratio) or profile.ratio == 0.0:
        size = "no gradient reaches the first layer"
    elif profile.ratio < 1.0:
        size = f"the first layer's gradient is {1.0 / profile.ratio:.3g}x smaller than the last's"
    else:
        size = f"the first layer's gradient is {profile.ratio:.3g}x the last's"
    outcome = (f"diverged (inf/NaN loss) at step {run.diverged_at}" if run.diverged_at is not None
               else f"test accuracy {run.test_accuracy:.3f}")
    return f"{profile.activation}: {size}; unclipped training: {outcome}"
