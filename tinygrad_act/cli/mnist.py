"""`tinygrad-act mnist`: train an MLP on MNIST (or Fashion-MNIST) and report accuracy and wall time."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..experiments import mnist
from ..experiments.common import OPTIMIZERS
from ._common import add_activation_argument, add_data_arguments


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mnist", help="train an MLP on MNIST / Fashion-MNIST")
    add_activation_argument(parser, default="relu")
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="hidden sizes (256 256)")
    parser.add_argument("--optimizer", type=str.lower, choices=list(OPTIMIZERS), default="adam")
    parser.add_argument("--lr", type=float, default=2e-3, help="initial learning rate (default 2e-3)")
    parser.add_argument("--schedule", choices=mnist.SCHEDULES, default="cosine",
                        help="cosine: anneal the lr to 0 over the run (default); constant: keep it")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--init", default="auto", help="weight init (default: the one that suits the activation)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-download", action="store_true", help="fail instead of downloading missing files")
    parser.add_argument("--plot", type=Path, default=None, help="save the training curves (PNG or SVG)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--quick", action="store_true", help="the small built-in subset, 2 epochs (for tests)")
    add_data_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    epochs = 2 if args.quick else args.epochs
    result = mnist.train_mnist(
        dataset=args.dataset, activation=args.activation, hidden=args.hidden, optimizer=args.optimizer,
        lr=args.lr, epochs=epochs, batch_size=args.batch_size, seed=args.seed, quick=args.quick,
        progress=not args.no_progress, root=args.root, download=not args.no_download, init=args.init,
        schedule=args.schedule, threads=args.threads,
    )
    sizes = "-".join(str(size) for size in result.model.sizes)
    print(f"{args.dataset}: {sizes} MLP, {args.activation}, {args.optimizer} lr {args.lr} ({args.schedule}), "
          f"{epochs} epochs")
    for epoch, (loss, accuracy, val_accuracy, seconds) in enumerate(zip(
            result.history.loss, result.history.accuracy, result.history.val_accuracy, result.history.seconds), 1):
        print(f"  epoch {epoch}: train loss {loss:.4f}, train accuracy {accuracy:.4f}, "
              f"test accuracy {val_accuracy:.4f} ({seconds:.2f} s)")
    print(f"test accuracy {result.test_accuracy:.4f}")
    print(f"wall time: {result.load_seconds:.2f} s loading + {result.train_seconds:.2f} s training = "
          f"{result.load_seconds + result.train_seconds:.2f} s")
    if args.plot is not None:
        from ..viz import plot_history

        plot_history(result.history.as_dict(), path=args.plot)
        print(f"training curves written to {args.plot}")
    return 0
