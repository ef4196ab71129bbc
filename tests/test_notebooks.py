"""The notebooks: each committed one is valid and was executed, and each runs without error in quick mode.

Quick mode (TINYGRAD_ACT_QUICK=1) is what the notebooks' first cell reads to pick small settings; the
committed outputs come from a full run of scripts/execute_notebooks.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = [
    "01_activation_functions.ipynb",
    "02_autograd_and_graphs.ipynb",
    "03_xor.ipynb",
    "04_vanishing_gradients.ipynb",
    "05_dying_relu.ipynb",
    "06_mnist.ipynb",
    "07_signal_propagation.ipynb",
]
CELL_TIMEOUT = 120  # seconds; quick mode needs a few per notebook
PNG, SVG = "image/png", "image/svg+xml"


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Everything the code cells printed or returned as text."""
    parts = []
    for cell in code_cells(notebook):
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def pictures(notebook: nbformat.NotebookNode, mime: str) -> int:
    """How many outputs carry a picture of type `mime`."""
    return sum(mime in output.get("data", {}) for cell in code_cells(notebook) for output in cell.outputs)


def numbers_after(text: str, label: str) -> list[float]:
    """The numbers on the line of `text` that follows `label` (checked with tolerances, not as strings)."""
    match = re.search(re.escape(label) + r"(.*)$", text, re.MULTILINE)
    assert match, f"no line with {label!r}"
    return [float(value) for value in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", match.group(1))]


def errors(notebook: nbformat.NotebookNode) -> list[str]:
    return [f"{output.ename}: {output.evalue}" for cell in code_cells(notebook) for output in cell.outputs
            if output.output_type == "error"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, nbformat.NotebookNode]:
    """Every notebook, run once in quick mode in its own temporary working directory."""
    results = {}
    with pytest.MonkeyPatch.context() as environment:  # the kernels inherit this process's environment
        environment.setenv("TINYGRAD_ACT_QUICK", "1")
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            environment.setenv(name, "1")
        for name in NAMES:
            notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
            workdir = tmp_path_factory.mktemp(name.split(".")[0])
            client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                             allow_errors=True, resources={"metadata": {"path": str(workdir)}})
            client.execute()
            results[name] = notebook
    return results


# ------------------------------------------------------------------ the committed files


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_valid(name: str) -> None:
    nbformat.validate(nbformat.read(NOTEBOOKS / name, as_version=4))


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_was_executed_in_order_without_errors(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    cells = code_cells(notebook)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert sum(len(cell.outputs) for cell in cells) >= len(cells) // 2
    assert errors(notebook) == []


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_was_executed_in_full_mode(name: str) -> None:
    assert "quick mode: True" not in text_of(nbformat.read(NOTEBOOKS / name, as_version=4))
    assert "TINYGRAD_ACT_QUICK" in code_cells(nbformat.read(NOTEBOOKS / name, as_version=4))[0].source


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_small(name: str) -> None:
    assert (NOTEBOOKS / name).stat().st_size < 1_000_000


# ------------------------------------------------------------------ running them (quick mode)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_without_errors_in_quick_mode(executed: dict, name: str) -> None:
    notebook = executed[name]
    assert errors(notebook) == []
    assert all(cell.execution_count is not None for cell in code_cells(notebook))


def test_activation_notebook_shows_the_registry_gallery_and_stable_softmax(executed: dict) -> None:
    notebook = executed["01_activation_functions.ipynb"]
    text = text_of(notebook)
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "mish", "softmax"):
        assert f"\n{name} " in text, f"no table row for {name}"
    assert numbers_after(text, "max sigmoid'(x) = ") == pytest.approx([0.25, 0.0], abs=1e-6)
    assert "naive softmax    : [nan nan nan]" in text
    assert numbers_after(text, "F.softmax        : ") == pytest.approx([0.0, 0.5, 0.5], abs=1e-6)
    assert "gradcheck passed for swish_beta(beta=4)" in text
    assert "registered activations pass gradcheck" in text
    assert pictures(notebook, PNG) >= 4


def test_autograd_notebook_computes_the_hand_derived_gradients_and_draws_graphs(executed: dict) -> None:
    notebook = executed["02_autograd_and_graphs.ipynb"]
    text = text_of(notebook)
    for name, value in (("a", 6), ("b", -4), ("c", -2), ("f", 4)):
        assert numbers_after(text, f"dL/d{name} = ") == pytest.approx([value])
    assert numbers_after(text, "after two backwards: a.grad = ") == pytest.approx([10.0])
    assert "after zero_grad:     a.grad = None" in text
    assert "retain_graph=True" in text
    assert numbers_after(text, "b.grad     (4,) ")[:4] == pytest.approx([12, 15, 18, 21])
    assert "gradcheck: gradient of input 0" in text  # the broken rule is caught
    assert pictures(notebook, SVG) >= 3


def test_xor_notebook_shows_the_linear_ceiling_and_the_step_zero_gradient(executed: dict) -> None:
    notebook = executed["03_xor.ipynb"]
    text = text_of(notebook)
    assert numbers_after(text, "best accuracy of 100,000 random lines: ") == pytest.approx([0.75])
    assert "0 xor 1 = 1   predicted p(1) = " in text
    assert "no (gradient is 0)" in text
    solved, seeds = (int(value) for value in re.search(r"^tanh +(\d+)/(\d+) ", text, re.MULTILINE).groups())
    assert solved == seeds == 3
    assert pictures(notebook, PNG) >= 1


def test_vanishing_notebook_shows_sigmoid_gradients_vanishing_and_relu_exploding(executed: dict) -> None:
    notebook = executed["04_vanishing_gradients.ipynb"]
    text = text_of(notebook)
    assert "sigmoid (xavier_uniform)" in text and "relu (kaiming_normal)" in text
    assert "diverged at step" in text
    assert pictures(notebook, PNG) >= 3


def test_dying_relu_notebook_shows_dead_units_fixes_and_born_dead(executed: dict) -> None:
    notebook = executed["05_dying_relu.ipynb"]
    text = text_of(notebook)
    assert "relu, lr 0.03 (too large)" in text and "leaky_relu, bias -0.5" in text
    exact, simulated = numbers_after(text, "width 2, depth 1: exact (1/6)^2 = ")
    assert exact == pytest.approx(1 / 36, abs=1e-4) and simulated == pytest.approx(exact, abs=0.05)
    assert pictures(notebook, PNG) >= 3


def test_mnist_notebook_trains_and_compares_activations(executed: dict) -> None:
    notebook = executed["06_mnist.ipynb"]
    text = text_of(notebook)
    assert "the MNIST subset: 1,000 training and 500 test images" in text
    assert "test accuracy" in text and "selu mean" in text and "steps to target" in text
    assert pictures(notebook, PNG) >= 3


def test_signal_notebook_puts_theory_beside_measurement(executed):
    notebook = executed["07_signal_propagation.ipynb"]
    text = text_of(notebook)
    assert numbers_after(text, "tanh, sigma_b^2 = 0.05: critical sigma_w^2 = ") == pytest.approx([1.761], abs=1e-3)
    assert text.count("equals DeadUnits at every record: True") >= 1
    assert "equals DeadUnits at every record: False" not in text
    assert "agree on" in text and "cards pass every check" in text
    assert pictures(notebook, PNG) >= 5
