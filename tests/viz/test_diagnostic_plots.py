"""Specification of tinygrad_act.viz.diagnostic_plots: each plot returns a labelled Figure and saves PNG/SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn
from tinygrad_act.diagnostics import DeadUnits, GradientFlow
from tinygrad_act.train import History
from tinygrad_act.viz.diagnostic_plots import (
    plot_activation_stats,
    plot_dead_units,
    plot_gradient_flow,
    plot_history,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def recorded_flow(activation: str, seed: int = 0) -> GradientFlow:
    """A GradientFlow that saw one backward of a 4-layer MLP on random data."""
    ta.manual_seed(seed)
    model = nn.MLP([8, 8, 8, 8, 3], activation=activation)
    flow = GradientFlow(model)
    labels = np.random.default_rng(seed).integers(0, 3, 16)
    F.cross_entropy(model(ta.randn(16, 8)), labels).backward()
    flow.remove()
    return flow


def recorded_dead_units(steps: int) -> DeadUnits:
    """A DeadUnits that saw `steps` forward calls of a small relu MLP."""
    ta.manual_seed(0)
    model = nn.MLP([4, 6, 6, 2], activation="relu")
    dead = DeadUnits(model)
    for _ in range(steps):
        model(ta.randn(8, 4))
    dead.remove()
    return dead


def line_labels(figure: Figure, panel: int = 0) -> list[str]:
    return [line.get_label() for line in figure.axes[panel].get_lines()]


# ============================================================================ plot_gradient_flow


def test_plot_gradient_flow_counts_layers_from_1_with_their_module_paths() -> None:
    flow = recorded_flow("sigmoid")
    figure = plot_gradient_flow(flow)
    axes = figure.axes[0]
    assert isinstance(figure, Figure)
    assert axes.get_ylabel() == "weight-gradient L2 norm"
    assert axes.get_xlabel() == "layer, from the input (1) to the output, with its module path"
    assert [label.get_text() for label in axes.get_xticklabels()] == ["1\n(0)", "2\n(2)", "3\n(4)", "4\n(6)"]
    np.testing.assert_allclose(axes.get_lines()[0].get_ydata(), list(flow.norms().values()))


def test_plot_gradient_flow_uses_a_log_axis_only_when_the_norms_span_a_decade() -> None:
    assert plot_gradient_flow({"deep sigmoid": [1e-6, 1e-3, 1.0]}).axes[0].get_yscale() == "log"
    flat = plot_gradient_flow({"run": [0.15, 0.17, 0.19]}).axes[0]
    assert flat.get_yscale() == "linear"
    assert flat.get_ylim()[0] == 0.0


def test_plot_gradient_flow_of_one_run_says_flat_when_it_is() -> None:
    assert plot_gradient_flow({"one": [1e-4, 1e-2, 1.0]}).axes[0].get_title().startswith(
        "weight-gradient norm per layer: vanishing toward the input")
    assert plot_gradient_flow({"one": [0.15, 0.17, 0.19]}).axes[0].get_title().startswith(
        "weight-gradient norm per layer: flat")


def test_plot_gradient_flow_names_a_line_that_lies_on_another() -> None:
    figure = plot_gradient_flow({"relu": [1.0, 0.5, 0.4], "leaky_relu": [1.01, 0.51, 0.4], "tanh": [0.7, 0.3, 0.3]})
    lines = figure.axes[0].get_lines()
    assert line_labels(figure) == ["relu", "leaky_relu (= relu here)", "tanh"]
    assert lines[1].get_linestyle() == "--" and lines[1].get_markerfacecolor() == "none"
    assert len({line.get_color() for line in lines}) == 3
    assert len({line.get_marker() for line in lines}) == 3


def test_plot_gradient_flow_draws_a_line_per_activation_from_a_dict() -> None:
    runs = {"sigmoid": recorded_flow("sigmoid"), "relu": recorded_flow("relu"), "by hand": [1.0, 0.5, 0.25, 0.1]}
    figure = plot_gradient_flow(runs)
    assert line_labels(figure) == ["sigmoid", "relu", "by hand"]
    np.testing.assert_allclose(figure.axes[0].get_lines()[2].get_ydata(), [1.0, 0.5, 0.25, 0.1])


def test_plot_gradient_flow_uses_a_linear_scale_on_request() -> None:
    assert plot_gradient_flow({"run": [1.0, 2.0]}, log=False).axes[0].get_yscale() == "linear"


def test_plot_gradient_flow_saves_a_png(tmp_path: Path) -> None:
    path = tmp_path / "flow.png"
    plot_gradient_flow(recorded_flow("relu"), path=path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_plot_gradient_flow_saves_an_svg_that_parses_as_xml(tmp_path: Path) -> None:
    path = tmp_path / "flow.svg"
    plot_gradient_flow(recorded_flow("relu"), path=path)
    assert ElementTree.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_plot_gradient_flow_rejects_a_flow_without_any_backward() -> None:
    with pytest.raises(ValueError, match="has recorded no backward yet"):
        plot_gradient_flow(GradientFlow(nn.Linear(2, 2)))


def test_plot_gradient_flow_rejects_values_that_are_not_norms() -> None:
    with pytest.raises(TypeError, match="expected a GradientFlow, a dict layer -> norm or a list of norms, got str"):
        plot_gradient_flow({"run": "norms"})


# ============================================================================ plot_dead_units


def test_plot_dead_units_draws_a_line_per_layer_of_a_dead_units_monitor() -> None:
    dead = recorded_dead_units(steps=3)
    figure = plot_dead_units(dead, xlabel="batch")
    axes = figure.axes[0]
    assert line_labels(figure) == ["1", "3"]
    assert axes.get_xlabel() == "batch"
    assert axes.get_ylabel() == "dead fraction (f' = 0 on the whole batch)"
    np.testing.assert_allclose(axes.get_lines()[1].get_ydata(), dead.history["3"])
    np.testing.assert_allclose(axes.get_lines()[1].get_xdata(), [1, 2, 3])


def test_plot_dead_units_draws_a_variant_as_its_mean_over_layers() -> None:
    dead = recorded_dead_units(steps=2)
    figure = plot_dead_units({"relu": dead, "leaky_relu": [0.0, 0.0]}, xlabel="epoch")
    assert line_labels(figure) == ["relu", "leaky_relu"]
    expected = [(dead.history["1"][step] + dead.history["3"][step]) / 2 for step in range(2)]
    np.testing.assert_allclose(figure.axes[0].get_lines()[0].get_ydata(), expected)


def test_plot_dead_units_saves_a_png(tmp_path: Path) -> None:
    path = tmp_path / "dead.png"
    plot_dead_units({"layer 1": [0.1, 0.3, 0.6]}, path=path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_plot_dead_units_rejects_an_empty_dict() -> None:
    with pytest.raises(ValueError, match="give a DeadUnits or a non-empty dict"):
        plot_dead_units({})


# ============================================================================ plot_activation_stats


def test_plot_activation_stats_draws_a_histogram_per_activation_layer() -> None:
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2))
    figure = plot_activation_stats(model, ta.randn(64, 4), bins=10)
    titles = [axes.get_title() for axes in figure.axes if axes.get_visible()]
    assert titles == ["1: tanh", "3: leaky_relu(0.2)"]
    assert figure.axes[0].get_xlabel() == "output value"
    assert figure.axes[0].get_ylabel() == "count"
    assert sum(bar.get_height() for bar in figure.axes[0].patches) == 64 * 16


class SkipsItsActivation(nn.Module):
    """A model owning two activation layers whose forward uses only the first."""

    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Tanh()
        self.unused = nn.Sigmoid()

    def forward(self, x: ta.Tensor) -> ta.Tensor:
        return self.used(x)


def test_plot_activation_stats_shows_only_the_layers_the_forward_used() -> None:
    figure = plot_activation_stats(SkipsItsActivation(), np.ones((2, 3)))
    assert [axes.get_title() for axes in figure.axes if axes.get_visible()] == ["used: tanh"]


def test_plot_activation_stats_removes_its_hooks() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    plot_activation_stats(model, np.ones((2, 3)))
    assert model[1]._forward_hooks == {}


def test_plot_activation_stats_removes_its_hooks_when_the_forward_fails() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    with pytest.raises(ValueError, match="expected input with 3 features"):
        plot_activation_stats(model, np.ones((2, 5)))
    assert model[1]._forward_hooks == {}


def test_plot_activation_stats_saves_an_svg(tmp_path: Path) -> None:
    path = tmp_path / "stats.svg"
    plot_activation_stats(nn.Sequential(nn.Linear(3, 3), nn.Sigmoid()), np.ones((2, 3)), path=path)
    assert ElementTree.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_plot_activation_stats_rejects_a_model_without_activation_layers() -> None:
    with pytest.raises(ValueError, match="Linear has no activation layer to show"):
        plot_activation_stats(nn.Linear(3, 3), np.ones((2, 3)))


# ============================================================================ plot_history


def test_plot_history_draws_a_panel_per_metric_with_each_split_in_its_own_colour_and_words() -> None:
    history = {"loss": [1.0, 0.5, 0.2], "accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.7, 0.85]}
    figure = plot_history(history)
    assert [axes.get_ylabel() for axes in figure.axes] == ["loss", "accuracy"]
    assert all(axes.get_xlabel() == "epoch" for axes in figure.axes)
    assert line_labels(figure, panel=1) == ["train accuracy", "validation accuracy"]
    train, validation = figure.axes[1].get_lines()
    assert train.get_color() != validation.get_color() and train.get_marker() != validation.get_marker()
    assert [train.get_linestyle(), validation.get_linestyle()] == ["-", "--"]
    np.testing.assert_allclose(figure.axes[1].get_lines()[1].get_ydata(), [0.4, 0.7, 0.85])
    np.testing.assert_allclose(figure.axes[1].get_lines()[1].get_xdata(), [1, 2, 3])


def test_plot_history_reads_an_object_with_metric_attributes() -> None:
    history = History(loss=[0.9, 0.4], val_loss=[1.0, 0.6])
    figure = plot_history(history)
    assert [axes.get_ylabel() for axes in figure.axes] == ["loss"]
    assert line_labels(figure) == ["train loss", "validation loss"]


def test_plot_history_draws_several_runs_in_their_own_colours() -> None:
    runs = {"relu": {"loss": [1.0, 0.3]}, "sigmoid": History(loss=[1.0, 0.9])}
    figure = plot_history(runs)
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["relu train loss", "sigmoid train loss"]
    assert lines[0].get_color() != lines[1].get_color()


def test_plot_history_draws_durations_from_zero() -> None:
    figure = plot_history({"test_accuracy": [0.97, 0.98], "seconds": [1.53, 1.63]})
    assert line_labels(figure, panel=0) == ["test accuracy"]
    assert figure.axes[1].get_ylim()[0] == 0.0


def test_plot_history_saves_a_png(tmp_path: Path) -> None:
    path = tmp_path / "history.png"
    plot_history({"loss": [1.0, 0.5]}, path=path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_plot_history_rejects_a_history_without_metric_lists() -> None:
    with pytest.raises(ValueError, match="no per-epoch metric lists to draw"):
        plot_history(History())
