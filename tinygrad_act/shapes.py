"""Dimension arguments checked as PyTorch checks them, so every op that takes a `dim` raises the
same IndexError for one that is out of range, instead of a wrong shape or numpy's bare message."""

from __future__ import annotations

from typing import Any

import numpy as np


def normalize_dim(dim: Any, ndim: int, extra: int = 0) -> int:
    """`dim` as an index in [0, ndim + extra) (extra = 1 for ops that add a dim: unsqueeze, stack).

    A 0-d tensor accepts 0 and -1, as in PyTorch.
    """
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__} {dim!r}")
    rank = max(ndim + extra, 1)
    if not -rank <= dim < rank:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})"
        )
    return int(dim) % rank


def normalize_dims(dim: Any, ndim: int) -> int | tuple[int, ...] | None:
    """A reduction's `dim` (None, an int, or a sequence of ints) as numpy's `axis`, checked.

    None and an empty sequence mean every dim (PyTorch's rule); on a 0-d tensor any valid dim
    reduces the single element, which numpy spells as None.
    """
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        axis = normalize_dim(dim, ndim)
        return None if ndim == 0 else axis
    axes = tuple(normalize_dim(d, ndim) for d in dim)
    if len(set(axes)) != len(axes):
        repeated = next(d for d in axes if axes.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return None if ndim == 0 or not axes else axes
