"""optim: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) and learning-rate schedulers, as torch.optim;
`by_name` makes one from the name a command line or a config file gives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
}


def by_name(name: str, params: Iterable, lr: float, **options: Any) -> Optimizer:
    """The optimizer called `name` (sgd, adam, adamw, rmsprop, adagrad; any case) over `params`;
    the error lists the valid names."""
    try:
        optimizer_class = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}") from None
    return optimizer_class(params, lr=lr, **options)


__all__ = ["OPTIMIZERS", "SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "by_name", "lr_scheduler"]
