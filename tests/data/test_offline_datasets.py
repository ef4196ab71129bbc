"""The offline datasets: digits (scikit-learn's 8x8 images) and MNIST-1D (generated locally), in
mnist()'s conventions, made without the network, and as hard as the MNIST-1D paper says."""

import random
import socket
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("mnist1d")

import tinygrad_act as ta  # noqa: E402
import tinygrad_act.functional as F  # noqa: E402
from tinygrad_act import Tensor, nn, optim  # noqa: E402
from tinygrad_act.data import (  # noqa: E402
    DataLoader,
    TensorDataset,
    datasets,
    offline,  # noqa: E402
)
from tinygrad_act.experiments.protocol import DataSettings  # noqa: E402


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the offline datasets must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(("name", "sizes", "features"), [("digits", (1437, 360), 64), ("mnist1d", (4000, 1000), 40)])
def test_each_dataset_follows_mnists_conventions(name, sizes, features):
    for train, size in zip((True, False), sizes):
        x, y = datasets.load(name, train=train)
        assert x.dtype == np.float32 and x.shape == (size, features)
        assert y.dtype == np.int64 and y.shape == (size,) and set(np.unique(y)) == set(range(10))


def test_digits_are_scaled_to_the_unit_interval():
    x, _ = datasets.digits()
    assert x.min() == 0.0 and x.max() == 1.0


def test_mnist1d_is_generated_without_the_network_and_leaves_the_global_generators_alone(no_network):
    offline._mnist1d_arrays.cache_clear()
    np.random.seed(123)
    random.seed(123)
    expected_numpy, expected_python = np.random.rand(), random.random()
    np.random.seed(123)
    random.seed(123)
    x, _ = datasets.mnist1d(train=True)
    assert (np.random.rand(), random.random()) == (expected_numpy, expected_python)
    assert abs(float(x.mean())) < 0.05 and 0.9 < float(x.std()) < 1.1  # standardised, as the recipe makes it


def test_digits_are_read_without_the_network(no_network):
    assert datasets.digits(train=False)[0].shape == (360, 64)


def test_each_experiment_accepts_the_offline_datasets_as_dataset():
    for name in ("digits", "mnist1d"):
        assert DataSettings(dataset=name).dataset == name


def test_a_returned_array_can_be_changed_without_changing_the_next_call():
    x, _ = datasets.mnist1d(train=False)
    x[...] = 0
    assert datasets.mnist1d(train=False)[0].any()


def test_a_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'tinygrad-act\[datasets\]'"):
        datasets.digits()


def mnist1d_test_accuracy(hidden, epochs, seed=0):
    """Test accuracy of MLP([40, *hidden, 10]) trained on MNIST-1D with Adam (lr 1e-2, batch 100)."""
    (train_x, train_y), (test_x, test_y) = datasets.mnist1d(train=True), datasets.mnist1d(train=False)
    ta.manual_seed(seed)
    model = nn.MLP([40, *hidden, 10], activation="relu")
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        for x, y in DataLoader(TensorDataset(train_x, train_y), batch_size=100, shuffle=True, seed=seed):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
    with ta.no_grad():
        return float((model(Tensor(test_x)).data.argmax(1) == test_y).mean())


def test_mnist1d_is_as_hard_as_published_logistic_regression_32_and_an_mlp_68_percent():
    # Greydanus 2020, table 1: logistic regression 32%, MLP 68% (two hidden layers of 100, 6,000
    # Adam steps of batch 100, i.e. 150 epochs). One run of the MLP lands anywhere in about 0.65-0.69
    # (the rounding of the products alone moves it), so the claim is checked on the mean of three seeds.
    assert abs(mnist1d_test_accuracy([], epochs=30) - 0.32) < 0.05
    mlp = np.mean([mnist1d_test_accuracy([100, 100], epochs=150, seed=seed) for seed in range(3)])
    assert abs(mlp - 0.68) < 0.03


@pytest.mark.parametrize(("name", "train_size", "test_size"), [("mnist", 1000, 500), ("digits", 1000, 360),
                                                              ("mnist1d", 1000, 500)])
def test_train_and_test_subsets_are_small_and_need_no_network(no_network, name, train_size, test_size):
    (train_x, train_y), (test_x, test_y) = datasets.train_and_test(name, subset=True)
    assert len(train_x) == len(train_y) == train_size and len(test_x) == len(test_y) == test_size
    if name == "mnist":  # the subset shipped with the package: balanced, 100 and 50 images of each digit
        assert np.bincount(train_y).tolist() == [100] * 10 and np.bincount(test_y).tolist() == [50] * 10
        assert train_x.shape[1:] == (784,) and train_x.dtype == np.float32
    else:  # the first images of each split, copied
        (full_train_x, _), (full_test_x, _) = datasets.train_and_test(name)
        np.testing.assert_array_equal(train_x, full_train_x[:train_size])
        np.testing.assert_array_equal(test_x, full_test_x[:test_size])
        assert train_x.base is None and test_x.base is None
