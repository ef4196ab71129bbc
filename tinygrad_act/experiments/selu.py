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

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..data import datasets
from ..nn import MLP, Activation, Module
from ..rng import manual_seed
from ..tensor import Tensor
from ..viz.figures import save_figure
from .common import format_table

COMPARED_ACTIVATIONS = ("selu", "relu", "tanh", "sigmoid")


@dataclass
class LayerStats:
    """Mean and std of every hidden layer's activations (all units and samples), layer 1 first,
    averaged over `seeds` random nets."""

    activation: str
    init: str
    means: list[float]
    stds: list[float]
    seeds: int


def standardised_inputs(source: str = "random", samples: int = 1000, features: int = 784, seed: int = 0,
                        dataset: str = "mnist", quick: bool = False, root: str | None = None) -> np.ndarray:
    """(samples, features) inputs of mean 0 and std 1 per feature: N(0, 1) draws for "random"; for
    "data", the first `samples` training images of `dataset` (the built-in MNIST subset when quick),
    each pixel standardised over them (a pixel that never varies becomes 0)."""
    if source == "random":
        return np.random.default_rng(seed).standard_normal((samples, features)).astype(np.float32)
    if source != "data":
        raise ValueError(f"standardised_inputs: source must be 'random' or 'data', got {source!r}")
    if quick and dataset == "mnist":
        images = datasets.mnist_subset(train=True)[0][:samples]
    else:
        images = datasets.load(dataset, train=True, root=root)[0][:samples]
    spread = images.std(axis=0)
    return ((images - images.mean(axis=0)) / np.where(spread > 0, spread, 1.0)).astype(np.float32)


def layer_statistics(model: Module, inputs: np.ndarray) -> tuple[list[float], list[float]]:
    """The mean and std of each activation layer's output on `inputs` (one forward, no graph)."""
    outputs: list[np.ndarray] = []

    def record(layer: Module, layer_inputs: tuple, output: Tensor) -> None:
        outputs.append(output.data)

    handles = [module.register_forward_hook(record) for module in model.modules() if isinstance(module, Activation)]
    with no_grad():
        model(Tensor(inputs))
    for handle in handles:
        handle.remove()
    return [float(output.mean()) for output in outputs], [float(output.std()) for output in outputs]


def run_selu(activations: Sequence[str] = COMPARED_ACTIVATIONS, depth: int = 50, width: int = 100,
             source: str = "random", samples: int = 1000, seeds: int = 3, seed: int = 0, dataset: str = "mnist",
             quick: bool = False, root: str | None = None) -> list[LayerStats]:
    """Per-layer activation statistics of MLP([784, width x depth, 10], activation, init="auto",
    zero biases) on standardised inputs, averaged over `seeds` nets (seeds seed, seed+1, ...)."""
    inputs = standardised_inputs(source, samples, seed=seed, dataset=dataset, quick=quick, root=root)
    results = []
    for activation in activations:
        means, stds = [], []
        for offset in range(seeds):
            manual_seed(seed + offset)
            model = MLP([inputs.shape[1], *[width] * depth, 10], activation=activation)
            layer_means, layer_stds = layer_statistics(model, inputs)
            means.append(layer_means)
            stds.append(layer_stds)
        results.append(LayerStats(activation, model.init, np.mean(means, axis=0).tolist(),
                                  np.mean(stds, axis=0).tolist(), seeds))
    return results


def selu_table(results: Sequence[LayerStats], every: int = 5, markdown: bool = False) -> str:
    """Layer 1 and every `every`-th layer: mean and std of each activation's outputs."""
    depth = len(results[0].means)
    layers = sorted({0, *range(every - 1, depth, every), depth - 1})
    headers = ["layer", *(f"{r.activation} {stat}" for r in results for stat in ("mean", "std"))]
    rows = [[str(layer + 1), *(f"{value:.3f}" for r in results for value in (r.means[layer], r.stds[layer]))]
            for layer in layers]
    return format_table(headers, rows, markdown=markdown)


def plot_selu(results: Sequence[LayerStats], path: str | Path) -> Any:
    """Two panels, mean and std of the activations against depth, one line per activation."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10.0, 3.8), layout="constrained")
    mean_panel, std_panel = figure.subplots(1, 2)
    for result in results:
        layers = range(1, len(result.means) + 1)
        label = f"{result.activation} ({result.init})"
        mean_panel.plot(layers, result.means, label=label)
        std_panel.plot(layers, result.stds, label=label)
    for panel, name, target in ((mean_panel, "mean", 0.0), (std_panel, "std", 1.0)):
        panel.axhline(target, color="grey", linestyle=":", linewidth=1)
        panel.set_xlabel("layer")
        panel.set_ylabel(f"{name} of the activations")
        panel.set_title(f"activation {name} by depth")
        panel.grid(True, alpha=0.3)
        panel.legend(fontsize=8)
    save_figure(figure, path)
    return figure
