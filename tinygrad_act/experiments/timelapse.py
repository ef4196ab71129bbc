"""Unit time-lapse: diagnostics.Recorder watching every layer and unit while two nets train.

1. A sigmoid MLP with the standard init U(-1/sqrt(fan_in), 1/sqrt(fan_in)) trained with plain SGD:
   Glorot & Bengio (2010, Fig. 2) saw the top hidden layer saturate early in training, its outputs
   driven to 0 where sigmoid' is tiny, while the lower layers stayed near 0.5. The ridge plots show
   each layer's activation histogram drifting over the steps.
2. The dying-ReLU run (Adam at lr 0.03, as `tinygrad-act dying-relu`): units die during the first
   steps and, with zero gradient, stay dead; the status heatmap and the death curve show when each
   unit died. The recorded dead fractions are exactly what DeadUnits measures on the same forwards.
The same dying-ReLU run is timed with and without the Recorder attached, to measure what
recording every `every` steps costs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..diagnostics import Recorder
from ..nn import MLP, init
from ..optim import by_name
from ..train import Step, fit
from ..viz.lab_plots import plot_death_curve, plot_ridges, plot_unit_status
from ..viz.tables import Table
from .common import batches, seeded_mlp
from .protocol import About, DataSettings, knob

ABOUT = About("timelapse", "Unit time-lapse: layers and units over training",
              "record per-layer histograms and per-unit alive/dead/saturated status while training")


@dataclass(frozen=True)
class Settings(DataSettings):
    steps: int = knob(600, "training steps of each run", quick=120, at_least=1)
    every: int = knob(10, "record every N steps", at_least=1)
    sigmoid_hidden: tuple[int, ...] = knob((256, 256, 256, 256), "hidden sizes of the sigmoid net", at_least=1)
    sigmoid_lr: float = knob(0.5, "SGD learning rate of the sigmoid net", above=0)
    relu_hidden: tuple[int, ...] = knob((128, 128, 128), "hidden sizes of the dying-ReLU net", at_least=1)
    relu_lr: float = knob(0.03, "Adam learning rate of the dying-ReLU net (too large on purpose)", above=0)
    batch_size: int = knob(32, "images per step", at_least=1)
    bins: int = knob(40, "histogram bins", at_least=2)
    timing_repeats: int = knob(3, "timed repeats of the run with and without the Recorder (best of)", quick=1,
                               at_least=1)


@dataclass
class Run:
    """One recorded training run."""

    label: str
    model: MLP
    recorder: Recorder
    losses: list[float]


def standard_init(model: MLP) -> MLP:
    """Glorot & Bengio's "standard" init: W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), biases 0."""
    for linear in model.linears():
        bound = 1.0 / math.sqrt(linear.weight.shape[1])
        init.uniform_(linear.weight, -bound, bound)
        init.zeros_(linear.bias)
    return model


def train(model: MLP, data: tuple[np.ndarray, np.ndarray], steps: int, optimizer: str, lr: float, batch_size: int,
          seed: int, recorder: Recorder | None = None) -> list[float]:
    """`steps` steps of `optimizer` on mini-batches of `data` (cycled), calling recorder.step() after each."""
    losses: list[float] = []

    def record(step: Step) -> bool:
        losses.append(step.loss)
        if recorder is not None:
            recorder.step()
        return False

    fit(model, batches(data, batch_size, seed), by_name(optimizer, model.parameters(), lr=lr), epochs=None,
        max_steps=steps, progress=False, until=record)
    return losses


def recorded_run(label: str, activation: str, hidden: Sequence[int], optimizer: str, lr: float,
                 data: tuple[np.ndarray, np.ndarray], settings: Settings, standard: bool = False) -> Run:
    """`steps` steps of `optimizer` at `lr` on MLP([n_inputs, *hidden, 10], activation) drawn from
    `seed` (with the standard init if asked), a Recorder attached every `every` steps."""
    model = seeded_mlp(settings.seed, [data[0].shape[1], *hidden, 10], activation)
    if standard:
        standard_init(model)
    with Recorder(model, every=settings.every, bins=settings.bins) as recorder:
        losses = train(model, data, settings.steps, optimizer, lr, settings.batch_size, settings.seed, recorder)
    return Run(label, model, recorder, losses)


def relu_run_and_overhead(data: tuple[np.ndarray, np.ndarray], settings: Settings) -> tuple[Run, float, float, float]:
    """The dying-ReLU run with its Recorder (the first one timed), and (seconds without, seconds with
    a Recorder every `every` steps, seconds the Recorder itself spent), best of `timing_repeats` each
    (the best of several is the least disturbed by other work on the machine). Both timings include
    drawing the net. On a busy machine the difference of two wall times is noisier than the cost
    itself; the Recorder's own timer is the steadier measure."""
    s = settings
    seconds_without, seconds_with, runs = [], [], []
    for _ in range(s.timing_repeats):
        start = time.perf_counter()
        train(seeded_mlp(s.seed, [data[0].shape[1], *s.relu_hidden, 10], "relu"), data, s.steps, "adam", s.relu_lr,
              s.batch_size, s.seed)
        seconds_without.append(time.perf_counter() - start)
        start = time.perf_counter()
        runs.append(recorded_run(f"relu, Adam lr {s.relu_lr:g}", "relu", s.relu_hidden, "adam", s.relu_lr, data, s))
        seconds_with.append(time.perf_counter() - start)
    return runs[0], min(seconds_without), min(seconds_with), min(run.recorder.seconds for run in runs)


@dataclass
class Result:
    settings: Settings
    sigmoid: Run
    relu: Run
    seconds_without: float
    seconds_with: float
    seconds_recording: float  # the Recorder's own timer, in the run with it

    @property
    def overhead(self) -> float:
        """The time the Recorder spent, as a share of the run without it."""
        return self.seconds_recording / self.seconds_without

    @property
    def wall_overhead(self) -> float:
        """The difference of the wall times with and without the Recorder, as a share (noisy)."""
        return self.seconds_with / self.seconds_without - 1.0


def run(settings: Settings) -> Result:
    s = settings
    train_data, _ = s.load_data()
    sigmoid = recorded_run("sigmoid, standard init, SGD", "sigmoid", s.sigmoid_hidden, "sgd", s.sigmoid_lr,
                           train_data, s, standard=True)
    return Result(s, sigmoid, *relu_run_and_overhead(train_data, s))


def activation_means(recorder: Recorder, name: str) -> list[float]:
    """The mean activation of layer `name` at each record."""
    return [mean for mean, _ in recorder.moments["activation", name]]


def layers_data(result: Result) -> Table:
    """Per layer of each run: first and last recorded activation mean, saturated and dead shares."""
    rows = []
    for run_ in (result.sigmoid, result.relu):
        recorder = run_.recorder
        dead, saturated = recorder.dead_fractions(), recorder.saturated_fractions()
        for name in recorder.layers:
            means = activation_means(recorder, name)
            rows.append([run_.label, name, means[0], means[-1], saturated[name][0], saturated[name][-1],
                         dead[name][0], dead[name][-1], len(recorder.events(name))])
    s = result.settings
    return Table(["run", "layer", "mean f first", "mean f last", "saturated first", "saturated last", "dead first",
                  "dead last", "deaths"], rows,
                 f"{s.steps} steps, batch {s.batch_size}, recorded every {s.every} steps (steps "
                 f"{result.relu.recorder.steps[0]} to {result.relu.recorder.steps[-1]})",
                 formats={column: ".3f" for column in range(2, 8)})


def tables(result: Result) -> list[Table]:
    return [layers_data(result)]


def _last_layer(recorder: Recorder) -> str:
    return list(recorder.layers)[-1]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    folder = Path(folder)
    sigmoid, relu = result.sigmoid.recorder, result.relu.recorder
    top, first = _last_layer(sigmoid), list(sigmoid.layers)[0]
    written = {}
    for name, where in ((top, "top"), (first, "first")):
        path = folder / f"sigmoid_{where}_layer_ridges.png"
        plot_ridges(sigmoid.steps, sigmoid.edges["activation", name], sigmoid.histograms["activation", name], path,
                    f"sigmoid net, {where} hidden layer ({name}): activations over training", "sigmoid output")
        written[path] = f"ridge plot of the {where} hidden sigmoid layer's activations over training"
    layer = list(relu.layers)[0]
    matrix = relu.status_matrix(layer)
    died = [next((index for index, status in enumerate(row) if status == 2), len(row)) for row in matrix]
    path = folder / "relu_unit_status.png"
    plot_unit_status(relu.steps, matrix[np.argsort(died, kind="stable")], path,
                     f"dying ReLU, layer {layer}: each unit's status over training")
    written[path] = "units x time: alive, saturated or dead (relu, first hidden layer)"
    path = folder / "relu_death_curve.png"
    plot_death_curve({name: (relu.steps, fractions) for name, fractions in relu.dead_fractions().items()}, path,
                     f"dying ReLU (Adam lr {result.settings.relu_lr:g}): dead units over training")
    written[path] = "share of dead units per layer over training"
    return written


def notes(result: Result) -> list[str]:
    sigmoid, relu = result.sigmoid.recorder, result.relu.recorder
    top = _last_layer(sigmoid)
    means = activation_means(sigmoid, top)
    low = int(np.argmin(means))
    events = [event for name in relu.layers for event in relu.events(name)]
    revived = sum(event.revived_at is not None for event in events)
    first_deaths = sorted(event.died_at for event in events)
    return [f"sigmoid top hidden layer ({top}): mean activation {means[0]:.3f} at step {sigmoid.steps[0]}, lowest "
            f"{means[low]:.3f} at step {sigmoid.steps[low]}, {means[-1]:.3f} at the end",
            f"relu: {len(events)} unit deaths recorded, {revived} revived; half of them died by step "
            f"{first_deaths[len(first_deaths) // 2] if first_deaths else '-'}",
            f"recording every {result.settings.every} steps cost {result.overhead:.1%} of the run's time (the "
            f"Recorder's own timer: {result.seconds_recording:.3f} s of {result.seconds_without:.2f} s); wall time "
            f"with it {result.wall_overhead:+.1%} ({result.seconds_with:.2f} s, best of "
            f"{result.settings.timing_repeats})"]
