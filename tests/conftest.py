"""Shared fixtures: every test starts from the float32 default, and can ask for seeded randomness,
the command line (`run_cli`, `cli_refusal`) and a user's own activation (`swish_rules`)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.activations import Registration, get_activation, list_activations
from tinygrad_act.cli import main
from tinygrad_act.data.datasets import MNIST


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the differential tests against PyTorch must run, never be skipped for a missing torch."""
    if os.environ.get("CI") and importlib.util.find_spec("torch") is None:
        raise pytest.UsageError(
            "CI runs the differential tests against PyTorch, but torch is not installed: "
            "install the dev extra (pip install -e '.[dev]')"
        )


def _real_mnist_available() -> bool:
    """All four MNIST files (gzipped or not) under $TINYGRAD_ACT_DATA/mnist."""
    folder = os.environ.get("TINYGRAD_ACT_DATA")
    files = (MNIST.train_images, MNIST.train_labels, MNIST.test_images, MNIST.test_labels)
    return folder is not None and all(
        any((Path(folder) / "mnist" / name).exists() for name in (file.name, f"{file.name}.gz")) for file in files
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Graphviz and the real MNIST files are optional for users: without `dot` the tests that render
    pictures are skipped, and without $TINYGRAD_ACT_DATA/mnist the tests that train on all of MNIST,
    each saying how to get it. CI installs both, so there they always run."""
    if os.environ.get("CI"):
        return
    missing = {
        "needs_dot": None if shutil.which("dot") else "needs Graphviz's dot program: apt-get install graphviz "
                                                      "(or brew install graphviz); the DOT-text tests still run",
        "needs_mnist": None if _real_mnist_available() else "needs the real MNIST files: set TINYGRAD_ACT_DATA "
                                                             "to a folder whose mnist/ subfolder holds the 4 files",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread() -> Iterator[None]:
    """Run the tests with one BLAS thread: with two cores, a second BLAS thread competing with
    anything else on the machine makes small matmuls many times slower, not faster."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def _restore_default_dtype() -> Iterator[None]:
    """Undo a test's ta.set_default_dtype, so no test depends on the order the tests run in."""
    dtype = ta.get_default_dtype()
    yield
    ta.set_default_dtype(dtype)


@pytest.fixture
def rng() -> np.random.Generator:
    """A numpy generator with a fixed seed, for test data that is random but the same in every run."""
    return np.random.default_rng(0)


@pytest.fixture
def float64_default() -> None:
    """Make float64 the default dtype for one test (the autouse fixture restores float32)."""
    ta.set_default_dtype(np.float64)


@pytest.fixture
def seeded() -> None:
    """Seed the library's generator, so rand/randn/initialisers give the same values in every run."""
    ta.manual_seed(0)


def _train(model: nn.Module, optimizer: ta.optim.Optimizer, steps: int, seed: int) -> None:
    for x, y in _regression_batches(steps, seed):
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()


def _regression_batches(steps: int, seed: int) -> Iterator[tuple[Tensor, Tensor]]:
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        yield ta.tensor(rng.normal(size=(8, 2))), ta.tensor(rng.normal(size=(8, 1)))


@pytest.fixture
def train() -> Callable[[nn.Module, ta.optim.Optimizer, int, int], None]:
    """`train(model, optimizer, steps, seed)`: that many MSE steps on seeded random (8, 2) -> (8, 1)
    batches (the same batches for the same seed, so two runs can be compared step for step)."""
    return _train


@pytest.fixture
def scratch_names() -> Iterator[list[str]]:
    """Names a test registers; afterwards each is removed (registry, Tensor, F, nn and the CLI)."""
    names: list[str] = []
    yield names
    for name in names:
        if name in list_activations(learnable=True):
            Registration(get_activation(name)).remove()


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture) -> Callable[[list[str]], str]:
    """Run `tinygrad-act argv`, assert it succeeded, and return what it printed."""

    def run(argv: list[str]) -> str:
        assert main(argv) == 0
        return capsys.readouterr().out

    return run


@pytest.fixture
def cli_refusal(capsys: pytest.CaptureFixture) -> Callable[[list[str]], str]:
    """Run `tinygrad-act argv` that its argument parser must refuse: assert it exits with status 2,
    and return what it printed on stderr."""

    def run(argv: list[str]) -> str:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        return capsys.readouterr().err

    return run


def swish(x, beta=1.0):
    """x sigmoid(beta x), with a sigmoid that never overflows (exp of minus a logaddexp)."""
    with np.errstate(over="ignore", invalid="ignore"):  # +-inf and NaN give what x * torch.sigmoid(beta x) gives
        return x * np.exp(-np.logaddexp(0.0, -beta * x))


def swish_backward(x, y, grad_output, beta):
    """d/dx x s(beta x) = s + beta x s (1 - s)."""
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.exp(-np.logaddexp(0.0, -beta * x))
        return grad_output * (s + beta * x * s * (1.0 - s))


class SwishRules(NamedTuple):
    forward: Callable
    backward: Callable


@pytest.fixture(scope="session")
def swish_rules() -> SwishRules:
    """The rules of swish, x sigmoid(beta x), the activation the tests register as a user would:
    `forward` is `def swish(x, beta=1.0)` (so the decorator form names it swish and declares beta),
    `backward(x, y, grad_output, beta)` its derivative. Each test registers it under its own name
    and facts, and removes it."""
    return SwishRules(swish, swish_backward)
