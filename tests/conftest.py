"""Shared fixtures: every test starts from the float32 default, and can ask for seeded randomness."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.activations import Registration, get_activation, list_activations


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI the differential tests against PyTorch must run, never be skipped for a missing torch."""
    if os.environ.get("CI") and importlib.util.find_spec("torch") is None:
        raise pytest.UsageError(
            "CI runs the differential tests against PyTorch, but torch is not installed: "
            "install the dev extra (pip install -e '.[dev]')"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Graphviz is optional for users: without its `dot` program the tests that render pictures are
    skipped, saying how to install it. CI installs it, so there they always run."""
    if shutil.which("dot") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="needs Graphviz's dot program: apt-get install graphviz (or brew install "
                                   "graphviz); the DOT-text tests still run")
    for item in items:
        if item.get_closest_marker("needs_dot"):
            item.add_marker(skip)


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
