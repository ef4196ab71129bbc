"""The benchmarks time the same computation in every implementation: numpy by hand, ours, PyTorch.
A ratio between two different computations would mean nothing, so each pair is checked to agree."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act.nn.linear import in_linear_layout

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark scripts as modules (they import their neighbours by plain name)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield {name: importlib.import_module(name) for name in ("core", "mnist_epoch")}
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.parametrize("case", [((784, 256, 256, 10), 128), ((784, 128, 10), 64)], ids=["big", "small"])
def test_the_mlp_steps_compute_the_same_losses(bench, case):
    core = bench["core"]
    assert case in core.MLP_CASES
    x, y, layers = core.mlp_case(*case)
    by_hand = [(w.copy(), b.copy()) for w, b in layers]
    column_major = [(in_linear_layout(w.copy()), b.copy()) for w, b in layers]
    steps = [core.ours_mlp(x, y, layers), core.ours_mlp_composite(x, y, layers)]
    torch = core.torch_or_none()
    if torch is not None:
        steps.append(core.torch_mlp(torch, x, y, layers))
    for _ in range(3):  # the updates agree too: the next loss is computed from the updated weights
        expected = core.numpy_mlp_step(x, y, by_hand)
        assert core.numpy_mlp_step(x, y, column_major) == pytest.approx(expected, rel=1e-6)
        for step in steps:
            assert step().item() == pytest.approx(expected, rel=1e-5)


def test_the_chain_gives_numpys_gradient(bench):
    core = bench["core"]
    small = np.random.default_rng(1).standard_normal((4, 2)).astype(np.float32)
    expected = core.numpy_chain(small)
    assert np.abs(expected).max() > 0  # a chain whose gradient vanished would agree trivially
    np.testing.assert_allclose(core.autograd_chain(ta.Tensor(small, requires_grad=True))().data, expected, rtol=1e-5)


def test_xor_training_ends_at_numpys_loss(bench):
    core = bench["core"]
    expected = core.numpy_xor()
    assert expected < 0.05  # the 2000 steps do learn XOR
    assert core.ours_xor() == pytest.approx(expected, rel=1e-3)


def test_the_mnist_epochs_train_alike(bench, monkeypatch):
    epoch = bench["mnist_epoch"]
    rng = np.random.default_rng(0)
    images, labels = rng.random((4 * epoch.BATCH, 784), dtype=np.float32), rng.integers(0, 10, 4 * epoch.BATCH)
    batch_losses = []
    by_hand = epoch.mlp_loss_and_gradients

    def recorded(*args):
        loss, grads = by_hand(*args)
        batch_losses.append(loss)
        return loss, grads

    monkeypatch.setattr(epoch, "mlp_loss_and_gradients", recorded)
    expected = epoch.numpy_loop(images, labels)()
    assert len(batch_losses) == 4 and expected == batch_losses[-1]
    assert epoch.ours_loop(images, labels)() == pytest.approx(expected, rel=1e-4)
    assert epoch.ours_fit(images, labels)().loss == pytest.approx([np.mean(batch_losses)], rel=1e-4)
    assert epoch.numpy_loop(images, labels, column_major=True)() == pytest.approx(expected, rel=1e-5)
    torch = bench["core"].torch_or_none()
    if torch is not None:
        assert epoch.torch_loop(torch, images, labels)() == pytest.approx(expected, rel=1e-4)


def test_core_reports_every_figure_with_its_target():
    printed = subprocess.run([sys.executable, str(BENCHMARKS / "core.py"), "--rounds", "1"], capture_output=True,
                             text=True, check=True, timeout=300).stdout
    assert printed.count("tinygrad_act  ") == 4
    for target in ("1.05x", "1.25x", "2.50x", "3.00x"):
        assert f"(target <= {target}: " in printed
