"""examples/xor.py and examples/mnist_mlp.py run with --quick: XOR's truth table comes out right with
tanh and wrong with identity, and the MNIST tutorial trains on the shipped subset and plots its curves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_act.data.datasets import FASHION_MNIST_DEBIAN_FOLDER
from tinygrad_act.experiments.xor import COMPARED_ACTIVATIONS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRUTH_ROW = re.compile(r"^  ([01])   ([01]) \|   ([01])    (\d\.\d{3})      ([01])(  WRONG)?$", re.MULTILINE)


def run_example(name: str, *args: str, data_folder: Path | None = None) -> str:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # a second BLAS thread only slows these small runs
    if data_folder is not None:
        env["TINYGRAD_ACT_DATA"] = str(data_folder)
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                            timeout=120, check=True, env=env)
    return result.stdout


def test_xor_example_learns_the_truth_table_with_tanh():
    output = run_example("xor.py", "--quick")
    rows = TRUTH_ROW.findall(output)
    assert [(x1, x2, target) for x1, x2, target, *_ in rows] == [
        ("0", "0", "0"), ("0", "1", "1"), ("1", "0", "1"), ("1", "1", "0")]
    assert all(predicted == target and not wrong for _, _, target, _, predicted, wrong in rows)
    assert output.rstrip().endswith("accuracy 100%")


def test_xor_example_with_identity_gets_a_row_wrong():
    output = run_example("xor.py", "--quick", "--activation", "identity")
    rows = TRUTH_ROW.findall(output)
    assert len(rows) == 4
    assert any(wrong for *_, wrong in rows)
    assert not output.rstrip().endswith("accuracy 100%")


def test_xor_example_compare_prints_every_activation_of_the_experiment():
    output = run_example("xor.py", "--compare", "--quick")
    assert "300 steps of adam (lr 0.05), 3 seeds per activation" in output
    table = output.split("\n\n")[1]  # under the caption, above the notes
    assert [line.split()[0] for line in table.splitlines()[2:]] == list(COMPARED_ACTIVATIONS)
    assert re.search(r"^step +0/3 .*no \(gradient is 0\)", output, re.MULTILINE)


def test_xor_example_rejects_an_unknown_activation():
    result = subprocess.run([sys.executable, str(EXAMPLES / "xor.py"), "--activation", "wiggle"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "invalid choice: 'wiggle'" in result.stderr


def test_mnist_example_quick_trains_on_the_shipped_subset_and_saves_a_plot(tmp_path):
    plot = tmp_path / "curves.png"
    output = run_example("mnist_mlp.py", "--quick", "--plot", str(plot), data_folder=tmp_path / "no-mnist-here")
    epochs = re.findall(r"^mnist epoch (\d)/2: loss (\d\.\d{4}), accuracy .*, val accuracy (\d\.\d{4})$",
                        output, re.MULTILINE)
    assert [epoch for epoch, *_ in epochs] == ["1", "2"]
    assert float(epochs[1][1]) < float(epochs[0][1])
    accuracy = re.search(r"^mnist, relu, 2 epochs: test loss \d\.\d{4}, test accuracy (\d+\.\d\d)%$",
                         output, re.MULTILINE)
    assert float(accuracy.group(1)) / 100 == pytest.approx(float(epochs[1][2]), abs=5e-5)
    assert re.search(r"^wall time \d+\.\d s$", output, re.MULTILINE)
    assert plot.read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.skipif(not FASHION_MNIST_DEBIAN_FOLDER.is_dir(),
                    reason="Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
def test_mnist_example_quick_trains_on_fashion_mnist(tmp_path):
    output = run_example("mnist_mlp.py", "--quick", "--dataset", "fashion-mnist", "--activation", "tanh",
                         data_folder=tmp_path)
    assert re.search(r"^fashion-mnist, tanh, 2 epochs: test loss \d\.\d{4}, test accuracy \d+\.\d\d%$",
                     output, re.MULTILINE)
