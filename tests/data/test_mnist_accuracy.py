"""The full MNIST run: `tinygrad-act mnist --activation relu --optimizer adam` (784-256-256-10, the
command's default 6 epochs) reaches 98% test accuracy, and loading plus training take under 30 s.

Needs the real MNIST files under $TINYGRAD_ACT_DATA/mnist (CI sets it); about 7 s on 2 cores.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.needs_mnist]


@pytest.fixture(scope="module")
def full_run_output() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_act", "mnist", "--activation", "relu", "--optimizer", "adam",
         "--no-progress", "--no-download"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    return result.stdout


def test_full_mnist_run_trains_the_784_256_256_10_relu_network_with_adam(full_run_output):
    assert full_run_output.startswith("mnist: 784-256-256-10 MLP, relu, adam ")


def test_full_mnist_run_reaches_98_percent_test_accuracy(full_run_output):
    accuracy = float(re.search(r"^test accuracy (\d\.\d{4})$", full_run_output, re.MULTILINE).group(1))
    assert accuracy >= 0.98, full_run_output


def test_full_mnist_run_loads_and_trains_in_under_30_seconds(full_run_output):
    wall_time = re.search(r"^wall time: .* = (\d+\.\d\d) s$", full_run_output, re.MULTILINE)
    assert float(wall_time.group(1)) < 30.0, full_run_output
