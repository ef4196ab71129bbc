"""experiments/selu.py and `tinygrad-act selu`: self-normalisation through a 50-layer net."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_act.experiments import selu
from tinygrad_act.viz.tables import render

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



@pytest.fixture(scope="module")
def stats() -> dict[str, selu.LayerStats]:
    """selu, relu, tanh and sigmoid, 50 layers of 100, 500 N(0, 1) inputs, 2 nets each, by activation."""
    return {result.activation: result for result in selu.run(selu.Settings(samples=500, seeds=2)).runs}


def test_each_activation_gets_its_matching_init(stats):
    assert {name: result.init for name, result in stats.items()} == {
        "selu": "lecun_normal", "relu": "kaiming_normal", "tanh": "xavier_uniform", "sigmoid": "xavier_uniform"}


def test_statistics_cover_every_hidden_layer(stats):
    for result in stats.values():
        assert len(result.means) == len(result.stds) == 50


def test_selu_keeps_mean_near_0_and_std_near_1_at_every_layer(stats):
    result = stats["selu"]
    assert max(abs(mean) for mean in result.means) < 0.2
    assert all(0.7 < std < 1.3 for std in result.stds)


def test_sigmoid_mean_sits_far_from_0(stats):
    assert all(0.4 < mean < 0.6 for mean in stats["sigmoid"].means)


def test_relu_outputs_are_not_zero_centred(stats):
    assert min(stats["relu"].means) > 0.2


def test_tanh_loses_most_of_its_spread_over_50_layers(stats):
    stds = stats["tanh"].stds
    assert stds[-1] < 0.2 < stds[0]


def test_selu_also_normalises_standardised_mnist_images():
    result = selu.run(selu.Settings.quick(activations=("selu",), inputs="data")).runs[0]
    assert max(abs(mean) for mean in result.means) < 0.2
    assert all(0.7 < std < 1.3 for std in result.stds)


def test_standardised_images_have_mean_0_and_std_1_per_varying_pixel():
    images = selu.standardised_inputs(selu.Settings.quick(inputs="data"))
    spread = images.std(axis=0)
    varying = spread > 0
    np.testing.assert_allclose(images.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(spread[varying], 1.0, rtol=1e-4)


def test_unknown_input_source_is_an_error():
    with pytest.raises(ValueError, match="must be one of random, data"):
        selu.Settings(inputs="noise")


def test_same_seed_gives_identical_numbers():
    settings = selu.Settings(activations=("selu",), depth=5, samples=50, seeds=1, seed=2)
    first, second = selu.run(settings).runs, selu.run(settings).runs
    other = selu.run(settings.replace(seed=3)).runs
    assert first == second
    assert first[0].means != other[0].means


def test_table_shows_layer_1_and_every_5th(stats):
    settings = selu.Settings(samples=500, seeds=2)
    lines = render(selu.tables(selu.Result(settings, list(stats.values())))[0], caption=False).splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["1", "5", "10", "15", "20", "25", "30", "35", "40", "45", "50"]
    assert "selu mean" in lines[0] and "sigmoid std" in lines[0]
    assert f"{stats['selu'].stds[9]:.3f}" in lines[4]


def test_command_prints_the_table_and_where_it_wrote_the_plot(tmp_path, run_cli):
    output = run_cli(["selu", "--quick", "--depth", "10", "--out-dir", str(tmp_path)])
    assert "selu mean" in output
    path = tmp_path / "selu_statistics.png"
    assert f"to {path}" in output
    assert path.read_bytes()[:8] == PNG_SIGNATURE
