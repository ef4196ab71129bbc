"""`tinygrad-act xor`: a 2-H-1 network learns XOR with a non-linearity and cannot without one.

The truth table and the --compare table are checked as printed, and the claims behind them on the
runs of tinygrad_act.experiments.xor themselves: identity is at most 3/4 right, step's hidden
weights never move, and the usual activations solve XOR for most seeds with the default settings.
"""

from __future__ import annotations

import re

import pytest

from tinygrad_act.data.datasets import xor as xor_data
from tinygrad_act.experiments import xor
from tinygrad_act.optim import OPTIMIZERS

SOLVING_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu")
# Each run of the full 1000 default steps takes about 0.1 s; five seeds show a majority.
SEEDS = 5


def _table_rows(output: str, first_header: str) -> list[list[str]]:
    """The rows of the plain table whose header starts with `first_header` (up to the first line
    without the table's column layout), split into cells on runs of 2+ spaces."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_header))
    columns = len(lines[start + 1].split())  # the rule line: one run of dashes per column
    rows = []
    for line in lines[start + 2:]:
        cells = re.split(r" {2,}", line.strip())
        if len(cells) != columns:
            break
        rows.append(cells)
    return rows


def test_xor_prints_a_four_row_truth_table_that_matches_xor_for_tanh(run_cli):
    output = run_cli(["xor", "--activation", "tanh"])
    rows = _table_rows(output, "x1")
    assert len(rows) == 4
    inputs, target = xor_data()
    for row, (x1, x2), expected in zip(rows, inputs.astype(int), target.ravel().astype(int)):
        assert row[:3] == [str(x1), str(x2), str(expected)]
        assert row[4] == str(x1 ^ x2)
        assert row[5] == "ok"
    assert "accuracy 1.00" in output


def test_tanh_run_with_the_default_settings_really_solves_xor():
    run = xor.run(xor.Settings(activation="tanh", seed=0)).runs[0].runs[0]
    _, target = xor_data()
    assert run.solved
    assert ((run.probabilities > 0.5) == (target.ravel() == 1)).all()
    assert run.loss < 0.05


def test_xor_truth_table_marks_wrong_rows_for_identity(run_cli):
    output = run_cli(["xor", "--activation", "identity"])
    rows = _table_rows(output, "x1")
    assert len(rows) == 4
    assert sum(row[-1] == "WRONG" for row in rows) >= 1


def test_identity_is_at_most_three_quarters_right_for_every_seed():
    (row,) = xor.run(xor.Settings(compare=True, activations=("identity",), seeds=10)).runs
    assert all(run.accuracy <= 0.75 for run in row.runs)
    assert row.success_rate == 0.0


def test_step_hidden_weights_never_move_and_it_never_solves_xor():
    (row,) = xor.run(xor.Settings(compare=True, activations=("step",), seeds=10)).runs
    assert all(run.hidden_weight_change == 0.0 for run in row.runs)
    assert not any(run.solved for run in row.runs)


@pytest.mark.parametrize("activation", SOLVING_ACTIVATIONS)
def test_non_linear_activation_solves_xor_for_a_majority_of_seeds(activation):
    (row,) = xor.run(xor.Settings(compare=True, activations=(activation,), seeds=SEEDS)).runs
    assert row.success_rate > 0.5
    assert row.max_hidden_weight_change > 0.0


def test_xor_compare_quick_prints_one_row_per_activation_with_the_claims(run_cli):
    output = run_cli(["xor", "--compare", "--quick"])
    rows = {row[0]: row for row in _table_rows(output, "activation")}
    assert list(rows) == list(xor.COMPARED_ACTIVATIONS)
    assert "300 steps of adam" in output and "3 seeds per activation" in output
    identity_best = float(rows["identity"][3])
    assert identity_best <= 0.75
    assert rows["identity"][1] == "0/3"
    assert rows["step"][1] == "0/3"
    assert rows["step"][4] == "no (gradient is 0)"
    for activation in SOLVING_ACTIVATIONS:
        solved, seeds = rows[activation][1].split("/")
        assert int(solved) > int(seeds) / 2, rows[activation]


def test_xor_compare_markdown_prints_a_markdown_table(run_cli):
    output = run_cli(["xor", "--compare", "--quick", "--activations", "tanh", "step", "--markdown"])
    table = [line for line in output.splitlines() if line.startswith("|")]
    assert table[0].startswith("| activation | solved |")
    assert table[1].startswith("|---|")
    assert [line.split("|")[1].strip() for line in table[2:]] == ["tanh", "step"]


def test_unknown_activation_exits_with_status_2_listing_the_valid_names(cli_refusal):
    error = cli_refusal(["xor", "--activation", "wiggle"])
    assert "wiggle" in error
    for name in ("identity", "tanh", "relu", "selu"):
        assert name in error


def test_unknown_optimizer_exits_with_status_2_listing_the_valid_names(cli_refusal):
    error = cli_refusal(["xor", "--optimizer", "lbfgs"])
    assert "lbfgs" in error
    for name in OPTIMIZERS:
        assert name in error


def test_optimizer_names_are_case_insensitive(run_cli):
    output = run_cli(["xor", "--optimizer", "SGD", "--lr", "0.5", "--steps", "50"])
    assert "50 steps of sgd" in output
