"""The training loop: fit a model with a progress bar, evaluate it, and keep a per-epoch history."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from .autograd import no_grad
from .nn.utils import clip_grad_norm_
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


@dataclass(frozen=True)
class Step:
    """Where training is after an optimizer step: what `fit` passes to its `until` callback."""

    number: int  # optimizer steps taken so far, counting from 1
    epoch: int  # the epoch this step belongs to, counting from 1
    loss: float  # the loss of this step's batch (before the step)


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
    epochs: int | None = 1,
    val_data: Iterable | None = None,
    progress: bool = True,
    description: str = "train",
    on_step: Callable[[int], None] | None = None,
    *,
    max_steps: int | None = None,
    until: Callable[[Step], bool] | None = None,
    max_grad_norm: float | None = None,
) -> History:
    """Train `model` for `epochs` passes over `train_data` (an iterable of (inputs, target)
    batches, such as a DataLoader), with `optimizer` (zero_grad / step), and return its History.

    A tqdm bar shows epoch, loss and accuracy (`progress=False` hides it); `val_data`, when given,
    is evaluated after each epoch; `on_step(step)` is called after every optimizer step.
    Training stops early after `max_steps` optimizer steps, or when `until(Step(...))`, called
    after every step, returns True; the epoch it stops in is recorded over the batches it saw.
    `epochs=None` repeats passes until one of those stops it. `max_grad_norm` clips the gradients'
    joint norm before every step (nn.utils.clip_grad_norm_ over `model.parameters()`).
    """
    from tqdm import tqdm  # the text bar: tqdm.auto wants ipywidgets in Jupyter and warns without them

    if epochs is None and max_steps is None:
        raise ValueError("fit: epochs=None trains until max_steps (or until); give max_steps too")
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"fit: max_steps must be at least 1, got {max_steps}")
    history = History()
    step, stopped = 0, False
    of_epochs = "" if epochs is None else f"/{epochs}"
    for epoch in itertools.count(1) if epochs is None else range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        tally = _Tally()
        bar = tqdm(train_data, desc=f"{description} epoch {epoch}{of_epochs}", leave=False,
                   disable=not progress, unit="batch")
        for batch in bar:
            inputs, target, target_array = _split_batch(batch)
            optimizer.zero_grad()
            output = model(inputs)
            loss = loss_fn(output, target)
            loss.backward()
            if max_grad_norm is not None:
                clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            step += 1
            if on_step is not None:
                on_step(step)
            batch_loss = loss.item()
            tally.add(batch_loss, output.data, target_array)
            if progress:
                bar.set_postfix(loss=f"{tally.loss:.4f}", acc=f"{tally.accuracy:.3f}", refresh=False)
            # `until` first: it may record something at every step, the last one included
            stopped = (until is not None and until(Step(step, epoch, batch_loss))) or step == max_steps
            if stopped:
                break
        history.loss.append(tally.loss)
        history.accuracy.append(tally.accuracy)
        if val_data is not None:
            val_loss, val_accuracy = evaluate(model, val_data, loss_fn)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
        history.seconds.append(time.perf_counter() - start)
        if progress:
            summary = f"{description} epoch {epoch}{of_epochs}: loss {history.loss[-1]:.4f}, " \
                      f"accuracy {history.accuracy[-1]:.4f}"
            if val_data is not None:
                summary += f", val accuracy {history.val_accuracy[-1]:.4f}"
            tqdm.write(summary)
        # under epochs=None an empty pass (a generator already used up) would repeat forever
        if stopped or (epochs is None and tally.samples == 0):
            break
    return history
