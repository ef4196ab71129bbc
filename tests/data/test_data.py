"""TensorDataset, DataLoader and the xor dataset."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor
from tinygrad_act.data import DataLoader, TensorDataset, datasets


def ten_samples() -> TensorDataset:
    features = np.arange(20, dtype=np.float64).reshape(10, 2)
    labels = np.arange(10, dtype=np.int64)
    return TensorDataset(features, labels)


def labels_of_epoch(loader: DataLoader) -> np.ndarray:
    return np.concatenate([labels.numpy() for _, labels in loader])


class PairsDataset:
    """A dataset that is not a TensorDataset: samples are built one by one by __getitem__."""

    def __len__(self) -> int:
        return 5

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        return np.full(3, index, dtype=np.float64), index


# ---------------------------------------------------------------- TensorDataset


def test_tensor_dataset_len_is_the_number_of_rows():
    assert len(ten_samples()) == 10


def test_tensor_dataset_item_is_a_tuple_of_rows():
    features, label = ten_samples()[3]
    assert isinstance(features, Tensor) and isinstance(label, Tensor)
    np.testing.assert_array_equal(features.numpy(), [6.0, 7.0])
    assert label.item() == 3


def test_tensor_dataset_converts_float_data_to_float32_and_keeps_int64_labels():
    features, labels = ten_samples().tensors
    assert features.dtype == np.float32
    assert labels.dtype == np.int64


def test_tensor_dataset_accepts_tensors_and_detaches_them():
    weights = Tensor(np.ones((4, 2)), requires_grad=True)
    dataset = TensorDataset(weights, np.zeros(4))
    assert dataset.tensors[0].requires_grad is False
    np.testing.assert_array_equal(dataset[0][0].numpy(), [1.0, 1.0])


def test_tensor_dataset_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match=r"same size in its first dimension, got shapes \(3, 2\), \(4,\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))


def test_tensor_dataset_needs_at_least_one_array():
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()


# ---------------------------------------------------------------- DataLoader: batching


def test_loader_batches_have_batch_size_rows_and_a_smaller_last_batch():
    loader = DataLoader(ten_samples(), batch_size=4)
    assert [features.shape for features, _ in loader] == [(4, 2), (4, 2), (2, 2)]
    assert [labels.shape for _, labels in loader] == [(4,), (4,), (2,)]


def test_loader_len_counts_the_partial_last_batch():
    assert len(DataLoader(ten_samples(), batch_size=4)) == 3


def test_loader_drop_last_drops_the_partial_batch():
    loader = DataLoader(ten_samples(), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [labels.numpy().tolist() for _, labels in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_loader_yields_float32_features_and_int64_labels():
    features, labels = next(iter(DataLoader(ten_samples(), batch_size=4)))
    assert isinstance(features, Tensor) and features.dtype == np.float32
    assert isinstance(labels, Tensor) and labels.dtype == np.int64
    assert features.requires_grad is False


def test_loader_without_shuffle_keeps_the_dataset_order():
    features, labels = next(iter(DataLoader(ten_samples(), batch_size=3)))
    np.testing.assert_array_equal(features.numpy(), [[0, 1], [2, 3], [4, 5]])
    np.testing.assert_array_equal(labels.numpy(), [0, 1, 2])


def test_loader_batch_is_a_copy_that_leaves_the_dataset_unchanged():
    dataset = ten_samples()
    features, _ = next(iter(DataLoader(dataset, batch_size=2)))
    features.data[:] = -1.0
    np.testing.assert_array_equal(dataset[0][0].numpy(), [0.0, 1.0])


def test_loader_cuts_tensor_dataset_batches_without_indexing_sample_by_sample(monkeypatch):
    def per_sample_access(self, index):
        raise AssertionError("the TensorDataset fast path must not index samples one by one")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample_access)
    assert [labels.shape for _, labels in DataLoader(ten_samples(), batch_size=4, shuffle=True, seed=0)] == [
        (4,), (4,), (2,)
    ]


def test_loader_stacks_samples_of_any_dataset_into_tensors():
    features, labels = next(iter(DataLoader(PairsDataset(), batch_size=2)))
    np.testing.assert_array_equal(features.numpy(), [[0, 0, 0], [1, 1, 1]])
    assert features.dtype == np.float32
    np.testing.assert_array_equal(labels.numpy(), [0, 1])
    assert labels.dtype == np.int64


@pytest.mark.parametrize("batch_size", [0, -2, 2.5, True])
def test_loader_rejects_a_batch_size_that_is_not_a_positive_integer(batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer, got {batch_size!r}"):
        DataLoader(ten_samples(), batch_size=batch_size)


@pytest.mark.parametrize("pin_memory", [False, True])
def test_loader_accepts_pytorchs_num_workers_0_and_pin_memory(pin_memory):
    loader = DataLoader(ten_samples(), batch_size=4, num_workers=0, pin_memory=pin_memory)
    assert (loader.num_workers, loader.pin_memory) == (0, pin_memory)
    assert [labels.shape for _, labels in loader] == [(4,), (4,), (2,)]


@pytest.mark.parametrize("num_workers", [2, 1, -1, True])
def test_loader_refuses_worker_processes_saying_it_runs_in_the_main_process(num_workers):
    with pytest.raises(ValueError, match=f"DataLoader: num_workers={num_workers!r} is not supported: this loader "
                                         "makes every batch in the main process; pass num_workers=0"):
        DataLoader(ten_samples(), num_workers=num_workers)


# ---------------------------------------------------------------- DataLoader: shuffling


def test_shuffled_epoch_visits_every_sample_exactly_once():
    loader = DataLoader(ten_samples(), batch_size=3, shuffle=True, seed=1)
    labels = labels_of_epoch(loader)
    np.testing.assert_array_equal(np.sort(labels), np.arange(10))
    assert not np.array_equal(labels, np.arange(10))


def test_shuffled_batches_keep_features_and_labels_together():
    for features, labels in DataLoader(ten_samples(), batch_size=4, shuffle=True, seed=2):
        np.testing.assert_array_equal(features.numpy()[:, 0], 2 * labels.numpy())


def test_shuffle_draws_a_new_order_each_epoch():
    loader = DataLoader(ten_samples(), batch_size=10, shuffle=True, seed=3)
    assert not np.array_equal(labels_of_epoch(loader), labels_of_epoch(loader))


def test_shuffle_with_the_same_seed_repeats_the_same_epochs():
    first = DataLoader(ten_samples(), batch_size=4, shuffle=True, seed=4)
    second = DataLoader(ten_samples(), batch_size=4, shuffle=True, seed=4)
    for _ in range(3):
        np.testing.assert_array_equal(labels_of_epoch(first), labels_of_epoch(second))


def test_shuffle_without_seed_is_reproducible_through_manual_seed():
    ta.manual_seed(5)
    first = [labels_of_epoch(DataLoader(ten_samples(), batch_size=4, shuffle=True)) for _ in range(2)]
    ta.manual_seed(5)
    second = [labels_of_epoch(DataLoader(ten_samples(), batch_size=4, shuffle=True)) for _ in range(2)]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[0], first[1])


def test_shuffle_with_drop_last_yields_only_full_batches_of_distinct_samples():
    loader = DataLoader(ten_samples(), batch_size=4, shuffle=True, drop_last=True, seed=6)
    labels = labels_of_epoch(loader)
    assert labels.shape == (8,)
    assert len(set(labels.tolist())) == 8


# ---------------------------------------------------------------- xor


def test_xor_inputs_are_the_four_corners_as_float32():
    X, _ = datasets.xor()
    assert X.dtype == np.float32 and X.shape == (4, 2)
    assert sorted(map(tuple, X.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_xor_targets_are_float32_column_of_exclusive_or():
    X, y = datasets.xor()
    assert y.dtype == np.float32 and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
