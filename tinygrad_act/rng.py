"""The library's random number generator: `manual_seed(n)` makes every random call reproducible."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator behind rand, randn, nn.init, Dropout and shuffling DataLoaders."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator() -> np.random.Generator:
    """The current generator (replaced by each `manual_seed`)."""
    return _generator
