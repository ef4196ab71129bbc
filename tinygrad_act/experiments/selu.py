"""Self-normalisation (Klambauer et al. 2017): activation mean and std, layer by layer, in a 50-layer net.

SELU(x) = scale * (x if x > 0 else alpha (e^x - 1)) with alpha ~ 1.6733 and scale ~ 1.0507 chosen
so that, with LeCun-normal weights N(0, 1/fan_in) and zero biases, mean 0 and variance 1 are a
stable fixed point of the map from one layer's activations to the next: a standardised input stays
standardised through any depth, with no batch normalisation. ReLU with He init keeps the second
moment E[h^2] at 1 but its outputs are never negative (mean ~0.56, std ~0.83 in the wide limit,
wandering from net to net at finite width), tanh with Xavier init loses variance layer after layer
(its std falls towards 0), and sigmoid's outputs sit around 0.5, far from zero-centred, with a std
that settles near 0.12.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..diagnostics import layer_inputs_outputs
from ..viz.experiment_plots import plot_selu
from ..viz.tables import Table
from .common import seeded_mlp
from .protocol import About, DataSettings, Result, activations_knob, knob

COMPARED_ACTIVATIONS = ("selu", "relu", "tanh", "sigmoid")
ABOUT = About("selu", "SELU self-normalisation",
              "self-normalisation: activation mean/std by depth for selu, relu, tanh, sigmoid")


@dataclass(frozen=True)
class Settings(DataSettings):
    activations: tuple[str, ...] = activations_knob(COMPARED_ACTIVATIONS)
    depth: int = knob(50, "hidden layers", at_least=1)
    width: int = knob(100, "units per hidden layer", at_least=1)
    inputs: str = knob("random", "N(0, 1) inputs or standardised images of --dataset", choices=("random", "data"))
    samples: int = knob(1000, "inputs in the batch", quick=500, at_least=1)
    seeds: int = knob(5, "random nets averaged per activation", quick=2, at_least=1)
    every: int = knob(5, "show every N-th layer", at_least=1)


@dataclass
class LayerStats:
    """Mean and std of every hidden layer's activations (all units and samples), layer 1 first,
    averaged over `seeds` random nets."""

    activation: str
    init: str
    means: list[float]
    stds: list[float]
    seeds: int


def standardised_inputs(settings: Settings) -> np.ndarray:
    """(samples, 784) inputs of mean 0 and std 1 per feature: N(0, 1) draws for "random"; for
    "data", the first `samples` training images of the dataset, each pixel standardised over them
    (a pixel that never varies becomes 0)."""
    if settings.inputs == "random":
        return np.random.default_rng(settings.seed).standard_normal((settings.samples, 784)).astype(np.float32)
    images = settings.load_data()[0][0][:settings.samples]
    spread = images.std(axis=0)
    return ((images - images.mean(axis=0)) / np.where(spread > 0, spread, 1.0)).astype(np.float32)


def run(settings: Settings) -> Result:
    """Per-layer activation statistics of MLP([784, width x depth, 10], activation, init="auto",
    zero biases) on standardised inputs, averaged over `seeds` nets (seeds seed, seed+1, ...)."""
    s = settings
    inputs = standardised_inputs(s)
    result = Result(s, [])
    for activation in s.activations:
        means, stds = [], []
        for offset in range(s.seeds):
            model = seeded_mlp(s.seed + offset, [inputs.shape[1], *[s.width] * s.depth, 10], activation)
            outputs = [output for _, output in layer_inputs_outputs(model, inputs)]  # one forward, no graph
            means.append([float(output.mean()) for output in outputs])
            stds.append([float(output.std()) for output in outputs])
        result.runs.append(LayerStats(activation, model.init, np.mean(means, axis=0).tolist(),
                                       np.mean(stds, axis=0).tolist(), s.seeds))
    return result


def tables(result: Result) -> list[Table]:
    """Layer 1 and every `every`-th layer: mean and std of each activation's outputs."""
    s, stats = result.settings, result.runs
    layers = sorted({0, *range(s.every - 1, s.depth, s.every), s.depth - 1})
    headers = ["layer", *(f"{r.activation} {stat}" for r in stats for stat in ("mean", "std"))]
    rows = [[layer + 1, *(value for r in stats for value in (r.means[layer], r.stds[layer]))] for layer in layers]
    source = _source(s)
    inits = ", ".join(f"{r.activation}: {r.init}" for r in stats)
    return [Table(headers, rows, f"{s.depth} hidden layers of {s.width}, {s.samples} {source}, mean over {s.seeds} "
                                 f"nets ({inits}; biases 0)", formats={column: ".3f" for column in range(1, len(headers))})]


def _source(s: Settings) -> str:
    """The inputs in words, for captions."""
    return "N(0, 1) inputs" if s.inputs == "random" else f"standardised {s.dataset} images"


def figures(result: Result, folder: Path) -> dict[Path, str]:
    s, path = result.settings, Path(folder) / "selu_statistics.png"
    source = _source(s)
    plot_selu(result.runs, path, f"{s.depth}-hidden-layer MLP of width {s.width} at init, {s.samples} {source}, "
                                 f"mean over {s.seeds} nets")
    return {path: "mean and std of the activations by depth"}


def notes(result: Result) -> list[str]:
    return [f"{stats.activation}: mean in [{min(stats.means):.3f}, {max(stats.means):.3f}] (largest |mean| "
            f"{max(abs(mean) for mean in stats.means):.3f}), std in [{min(stats.stds):.3f}, {max(stats.stds):.3f}]"
            for stats in result.runs]
