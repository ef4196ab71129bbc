"""examples/custom_activation.py: a user's activation registered in a script gradchecks, works as F.,
method and layer, and trains XOR."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "custom_activation.py"


@pytest.fixture(scope="module")
def quick_run_output() -> str:
    result = subprocess.run([sys.executable, str(EXAMPLE), "--quick"],
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


def test_example_gradchecks_each_beta(quick_run_output):
    for beta in ("0.5", "1", "4"):
        assert f"gradcheck passed: swish_beta(beta={beta})" in quick_run_output


def test_example_functional_shows_the_parameter_from_the_rules_signature(quick_run_output):
    assert r"F.swish_beta(input, beta=1.0): swish_beta: f(x) = x\,\sigma(\beta x)" in quick_run_output


def test_example_functional_method_and_layer_agree(quick_run_output):
    assert "F.swish_beta, Tensor.swish_beta and Activation('swish_beta(2)') agree" in quick_run_output


def test_example_reports_the_metadata_for_its_parameter(quick_run_output):
    assert "metadata at beta=2: minimum output -0.1392, largest slope 1.0998" in quick_run_output


def test_example_learns_xor_in_the_quick_run(quick_run_output):
    assert "step  150" in quick_run_output
    assert quick_run_output.rstrip().endswith(
        "XOR predictions [0, 1, 1, 0] for targets [0, 1, 1, 0]: accuracy 100%"
    )
