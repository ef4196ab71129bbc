"""PyTorch users' scripts run on tinygrad_act with the import edit alone, and reach PyTorch's losses.

Each script in tests/pytorch_scripts/ is written in the idioms of PyTorch's beginner tutorials and
takes the framework as its argument; here it runs once with PyTorch and once with tinygrad_act, from
the same numpy data and the same starting weights, and every logged loss must agree: tightly in
float64, within 1e-4 relative in float32 (different summation orders, thousands of steps). The last
tests check, on both frameworks, the module-level names and conversions those scripts lean on.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest

import tinygrad_act as ta

torch = pytest.importorskip("torch")

from pytorch_scripts import nn_really, polynomial, quickstart  # noqa: E402

FLOAT64 = {"rtol": 1e-10, "atol": 0.0}
FLOAT32 = {"rtol": 1e-4, "atol": 1e-6}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """PyTorch's own thread pool, like numpy's BLAS in conftest, keeps to one thread on 2 shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(params=["torch", "tinygrad_act"])
def framework(request: pytest.FixtureRequest) -> ModuleType:
    """Each framework in turn: a name test passes on PyTorch first, which shows the test is right."""
    return torch if request.param == "torch" else ta


def assert_same_losses(reference: list[float], ours: list[float], tolerance: dict[str, float]) -> None:
    """Every logged loss agrees, so the final loss is the one PyTorch reaches."""
    assert len(ours) == len(reference)
    np.testing.assert_allclose(ours, reference, **tolerance)
    assert ours[-1] == pytest.approx(reference[-1], rel=tolerance["rtol"])


# --- 1-4: fitting sin(x) with a cubic -------------------------------------------------------------


@pytest.fixture
def cubic_start(rng: np.random.Generator) -> np.ndarray:
    """Five starting coefficients (a, b, c, d and the dynamic net's e), drawn once, float64."""
    return rng.standard_normal(5)


@pytest.mark.parametrize("clear_grad", ["none", "zero"])
def test_raw_tensors_with_hand_written_update(cubic_start: np.ndarray, clear_grad: str) -> None:
    reference = polynomial.fit_with_raw_tensors(torch, cubic_start, clear_grad=clear_grad)
    ours = polynomial.fit_with_raw_tensors(ta, cubic_start, clear_grad=clear_grad)
    assert reference[-1] < 20  # the tutorial's fit: the loss falls from thousands to about 9
    assert_same_losses(reference, ours, FLOAT64)


def test_sequential_with_hand_written_update(cubic_start: np.ndarray) -> None:
    weight = cubic_start[1:4].reshape(1, 3).astype(np.float32)
    bias = cubic_start[:1].astype(np.float32)
    reference, reference_fit = polynomial.fit_with_sequential(torch, weight, bias)
    ours, our_fit = polynomial.fit_with_sequential(ta, weight, bias)
    assert_same_losses(reference, ours, FLOAT32)
    assert our_fit == reference_fit


def test_sequential_with_sgd_momentum(cubic_start: np.ndarray) -> None:
    weight = cubic_start[1:4].reshape(1, 3).astype(np.float32)
    bias = cubic_start[:1].astype(np.float32)
    reference = polynomial.fit_with_optimizer(torch, weight, bias, "SGD")
    ours = polynomial.fit_with_optimizer(ta, weight, bias, "SGD")
    assert_same_losses(reference, ours, FLOAT32)


def test_sequential_with_rmsprop(cubic_start: np.ndarray) -> None:
    """RMSprop at the tutorial's lr=1e-3 steps each weight by about lr whatever the gradient's size,
    so once near the optimum it hops around it, and the run is chaotic: in PyTorch alone, starting
    one weight 1e-15 away changes later losses by up to 0.4%. So the losses agree tightly while
    the fit descends (the first 500 steps), and within 2% afterwards; the final loss within 1%."""
    weight = cubic_start[1:4].reshape(1, 3).astype(np.float32)
    bias = cubic_start[:1].astype(np.float32)
    reference = polynomial.fit_with_optimizer(torch, weight, bias, "RMSprop")
    ours = polynomial.fit_with_optimizer(ta, weight, bias, "RMSprop")
    np.testing.assert_allclose(ours[:5], reference[:5], **FLOAT32)
    np.testing.assert_allclose(ours, reference, rtol=2e-2)
    assert ours[-1] == pytest.approx(reference[-1], rel=1e-2)


def test_module_subclass(cubic_start: np.ndarray) -> None:
    start = cubic_start.astype(np.float32)
    reference, reference_fit = polynomial.fit_module_subclass(torch, start)
    ours, our_fit = polynomial.fit_module_subclass(ta, start)
    assert_same_losses(reference, ours, FLOAT32)
    assert our_fit == reference_fit


def test_module_with_dynamic_control_flow(cubic_start: np.ndarray) -> None:
    start = cubic_start.astype(np.float32)
    reference = polynomial.fit_dynamic_module(torch, start, seed=0, steps=1000)
    ours = polynomial.fit_dynamic_module(ta, start, seed=0, steps=1000)
    assert_same_losses(reference, ours, FLOAT32)


# --- 5: the Quickstart ----------------------------------------------------------------------------


def quickstart_state(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Starting weights for the Quickstart network, drawn as nn.Linear's default init draws them."""
    state = {}
    for index, (fan_in, fan_out) in zip((0, 2, 4), ((784, 512), (512, 512), (512, 10))):
        bound = 1 / np.sqrt(fan_in)
        state[f"linear_relu_stack.{index}.weight"] = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        state[f"linear_relu_stack.{index}.bias"] = rng.uniform(-bound, bound, fan_out).astype(np.float32)
    return state


def test_quickstart(rng: np.random.Generator, tmp_path) -> None:
    images = rng.random((256 + 64, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 256 + 64)
    data = (images[:256], labels[:256], images[256:], labels[256:])
    state = quickstart_state(rng)
    reference = quickstart.run_quickstart(torch, *data, state, str(tmp_path / "torch_model.pth"))
    ours = quickstart.run_quickstart(ta, *data, state, str(tmp_path / "model.pth"))

    assert_same_losses(reference["train_losses"], ours["train_losses"], FLOAT32)
    assert_same_losses(reference["test_losses"], ours["test_losses"], FLOAT32)
    assert ours["accuracies"] == reference["accuracies"]
    assert ours["reloaded_test_loss"] == ours["test_losses"][-1]
    assert ours["predicted"] == reference["predicted"]


@pytest.mark.parametrize("idiom", ["accelerator", "legacy"])
def test_device_idioms_choose_the_cpu(framework: ModuleType, idiom: str) -> None:
    device = quickstart.choose_device(framework, idiom)
    assert device == "cpu"
    x = framework.ones(2, 3).to(device)
    assert x.device.type == "cpu"
    assert x.to(framework.device("cpu")).device == framework.device("cpu")


# --- 6: What is torch.nn really? ------------------------------------------------------------------


@pytest.fixture
def digits(rng: np.random.Generator) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Learnable stand-ins for MNIST, and the starting weights. Like MNIST's digits, four pixels in
    five are 0 (dense images make lr=0.5 diverge); the labels follow a hidden linear rule."""
    images = rng.random((384, 784), dtype=np.float32) * (rng.random((384, 784)) < 0.2).astype(np.float32)
    labels = (images @ rng.standard_normal((784, 10))).argmax(1)
    data = (images[:256], labels[:256], images[256:], labels[256:])
    return data, rng.standard_normal((784, 10)).astype(np.float32)


def test_nn_really_from_scratch(digits: tuple) -> None:
    data, weights = digits
    reference = nn_really.fit_from_scratch(torch, data, weights)
    ours = nn_really.fit_from_scratch(ta, data, weights)
    assert_same_losses(reference["losses"], ours["losses"], FLOAT32)
    np.testing.assert_allclose(ours["before"], reference["before"], **FLOAT32)
    np.testing.assert_allclose(ours["after"], reference["after"], **FLOAT32)
    assert reference["after"][0] < reference["before"][0]


@pytest.mark.parametrize("stage", ["fit_with_cross_entropy", "fit_module_with_parameters"])
def test_nn_really_refactors_by_hand(digits: tuple, stage: str) -> None:
    data, weights = digits
    script = getattr(nn_really, stage)
    reference = script(torch, data, weights)
    ours = script(ta, data, weights)
    assert_same_losses(reference, ours, FLOAT32)
    # The refactor changes the code, not the training run.
    assert_same_losses(nn_really.fit_from_scratch(torch, data, weights)["losses"], ours, FLOAT32)


@pytest.mark.parametrize("stage", ["fit_linear_with_optimizer", "fit_sequential_with_lambda"])
def test_nn_really_refactors_onto_optim_and_data_loader(digits: tuple, stage: str) -> None:
    data, weights = digits
    script = getattr(nn_really, stage)
    reference = script(torch, data, weights)
    ours = script(ta, data, weights)
    for key in ("losses", "summed_valid_losses", "weighted_valid_losses"):
        assert_same_losses(reference[key], ours[key], FLOAT32)
    assert_same_losses(nn_really.fit_from_scratch(torch, data, weights)["losses"], ours["losses"], FLOAT32)


# --- 7: module-level functions, dtype names and conversions ---------------------------------------


@pytest.mark.parametrize("module_path", ["nn.functional", "utils.data"])
def test_pytorch_submodules_import(framework: ModuleType, module_path: str) -> None:
    """`import torch.nn.functional as F` and `from torch.utils.data import DataLoader` have a
    counterpart: the submodule exists under the same dotted path."""
    module = importlib.import_module(f"{framework.__name__}.{module_path}")
    assert module is getattr(getattr(framework, module_path.split(".")[0]), module_path.split(".")[1])


def test_module_level_math_functions(framework: ModuleType) -> None:
    values = np.linspace(0.5, 2.0, 6)
    x = framework.tensor(values)
    a = framework.tensor(values.reshape(2, 3))
    b = framework.tensor(values.reshape(3, 2))
    np.testing.assert_allclose(framework.sin(x).numpy(), np.sin(values))
    np.testing.assert_allclose(framework.cos(x).numpy(), np.cos(values))
    np.testing.assert_allclose(framework.exp(x).numpy(), np.exp(values))
    np.testing.assert_allclose(framework.log(x).numpy(), np.log(values))
    assert framework.sum(x).item() == pytest.approx(values.sum())
    assert framework.mean(x).item() == pytest.approx(values.mean())
    np.testing.assert_allclose(framework.sum(a, dim=1).numpy(), values.reshape(2, 3).sum(1))
    assert framework.argmax(x).item() == 5
    np.testing.assert_allclose(framework.matmul(a, b).numpy(), values.reshape(2, 3) @ values.reshape(3, 2))
    softmax = np.exp(values) / np.exp(values).sum()
    np.testing.assert_allclose(framework.softmax(x, dim=0).numpy(), softmax)
    np.testing.assert_allclose(framework.maximum(x, framework.tensor(np.full(6, 1.0))).numpy(),
                               np.maximum(values, 1.0))
    np.testing.assert_allclose(framework.linspace(-1, 1, 5).numpy(), np.linspace(-1, 1, 5), rtol=1e-6)


def test_dtype_names(framework: ModuleType) -> None:
    assert framework.float == framework.float32
    assert framework.double == framework.float64
    assert framework.long == framework.int64
    assert framework.tensor([1.0, 2.0]).dtype == framework.float32
    assert framework.tensor([1, 2]).dtype == framework.int64
    assert framework.tensor([True, False]).dtype == framework.bool
    assert framework.tensor([1.0], dtype=framework.float64).dtype == framework.float64
    assert framework.zeros(3, dtype=framework.long).dtype == framework.int64


def test_tensor_and_from_numpy_keep_an_arrays_dtype(framework: ModuleType) -> None:
    array = np.array([1.5, -2.5])
    assert framework.tensor(array).dtype == framework.float64
    assert framework.from_numpy(array).dtype == framework.float64
    assert framework.from_numpy(array.astype(np.float32)).dtype == framework.float32


def test_from_numpy_shares_memory_and_tensor_copies(framework: ModuleType) -> None:
    array = np.zeros(3, dtype=np.float32)
    shared, copied = framework.from_numpy(array), framework.tensor(array)
    array[0] = 7.0
    assert shared[0].item() == 7.0
    assert copied[0].item() == 0.0


def test_conversions(framework: ModuleType) -> None:
    x = framework.tensor([1.5, -2.5, 3.0])
    assert x.float().dtype == framework.float32
    assert x.double().dtype == framework.float64
    assert x.long().dtype == framework.int64
    assert x.long().tolist() == [1, -2, 3]  # truncated toward zero
    assert x.int().dtype == framework.int32
    assert x.bool().dtype == framework.bool
    assert x.to(framework.float64).dtype == framework.float64
    assert x.type(framework.float).dtype == framework.float32
    assert x.to("cpu").dtype == framework.float32
    assert x.cpu().numpy().tolist() == [1.5, -2.5, 3.0]


def test_type_promotion_with_python_numbers(framework: ModuleType) -> None:
    counts = framework.tensor([1, 2, 3])
    assert (counts * 0.5).dtype == framework.float32
    assert (counts / 2).dtype == framework.float32
    assert (counts + 1).dtype == framework.int64
    assert (counts == 2).dtype == framework.bool
    assert (counts == 2).sum().item() == 1
    assert (counts == 2).float().mean().item() == pytest.approx(1 / 3)


def test_set_grad_enabled(framework: ModuleType) -> None:
    w = framework.ones(3, requires_grad=True)
    framework.set_grad_enabled(False)
    try:
        assert not (w * 2).requires_grad
    finally:
        framework.set_grad_enabled(True)
    assert (w * 2).requires_grad
    with framework.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad


def test_manual_seed_repeats_random_draws(framework: ModuleType) -> None:
    framework.manual_seed(0)
    first = framework.randn(5).numpy()
    framework.manual_seed(0)
    assert framework.randn(5).numpy().tolist() == first.tolist()


def test_max_over_a_dim_gives_values_and_indices(framework: ModuleType) -> None:
    outputs = framework.tensor([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05]])
    _, predicted = framework.max(outputs, 1)
    assert predicted.tolist() == [1, 0]
    assert predicted.dtype == framework.int64
    values, indices = outputs.max(1)
    assert values.tolist() == pytest.approx([0.7, 0.9])
    result = outputs.max(dim=1)
    assert result.values.tolist() == values.tolist() and result.indices.tolist() == [1, 0]
    assert framework.max(outputs).item() == pytest.approx(0.9)
    assert outputs.amax(1).tolist() == pytest.approx([0.7, 0.9])
    assert (predicted == framework.tensor([1, 2])).sum().item() == 1


def test_sizes_views_items_and_indices(framework: ModuleType) -> None:
    images = framework.zeros(8, 1, 28, 28)
    dataset = framework.utils.data.TensorDataset(images, framework.zeros(8, dtype=framework.long))
    assert len(dataset) == 8
    assert images.size(0) == 8
    assert tuple(images.size()) == (8, 1, 28, 28)
    assert tuple(images.view(-1, 784).shape) == (8, 784)
    assert framework.tensor(2.5).item() == 2.5
    classes = ["zero", "one", "two"]
    assert classes[framework.tensor(2)] == "two"
    assert classes[framework.tensor([0.1, 0.2, 0.9]).argmax()] == "two"
    assert range(10)[framework.tensor(3)] == 3


def test_no_grad_as_a_decorator(framework: ModuleType) -> None:
    w = framework.ones(3, requires_grad=True)

    @framework.no_grad()
    def evaluate(weights):
        return weights * 2

    assert not evaluate(w).requires_grad
    assert (w * 2).requires_grad


def test_a_one_element_tensor_formats_as_its_number(framework: ModuleType) -> None:
    loss = framework.tensor(2.5)
    assert f"loss: {loss:>7f}" == "loss: 2.500000"
    assert f"{loss:.2f}" == "2.50"
    assert float(loss) == 2.5 and int(framework.tensor(3)) == 3
