"""`tinygrad_act.utils.data`, where PyTorch scripts look for DataLoader and TensorDataset."""

from . import data

__all__ = ["data"]
