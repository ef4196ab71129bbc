"""Reproduction cards: claims from the seeds and the papers, each checked against our own measurement.

A card states a claim, the source's value (paper, figure or table), ours, the settings, and PASS or
FAIL against a tolerance written in the card. FAIL is a legitimate outcome: the card then says why
our setting differs from the source's. The cards reuse the experiments (born_dead, selu, speed,
signal) rather than copying them; `--card NAME` runs one, `--list` lists them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import functional as F
from ..diagnostics.gradient_flow import first_over_last
from ..diagnostics.monitor import Monitor
from ..nn import Activation, init
from ..tensor import Tensor
from ..theory import meanfield
from ..theory.born_dead import dead_by_depth, exact_depth_one, simulation_grid
from ..viz.lab_plots import (
    plot_born_dead_rai,
    plot_glorot,
    plot_jacobian_spectra,
    plot_phase_diagram,
    plot_zigzag,
)
from ..viz.tables import Number, Table
from . import born_dead, selu, signal, speed
from .common import mlp_name, seeded_mlp
from .protocol import About, DataSettings, SettingsBase, knob, seed_knob
from .timelapse import standard_init

ABOUT = About("reproduce", "Reproduction cards: claims from the papers, checked",
              "check claims from the papers (PASS/FAIL against stated tolerances): --list, --card NAME")


@dataclass(frozen=True)
class Check:
    """One checked claim: the source's value, ours, the tolerance and the verdict."""

    claim: str
    reference: str  # the source's value, as the source states it
    ours: float
    tolerance: str  # what counts as agreement, stated before measuring
    passed: bool


@dataclass
class CardResult:
    """A card after running: its checks, the settings it ran with, why it may fail, and its data."""

    name: str
    title: str
    source: str
    settings: str
    checks: list[Check]
    explanation: str
    data: Any = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


@dataclass(frozen=True)
class Card:
    """A claim to check: `run(small, seed)` measures it; `figures(result, folder)` draws it."""

    name: str
    title: str
    run: Callable[[bool, int], CardResult]
    figures: Callable[[CardResult, Path], dict[Path, str]] = lambda result, folder: {}


def one_figure(plot: Callable[[Any, Path], Any], caption: str) -> Callable[[CardResult, Path], dict[Path, str]]:
    """A Card's figures that draw `plot(result.data, path)` to <folder>/<card name>.png, with `caption`."""

    def figures(result: CardResult, folder: Path) -> dict[Path, str]:
        path = Path(folder) / f"{result.name}.png"
        plot(result.data, path)
        return {path: caption}

    return figures


# ====================================================================== zero-centred


def single_signed_share(gradient: np.ndarray) -> float:
    """The share of rows (units) of a weight gradient (out, in) whose nonzero entries all have one sign."""
    positive, negative = (gradient > 0).any(axis=1), (gradient < 0).any(axis=1)
    return float(np.mean(~(positive & negative)))


def sign_share_during_training(activation: str, data: tuple[np.ndarray, np.ndarray], steps: int, batch_size: int,
                               seed: int) -> float:
    """The mean over `steps` SGD steps of the share of units of the second Linear layer (fed by the
    first hidden `activation` layer) whose incoming weight-gradient row is single-signed."""
    model = seeded_mlp(seed, [data[0].shape[1], 64, 64, 10], activation)
    order = np.random.default_rng(seed).permutation(len(data[0]))
    shares = []
    for step in range(steps):
        batch = order[(step * batch_size) % len(order):][:batch_size]
        model.zero_grad()
        F.cross_entropy(model(Tensor(data[0][batch])), data[1][batch]).backward()
        shares.append(single_signed_share(model.linears()[1].weight.grad.data))
        for parameter in model.parameters():
            parameter.data -= 0.05 * parameter.grad.data
    return float(np.mean(shares))


def zigzag_path(inputs: np.ndarray, optimum: np.ndarray, lr: float = 0.5, steps: int = 40) -> np.ndarray:
    """Per-example SGD on (w . x - w* . x)^2 / 2 from w = 0: the (steps + 1, 2) path of the two weights.
    Each step is -lr (w - w*) . x  x, so with x > 0 both weights move the same way."""
    weights = np.zeros(2)
    path = [weights.copy()]
    for x in inputs[:steps]:
        weights = weights - lr * ((weights - optimum) @ x) * x
        path.append(weights.copy())
    return np.array(path)


def same_sign_share(path: np.ndarray) -> float:
    """The share of steps of a 2-weight path that move both weights in the same direction."""
    steps = np.diff(path, axis=0)
    return float(np.mean(steps[:, 0] * steps[:, 1] > 0))


def zero_centred(small: bool, seed: int) -> CardResult:
    data = DataSettings(subset=True, seed=seed).load_data()[0]
    steps = 20 if small else 100
    shares = {name: sign_share_during_training(name, data, steps, 1, seed) for name in ("sigmoid", "tanh")}
    batch_shares = {name: sign_share_during_training(name, data, steps, 32, seed) for name in ("sigmoid", "tanh")}
    rng = np.random.default_rng(seed)
    raw = rng.standard_normal((40, 2))
    optimum = np.array([1.0, -1.0])
    paths = {"inputs sigmoid(z) > 0": zigzag_path(1 / (1 + np.exp(-raw)), optimum),
             "inputs tanh(z), zero-centred": zigzag_path(np.tanh(raw), optimum)}
    moves = {label: same_sign_share(path) for label, path in paths.items()}
    checks = [
        Check("layer fed by sigmoid: share of units whose weight-gradient row is single-signed (batch 1)", "1 (all)",
              shares["sigmoid"], ">= 0.99", shares["sigmoid"] >= 0.99),
        Check("layer fed by tanh: the same share (batch 1)", "about 0", shares["tanh"], "<= 0.05",
              shares["tanh"] <= 0.05),
        Check("toy problem: share of steps moving both weights the same way, sigmoid inputs", "1 (zig-zag)",
              moves["inputs sigmoid(z) > 0"], "= 1", moves["inputs sigmoid(z) > 0"] == 1.0),
        Check("toy problem: the same share, tanh inputs", "about 1/2", moves["inputs tanh(z), zero-centred"],
              "in [0.2, 0.8]", 0.2 <= moves["inputs tanh(z), zero-centred"] <= 0.8),
    ]
    explanation = (f"dL/dW_ij = delta_i h_j for one example: with h = sigmoid(.) > 0 every entry of row i has the "
                   f"sign of delta_i. Over a batch of 32 the rows mix examples and the shares fall to "
                   f"{batch_shares['sigmoid']:.2f} (sigmoid) and {batch_shares['tanh']:.2f} (tanh): the zig-zag is a "
                   "per-example effect that mini-batches soften.")
    return CardResult("zero-centred", "Sigmoid's all-positive outputs make updates zig-zag",
                      "the seeds (CS231n's argument for zero-centred activations)",
                      f"784-64-64-10 MLP on the MNIST subset, {steps} SGD steps of batch 1 (and 32); toy: 40 "
                      "per-example steps on two weights", checks, explanation, paths)


def zero_centred_figures(result: CardResult, folder: Path) -> dict[Path, str]:
    path = Path(folder) / "zigzag.png"
    plot_zigzag(result.data, [1.0, -1.0], path)
    return {path: "two weights under per-example SGD: all-positive inputs zig-zag"}


# ====================================================================== glorot2010


@dataclass
class GlorotRow:
    """Per hidden layer at init: the std of the activations and of the back-propagated dL/dz."""

    activation: str
    init: str
    activation_std: list[float]
    gradient_std: list[float]


def glorot_statistics(activation: str, initialisation: str, data: tuple[np.ndarray, np.ndarray], width: int,
                      seed: int, depth: int = 5) -> GlorotRow:
    """One forward and backward of cross-entropy at init on `data`: per hidden layer the std of the
    activations and of dL/dz (z the layer's pre-activation). "standard": W ~ U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) (Glorot & Bengio 2010, eq. (1)); "normalised": U(-a, a), a = sqrt(6 / (fan_in +
    fan_out)) (their eq. (16), nn.init.xavier_uniform_); biases 0."""
    model = seeded_mlp(seed, [data[0].shape[1], *[width] * depth, 10], activation)
    if initialisation == "standard":
        standard_init(model)
    else:
        for linear in model.linears():
            init.xavier_uniform_(linear.weight)
            init.zeros_(linear.bias)
    outputs: list[np.ndarray] = []
    gradients: dict[int, np.ndarray] = {}

    def record(layer: Activation, inputs: tuple, output: Tensor) -> None:
        index = len(outputs)
        outputs.append(output.data)
        inputs[0].register_hook(lambda grad: gradients.__setitem__(index, grad.data))

    with Monitor() as monitor:
        for module in model.modules():
            if isinstance(module, Activation):
                monitor.add(module.register_forward_hook(record))
        F.cross_entropy(model(Tensor(data[0])), data[1]).backward()
    return GlorotRow(activation, initialisation, [float(np.std(output)) for output in outputs],
                     [float(np.std(gradients[index])) for index in range(len(outputs))])


def glorot2010(small: bool, seed: int) -> CardResult:
    train = DataSettings(subset=True, seed=seed).load_data()[0]
    width, samples = (256, 200) if small else (1000, 1000)
    data = (train[0][:samples], train[1][:samples])
    rows = [glorot_statistics(activation, initialisation, data, width, seed)
            for activation in ("sigmoid", "tanh", "softsign") for initialisation in ("standard", "normalised")]
    by_key = {(row.activation, row.init): row for row in rows}

    def drift(values: list[float]) -> float:
        """|log(last layer / first layer)|: 0 when the statistic keeps its size through the layers."""
        return abs(math.log(values[-1] / values[0]))

    checks = []
    for activation in ("tanh", "softsign"):
        standard, normalised = by_key[activation, "standard"], by_key[activation, "normalised"]
        checks.append(Check(f"{activation}, standard init: activation std shrinks from layer 1 to 5 (ratio 5/1)",
                            "< 1 (Fig. 6 top)", standard.activation_std[-1] / standard.activation_std[0], "< 1",
                            standard.activation_std[-1] < standard.activation_std[0]))
        checks.append(Check(f"{activation}, standard init: back-propagated gradient std shrinks towards the input "
                            "(ratio layer 1/5)", "< 1 (Fig. 7 top)",
                            first_over_last(standard.gradient_std), "< 1",
                            standard.gradient_std[0] < standard.gradient_std[-1]))
        checks.append(Check(f"{activation}: normalised init keeps the gradient std steadier across layers "
                            "(|log ratio| normalised minus standard)", "< 0 (Fig. 7 bottom)",
                            drift(normalised.gradient_std) - drift(standard.gradient_std), "< 0",
                            drift(normalised.gradient_std) < drift(standard.gradient_std)))
    explanation = ("Glorot & Bengio (2010, Sec. 4.2) ran 5 hidden layers of 1000 on Shapeset-3x2; here MNIST images. "
                   "With the standard init each layer multiplies the variance by fan_in Var(W) f'(0)^2 = 1/3, so "
                   "activations shrink going up and back-propagated gradients shrink going down; the normalised init "
                   "balances the two. Sigmoid is reported but not checked: its outputs sit near 0.5 at init and its "
                   "problem (the top layer saturating) appears during training (see `tinygrad-act timelapse`).")
    return CardResult("glorot2010", "Activations and gradients per layer at init, standard vs normalised init",
                      "Glorot & Bengio 2010, Sec. 4.2.1-4.2.2, Fig. 6-7",
                      f"784-{width}x5-10 MLP, {samples} MNIST-subset images, one backward at init", checks,
                      explanation, rows)


# ====================================================================== schoenholz2017 and pennington2017


SCHOENHOLZ_CRITICAL = 1.76  # tanh, sigma_b^2 = 0.05: the peak of the 6 xi_c curve (Schoenholz et al. 2017, Fig. 5)


def schoenholz2017(small: bool, seed: int) -> CardResult:
    critical = meanfield.critical_sigma_w2("tanh", 0.05)
    settings = signal.Settings.quick(seed=seed) if small else signal.Settings(seed=seed, subset=True)
    train, test = settings.load_data()
    diagram = signal.phase_diagram("tanh", train, test, settings.sigma_w2, settings.depths, 0.05, settings.width,
                                   settings.steps, settings.optimizer, settings.lr, settings.batch_size,
                                   settings.threshold, seed)
    checks = [Check("tanh at sigma_b^2 = 0.05: critical sigma_w^2 (chi_1 = 1)", f"{SCHOENHOLZ_CRITICAL}",
                    critical, "+- 0.01", abs(critical - SCHOENHOLZ_CRITICAL) <= 0.01),
              Check("share of (sigma_w^2, depth) cells where 'trained' agrees with depth < 6 xi_c",
                    "the boundary follows 6 xi_c", diagram.agreement, ">= 0.75", diagram.agreement >= 0.75)]
    explanation = ("Schoenholz et al. trained width-300 nets for up to 300,000 steps; our budget is a few hundred "
                   "steps, which cannot train even a critical net of 45 layers, so disagreements sit at large depth "
                   "near criticality, where the theory allows training that a short budget does not reach.")
    return CardResult("schoenholz2017", "Trainable depth is bounded by 6 xi_c", "Schoenholz et al. 2017, Fig. 5",
                      f"tanh, sigma_b^2 0.05, sigma_w^2 {list(settings.sigma_w2)}, depths {list(settings.depths)}, "
                      f"width {settings.width}, {settings.steps} steps of {settings.optimizer} on the MNIST subset",
                      checks, explanation, diagram)


def pennington2017(small: bool, seed: int) -> CardResult:
    depths, width = ((4, 16), 64) if small else ((4, 16, 64), 128)
    spectra = signal.jacobian_spectra(signal.pennington_setups(), depths, width, seed)
    spread = {(spectrum.setup.weights + spectrum.setup.activation, spectrum.depth): spectrum.log_spread
              for spectrum in spectra}
    shallow, deep = depths[0], depths[-1]
    checks = [Check(f"tanh, orthogonal, critical: std of log singular values at depth {deep}", "stays near 0",
                    spread["orthogonaltanh", deep], "< 0.5", spread["orthogonaltanh", deep] < 0.5)]
    for key, label in (("gaussiantanh", "tanh, Gaussian, critical"), ("gaussianrelu", "relu, He (Gaussian)")):
        growth = spread[key, deep] / spread[key, shallow]
        checks.append(Check(f"{label}: spread grows with depth (depth {deep} / depth {shallow})", "grows",
                            growth, "> 1.3", growth > 1.3))
    explanation = ("Pennington et al. (2017) show that orthogonal weights with tanh at the edge of chaos and small q* "
                   "give a Jacobian whose singular values all stay near 1 at any depth (dynamical isometry), while "
                   "Gaussian weights, and relu at any init, spread them over orders of magnitude as depth grows.")
    return CardResult("pennington2017", "Dynamical isometry needs orthogonal weights and a critical tanh",
                      "Pennington, Schoenholz & Ganguli 2017 (singular-value densities against depth)",
                      f"width {width}, depths {list(depths)}, sigma_b^2 1e-5 for tanh (critical sigma_w^2 "
                      f"{spectra[0].setup.sigma_w2:.4f})", checks, explanation, spectra)


# ====================================================================== lu2019


def lu2019(small: bool, seed: int) -> CardResult:
    nets, widths, max_depth = (200, (2, 3), 10) if small else (2000, (2, 3, 4, 5), 30)
    symmetric = born_dead.run(born_dead.Settings(widths=widths, max_depth=max_depth, input_dims=(1,), nets=nets,
                                                 seed=seed)).runs
    grid = simulation_grid(1)
    rows = []
    for width in widths:
        rng = np.random.default_rng((seed, width, 1, 7))
        dead = dead_by_depth(grid, width, max_depth, nets, rng, init="asymmetric")
        rows += [(width, estimate.depth, estimate.probability, dead[estimate.depth - 1] / nets)
                 for estimate in symmetric if estimate.width == width]
    exact = {width: exact_depth_one(width) for width in widths}
    depth_one = {estimate.width: estimate.probability for estimate in symmetric if estimate.depth == 1}
    deepest = [row for row in rows if row[1] == max_depth]
    reduction = float(np.mean([1 - rai / sym for _, _, sym, rai in deepest if sym > 0]))
    checks = [Check(f"symmetric init, width {widths[0]}, depth 1: P(born dead), simulated", f"{exact[widths[0]]:.4f} "
                    "(exact: (atan(1/sqrt 3)/pi)^width)", depth_one[widths[0]], "+- 0.03",
                    abs(depth_one[widths[0]] - exact[widths[0]]) <= 0.03),
              Check(f"randomized asymmetric init lowers P(born dead) at depth {max_depth} (mean relative reduction "
                    "over widths)", "lower", reduction, "> 0.2", reduction > 0.2)]
    explanation = ("Lu et al. prove that a ReLU net of fixed width dies at init with probability -> 1 as depth grows, "
                   "and that drawing one weight per unit from a positive law keeps a unit on for part of the "
                   "domain more often. The born-dead table above is born_dead.run; the RAI nets use the same grid.")
    return CardResult("lu2019", "Narrow deep ReLU nets are born dead; asymmetric init helps",
                      "Lu, Shin, Su & Karniadakis 2019 (born-dead probability; randomized asymmetric initialization)",
                      f"input dim 1, widths {list(widths)}, depths 1..{max_depth}, {nets} nets each", checks,
                      explanation, rows)


# ====================================================================== klambauer2017 and krizhevsky2012


def klambauer2017(small: bool, seed: int) -> CardResult:
    settings = selu.Settings.quick(activations=("selu",), seed=seed) if small else selu.Settings(activations=("selu",),
                                                                                                    seed=seed)
    stats = selu.run(settings).runs[0]
    q_star = meanfield.length_fixed_point("selu", 1.0, 0.0)
    mean, _ = meanfield.forward_statistics("selu", 1.0)
    worst_mean = max(abs(value) for value in stats.means)
    worst_std = max(abs(value - 1.0) for value in stats.stds)
    checks = [Check("mean-field: E[selu(z)^2] fixed point q* at sigma_w^2 = 1, sigma_b^2 = 0", "1 (Theorem 1)",
                    q_star, "+- 1e-3", abs(q_star - 1.0) <= 1e-3),
              Check("mean-field: E[selu(z)], z ~ N(0, 1)", "0 (Theorem 1)", mean, "+- 1e-3", abs(mean) <= 1e-3),
              Check(f"measured: largest |mean| of the activations over {settings.depth} layers", "0", worst_mean,
                    "< 0.1", worst_mean < 0.1),
              Check(f"measured: largest |std - 1| over {settings.depth} layers", "0", worst_std, "< 0.1",
                    worst_std < 0.1)]
    explanation = ("Klambauer et al. chose alpha and lambda so that (mean, variance) = (0, 1) is a stable fixed point "
                   "with LeCun-normal weights; the quadrature's error near selu's kink at 0 is about 1e-4.")
    return CardResult("klambauer2017", "SELU's self-normalising fixed point (0, 1)",
                      "Klambauer et al. 2017, Theorem 1",
                      f"selu.run: {settings.depth} layers of {settings.width}, {settings.samples} N(0, 1) inputs, "
                      f"{settings.seeds} nets", checks, explanation, stats)


KRIZHEVSKY_SPEEDUP = 6.0  # Krizhevsky et al. 2012, Fig. 1: ReLU reached 25% training error ~6x faster than tanh


def krizhevsky2012(small: bool, seed: int) -> CardResult:
    settings = (speed.Settings.quick(activations=("relu", "tanh"), eval_every=5, seed=seed) if small
                else speed.Settings(activations=("relu", "tanh"), seed=seed))
    relu_run, tanh_run = speed.run(settings).runs
    ratio, relation = speed.step_ratio(tanh_run, relu_run)
    checks = [Check("tanh needs more steps than relu (steps ratio tanh / relu)", "> 1", ratio, "> 1",
                    relation in ("=", ">") and ratio > 1),
              Check("the speed-up factor", f"{KRIZHEVSKY_SPEEDUP:g} (Fig. 1)", ratio, "within a factor 1.5: [4, 9]",
                    relation == "=" and 4.0 <= ratio <= 9.0)]
    explanation = ("Krizhevsky et al. timed a 4-layer CNN on CIFAR-10 to 25% training error; here an MLP on MNIST "
                   "to a training-accuracy target. ReLU is faster, but by about 2x rather than 6x: a shallow MLP with "
                   "matching inits saturates tanh much less than a CNN on CIFAR, so the speed-up factor does not "
                   "carry over (the second check is expected to FAIL).")
    return CardResult("krizhevsky2012", "ReLU trains faster than tanh", "Krizhevsky, Sutskever & Hinton 2012, Fig. 1",
                      f"speed.run: {mlp_name([784, *settings.hidden, 10])}, SGD lr {settings.lr} "
                      f"momentum {settings.momentum}, target {settings.target:g}, budget {settings.budget}"
                      + (" (MNIST subset)" if settings.subset else ""), checks, explanation, [relu_run, tanh_run])


CARDS = {card.name: card for card in (
    Card("zero-centred", "Sigmoid's all-positive outputs make updates zig-zag", zero_centred, zero_centred_figures),
    Card("glorot2010", "Activations and gradients per layer at init", glorot2010,
         one_figure(plot_glorot, "std of activations and of back-propagated gradients per layer at init")),
    Card("schoenholz2017", "Trainable depth is bounded by 6 xi_c", schoenholz2017,
         one_figure(plot_phase_diagram, "measured accuracy with the 6 xi_c boundary")),
    Card("pennington2017", "Dynamical isometry", pennington2017,
         one_figure(plot_jacobian_spectra, "Jacobian singular values and their spread against depth")),
    Card("lu2019", "Born-dead ReLU nets and asymmetric init", lu2019,
         one_figure(plot_born_dead_rai, "P(born dead) against depth: symmetric init and randomized asymmetric init")),
    Card("klambauer2017", "SELU's fixed point", klambauer2017),
    Card("krizhevsky2012", "ReLU against tanh: training speed", krizhevsky2012),
)}


@dataclass(frozen=True)
class Settings(SettingsBase):
    card: str = knob("all", "the card to run (all: every card); also `reproduce NAME`", choices=("all", *CARDS),
                     metavar="NAME", positional=True)
    list_cards: bool = knob(False, "list the cards and run nothing", flag="--list")
    small: bool = knob(False, "each card at small settings (seconds instead of minutes)", quick=True)
    seed: int = seed_knob()


@dataclass
class Result:
    settings: Settings
    cards: list[CardResult] = field(default_factory=list)


def run(settings: Settings) -> Result:
    if settings.list_cards:
        return Result(settings)
    names = list(CARDS) if settings.card == "all" else [settings.card]
    return Result(settings, [CARDS[name].run(settings.small, settings.seed) for name in names])


def _value(value: float) -> Number:
    return Number(value, ".4g")


def tables(result: Result) -> list[Table]:
    if result.settings.list_cards:
        return [Table(["card", "claim"], [[card.name, card.title] for card in CARDS.values()],
                      "the reproduction cards (tinygrad-act reproduce --card NAME)")]
    return [Table(["check", "source's value", "ours", "tolerance", "verdict"],
                  [[check.claim, check.reference, _value(check.ours), check.tolerance,
                    "PASS" if check.passed else "FAIL"] for check in card.checks],
                  f"{card.name}: {card.title}. Source: {card.source}. Settings: {card.settings}")
            for card in result.cards]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    written: dict[Path, str] = {}
    for card in result.cards:
        written.update(CARDS[card.name].figures(card, Path(folder)))
    return written


def notes(result: Result) -> list[str]:
    sentences = [f"{card.name}: {'PASS' if card.passed else 'FAIL'} "
                 f"({sum(check.passed for check in card.checks)}/{len(card.checks)} checks). {card.explanation}"
                 for card in result.cards]
    if result.cards:
        passed = sum(card.passed for card in result.cards)
        sentences.append(f"{passed} of {len(result.cards)} cards pass every check")
    return sentences
