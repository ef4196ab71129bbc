"""Specification of the experiments' figures (viz.experiment_plots) and the activation gallery:
every series can be told apart, the axes show the effect, the titles say what and under which
settings. Read from the matplotlib Figures the plot functions return, on small made-up results."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from tinygrad_act.experiments.dying_relu import Variant
from tinygrad_act.viz.activation_plots import plot_activations
from tinygrad_act.viz.experiment_plots import (
    plot_dying,
    plot_gradient_norms,
    plot_loss_curves,
    plot_selu,
    plot_speed,
)


def vanishing_result(init_scale: float = 1.0, clip: float | None = None) -> SimpleNamespace:
    settings = SimpleNamespace(depth=3, width=16, init="auto", init_scale=init_scale, optimizer="sgd", lr=0.02)
    profiles = [SimpleNamespace(activation="sigmoid", init="xavier_uniform", norms=[1e-4, 1e-2, 0.1, 1.0],
                                signal_norms=[1e-4, 1e-2, 0.1, 1.0]),
                SimpleNamespace(activation="relu", init="kaiming_normal", norms=[1.0, 0.5, 0.4, 0.4],
                                signal_norms=[1.0, 0.5, 0.4, 0.4]),
                SimpleNamespace(activation="leaky_relu", init="kaiming_normal", norms=[1.02, 0.51, 0.4, 0.4],
                                signal_norms=[1.02, 0.51, 0.4, 0.4])]
    noisy = list(2.0 * np.exp(-np.arange(200) / 80) * (1 + 0.3 * np.random.default_rng(0).random(200)))
    runs = [SimpleNamespace(activation="relu", clip=None, losses=[2.3, 50.0, float("inf")], diverged_at=3),
            SimpleNamespace(activation="relu", clip=clip, losses=noisy, diverged_at=None)]
    return SimpleNamespace(settings=settings, profiles=profiles, runs=runs)


def test_gradient_norms_name_the_line_that_lies_on_another_and_give_every_line_its_colour(tmp_path: Path) -> None:
    figure = plot_gradient_norms(vanishing_result(), tmp_path / "norms.png")
    axes = figure.axes[0]
    labels = [line.get_label() for line in axes.get_lines()]
    assert labels[2] == "leaky_relu (kaiming_normal) (= relu here)"
    assert len({line.get_color() for line in axes.get_lines()}) == 3
    assert axes.get_yscale() == "log"  # the norms span four decades
    assert "3-hidden-layer MLP (width 16)" in axes.get_title()
    assert axes.get_xlabel() == "Linear layer (1 = next to the input, 4 = output layer)"


def test_loss_curves_of_the_exploding_run_differ_in_colour_and_the_title_says_x2(tmp_path: Path) -> None:
    figure = plot_loss_curves(vanishing_result(init_scale=2.0, clip=1.0), tmp_path / "loss.png")
    axes = figure.axes[0]
    labelled = [line for line in axes.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in labelled] == ["relu", "relu, gradients clipped to norm 1"]
    assert labelled[0].get_color() != labelled[1].get_color()
    title = figure.get_suptitle()
    assert "initial weights x2" in title and "moving average" in title
    raw = [line for line in axes.get_lines() if line.get_alpha() == 0.25]
    assert raw, "the raw noisy curve is drawn faint behind the smoothed one"


def test_dead_units_draw_one_panel_per_variant_coloured_by_kind(tmp_path: Path) -> None:
    variants = [Variant("relu, lr 0.03 (too large)", "relu", 0.03, 0.0, "kills units")]
    variants += [Variant(f"fix {index}", "elu", 0.001, 0.0, "fix") for index in range(8)]
    runs = [SimpleNamespace(variant=variant, mean_dead_history=lambda kills=variant.kind == "kills units":
                            [0.0, 0.7 if kills else 0.0]) for variant in variants]
    figure = plot_dying(runs, tmp_path / "dead.png", "title")
    panels = [axes for axes in figure.axes if axes.get_visible()]
    assert [axes.get_title() for axes in panels] == [variant.name for variant in variants]
    assert panels[0].get_lines()[0].get_color() == "tab:red"
    assert all(axes.get_lines()[0].get_color() == "tab:green" for axes in panels[1:])
    assert all(axes.get_ylim() == panels[0].get_ylim() for axes in panels)


def test_selu_legend_sits_outside_both_panels(tmp_path: Path) -> None:
    results = [SimpleNamespace(activation=name, init="init", means=list(np.linspace(0, 1, 10)),
                               stds=list(np.linspace(1, 0, 10))) for name in ("selu", "tanh")]
    figure = plot_selu(results, tmp_path / "selu.png")
    assert all(axes.get_legend() is None for axes in figure.axes)
    assert len(figure.legends) == 1


def test_speed_uses_a_log_step_axis_and_says_where_each_run_reached_the_target(tmp_path: Path) -> None:
    def race(name: str, reached: int | None, last: int) -> SimpleNamespace:
        curve = [(step, min(0.96, step / (reached or 4 * last))) for step in range(50, last + 1, 50)]
        return SimpleNamespace(activation=name, target=0.95, steps_to_target=reached, steps_taken=last,
                               curve=curve, eval_samples=2000)
    figure = plot_speed([race("relu", 750, 750), race("sigmoid", None, 1500)], tmp_path / "speed.png")
    axes = figure.axes[0]
    assert axes.get_xscale() == "log"
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert labels[:2] == ["relu: at step 750", "sigmoid: not reached in 1,500 steps"]


def test_gallery_widens_relu6_to_its_cap_and_zooms_into_leaky_relus_slope() -> None:
    figure = plot_activations(["relu", "relu6", "leaky_relu"])
    relu, relu6, leaky = figure.axes[:3]
    assert relu.get_xlim()[1] < 6 < relu6.get_xlim()[1]
    assert not relu.child_axes and not relu6.child_axes
    assert leaky.child_axes and "slope 0.01" in leaky.child_axes[0].get_title()
