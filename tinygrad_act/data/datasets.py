"""Ready-made datasets: xor, MNIST, Fashion-MNIST, and a small MNIST subset shipped for fast runs.

Each returns numpy arrays (features, labels); wrap them in a TensorDataset and a DataLoader to train.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .offline import digits, mnist1d
from .planar import circles, gaussian_xor, moons, spiral  # noqa: F401  (the 2-D datasets, re-exported here)
from .sources import IdxDataset, IdxFile

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
FASHION_MNIST_DEBIAN_FOLDER = Path("/usr/share/datasets/fashion-mnist")

_IDX_FILE_NAMES = (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
)


def _mnist_format(title: str, subfolder: str, md5s: tuple[tuple[str, str], ...], mirrors: tuple[str, ...],
                  system_folders: tuple[Path, ...] = ()) -> IdxDataset:
    """An IdxDataset with MNIST's four file names; `md5s` holds each file's (.gz md5, content md5) in
    the order train images, train labels, test images, test labels."""
    files = (IdxFile(name, *md5_pair) for name, md5_pair in zip(_IDX_FILE_NAMES, md5s, strict=True))
    return IdxDataset(title, subfolder, *files, mirrors=mirrors, system_folders=system_folders)


MNIST = _mnist_format("MNIST", "mnist", (
    ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
    ("d53e105ee54ea40749a09fcbcd1e9432", "a25bea736e30d166cdddb491f175f624"),
    ("9fb629c4189551a2d022fa330f9573f3", "2646ac647ad5339dbf082846283269ea"),
    ("ec29112dd5afa0611ce80d1b7f02629c", "27ae3e4e09519cfbb04c329615203637"),
), MNIST_MIRRORS)

# Debian's package `dataset-fashion-mnist` re-compresses the files: their .gz md5s differ from
# Zalando's, their content md5s are the same, so both are listed.
FASHION_MNIST = _mnist_format("Fashion-MNIST", "fashion-mnist", (
    ("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
    ("25c81989df183df01b3e8a0aad5dffbe", "9018921c3c673c538a1fc5bad174d6f9"),
    ("bef4ecab320f06d8554ea6380940ec79", "8181f5470baa50b63fa0f6fddb340f0a"),
    ("bb300cfdad3c16e7a12a480ee83cd310", "15d484375f8d13e6eb1aabb0c3f46965"),
), FASHION_MNIST_MIRRORS, system_folders=(FASHION_MNIST_DEBIAN_FOLDER,))

MNIST_SUBSET_PATH = Path(__file__).parent / "fixtures" / "mnist_subset.npz"


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four points of XOR: X float32 (4, 2) of 0/1 inputs, y float32 (4, 1) of 0/1 targets.

    y is float and 2-D so it can be used directly with a single sigmoid output and
    F.binary_cross_entropy (or a logit and F.binary_cross_entropy_with_logits).
    No straight line separates the classes, so a model needs a hidden layer and a nonlinearity.
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return X, y


def mnist(
    train: bool = True, root: str | os.PathLike | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST handwritten digits: images float32 (N, 784) in [0, 1] and labels int64 (N,) in 0..9.

    N is 60,000 for the training set and 10,000 for the test set. The files are looked for in the
    `mnist/` subfolder of the data folder (`root`, else $TINYGRAD_ACT_DATA, else
    ~/.cache/tinygrad_act), downloaded there when missing (unless `download=False`), and checked
    against their known md5s.
    """
    return _as_float_images(*MNIST.load(train, root, download))


def fashion_mnist(
    train: bool = True, root: str | os.PathLike | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Zalando's 10 classes of clothing), in MNIST's format and shapes.

    Looked for in the data folder's `fashion-mnist/` subfolder, then in /usr/share/datasets/fashion-mnist
    (Debian's package `dataset-fashion-mnist`), and downloaded from Zalando's mirror when missing.
    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
    8 Bag, 9 Ankle boot.
    """
    return _as_float_images(*FASHION_MNIST.load(train, root, download))


# The one list of dataset names, by how each is loaded.
_FROM_FILES = {"mnist": mnist, "fashion-mnist": fashion_mnist}  # read from files: root and download apply
_OFFLINE = {"digits": digits, "mnist1d": mnist1d}  # made here: no files, no root, no download
DATASETS = (*_FROM_FILES, *_OFFLINE)


def load(
    name: str, train: bool = True, root: str | os.PathLike | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The dataset called `name` (one of DATASETS), as mnist() returns it; digits and mnist1d are made
    offline, so `root` and `download` do not apply to them."""
    if name in _OFFLINE:
        return _OFFLINE[name](train=train)
    if name in _FROM_FILES:
        return _FROM_FILES[name](train=train, root=root, download=download)
    raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(DATASETS)}")


def train_and_test(name: str, root: str | os.PathLike | None = None, subset: bool = False, download: bool = True
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(train images, labels), (test images, labels) of the dataset `name`, as load() returns them;
    with `subset`, a small part for quick runs: the MNIST subset shipped with the package (no file
    needed), or the first 1,000 training and 500 test images of the other datasets."""
    if subset and name == "mnist":
        return mnist_subset(train=True), mnist_subset(train=False)
    train, test = (load(name, train=train, root=root, download=download) for train in (True, False))
    if subset:  # copies: views would keep the whole dataset in memory for 1,500 images
        return (train[0][:1000].copy(), train[1][:1000].copy()), (test[0][:500].copy(), test[1][:500].copy())
    return train, test


def mnist_subset(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A small stratified part of MNIST shipped with the package, as mnist() returns it.

    1,000 training images (the first 100 of each digit) or 500 test images (the first 50 of each),
    for fast tests and quick runs; made by scripts/make_mnist_fixture.py.
    """
    split = "train" if train else "test"
    with np.load(MNIST_SUBSET_PATH, allow_pickle=False) as subset:
        return _as_float_images(subset[f"{split}_images"], subset[f"{split}_labels"])


def _as_float_images(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, rows, cols) -> float32 (N, rows*cols) in [0, 1]; uint8 labels -> int64."""
    flat = images.reshape(len(images), -1)
    return np.divide(flat, np.float32(255), dtype=np.float32), labels.astype(np.int64)
