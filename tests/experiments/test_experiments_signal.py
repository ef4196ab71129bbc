"""experiments/signal.py (`tinygrad-act signal`) and experiments/timelapse.py (`tinygrad-act timelapse`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_act.experiments import signal, timelapse

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> signal.Result:
    return signal.run(signal.Settings.quick())


@pytest.fixture(scope="module")
def lapse() -> timelapse.Result:
    return timelapse.run(timelapse.Settings.quick())


def test_random_mlp_draws_the_mean_field_ensemble(seeded):
    model = signal.random_mlp(0, "tanh", [400, 400, 400, 2], 2.0, 0.3)
    weight, bias = model.linears()[1].weight.data, model.linears()[1].bias.data
    assert np.var(weight) * 400 == pytest.approx(2.0, rel=0.02)
    assert np.var(bias) == pytest.approx(0.3, rel=0.3)
    orthogonal = signal.random_mlp(0, "tanh", [50, 50, 2], 2.0, 0.0, weights="orthogonal").linears()[0].weight.data
    np.testing.assert_allclose(orthogonal @ orthogonal.T, 2.0 * np.eye(50), atol=1e-4)


def test_phase_diagram_agrees_with_the_theory_on_quick_settings(result):
    diagram = result.diagram
    assert diagram.accuracy.shape == (2, 2)
    assert diagram.predicted.tolist() == [[True, False], [True, True]]  # 6 xi_c: 7.1 at 0.5, 2557 at 1.75
    assert diagram.agreement >= 0.75
    assert diagram.critical_sigma_w2 == pytest.approx(1.761, abs=1e-3)


def test_jacobian_of_orthogonal_critical_tanh_stays_well_conditioned(result):
    spread = {(s.setup.label, s.depth): s.log_spread for s in result.spectra}
    assert spread["tanh, orthogonal, critical", 16] < 0.3
    for label in ("tanh, Gaussian, critical", "relu, Gaussian (He)"):
        assert spread[label, 16] > 1.3 * spread[label, 4] > 1.0


def test_jacobian_matches_finite_differences(seeded):
    model = signal.random_mlp(0, "tanh", [6, 6, 6, 6], 1.5, 0.1)
    x = np.random.default_rng(1).standard_normal(6)
    jacobian = signal.input_output_jacobian(model, x)

    def hidden(point):
        for linear in model.linears()[:-1]:
            point = np.tanh(linear.weight.data.astype(np.float64) @ point + linear.bias.data)
        return point

    numeric = np.stack([(hidden(x + 1e-6 * e) - hidden(x - 1e-6 * e)) / 2e-6 for e in np.eye(6)], axis=1)
    np.testing.assert_allclose(jacobian, numeric, atol=1e-6)


def test_layer_statistics_follow_the_length_map(result):
    tanh = next(comparison for comparison in result.layers if comparison.activation == "tanh")
    assert tanh.worst_relative_error() < 0.1
    for comparison in result.layers:
        assert comparison.worst_relative_error() < 0.3
        assert len(comparison.measured_q) == len(comparison.predicted_q) == 8


def test_tables_notes_and_figures(result, tmp_path):
    names = [table.headers[0] for table in signal.tables(result)]
    assert names == ["sigma_w^2", "sigma_b^2", "sigma_w^2", "weights", "activation"]
    assert any("agree on" in note for note in signal.notes(result))
    written = signal.figures(result, tmp_path)
    assert len(written) == 4
    for path in written:
        assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_signal_command_takes_a_users_activation_name(tmp_path, run_cli):
    output = run_cli(["signal", "--quick", "--activation", "elu", "--sigma-w2", "1.0", "--depths", "2",
                      "--steps", "5", "--jacobian-depths", "2", "--stats-activations", "elu",
                      "--out-dir", str(tmp_path)])
    assert "elu, sigma_b^2 = 0.05" in output and "phase_diagram.png" in output


# ------------------------------------------------------------------ timelapse


def test_top_sigmoid_layer_saturates_early_while_the_first_stays_near_half(lapse):
    recorder = lapse.sigmoid.recorder
    names = list(recorder.layers)
    top = [mean for mean, _ in recorder.moments["activation", names[-1]]]
    first = [mean for mean, _ in recorder.moments["activation", names[0]]]
    assert top[0] == pytest.approx(0.5, abs=0.05)
    assert min(top[:5]) < 0.15  # within the first 50 steps
    assert all(abs(mean - 0.5) < 0.05 for mean in first)


def test_relu_units_die_and_each_death_has_its_step(lapse):
    recorder = lapse.relu.recorder
    assert max(fractions[-1] for fractions in recorder.dead_fractions().values()) > 0.3
    events = [event for name in recorder.layers for event in recorder.events(name)]
    assert events and all(event.died_at in recorder.steps for event in events)


def test_overhead_is_measured_and_reported(lapse):
    assert 0 < lapse.seconds_recording < lapse.seconds_with
    assert math.isfinite(lapse.overhead) and math.isfinite(lapse.wall_overhead)
    assert any("cost" in note and "%" in note for note in timelapse.notes(lapse))


def test_timelapse_figures_are_pngs(lapse, tmp_path):
    written = timelapse.figures(lapse, tmp_path)
    assert len(written) == 4
    for path in written:
        assert path.read_bytes()[:8] == PNG_SIGNATURE
