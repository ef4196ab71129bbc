"""The training loop: fit a model with a progress bar, evaluate it, and keep a per-epoch history."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from .autograd import no_grad
from .tensor import Tensor


@dataclass
class History:
    """Per-epoch metrics of a training run (what viz.plot_history draws)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[float]]:
        return {key: value for key, value in asdict(self).items() if value}


def correct_predictions(output: np.ndarray, target: np.ndarray) -> int:
    """How many predictions are right: argmax over classes for integer targets, otherwise the
    output thresholded at 0.5 (probabilities, e.g. after a sigmoid) against 0/1 targets."""
    if target.dtype.kind in "iu" and output.ndim == target.ndim + 1:
        return int((output.argmax(axis=-1) == target).sum())
    return int(((output > 0.5) == (target > 0.5)).sum())


def _split_batch(batch: Any) -> tuple[Tensor, Any, np.ndarray]:
    inputs, target = batch
    inputs = inputs if isinstance(inputs, Tensor) else Tensor(inputs)
    target_array = target.data if isinstance(target, Tensor) else np.asarray(target)
    return inputs, target, target_array


class _Tally:
    """Running mean loss (per sample) and accuracy (per prediction) over batches."""

    def __init__(self) -> None:
        self.loss_sum, self.samples, self.correct, self.predictions = 0.0, 0, 0, 0

    def add(self, loss: float, output: np.ndarray, target: np.ndarray) -> None:
        self.loss_sum += loss * len(target)
        self.samples += len(target)
        self.correct += correct_predictions(output, target)
        self.predictions += target.size

    @property
    def loss(self) -> float:
        return self.loss_sum / max(1, self.samples)

    @property
    def accuracy(self) -> float:
        return self.correct / max(1, self.predictions)


def evaluate(
    model: Callable[[Tensor], Tensor],
    data: Iterable,
    loss_fn: Callable[[Tensor, Any], Tensor] = F.cross_entropy,
) -> tuple[float, float]:
    """Mean loss and accuracy of `model` over `data` (an iterable of (inputs, target) batches),
    in eval mode and without recording the graph."""
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    tally = _Tally()
    with no_grad():
        for batch in data:
            inputs, target, target_array = _split_batch(batch)
            output = model(inputs)
            tally.add(loss_fn(output, target).item(), output.data, target_array)
    if was_training:
        model.train()
    return tally.loss, tally.accuracy


def fit(
    model: Any,
    train_data: Iterable,
    optimizer: Any,
    loss_fn: Callable[[Tensor, Any], Tensor] = F.cross_entropy,
    epochs: int = 1,
    val_data: Iterable | None = None,
    progress: bool = True,
    description: str = "train",
    on_step: Callable[[int], None] | None = None,
) -> History:
    """Train `model` for `epochs` passes over `train_data` (an iterable of (inputs, target)
    batches, such as a DataLoader), with `optimizer` (zero_grad / step), and return its History.

    A tqdm bar shows epoch, loss and accuracy (`progress=False` hides it); `val_data`, when given,
    is evaluated after each epoch; `on_step(step)` is called after every optimizer step.
    """
    from tqdm import tqdm  # the text bar: tqdm.auto wants ipywidgets in Jupyter and warns without them

    history = History()
    step = 0
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        tally = _Tally()
        bar = tqdm(train_data, desc=f"{description} epoch {epoch}/{epochs}", leave=False,
                   disable=not progress, unit="batch")
        for batch in bar:
            inputs, target, target_array = _split_batch(batch)
            optimizer.zero_grad()
            output = model(inputs)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
            step += 1
            if on_step is not None:
                on_step(step)
            tally.add(loss.item(), output.data, target_array)
            if progress:
                bar.set_postfix(loss=f"{tally.loss:.4f}", acc=f"{tally.accuracy:.3f}", refresh=False)
        history.loss.append(tally.loss)
        history.accuracy.append(tally.accuracy)
        if val_data is not None:
            val_loss, val_accuracy = evaluate(model, val_data, loss_fn)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
        history.seconds.append(time.perf_counter() - start)
        if progress:
            summary = f"{description} epoch {epoch}/{epochs}: loss {history.loss[-1]:.4f}, " \
                      f"accuracy {history.accuracy[-1]:.4f}"
            if val_data is not None:
                summary += f", val accuracy {history.val_accuracy[-1]:.4f}"
            tqdm.write(summary)
    return history
