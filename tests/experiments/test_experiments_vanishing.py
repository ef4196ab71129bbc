"""experiments/vanishing.py and `tinygrad-act vanishing`: vanishing and exploding gradients in deep MLPs."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_act.experiments import vanishing
from tinygrad_act.rng import manual_seed
from tinygrad_act.viz.tables import render

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



@pytest.fixture(scope="module")
def result() -> vanishing.Result:
    """10 hidden layers of 128 on the built-in MNIST subset: sigmoid and relu, each with its matching init."""
    return vanishing.run(vanishing.Settings.quick(activations=("sigmoid", "relu"), steps=150))


@pytest.fixture(scope="module")
def exploding() -> vanishing.Result:
    """relu with every initial weight doubled, trained unclipped and with the gradient norm clipped to 1."""
    return vanishing.run(vanishing.Settings.quick(activations=("relu",), steps=30, init_scale=2.0, clip=1.0))


def test_matching_inits_are_xavier_for_sigmoid_and_kaiming_for_relu(result):
    assert result.profile("sigmoid").init == "xavier_uniform"
    assert result.profile("relu").init == "kaiming_normal"


def test_profile_has_one_norm_per_linear_layer(result):
    for profile in result.profiles:
        assert len(profile.norms) == len(profile.signal_norms) == 11
        assert all(norm > 0 for norm in profile.norms)


def test_sigmoid_first_layer_gradient_is_over_100x_smaller_than_the_last(result):
    sigmoid = result.profile("sigmoid")
    assert sigmoid.ratio < 1e-2
    assert sigmoid.ratio == pytest.approx(sigmoid.norms[0] / sigmoid.norms[-1])


def test_sigmoid_net_stays_near_chance_after_the_budget(result):
    assert result.run("sigmoid").test_accuracy < 0.3


def test_relu_with_kaiming_init_keeps_the_ratio_within_10x(result):
    assert 0.1 < result.profile("relu").ratio < 10.0


def test_relu_with_kaiming_init_learns_well_above_chance(result):
    run = result.run("relu")
    assert run.diverged_at is None
    assert run.test_accuracy > 0.5
    assert run.final_loss < run.losses[0] / 2


def test_training_records_one_loss_per_step(result):
    assert all(len(run.losses) == 150 for run in result.runs)


def test_same_seed_gives_identical_numbers():
    settings = vanishing.Settings.quick(activations=("tanh",), steps=20, depth=4, seed=3)
    first, second = vanishing.run(settings), vanishing.run(settings)
    assert first.profiles == second.profiles
    assert first.runs[0].losses == second.runs[0].losses
    assert first.runs[0].test_accuracy == second.runs[0].test_accuracy


def test_another_seed_gives_other_numbers():
    settings = vanishing.Settings.quick(activations=("tanh",), steps=5, depth=4, seed=3)
    first, second = vanishing.run(settings), vanishing.run(settings.replace(seed=4))
    assert first.profiles[0].norms != second.profiles[0].norms


def test_one_init_for_every_activation():
    result = vanishing.run(vanishing.Settings.quick(activations=("relu",), steps=1, depth=3, init="xavier_uniform"))
    assert result.profile("relu").init == "xavier_uniform"


def test_init_scale_multiplies_every_weight():
    manual_seed(0)
    plain = vanishing.deep_mlp("relu", vanishing.Settings(depth=3, width=8))
    weights = [linear.weight.data.copy() for linear in plain.linears()]
    manual_seed(0)
    scaled = vanishing.deep_mlp("relu", vanishing.Settings(depth=3, width=8, init_scale=2.0))
    for weight, linear in zip(weights, scaled.linears()):
        np.testing.assert_allclose(linear.weight.data, 2.0 * weight)


def test_doubled_weights_make_the_backward_signal_grow_towards_the_input(exploding, result):
    profile = exploding.profile("relu")
    assert profile.signal_ratio > 100.0  # about 2^10 more at the first layer than at the last
    # the weight gradients are all far larger than with the plain init (about 2^depth)
    assert min(profile.norms) > 100.0 * max(result.profile("relu").norms)


def test_doubled_weights_diverge_unclipped_and_stay_finite_clipped(exploding):
    unclipped, clipped = exploding.run("relu", None), exploding.run("relu", 1.0)
    assert unclipped.diverged_at is not None
    assert math.isnan(unclipped.test_accuracy)
    assert clipped.diverged_at is None
    assert len(clipped.losses) == 30 and all(math.isfinite(loss) for loss in clipped.losses)
    assert clipped.final_loss < clipped.losses[0]


def test_gradient_table_has_a_row_per_layer_and_the_ratios(result):
    table = render(vanishing.tables(result)[0], caption=False)
    lines = table.splitlines()
    assert "sigmoid" in lines[0] and "relu" in lines[0]
    assert [line.split()[0] for line in lines[3:14]] == [str(layer) for layer in range(1, 12)]
    assert lines[14].startswith("first/last")
    assert f"{result.profile('sigmoid').ratio:.2g}" in lines[14]


def test_training_table_reports_divergence(exploding):
    table = render(vanishing.tables(exploding)[1])
    assert str(exploding.run("relu", None).diverged_at) in table
    assert "nan" in table


def test_command_prints_tables_and_where_it_wrote_the_plots(tmp_path, run_cli):
    out_dir = tmp_path / "vanishing"
    output = run_cli(["vanishing", "--quick", "--activations", "sigmoid", "relu", "--depth", "4",
                      "--steps", "20", "--out-dir", str(out_dir)])
    assert "first/last" in output and "test accuracy" in output
    for name in ("gradient_norms.png", "backward_signal.png", "loss_curves.png"):
        path = out_dir / name
        assert f"to {path}" in output
        assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_command_with_clip_trains_both_ways(tmp_path, run_cli):
    output = run_cli(["vanishing", "--quick", "--activations", "relu", "--depth", "4", "--steps", "10",
                      "--init-scale", "2", "--clip", "1", "--out-dir", str(tmp_path)])
    rows = [line for line in output.splitlines() if line.startswith("relu  ")]
    assert len(rows) == 2  # unclipped and clipped


def test_example_script_runs_and_saves_its_plots(tmp_path):
    script = Path(__file__).resolve().parents[2] / "examples" / "vanishing_gradients.py"
    completed = subprocess.run([sys.executable, str(script), "--quick", "--out-dir", str(tmp_path)],
                               capture_output=True, text=True, timeout=300, check=True,
                               env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert "first layer / last layer" in completed.stdout
    for name in ("gradient_norms.png", "loss_curves.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_SIGNATURE
