"""MNIST (or Fashion-MNIST) with an MLP: the end-to-end check that the stack trains a real network.

The defaults (Adam at lr 2e-3 annealed to 0 along a cosine over 6 epochs, batch 128, one BLAS
thread) take a 784-256-256-10 ReLU network to about 98.4-98.5% test accuracy in about 6 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..nn import MLP
from ..nn.init import INITIALIZERS
from ..optim import OPTIMIZERS, by_name
from ..optim.lr_scheduler import CosineAnnealingLR
from ..train import History, fit
from ..viz.tables import Table
from .common import batches, mlp_name, seeded_mlp
from .protocol import About, DataSettings, activation_knob, knob

ABOUT = About("mnist", "MNIST: training an MLP end to end", "train an MLP on MNIST / Fashion-MNIST",
              out_dir=False, timed=False, report=({"progress": False, "plot": "mnist/history.png"},))


@dataclass(frozen=True)
class Settings(DataSettings):
    activation: str = activation_knob("relu")
    hidden: tuple[int, ...] = knob((256, 256), "hidden sizes", at_least=1)
    optimizer: str = knob("adam", "optimizer", choices=tuple(OPTIMIZERS))
    lr: float = knob(2e-3, "initial learning rate", above=0)
    schedule: str = knob("cosine", "cosine: anneal the lr to 0 over the run; constant: keep it",
                         choices=("cosine", "constant"))
    epochs: int = knob(6, "passes over the training set", quick=2, at_least=1)
    batch_size: int = knob(128, "images per step", at_least=1)
    init: str = knob("auto", "weight init (auto: the one that suits the activation)",
                     choices=("auto", *INITIALIZERS))
    download: bool = knob(True, "download missing files (--no-download: fail instead)")
    progress: bool = knob(True, "show a progress bar per epoch (--no-progress: hide it)")
    plot: str | None = knob(None, "save the training curves to FILE", suffixes=(".png", ".svg", ".pdf"),
                            metavar="FILE")


@dataclass
class Result:
    settings: Settings
    model: MLP
    history: History
    test_loss: float
    test_accuracy: float
    load_seconds: float
    train_seconds: float


def run(settings: Settings) -> Result:
    """Train MLP([784, *hidden, 10], activation) with cross-entropy and report test accuracy and times.

    The cosine schedule anneals the learning rate from `lr` to 0 along half a cosine, one scheduler
    step per batch (CosineAnnealingLR); "constant" keeps it at `lr`.
    """
    s = settings
    start = time.perf_counter()
    train, test = s.load_data(s.download)
    load_seconds = time.perf_counter() - start
    model = seeded_mlp(s.seed, [train[0].shape[1], *s.hidden, 10], s.activation, init=s.init)
    opt = by_name(s.optimizer, model.parameters(), lr=s.lr)
    train_loader = batches(train, s.batch_size, s.seed)
    scheduler = CosineAnnealingLR(opt, T_max=s.epochs * len(train_loader)) if s.schedule == "cosine" else None
    history = fit(model, train_loader, opt, epochs=s.epochs, val_data=batches(test), progress=s.progress,
                  description=f"{s.dataset} {s.activation}",
                  on_step=None if scheduler is None else lambda step: scheduler.step())
    return Result(s, model, history, history.val_loss[-1], history.val_accuracy[-1], load_seconds,
                  sum(history.seconds))


def tables(result: Result) -> list[Table]:
    s, history = result.settings, result.history
    rows = [[epoch, *values] for epoch, values in enumerate(zip(history.loss, history.accuracy,
                                                                 history.val_accuracy, history.seconds), 1)]
    return [Table(["epoch", "train loss", "train accuracy", "test accuracy", "seconds"], rows,
                  f"{s.dataset}: {mlp_name(result.model.sizes)}, {s.activation}, {s.optimizer} lr {s.lr} ({s.schedule}), {s.epochs} epochs",
                  units=["", "", "", "", "s"], formats={1: ".4f", 2: ".4f", 3: ".4f", 4: ".2f"},
                  line="  epoch {0}: train loss {1}, train accuracy {2}, test accuracy {3} ({4} s)")]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    if result.settings.plot is None:
        return {}
    from ..viz import plot_history

    s, history, path = result.settings, result.history, Path(folder) / result.settings.plot
    # The names the command prints: the validation data of fit is the test set.
    curves = {"train_loss": history.loss, "test_loss": history.val_loss, "train_accuracy": history.accuracy,
              "test_accuracy": history.val_accuracy, "seconds": history.seconds}
    plot_history({name: values for name, values in curves.items() if values}, path=path,
                 title=f"{s.dataset}: {mlp_name(result.model.sizes)}, {s.activation}, {s.optimizer} lr {s.lr:g} ({s.schedule}), "
                       f"batch {s.batch_size}")
    return {path: "training curves: loss, accuracy and seconds per epoch"}


def notes(result: Result) -> list[str]:
    total = result.load_seconds + result.train_seconds
    return [f"test accuracy {result.test_accuracy:.4f}",
            f"wall time: {result.load_seconds:.2f} s loading + {result.train_seconds:.2f} s training = {total:.2f} s"]
