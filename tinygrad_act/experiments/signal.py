"""Signal propagation: mean-field theory of a deep random net against what the net measurably does,
for any registered activation.

Theory (tinygrad_act.theory.meanfield, Poole et al. 2016; Schoenholz et al. 2017): with weights
N(0, sigma_w^2 / fan_in) and biases N(0, sigma_b^2), pre-activation lengths settle at q*, the slope
chi_1 = sigma_w^2 E[f'(sqrt(q*) z)^2] separates order (chi_1 < 1: gradients vanish) from chaos
(chi_1 > 1: they explode), and correlations between inputs relax over xi_c layers, which diverges on
the order-to-chaos line. Four measurements put it to the test:
1. the phase diagram: accuracy after a fixed budget of a net of each depth and sigma_w^2, against
   the theory's trainable region depth < 6 xi_c (Schoenholz et al. 2017, Fig. 5);
2. input-output Jacobian spectra at initialisation (Pennington et al. 2017): the product of
   D_l W_l is well conditioned at every depth for tanh with orthogonal weights at criticality, while
   the spread of its log singular values grows with depth for Gaussian weights (tanh at the same
   point, relu with He init);
3. forward statistics layer by layer (variance of the pre-activations, mean and variance of the
   activations) against the length map's prediction;
4. the order-to-chaos line sigma_w^2(sigma_b^2) where chi_1 = 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..diagnostics import layer_inputs_outputs
from ..nn import MLP, init
from ..optim import OPTIMIZERS, by_name
from ..tensor import Tensor
from ..theory import meanfield
from ..train import fit
from ..viz.lab_plots import (
    plot_critical_line,
    plot_jacobian_spectra,
    plot_layer_statistics,
    plot_phase_diagram,
)
from ..viz.tables import Number, Table
from .common import batches, seeded_mlp
from .protocol import About, DataSettings, activation_knob, activations_knob, knob

ABOUT = About("signal", "Signal propagation: mean-field theory against measurement",
              "mean-field depth scales, phase diagram, Jacobian spectra and layer statistics of an activation")


@dataclass(frozen=True)
class Settings(DataSettings):
    activation: str = activation_knob("tanh")
    sigma_b2: float = knob(0.05, "bias variance sigma_b^2 of the phase diagram (Schoenholz et al.: 0.05)", at_least=0)
    sigma_w2: tuple[float, ...] = knob((0.5, 0.75, 1.0, 1.5, 1.75, 2.5, 4.0),
                                       "weight variances sigma_w^2 of the phase diagram", quick=(0.5, 1.75),
                                       above=0)
    depths: tuple[int, ...] = knob((5, 10, 15, 20, 30, 45), "depths (hidden layers) of the phase diagram",
                                   quick=(4, 20), at_least=1)
    width: int = knob(64, "units per hidden layer of the phase diagram", quick=32, at_least=1)
    steps: int = knob(300, "training steps per cell of the phase diagram", quick=100, at_least=1)
    optimizer: str = knob("sgd", "optimizer of the phase diagram (sgd: with momentum 0.9)", choices=tuple(OPTIMIZERS))
    lr: float = knob(0.01, "learning rate", above=0)
    batch_size: int = knob(64, "images per step", at_least=1)
    threshold: float = knob(0.5, "test accuracy above which a cell counts as trained", above=0, at_most=1)
    jacobian_depths: tuple[int, ...] = knob((4, 16, 64), "depths of the Jacobian spectra", quick=(4, 16), at_least=1)
    jacobian_width: int = knob(128, "width of the Jacobian spectra", quick=64, at_least=1)
    jacobian_sigma_b2: float = knob(1e-5, "sigma_b^2 of the critical tanh nets of the spectra (small q*)",
                                    at_least=0)
    stats_activations: tuple[str, ...] = activations_knob(("tanh", "relu", "selu"),
                                                          "activations of the layer statistics, each at its "
                                                          "critical sigma_w^2 (else 1)")
    stats_depth: int = knob(20, "layers of the layer statistics", quick=8, at_least=1)
    stats_width: int = knob(500, "width of the layer statistics", quick=200, at_least=1)
    stats_nets: int = knob(4, "random nets averaged in the layer statistics", quick=2, at_least=1)


# ====================================================================== nets with mean-field init


def random_mlp(seed: int, activation: str, sizes: Sequence[int], sigma_w2: float, sigma_b2: float,
               weights: str = "gaussian", params: Mapping[str, Any] | None = None) -> MLP:
    """MLP(sizes, activation), drawn after manual_seed(seed), with W ~ N(0, sigma_w^2 / fan_in)
    ("gaussian") or sqrt(sigma_w^2) times a random orthogonal matrix ("orthogonal",
    nn.init.orthogonal_), and biases N(0, sigma_b^2): the ensemble the mean-field theory describes."""
    if weights not in ("gaussian", "orthogonal"):
        raise ValueError(f"random_mlp: weights must be 'gaussian' or 'orthogonal', got {weights!r}")
    model = seeded_mlp(seed, sizes, activation, **dict(params or {}))
    for linear in model.linears():
        fan_in = linear.weight.shape[1]
        if weights == "gaussian":
            init.normal_(linear.weight, 0.0, math.sqrt(sigma_w2 / fan_in))
        else:
            init.orthogonal_(linear.weight, gain=math.sqrt(sigma_w2))
        init.normal_(linear.bias, 0.0, math.sqrt(sigma_b2))
    return model


# ====================================================================== 1. the phase diagram


@dataclass
class PhaseDiagram:
    """Test accuracy after a fixed budget for each (sigma_w^2, depth), with the theory's depth scale."""

    activation: str
    sigma_b2: float
    sigma_w2: list[float]
    depths: list[int]
    accuracy: np.ndarray  # (len(sigma_w2), len(depths))
    theory: list[meanfield.MeanField]  # one per sigma_w^2
    threshold: float
    critical_sigma_w2: float | None

    @property
    def trained(self) -> np.ndarray:
        """Measured: the cells whose accuracy passed the threshold."""
        return self.accuracy > self.threshold

    @property
    def predicted(self) -> np.ndarray:
        """Theory: the cells with depth < 6 xi_c."""
        return np.array([[depth < theory.trainable_depth() for depth in self.depths]
                         for theory in self.theory])

    @property
    def agreement(self) -> float:
        """The share of cells where theory and measurement agree (both trainable or both not)."""
        return float(np.mean(self.trained == self.predicted))


def train_cell(activation: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
               sigma_w2: float, sigma_b2: float, depth: int, width: int, steps: int, optimizer: str, lr: float,
               batch_size: int, seed: int) -> float:
    """Test accuracy of a random_mlp([784, width x depth, 10]) after `steps` steps of `optimizer`
    (SGD with momentum 0.9)."""
    model = random_mlp(seed, activation, [train[0].shape[1], *[width] * depth, 10], sigma_w2, sigma_b2)
    options = {"momentum": 0.9} if optimizer == "sgd" else {}
    opt = by_name(optimizer, model.parameters(), lr=lr, **options)
    # a chaotic deep net can overflow its logits in the first steps: that cell simply fails to train
    with np.errstate(over="ignore", invalid="ignore"):
        fit(model, batches(train, batch_size, seed), opt, epochs=None, max_steps=steps, progress=False)
        with no_grad():
            predictions = model(Tensor(test[0])).data.argmax(axis=1)
    return float((predictions == test[1]).mean())


def phase_diagram(activation: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                  sigma_w2: Sequence[float], depths: Sequence[int], sigma_b2: float = 0.05, width: int = 64,
                  steps: int = 300, optimizer: str = "sgd", lr: float = 0.01, batch_size: int = 64,
                  threshold: float = 0.5, seed: int = 0) -> PhaseDiagram:
    """Train one net per (sigma_w^2, depth) cell and compare with depth < 6 xi_c."""
    accuracy = np.array([[train_cell(activation, train, test, weight_variance, sigma_b2, depth, width, steps,
                                     optimizer, lr, batch_size, seed) for depth in depths] for weight_variance in sigma_w2])
    theory = [meanfield.mean_field(activation, weight_variance, sigma_b2) for weight_variance in sigma_w2]
    return PhaseDiagram(activation, sigma_b2, list(sigma_w2), list(depths), accuracy, theory, threshold,
                        meanfield.critical_sigma_w2(activation, sigma_b2))


# ====================================================================== 2. Jacobian spectra


@dataclass(frozen=True)
class JacobianSetup:
    """One ensemble of the spectra: an activation, its weights' law and (sigma_w^2, sigma_b^2)."""

    label: str
    activation: str
    weights: str
    sigma_w2: float
    sigma_b2: float


@dataclass
class JacobianSpectrum:
    """The singular values of the input-output Jacobian of one net at initialisation."""

    setup: JacobianSetup
    depth: int
    singular_values: np.ndarray

    @property
    def nonzero(self) -> np.ndarray:
        """The singular values above 1e-12 of the largest: a relu unit that is off zeroes its row of the
        Jacobian, so about half of a relu net's singular values are exactly 0 (rounded to ~1e-17)."""
        return self.singular_values[self.singular_values > 1e-12 * self.singular_values.max()]

    @property
    def log_spread(self) -> float:
        """The standard deviation of log(singular value) over the nonzero ones: 0 for perfect dynamical
        isometry."""
        return float(np.std(np.log(self.nonzero)))


def pennington_setups(sigma_b2: float = 1e-5) -> list[JacobianSetup]:
    """tanh at its critical sigma_w^2 for `sigma_b2` with orthogonal and with Gaussian weights, and relu
    with He init (Gaussian, sigma_w^2 = 2, sigma_b^2 = 0): Pennington et al. 2017, Fig. 2-3."""
    critical = meanfield.critical_sigma_w2("tanh", sigma_b2)
    return [JacobianSetup("tanh, orthogonal, critical", "tanh", "orthogonal", critical, sigma_b2),
            JacobianSetup("tanh, Gaussian, critical", "tanh", "gaussian", critical, sigma_b2),
            JacobianSetup("relu, Gaussian (He)", "relu", "gaussian", 2.0, 0.0)]


def input_output_jacobian(model: MLP, x: np.ndarray) -> np.ndarray:
    """d h^L / d x of the last hidden layer's activations at one input x: the product
    D_L W_L ... D_1 W_1 with D_l = diag(f'(z^l)) from the activation's backward rule (Pennington
    et al. 2017, eq. (2)). The output layer is left out: it only rescales the spectrum."""
    jacobian = np.eye(x.shape[-1])
    hidden = np.asarray(x, dtype=np.float64)
    layers = list(model.children())
    for linear, activation in zip(layers[0:-1:2], layers[1:-1:2]):
        weight = linear.weight.data.astype(np.float64)
        z = weight @ hidden + linear.bias.data.astype(np.float64)
        y = activation.spec.forward(z, **activation.params)
        slope = activation.spec.backward(z, y, np.ones_like(z), **activation.params)
        jacobian = slope[:, None] * (weight @ jacobian)
        hidden = y
    return jacobian


def jacobian_spectra(setups: Sequence[JacobianSetup], depths: Sequence[int], width: int = 128,
                     seed: int = 0) -> list[JacobianSpectrum]:
    """For each setup and depth: the singular values of the Jacobian of a random_mlp([width] * (depth + 2))
    at one Gaussian input scaled so that the first layer's pre-activations are already at length q*."""
    spectra = []
    for setup in setups:
        q_star = meanfield.length_fixed_point(setup.activation, setup.sigma_w2, setup.sigma_b2)
        # the input stands for the previous layer's activations at the fixed point: E[x^2] = (q* - sigma_b^2) / sigma_w^2
        second_moment = (q_star - setup.sigma_b2) / setup.sigma_w2 if math.isfinite(q_star) else 1.0
        for depth in depths:
            model = random_mlp(seed, setup.activation, [width, *[width] * depth, width], setup.sigma_w2, setup.sigma_b2,
                               setup.weights)
            x = np.random.default_rng(seed).normal(0.0, math.sqrt(second_moment), width)
            values = np.linalg.svd(input_output_jacobian(model, x), compute_uv=False)
            spectra.append(JacobianSpectrum(setup, depth, values))
    return spectra


# ====================================================================== 3. forward statistics


@dataclass
class LayerComparison:
    """Measured and predicted statistics of every layer of one random net."""

    activation: str
    sigma_w2: float
    sigma_b2: float
    measured_q: list[float]  # variance of the pre-activations, per layer
    predicted_q: list[float]
    measured_mean: list[float]  # mean of the activations
    predicted_mean: list[float]
    measured_var: list[float]  # variance of the activations
    predicted_var: list[float]

    def worst_relative_error(self) -> float:
        """The largest |measured - predicted| / predicted over the layers' q and activation variance."""
        pairs = [*zip(self.measured_q, self.predicted_q), *zip(self.measured_var, self.predicted_var)]
        return max(abs(measured - predicted) / predicted for measured, predicted in pairs if predicted > 0)


def stats_point(activation: str, sigma_b2: float) -> float:
    """The activation's critical sigma_w^2 at sigma_b2 (its edge of chaos), else 1."""
    critical = meanfield.critical_sigma_w2(activation, sigma_b2, low=0.25, high=16.0)
    return 1.0 if critical is None else critical


def compare_layers(activation: str, sigma_w2: float, sigma_b2: float, depth: int = 20, width: int = 500,
                   samples: int = 200, nets: int = 4, seed: int = 0) -> LayerComparison:
    """random_mlps of `depth` layers of `width` on N(0, 1) inputs of size `width`: the statistics over
    units and samples, averaged over `nets` nets (seeds seed, seed + 1, ...), against the length map
    from q^1 = sigma_w^2 E[x^2] + sigma_b^2. At finite width a single net's q drifts like a
    multiplicative random walk (by about sqrt(depth / width)), which the average damps."""
    inputs = np.random.default_rng(seed).standard_normal((samples, width))
    measured = []
    for offset in range(nets):
        model = random_mlp(seed + offset, activation, [width, *[width] * depth, 1], sigma_w2, sigma_b2)
        measured.append([(np.mean(z.astype(np.float64) ** 2), np.mean(y), np.var(y))
                         for z, y in layer_inputs_outputs(model, inputs)])
    measured_q, measured_mean, measured_var = np.mean(measured, axis=0).T.tolist()
    q0 = sigma_w2 * float(np.mean(inputs**2)) + sigma_b2
    predicted_q = meanfield.length_trajectory(activation, q0, depth, sigma_w2, sigma_b2)
    predicted = [meanfield.forward_statistics(activation, q) for q in predicted_q]
    return LayerComparison(activation, sigma_w2, sigma_b2, measured_q, predicted_q, measured_mean,
                           [mean for mean, _ in predicted], measured_var, [variance for _, variance in predicted])


# ====================================================================== the experiment


@dataclass
class Result:
    settings: Settings
    critical_line: list[tuple[float, float | None]]
    diagram: PhaseDiagram
    spectra: list[JacobianSpectrum]
    layers: list[LayerComparison]


CRITICAL_LINE_SIGMA_B2 = (0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0)


def run(settings: Settings) -> Result:
    s = settings
    train, test = s.load_data()
    diagram = phase_diagram(s.activation, train, test, s.sigma_w2, s.depths, s.sigma_b2, s.width, s.steps,
                            s.optimizer, s.lr, s.batch_size, s.threshold, s.seed)
    line = meanfield.order_to_chaos_line(s.activation, CRITICAL_LINE_SIGMA_B2)
    spectra = jacobian_spectra(pennington_setups(s.jacobian_sigma_b2), s.jacobian_depths, s.jacobian_width, s.seed)
    layers = [compare_layers(name, stats_point(name, s.sigma_b2), s.sigma_b2, s.stats_depth, s.stats_width,
                             nets=s.stats_nets, seed=s.seed) for name in dict.fromkeys(s.stats_activations)]
    return Result(s, line, diagram, spectra, layers)


def _scale(value: float) -> Number | str:
    return "inf" if math.isinf(value) else Number(value, ".4g")


def theory_data(result: Result) -> Table:
    """The mean-field quantities at each sigma_w^2 of the phase diagram."""
    rows = [[Number(t.sigma_w2, ".3g"), _scale(t.q_star), Number(t.chi_1, ".4f"), Number(t.c_star, ".4f"),
             _scale(t.xi_q), _scale(t.xi_c), _scale(t.trainable_depth()), t.phase]
            for t in result.diagram.theory]
    return Table(["sigma_w^2", "q*", "chi_1", "c*", "xi_q", "xi_c", "6 xi_c", "phase"], rows,
                 f"{result.settings.activation}, sigma_b^2 = {result.settings.sigma_b2:g}: mean-field fixed points and "
                 "depth scales (Gauss-Hermite quadrature of the activation's own rules)")


def critical_line_data(result: Result) -> Table:
    rows = [[Number(sigma_b2, "g"), "-" if critical is None else Number(critical, ".4f")]
            for sigma_b2, critical in result.critical_line]
    return Table(["sigma_b^2", "critical sigma_w^2"], rows,
                 f"{result.settings.activation}: the order-to-chaos line, where chi_1 = 1 (- : none in [0.1, 16])")


def phase_data(result: Result) -> Table:
    """Rows: sigma_w^2; columns: depth; cells: accuracy, with T/F for the theory's verdict."""
    diagram, s = result.diagram, result.settings
    predicted = diagram.predicted
    rows = [[Number(weight_variance, ".3g"),
             *(f"{diagram.accuracy[row, column]:.2f} {'T' if predicted[row, column] else 'F'}"
               for column in range(len(diagram.depths)))]
            for row, weight_variance in enumerate(diagram.sigma_w2)]
    return Table(["sigma_w^2", *(f"depth {depth}" for depth in diagram.depths)], rows,
                 f"{s.activation}: test accuracy after {s.steps} steps of {s.optimizer} (lr {s.lr}, batch "
                 f"{s.batch_size}), width {s.width}, sigma_b^2 {s.sigma_b2:g}; T/F: theory says trainable "
                 f"(depth < 6 xi_c) or not; trained means accuracy > {s.threshold:g}")


def spectra_data(result: Result) -> Table:
    depths = sorted({spectrum.depth for spectrum in result.spectra})
    setups = list(dict.fromkeys(spectrum.setup for spectrum in result.spectra))
    lookup = {(spectrum.setup, spectrum.depth): spectrum for spectrum in result.spectra}
    rows = [[setup.label, Number(setup.sigma_w2, ".4g"), Number(setup.sigma_b2, "g"),
             _scale(meanfield.length_fixed_point(setup.activation, setup.sigma_w2, setup.sigma_b2)),
             *(Number(lookup[setup, depth].log_spread, ".3f") for depth in depths)] for setup in setups]
    return Table(["weights", "sigma_w^2", "sigma_b^2", "q*", *(f"depth {depth}" for depth in depths)], rows,
                 f"std of log singular values of the input-output Jacobian at init, width "
                 f"{result.settings.jacobian_width} (0: every direction kept, dynamical isometry)")


def layers_data(result: Result) -> Table:
    rows = []
    for comparison in result.layers:
        depth = len(comparison.measured_q)
        for layer in sorted({0, 1, 4, depth // 2, depth - 1} & set(range(depth))):
            rows.append([comparison.activation, Number(comparison.sigma_w2, ".4g"), layer + 1,
                         comparison.measured_q[layer], comparison.predicted_q[layer],
                         comparison.measured_mean[layer], comparison.predicted_mean[layer],
                         comparison.measured_var[layer], comparison.predicted_var[layer]])
    return Table(["activation", "sigma_w^2", "layer", "var z", "theory", "mean f(z)", "theory", "var f(z)", "theory"],
                 rows, f"forward statistics, mean of {result.settings.stats_nets} random nets (width "
                       f"{result.settings.stats_width}, sigma_b^2 "
                       f"{result.settings.sigma_b2:g}, each activation at its critical sigma_w^2) against the "
                       "mean-field length map", formats={column: ".4f" for column in range(3, 9)})


def tables(result: Result) -> list[Table]:
    return [theory_data(result), critical_line_data(result), phase_data(result), spectra_data(result),
            layers_data(result)]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    folder = Path(folder)
    paths = {folder / "phase_diagram.png": "accuracy over (sigma_w^2, depth) with the theory's 6 xi_c boundary",
             folder / "jacobian_spectra.png": "singular values of the input-output Jacobian at init",
             folder / "layer_statistics.png": "per-layer statistics: measured (dots) against mean-field (lines)",
             folder / "critical_line.png": "the order-to-chaos line sigma_w^2(sigma_b^2)"}
    plot_phase_diagram(result.diagram, folder / "phase_diagram.png")
    plot_jacobian_spectra(result.spectra, folder / "jacobian_spectra.png")
    plot_layer_statistics(result.layers, folder / "layer_statistics.png")
    plot_critical_line(result.settings.activation, result.critical_line, folder / "critical_line.png")
    return paths


def notes(result: Result) -> list[str]:
    diagram, s = result.diagram, result.settings
    cells = diagram.accuracy.size
    sentences = [f"theory and measurement agree on {diagram.agreement:.0%} of the {cells} cells "
                 f"({int(np.sum(diagram.trained))} trained, {int(np.sum(diagram.predicted))} predicted trainable)"]
    if diagram.critical_sigma_w2 is not None:
        sentences.append(f"{s.activation} at sigma_b^2 = {s.sigma_b2:g} is critical (chi_1 = 1) at sigma_w^2 = "
                         f"{diagram.critical_sigma_w2:.4f}")
    deepest = max(spectrum.depth for spectrum in result.spectra)
    spreads = ", ".join(f"{spectrum.setup.label}: {spectrum.log_spread:.3f}" for spectrum in result.spectra
                        if spectrum.depth == deepest)
    sentences.append(f"spread of log singular values at depth {deepest}: {spreads}")
    sentences += [f"{comparison.activation}: measured layer variances within {comparison.worst_relative_error():.1%} "
                  "of the mean-field prediction" for comparison in result.layers]
    return sentences
