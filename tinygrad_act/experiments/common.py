"""Pieces the experiments share: seeded models, per-layer activations, data loaders, optimizers by name and
the BLAS thread limit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .. import optim
from ..autograd import no_grad
from ..data import DataLoader, TensorDataset
from ..nn import MLP, Activation, Module
from ..rng import manual_seed
from ..tensor import Tensor

OPTIMIZERS = {
    "sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
    "adagrad": optim.Adagrad,
}


def seeded_mlp(seed: int, sizes: Sequence[int], activation: str, **options: Any) -> MLP:
    """nn.MLP(sizes, activation, **options) drawn right after manual_seed(seed), so that the runs an
    experiment compares start from the same random draws."""
    manual_seed(seed)
    return MLP(list(sizes), activation=activation, **options)


def mlp_name(sizes: Sequence[int]) -> str:
    """How captions and titles name an MLP: "784-256-256-10 MLP"."""
    return "-".join(str(size) for size in sizes) + " MLP"


def layer_inputs_outputs(model: Module, inputs: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(pre-activation, activation) of every activation layer on `inputs` (one forward, no graph)."""
    records: list[tuple[np.ndarray, np.ndarray]] = []

    def record(layer: Module, layer_inputs: tuple, output: Tensor) -> None:
        records.append((layer_inputs[0].data, output.data))

    handles = [module.register_forward_hook(record) for module in model.modules() if isinstance(module, Activation)]
    with no_grad():
        model(Tensor(inputs))
    for handle in handles:
        handle.remove()
    return records


def batches(data: tuple[np.ndarray, np.ndarray], batch_size: int = 1000, seed: int | None = None) -> DataLoader:
    """A DataLoader of (inputs, labels): reshuffled every epoch from `seed` (for training), or in
    order when `seed` is None (for evaluation, where the batch size only bounds memory)."""
    return DataLoader(TensorDataset(*data), batch_size=batch_size, shuffle=seed is not None, seed=seed)


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

