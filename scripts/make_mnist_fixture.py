"""Write tinygrad_act/data/fixtures/mnist_subset.npz: a small stratified part of MNIST for fast runs.

Takes the first 100 images of each digit from the training set and the first 50 of each from the
test set (kept in their original order), as uint8 pixels (N, 784) and uint8 labels, compressed.
Run: python scripts/make_mnist_fixture.py [--root FOLDER] (FOLDER/mnist holds the four MNIST files;
default: the data folder, $TINYGRAD_ACT_DATA or ~/.cache/tinygrad_act). MNIST is by Yann LeCun,
Corinna Cortes and Christopher J. C. Burges, licensed CC BY-SA 3.0.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tinygrad_act.data.datasets import MNIST, MNIST_SUBSET_PATH

PER_CLASS = {"train": 100, "test": 50}


def first_per_class(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices (ascending) of the first `per_class` samples of each label value."""
    chosen = [np.flatnonzero(labels == label)[:per_class] for label in np.unique(labels)]
    return np.sort(np.concatenate(chosen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="data folder whose mnist/ subfolder holds the files")
    parser.add_argument("--output", type=Path, default=MNIST_SUBSET_PATH, help="the .npz to write")
    args = parser.parse_args()
    arrays = {}
    for split, per_class in PER_CLASS.items():
        images, labels = MNIST.load(train=split == "train", root=args.root, download=False)
        indices = first_per_class(labels, per_class)
        arrays[f"{split}_images"] = images[indices].reshape(len(indices), -1)
        arrays[f"{split}_labels"] = labels[indices]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **arrays)
    sizes = ", ".join(f"{name} {array.shape}" for name, array in arrays.items())
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes): {sizes}")


if __name__ == "__main__":
    main()
