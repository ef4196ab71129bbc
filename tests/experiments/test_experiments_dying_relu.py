"""experiments/dying_relu.py, experiments/born_dead.py and `tinygrad-act dying-relu` (--born-dead)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_act.experiments import born_dead, dying_relu
from tinygrad_act.viz.tables import render

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



@pytest.fixture(scope="module")
def runs() -> dict[str, dying_relu.DyingRun]:
    """Every default variant, 3 epochs on the built-in MNIST subset, by variant name."""
    return {run.variant.name: run for run in dying_relu.run(dying_relu.Settings.quick(epochs=3)).runs}


def _by(runs, activation, kind=None):
    return [run for run in runs.values() if run.variant.activation == activation
            and (kind is None or run.variant.kind == kind)]


def test_default_variants_cover_both_problems_and_every_fix():
    settings = dying_relu.Settings()
    variants = dying_relu.default_variants(settings)
    problems = [variant for variant in variants if variant.kind == "kills units"]
    assert {(v.activation, v.lr, v.bias_init) for v in problems} == {
        ("relu", settings.large_lr, 0.0), ("relu", settings.small_lr, settings.negative_bias)}
    fixes = {variant.activation for variant in variants if variant.kind == "fix"}
    assert fixes == {"leaky_relu", "elu", "selu", "relu"}
    assert len({variant.name for variant in variants}) == len(variants)


def test_dead_fraction_is_recorded_at_init_and_after_every_epoch(runs):
    for run in runs.values():
        assert list(run.dead) == ["1", "3", "5"]  # the three activation layers
        assert all(len(fractions) == 4 for fractions in run.dead.values())
        assert all(0.0 <= value <= 1.0 for fractions in run.dead.values() for value in fractions)


def test_too_large_lr_kills_relu_units_that_were_alive_at_init(runs):
    run = runs["relu, lr 0.03 (too large)"]
    assert run.mean_dead_history()[0] == 0.0
    assert run.mean_dead > 0.3


def test_negative_bias_kills_relu_units_from_the_start_and_they_stay_dead(runs):
    run = runs["relu, bias -0.5"]
    assert run.mean_dead_history()[0] > 0.3
    assert run.final_dead[-1] == 1.0  # the last hidden layer is off for every input: the net is constant
    assert run.test_accuracy < 0.2


def test_killing_conditions_end_far_above_leaky_relu_and_the_fixed_relus(runs):
    problems = _by(runs, "relu", "kills units")
    fixes = _by(runs, "leaky_relu") + _by(runs, "relu", "fix")
    worst_fix = max(run.mean_dead for run in fixes)
    assert worst_fix < 0.1
    for run in problems:
        assert run.mean_dead > worst_fix + 0.3


def test_leaky_relu_units_never_die(runs):
    for run in _by(runs, "leaky_relu"):
        assert all(value == 0.0 for fractions in run.dead.values() for value in fractions)


def test_fixed_relu_variants_learn(runs):
    for run in _by(runs, "relu", "fix"):
        assert run.test_accuracy > 0.6


def test_same_seed_gives_identical_numbers():
    settings = dying_relu.Settings.quick(epochs=1, seed=5)
    train, test = settings.load_data()
    variant = dying_relu.default_variants(settings)[0]
    first, second = (dying_relu.train_variant(variant, train, test, train[0], settings) for _ in range(2))
    assert first.dead == second.dead and first.loss == second.loss
    assert first.test_accuracy == second.test_accuracy


def test_table_has_a_row_per_variant_with_per_layer_fractions(runs):
    lines = render(dying_relu.tables(dying_relu.Result(dying_relu.Settings(), list(runs.values())))[0],
                   caption=False).splitlines()
    assert all(header in lines[0] for header in ("dead L1", "dead L2", "dead L3", "mean dead", "test accuracy"))
    assert len(lines) == 2 + len(runs)
    for name in runs:
        assert any(line.startswith(name) for line in lines)


# ---------------------------------------------------------------- born dead


@pytest.fixture(scope="module")
def born() -> dict[tuple[int, int], born_dead.BornDeadEstimate]:
    """Widths 2 and 5, depths 1..20, 1-D input, 600 nets each, by (width, depth)."""
    estimates = born_dead.run(born_dead.Settings(widths=(2, 5), max_depth=20, input_dims=(1,), nets=600)).runs
    return {(e.width, e.depth): e for e in estimates}


def test_interval_contains_every_estimate(born):
    for estimate in born.values():
        low, high = estimate.interval
        assert low <= estimate.probability <= high


def test_probability_grows_with_depth(born):
    for width in (2, 5):
        probabilities = [born[width, depth].probability for depth in range(1, 21)]
        assert probabilities == sorted(probabilities)
        assert born[width, 20].interval[0] > born[width, 1].interval[1]


def test_probability_falls_with_width(born):
    for depth in (5, 10, 20):
        assert born[5, depth].interval[1] < born[2, depth].interval[0]


def test_depth_one_is_small_and_matches_the_exact_value(born):
    estimate = born[2, 1]
    assert estimate.probability < 0.1
    low, high = estimate.interval
    exact = born_dead.exact_depth_one(2)
    assert exact == pytest.approx(1 / 36)
    assert low <= exact <= high


def test_two_dimensional_input_gives_the_same_trend():
    estimates = born_dead.run(born_dead.Settings(widths=(2,), max_depth=10, input_dims=(2,), nets=300)).runs
    assert estimates[-1].probability > 0.5 > estimates[0].probability


def test_simulation_is_deterministic_with_the_seed():
    settings = born_dead.Settings(widths=(3,), max_depth=8, input_dims=(1,), nets=200, seed=7)
    first, second = born_dead.run(settings).runs, born_dead.run(settings).runs
    other = born_dead.run(settings.replace(seed=8)).runs
    assert first == second
    assert [e.dead for e in first] != [e.dead for e in other]


def test_single_unit_nets_die_at_the_exact_rate():
    # one unit, one input: off on [-a, a] iff b <= -a|w|, probability atan(1/a)/pi = 1/6 for a = sqrt(3)
    estimate = born_dead.run(born_dead.Settings(widths=(1,), max_depth=1, input_dims=(1,), nets=3000)).runs[0]
    low, high = estimate.interval
    exact = born_dead.exact_depth_one(1)
    assert exact == pytest.approx(1 / 6)
    assert low <= exact <= high


def test_born_dead_table_shows_probability_and_interval(born):
    settings = born_dead.Settings(widths=(2, 5), max_depth=10, input_dims=(1,))
    lines = render(born_dead.tables(born_dead.Result(settings, list(born.values())))[0], caption=False).splitlines()
    assert "width 2" in lines[0] and "width 5" in lines[0]
    estimate = born[2, 10]
    low, high = estimate.interval
    depth_10 = next(line for line in lines if line.split()[:2] == ["1", "10"])
    assert f"{estimate.probability:.3f} [{low:.3f}, {high:.3f}]" in depth_10


# ---------------------------------------------------------------- the command


def test_command_prints_the_table_and_where_it_wrote_the_plot(tmp_path, run_cli):
    output = run_cli(["dying-relu", "--quick", "--epochs", "1", "--out-dir", str(tmp_path)])
    assert "mean dead" in output and "leaky_relu" in output
    path = tmp_path / "dead_units.png"
    assert f"to {path}" in output
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_born_dead_flag_runs_the_simulation(tmp_path, run_cli):
    output = run_cli(["dying-relu", "--born-dead", "--quick", "--max-depth", "5", "--input-dims", "1",
                      "--out-dir", str(tmp_path)])
    assert "width 2" in output and "exact at depth 1" in output
    path = tmp_path / "born_dead.png"
    assert f"to {path}" in output
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_example_script_runs_and_saves_its_plots(tmp_path):
    script = Path(__file__).resolve().parents[2] / "examples" / "dying_relu.py"
    completed = subprocess.run([sys.executable, str(script), "--quick", "--out-dir", str(tmp_path)],
                               capture_output=True, text=True, timeout=300, check=True,
                               env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert "bias -0.5 at init" in completed.stdout and "mean dead" in completed.stdout
    for name in ("dead_units.png", "born_dead.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_SIGNATURE
