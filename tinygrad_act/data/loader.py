"""TensorDataset and DataLoader: cut a dataset into (optionally shuffled) mini-batches of Tensors."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..rng import generator
from ..tensor import Tensor


class TensorDataset:
    """Samples made of rows of several arrays (or Tensors) of the same length, as in PyTorch.

    `dataset[i]` is a tuple holding row i of each; `dataset.tensors` holds the whole Tensors.
    Float data is converted once, here, to the default dtype (float32); integer labels keep theirs.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array or Tensor")
        self.tensors = tuple(Tensor(tensor.data if isinstance(tensor, Tensor) else tensor) for tensor in tensors)
        lengths = [len(tensor.data) if tensor.ndim else None for tensor in self.tensors]
        if None in lengths or len(set(lengths)) != 1:
            shapes = ", ".join(str(tensor.shape) for tensor in self.tensors)
            raise ValueError(
                f"TensorDataset: every array needs the same size in its first dimension, got shapes {shapes}"
            )

    def __len__(self) -> int:
        return len(self.tensors[0].data)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor(tensor.data[index]) for tensor in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{tensor.shape} {tensor.dtype}" for tensor in self.tensors)
        return f"TensorDataset({shapes})"


class DataLoader:
    """Iterate over `dataset` in batches: each batch is a tuple of Tensors, one per field of a sample.

    `dataset` is a TensorDataset (batches are cut from its arrays in one indexing step) or any
    object with `len()` and `dataset[i]` returning a tuple of arrays, Tensors or numbers (stacked
    sample by sample). `len(loader)` is the number of batches: the last one is smaller unless
    `drop_last=True` drops it. With `shuffle=True` each epoch (each `iter`) visits every sample
    once in a new random order, drawn from the loader's own generator: seeded with `seed`, or,
    when `seed` is None, from the library's generator, so `ta.manual_seed(n)` before making the
    loader reproduces the whole sequence of epochs.

    `num_workers` and `pin_memory` are accepted for PyTorch's sake: batches are always made in the
    main process (cutting them from arrays in memory takes microseconds, so worker processes would
    only add the cost of copying them back), hence only `num_workers=0`; `pin_memory` changes
    nothing on the CPU.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        *,
        num_workers: int = 0,
        pin_memory: bool = False,
    ) -> None:
        if isinstance(num_workers, bool) or num_workers != 0:
            raise ValueError(
                f"DataLoader: num_workers={num_workers!r} is not supported: this loader makes every batch in "
                "the main process; pass num_workers=0 (or leave it out)"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.num_workers, self.pin_memory = 0, bool(pin_memory)
        self.generator: np.random.Generator | None = None
        if shuffle:
            self.generator = np.random.default_rng(seed if seed is not None else generator().integers(2**63))

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.dataset) // self.batch_size
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        size = len(self.dataset)
        order = self.generator.permutation(size) if self.generator is not None else np.arange(size)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start : start + self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                yield tuple(Tensor(tensor.data[indices]) for tensor in self.dataset.tensors)
            else:
                yield _collate([self.dataset[int(index)] for index in indices])

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last})"
        )


def _collate(samples: list[Any]) -> tuple[Tensor, ...]:
    """Stack a list of samples (tuples of fields) into one Tensor per field."""
    rows = [sample if isinstance(sample, (tuple, list)) else (sample,) for sample in samples]
    fields = zip(*rows)
    return tuple(
        Tensor(np.stack([value.data if isinstance(value, Tensor) else np.asarray(value) for value in field]))
        for field in fields
    )
