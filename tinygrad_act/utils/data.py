"""The data loading names at PyTorch's path (`torch.utils.data`): the same objects as `tinygrad_act.data`."""

from __future__ import annotations

from typing import Any

from ..data import DataLoader, TensorDataset


class Dataset:
    """Base of a user's own dataset, as torch.utils.data.Dataset: define `__len__` and
    `__getitem__` (returning a tuple of arrays, Tensors or numbers) and give it to a DataLoader."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


__all__ = ["DataLoader", "Dataset", "TensorDataset"]
