"""Pieces the experiments share: seeded models, their names and data loaders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import DataLoader, TensorDataset
from ..nn import MLP
from ..rng import manual_seed


def seeded_mlp(seed: int, sizes: Sequence[int], activation: str, **options: Any) -> MLP:
    """nn.MLP(sizes, activation, **options) drawn right after manual_seed(seed), so that the runs an
    experiment compares start from the same random draws."""
    manual_seed(seed)
    return MLP(list(sizes), activation=activation, **options)


def mlp_name(sizes: Sequence[int]) -> str:
    """How captions and titles name an MLP: "784-256-256-10 MLP"."""
    return "-".join(str(size) for size in sizes) + " MLP"


def batches(data: tuple[np.ndarray, np.ndarray], batch_size: int = 1000, seed: int | None = None) -> DataLoader:
    """A DataLoader of (inputs, labels): reshuffled every epoch from `seed` (for training), or in
    order when `seed` is None (for evaluation, where the batch size only bounds memory)."""
    return DataLoader(TensorDataset(*data), batch_size=batch_size, shuffle=seed is not None, seed=seed)
