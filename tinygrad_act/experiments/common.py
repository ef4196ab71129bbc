"""Pieces the experiments share: optimizers by name and the BLAS thread limit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from threadpoolctl import threadpool_limits

from .. import optim

OPTIMIZERS = {
    "sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
    "adagrad": optim.Adagrad,
}


def make_optimizer(name: str, parameters: Iterable, lr: float, **options: Any) -> optim.Optimizer:
    """The optimizer called `name` (sgd, adam, adamw, rmsprop, adagrad); the error lists valid names."""
    try:
        optimizer_class = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}") from None
    return optimizer_class(parameters, lr=lr, **options)


@contextlib.contextmanager
def blas_threads(threads: int | None) -> Iterator[None]:
    """Limit numpy's BLAS to `threads` threads inside the block (None: leave it alone).

    The matrices here gain little from a second thread, a BLAS thread waiting for a busy core makes
    them many times slower, and a float32 matmul split between threads rounds differently, so the
    same seed gives the same numbers only at the same thread count. The CLI uses one by default.
    """
    if threads is None:
        yield
        return
    with threadpool_limits(limits=threads, user_api="blas"):
        yield

