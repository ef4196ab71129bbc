"""experiments/speed.py and `tinygrad-act speed`: steps to a target training accuracy per activation."""

from __future__ import annotations

import math

import pytest

from tinygrad_act.experiments import speed
from tinygrad_act.viz.tables import render

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



@pytest.fixture(scope="module")
def runs() -> dict[str, speed.SpeedRun]:
    """relu, tanh and sigmoid racing to 0.95 on the built-in subset, at most 300 steps, by activation."""
    results = speed.run(speed.Settings.quick(target=0.95, budget=300, eval_every=10, eval_size=1000))
    return {run.activation: run for run in results.runs}


def _run(activation: str, steps_to_target: int | None, steps_taken: int) -> speed.SpeedRun:
    return speed.SpeedRun(activation, 0.9, steps_to_target, steps_taken, 10, [(steps_taken, 0.5)], 100, 0.0)


def test_every_activation_is_raced(runs):
    assert list(runs) == ["relu", "tanh", "sigmoid"]


def test_a_run_stops_at_the_first_check_at_or_above_the_target(runs):
    for run in runs.values():
        if run.steps_to_target is not None:
            assert run.steps_to_target == run.steps_taken == run.curve[-1][0]
            assert run.curve[-1][1] >= 0.95
            assert all(accuracy < 0.95 for _, accuracy in run.curve[:-1])
        else:
            assert run.steps_taken == 300
            assert all(accuracy < 0.95 for _, accuracy in run.curve)


def test_accuracy_is_checked_every_10_steps(runs):
    for run in runs.values():
        assert [step for step, _ in run.curve] == list(range(10, run.steps_taken + 1, 10))


def test_epochs_are_steps_over_batches_per_epoch(runs):
    relu = runs["relu"]
    assert relu.steps_to_target is not None
    assert relu.steps_per_epoch == 16  # 1000 images in batches of 64
    assert relu.epochs_to_target == relu.steps_to_target / 16


def test_ratio_is_computed_from_the_steps():
    assert speed.step_ratio(_run("tanh", 300, 300), _run("relu", 100, 100)) == (3.0, "=")


def test_ratio_is_a_lower_bound_when_only_the_baseline_reaches_the_target():
    assert speed.step_ratio(_run("sigmoid", None, 500), _run("relu", 100, 100)) == (5.0, ">")


def test_ratio_is_an_upper_bound_when_only_the_other_reaches_the_target():
    assert speed.step_ratio(_run("tanh", 50, 50), _run("relu", None, 500)) == (0.1, "<")


def test_ratio_is_unknown_when_neither_reaches_the_target():
    ratio, relation = speed.step_ratio(_run("tanh", None, 500), _run("relu", None, 500))
    assert math.isnan(ratio) and relation == "?"


def test_table_has_the_three_activations_and_their_ratios(runs):
    lines = render(speed.tables(speed.Result(speed.Settings(), list(runs.values())))[0], caption=False).splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["relu", "tanh", "sigmoid"]
    ratio, relation = speed.step_ratio(runs["tanh"], runs["relu"])
    expected = f"{ratio:.2f}" if relation == "=" else f"{relation} {ratio:.2f}"
    assert expected in lines[3]


def test_same_seed_gives_identical_numbers():
    settings = speed.Settings.quick(activations=("relu",), hidden=(32,), budget=40, eval_every=10, seed=1)
    first, second = speed.run(settings).runs[0], speed.run(settings).runs[0]
    assert first.curve == second.curve and first.steps_to_target == second.steps_to_target


def test_command_prints_the_ratios_and_where_it_wrote_the_plot(tmp_path, run_cli):
    output = run_cli(["speed", "--quick", "--hidden", "64", "--budget", "100", "--out-dir", str(tmp_path)])
    assert "tanh needs" in output and "sigmoid needs" in output and "Krizhevsky" in output
    path = tmp_path / "speed.png"
    assert f"to {path}" in output
    assert path.read_bytes()[:8] == PNG_SIGNATURE
