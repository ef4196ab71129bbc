"""Data: TensorDataset and DataLoader for mini-batches, and datasets (xor, MNIST, Fashion-MNIST)."""

from . import datasets
from .download import ChecksumError, DownloadError
from .idx import IdxFormatError
from .loader import DataLoader, TensorDataset
from .sources import DatasetNotFoundError, data_folder

__all__ = [
    "ChecksumError", "DataLoader", "DatasetNotFoundError", "DownloadError", "IdxFormatError",
    "TensorDataset", "data_folder", "datasets",
]
