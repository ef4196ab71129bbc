"""`tinygrad-act mnist`: train an MLP on MNIST or Fashion-MNIST and report per-epoch metrics, test
accuracy and wall time; --quick runs on the subset shipped with the package, --plot saves the curves.

The full 98% run is in test_mnist_accuracy.py.
"""

from __future__ import annotations

import re

import pytest

from tinygrad_act.cli import main
from tinygrad_act.data.datasets import FASHION_MNIST_DEBIAN_FOLDER
from tinygrad_act.experiments import mnist
from tinygrad_act.optim import OPTIMIZERS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EPOCH_LINE = re.compile(
    r"^  epoch (\d+): train loss (\d+\.\d{4}), train accuracy (0\.\d{4}|1\.0000), "
    r"test accuracy (0\.\d{4}|1\.0000) \((\d+\.\d\d) s\)$", re.MULTILINE
)
WALL_TIME_LINE = re.compile(r"^wall time: (\d+\.\d\d) s loading \+ (\d+\.\d\d) s training = (\d+\.\d\d) s$",
                            re.MULTILINE)


@pytest.fixture
def no_mnist_files(tmp_path, monkeypatch):
    """An empty data folder: a run that needed the real MNIST files would fail (with --no-download)."""
    monkeypatch.setenv("TINYGRAD_ACT_DATA", str(tmp_path / "empty"))


def test_mnist_quick_trains_on_the_shipped_subset_and_reports_each_epoch(run_cli, no_mnist_files):
    output = run_cli(["mnist", "--quick", "--no-download", "--no-progress"])
    assert output.startswith("mnist: 784-256-256-10 MLP, relu, adam lr 0.002 (cosine), 2 epochs\n")
    epochs = EPOCH_LINE.findall(output)
    assert [int(epoch[0]) for epoch in epochs] == [1, 2]
    assert float(epochs[1][1]) < float(epochs[0][1])  # the training loss goes down


def test_mnist_quick_prints_the_test_accuracy_of_the_last_epoch(run_cli, no_mnist_files):
    output = run_cli(["mnist", "--quick", "--no-download", "--no-progress"])
    final = re.search(r"^test accuracy (0\.\d{4})$", output, re.MULTILINE)
    last_epoch = EPOCH_LINE.findall(output)[-1]
    assert final.group(1) == last_epoch[3]
    assert float(final.group(1)) > 0.5  # 10 classes: chance is 0.1


def test_mnist_quick_prints_the_wall_time_as_loading_plus_training(run_cli, no_mnist_files):
    output = run_cli(["mnist", "--quick", "--no-download", "--no-progress"])
    loading, training, total = (float(value) for value in WALL_TIME_LINE.search(output).groups())
    assert total == pytest.approx(loading + training, abs=0.011)
    assert training > 0


def test_mnist_shows_a_progress_bar_on_stderr_unless_told_not_to(capsys, no_mnist_files):
    main(["mnist", "--quick", "--no-download"])
    assert "mnist relu epoch 1/2" in capsys.readouterr().err
    main(["mnist", "--quick", "--no-download", "--no-progress"])
    assert capsys.readouterr().err == ""


def test_quick_run_result_matches_its_history():
    result = mnist.run(mnist.Settings.quick(progress=False))
    assert result.model.sizes == [784, 256, 256, 10]
    assert len(result.history.loss) == len(result.history.val_accuracy) == 2
    assert result.test_accuracy == result.history.val_accuracy[-1]
    assert result.history.loss[1] < result.history.loss[0]


def test_constant_schedule_trains_differently_from_the_cosine_default():
    cosine = mnist.run(mnist.Settings.quick(progress=False))
    constant = mnist.run(mnist.Settings.quick(progress=False, schedule="constant"))
    assert cosine.history.loss[1] != constant.history.loss[1]


def test_settings_reject_an_unknown_schedule():
    with pytest.raises(ValueError, match="Settings.schedule: must be one of cosine, constant, got 'linear'"):
        mnist.Settings(schedule="linear")


@pytest.mark.skipif(not FASHION_MNIST_DEBIAN_FOLDER.is_dir(),
                    reason="Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
def test_fashion_mnist_quick_trains_on_the_debian_package(run_cli, no_mnist_files):
    output = run_cli(["mnist", "--dataset", "fashion-mnist", "--quick", "--no-download", "--no-progress"])
    assert output.startswith("fashion-mnist: 784-256-256-10 MLP")
    assert [int(epoch[0]) for epoch in EPOCH_LINE.findall(output)] == [1, 2]
    assert float(re.search(r"^test accuracy (0\.\d{4})$", output, re.MULTILINE).group(1)) > 0.5


def test_mnist_plot_writes_a_png_of_the_training_curves(run_cli, tmp_path, no_mnist_files):
    path = tmp_path / "curves.png"
    output = run_cli(["mnist", "--quick", "--no-download", "--no-progress", "--plot", str(path)])
    assert f"training curves: loss, accuracy and seconds per epoch written to {path}" in output
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_mnist_unknown_optimizer_exits_with_status_2_listing_the_valid_names(cli_refusal):
    error = cli_refusal(["mnist", "--quick", "--optimizer", "lbfgs"])
    assert "argument --optimizer: must be one of" in error and "got 'lbfgs'" in error
    for name in OPTIMIZERS:
        assert name in error


def test_mnist_unknown_activation_exits_with_status_2_listing_the_valid_names(cli_refusal):
    error = cli_refusal(["mnist", "--quick", "--activation", "wiggle"])
    assert "wiggle" in error
    assert "relu" in error and "tanh" in error
