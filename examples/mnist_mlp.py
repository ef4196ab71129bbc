"""Train a 784-256-256-10 MLP on MNIST (or Fashion-MNIST) with the public API, start to finish.

The whole recipe: arrays -> TensorDataset -> DataLoader (shuffled mini-batches) -> nn.MLP ->
optim.Adam with a cosine learning-rate schedule -> train.fit (a tqdm bar per epoch) -> evaluate.
On MNIST, six epochs with ReLU reach about 98% test accuracy.

    python examples/mnist_mlp.py                                 # MNIST, ReLU, 6 epochs
    python examples/mnist_mlp.py --dataset fashion-mnist --activation tanh
    python examples/mnist_mlp.py --quick --plot curves.png       # the 1,000-image subset, 2 epochs

The MNIST files are read from $TINYGRAD_ACT_DATA/mnist (downloaded there, or to
~/.cache/tinygrad_act, when missing); --quick uses the small subset shipped with the package.
On a busy machine, OPENBLAS_NUM_THREADS=1 can make it several times faster: matrices this size gain
little from a second BLAS thread, and lose much when it waits for a core.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import tinygrad_act as ta
from tinygrad_act import nn, optim
from tinygrad_act.activations import list_activations
from tinygrad_act.data import DataLoader, TensorDataset, datasets
from tinygrad_act.train import evaluate, fit


def load(dataset: str, quick: bool) -> tuple[TensorDataset, TensorDataset]:
    """The training and test sets: float32 images (N, 784) in [0, 1] and int64 labels (N,)."""
    if quick and dataset == "mnist":
        return TensorDataset(*datasets.mnist_subset(train=True)), TensorDataset(*datasets.mnist_subset(train=False))
    train_images, train_labels = datasets.load(dataset, train=True)
    test_images, test_labels = datasets.load(dataset, train=False)
    if quick:  # the first 1,000 training and 500 test images
        return (TensorDataset(train_images[:1000], train_labels[:1000]),
                TensorDataset(test_images[:500], test_labels[:500]))
    return TensorDataset(train_images, train_labels), TensorDataset(test_images, test_labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=datasets.DATASETS, default="mnist")
    parser.add_argument("--activation", default="relu", choices=list_activations(), metavar="NAME",
                        help="the hidden layers' activation (default relu)")
    parser.add_argument("--epochs", type=int, default=None, help="passes over the training set (default 6)")
    parser.add_argument("--quick", action="store_true", help="a small subset and 2 epochs (for the test suite)")
    parser.add_argument("--plot", type=Path, default=None, help="save the training curves to this PNG or SVG")
    args = parser.parse_args()
    epochs = args.epochs if args.epochs is not None else (2 if args.quick else 6)

    start = time.perf_counter()
    ta.manual_seed(0)  # the same initial weights and batch order in every run
    train_set, test_set = load(args.dataset, args.quick)
    # Each epoch visits the 60,000 training images once, in a new random order, 128 at a time;
    # the test set needs no shuffling and fits bigger batches, since no graph is kept for it.
    train_loader = DataLoader(train_set, batch_size=128, shuffle=True, seed=0)
    test_loader = DataLoader(test_set, batch_size=1000)

    # 784 pixels in, two hidden layers of 256 units, 10 logits out (one per class). init="auto"
    # picks the initialisation that suits the activation: Kaiming for ReLU, Xavier for tanh, ...
    model = nn.MLP([784, 256, 256, 10], activation=args.activation)
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    # The learning rate follows half a cosine from 2e-3 down to 0 over the run: big steps first,
    # then small ones that settle into a minimum instead of bouncing around it.
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))

    # fit runs the loop: zero_grad, forward, F.cross_entropy, backward, step for every batch, and
    # after each epoch evaluates on val_data. on_step advances the schedule after every step.
    history = fit(model, train_loader, optimizer, epochs=epochs, val_data=test_loader,
                  on_step=lambda step: schedule.step(), description=args.dataset)

    test_loss, test_accuracy = evaluate(model, test_loader)  # eval mode, no graph recorded
    print(f"{args.dataset}, {args.activation}, {epochs} epochs: test loss {test_loss:.4f}, "
          f"test accuracy {test_accuracy:.2%}")
    print(f"wall time {time.perf_counter() - start:.1f} s")

    if args.plot is not None:
        from tinygrad_act.viz import plot_history  # needs matplotlib (the [viz] extra)

        plot_history(history, path=args.plot)
        print(f"training curves saved to {args.plot}")


if __name__ == "__main__":
    main()
