"""experiments/reproduce.py (`tinygrad-act reproduce`): the reproduction cards on small settings."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_act.experiments import reproduce

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cards() -> dict[str, reproduce.CardResult]:
    result = reproduce.run(reproduce.Settings.quick())
    return {card.name: card for card in result.cards}


def verdicts(card: reproduce.CardResult) -> list[bool]:
    return [check.passed for check in card.checks]


def test_every_card_runs_and_states_its_source_settings_and_tolerances(cards):
    assert list(cards) == list(reproduce.CARDS)
    for card in cards.values():
        assert card.source and card.settings and card.explanation and card.checks
        assert all(check.tolerance and check.reference for check in card.checks)


def test_sigmoid_rows_are_single_signed_and_tanh_rows_are_not(cards):
    card = cards["zero-centred"]
    assert card.checks[0].ours == 1.0 and card.checks[1].ours < 0.05
    assert card.checks[2].ours == 1.0 and 0.2 <= card.checks[3].ours <= 0.8
    assert card.passed


@pytest.mark.parametrize("name", ["glorot2010", "schoenholz2017", "pennington2017", "lu2019", "klambauer2017"])
def test_card_passes_on_small_settings(cards, name):
    assert verdicts(cards[name]) == [True] * len(cards[name].checks)


def test_schoenholz_critical_point_is_176(cards):
    assert cards["schoenholz2017"].checks[0].ours == pytest.approx(1.7610, abs=1e-3)


def test_asymmetric_init_lowers_the_born_dead_probability(cards):
    rows = cards["lu2019"].data
    deep = [row for row in rows if row[1] == max(row[1] for row in rows)]
    assert all(asymmetric < symmetric for _, _, symmetric, asymmetric in deep)


def test_krizhevsky_card_fails_the_sixfold_claim_honestly(cards):
    card = cards["krizhevsky2012"]
    faster, sixfold = card.checks
    assert faster.passed and faster.ours > 1.0
    assert not sixfold.passed and sixfold.ours < 4.0
    assert not card.passed and "6x" in card.explanation


def test_single_signed_share_counts_rows_of_one_sign():
    gradient = np.array([[1.0, 2.0, 0.0], [-1.0, -3.0, -0.5], [1.0, -1.0, 2.0], [0.0, 0.0, 0.0]])
    assert reproduce.single_signed_share(gradient) == 0.75


def test_zigzag_path_with_positive_inputs_moves_both_weights_together():
    inputs = np.random.default_rng(0).uniform(0.1, 1.0, (30, 2))
    path = reproduce.zigzag_path(inputs, np.array([1.0, -1.0]), steps=30)
    assert path.shape == (31, 2) and reproduce.same_sign_share(path) == 1.0


def test_list_prints_every_card(run_cli):
    output = run_cli(["reproduce", "--list"])
    for name in reproduce.CARDS:
        assert name in output


def test_one_card_prints_its_verdicts_and_figure(tmp_path, run_cli):
    output = run_cli(["reproduce", "--card", "lu2019", "--quick", "--out-dir", str(tmp_path)])
    assert "lu2019: PASS" in output and "source's value" in output
    assert (tmp_path / "lu2019.png").read_bytes()[:8] == PNG_SIGNATURE


def test_card_figures_are_pngs(cards, tmp_path):
    written = reproduce.figures(reproduce.Result(reproduce.Settings(), list(cards.values())), tmp_path)
    assert len(written) == 5
    for path in written:
        assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_a_card_can_be_named_positionally_and_a_wrong_name_is_refused(tmp_path, run_cli, cli_refusal):
    output = run_cli(["reproduce", "klambauer2017", "--quick", "--out-dir", str(tmp_path)])
    assert "1 of 1 cards pass every check" in output
    error = cli_refusal(["reproduce", "nosuch"])
    assert "argument NAME: must be one of all, " in error and "got 'nosuch'" in error
