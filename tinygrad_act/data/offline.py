"""Real datasets that need no network: scikit-learn's 8x8 digits and MNIST-1D, generated locally
(extra `datasets`: pip install 'tinygrad-act[datasets]'). Both return what mnist() returns: float32
features (N, D) and int64 labels (N,) in 0..9."""

from __future__ import annotations

import functools
import random

import numpy as np

from ..extras import require

DIGITS_TRAIN_SIZE = 1437  # of 1,797: the first 80% train, the last 360 images test


def digits(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits bundled with scikit-learn (UCI's optdigits test set): 8x8 images as
    float32 (N, 64) in [0, 1] (the counts 0..16 divided by 16) and int64 labels.

    The first 1,437 images are the training set and the last 360 the test set: a fixed split, not
    shuffled, so every run sees the same. Read from scikit-learn's own files, never downloaded.
    """
    bunch = require("sklearn.datasets", "datasets", "the digits dataset").load_digits()
    images, labels = bunch.data, bunch.target
    part = slice(None, DIGITS_TRAIN_SIZE) if train else slice(DIGITS_TRAIN_SIZE, None)
    return np.divide(images[part], 16, dtype=np.float32), labels[part].astype(np.int64)


def mnist1d(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-1D (Greydanus 2020): 5,000 one-dimensional digit signals of 40 samples, as float32
    (N, 40) standardised features and int64 labels; 4,000 train, 1,000 test.

    Generated here by the `mnist1d` package's make_dataset with its default arguments (seed 42, the
    recipe of the published dataset), never downloaded; made once per process (about 2 s). The paper
    reports about 32% test accuracy for logistic regression and 68% for an MLP: a benchmark where
    architectures differ, unlike MNIST, where almost everything reaches 98%.
    """
    x_train, y_train, x_test, y_test = _mnist1d_arrays()
    return (x_train.copy(), y_train.copy()) if train else (x_test.copy(), y_test.copy())


@functools.lru_cache(maxsize=1)
def _mnist1d_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    data = require("mnist1d.data", "datasets", "the MNIST-1D dataset")
    # make_dataset reseeds the global numpy and random generators: restore the caller's afterwards.
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        dataset = data.make_dataset(data.get_dataset_args())
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    return (dataset["x"].astype(np.float32), dataset["y"].astype(np.int64),
            dataset["x_test"].astype(np.float32), dataset["y_test"].astype(np.int64))
