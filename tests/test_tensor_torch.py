"""Tensor behaves as torch.Tensor where a PyTorch user's script relies on it: in-place updates,
max/min with indices, gradients at the edges of their domain, dimension checks, type promotion,
conversions, devices and the module-level functions. PyTorch itself is the referee."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor, nn

torch = pytest.importorskip("torch")


def both(array: np.ndarray, requires_grad: bool = False) -> tuple[Tensor, torch.Tensor]:
    """The same float64 data as a tinygrad_act tensor and a torch tensor."""
    array = np.asarray(array, dtype=np.float64)
    return (Tensor(array, requires_grad=requires_grad, dtype=np.float64),
            torch.tensor(array, requires_grad=requires_grad))


def assert_same(ours: Tensor | np.ndarray, theirs: torch.Tensor) -> None:
    ours = ours.numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0, equal_nan=True)


# ---------------------------------------------------------------- in-place updates


def test_hand_written_update_under_no_grad_changes_the_parameters_themselves() -> None:
    model = nn.Linear(3, 2)
    parameters_before = list(model.parameters())
    weight_before = model.weight.numpy().copy()
    model(Tensor(np.ones((4, 3)))).sum().backward()
    with ta.no_grad():
        for parameter in model.parameters():
            parameter -= 0.1 * parameter.grad
    np.testing.assert_allclose(model.weight.numpy(), weight_before - 0.1 * model.weight.grad.numpy())
    assert [p for _, p in model.named_parameters()] == parameters_before  # still the same objects
    assert isinstance(model.weight, nn.Parameter)


def test_augmented_assignment_on_an_attribute_keeps_the_parameter() -> None:
    layer = nn.Linear(2, 2)
    with ta.no_grad():
        layer.weight -= 1.0
    assert isinstance(layer.weight, nn.Parameter)
    assert "weight" in dict(layer.named_parameters())


def test_in_place_writes_are_seen_through_numpy_and_views() -> None:
    array = np.zeros(4)
    x = ta.from_numpy(array)
    view = x[1:3]
    view += 5.0
    x.add_(1.0, alpha=2.0)
    np.testing.assert_array_equal(array, [2.0, 7.0, 7.0, 2.0])


@pytest.mark.parametrize("update", [
    lambda w: w.add_(1.0), lambda w: w.sub_(1.0), lambda w: w.mul_(2.0), lambda w: w.div_(2.0),
    lambda w: w.zero_(), lambda w: w.fill_(3.0), lambda w: w.clamp_(0.0, 1.0), lambda w: w.copy_(w.detach() * 0.0 + 1.0),
    lambda w: w.__iadd__(1.0), lambda w: w.__imul__(2.0), lambda w: w.__isub__(1.0), lambda w: w.__itruediv__(2.0),
])
def test_in_place_on_a_leaf_that_requires_grad_raises_as_pytorch(update: Callable) -> None:
    ours, theirs = both(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        update(theirs)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        update(ours)


def test_backward_through_a_value_modified_in_place_raises() -> None:
    for lib_x in both(np.array([1.0, 2.0, 3.0]), requires_grad=True):
        loss = (lib_x * lib_x).sum()
        with (ta.no_grad() if isinstance(lib_x, Tensor) else torch.no_grad()):
            lib_x -= 1.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_backward_after_an_in_place_change_of_an_unsaved_value_works() -> None:
    """Add saves nothing, so changing its input in place is harmless (PyTorch agrees)."""
    results = []
    for lib_x in both(np.array([1.0, 2.0]), requires_grad=True):
        loss = (lib_x + 1.0).sum()
        with (ta.no_grad() if isinstance(lib_x, Tensor) else torch.no_grad()):
            lib_x.mul_(10.0)
        loss.backward()
        results.append(lib_x.grad)
    assert_same(*results)


def test_in_place_on_an_intermediate_is_recorded_like_pytorch() -> None:
    data = np.array([0.5, -1.0, 2.0])
    grads = []
    for lib_x in both(data, requires_grad=True):
        y = lib_x * 2.0
        y += lib_x.exp()
        y *= 3.0
        y.clamp_(max=10.0)
        (y * y).sum().backward()
        grads.append(lib_x.grad)
    assert_same(*grads)


def test_copy_sends_the_gradient_to_its_source() -> None:
    grads = []
    for lib_x, lib_source in zip(both(np.zeros((2, 3))), both(np.array([1.0, 2.0, 3.0]), requires_grad=True)):
        lib_x.copy_(lib_source * 2.0)
        (lib_x * lib_x).sum().backward()
        grads.append(lib_source.grad)
    assert_same(*grads)


def test_in_place_keeps_the_dtype_and_shape_or_raises_as_pytorch() -> None:
    integers = Tensor(np.ones(3, dtype=np.int64))
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        integers += 1.5
    with pytest.raises(RuntimeError, match=r"doesn't match the broadcast shape \[2, 3\]"):
        Tensor(np.ones(3)).add_(np.ones((2, 3)))
    x = Tensor(np.ones(3))
    x += np.float64(0.5)
    assert x.dtype == np.float32 and x._version == 1


def test_uniform_and_normal_fill_in_place_from_the_seeded_generator() -> None:
    ta.manual_seed(3)
    first = Tensor(np.zeros((200,))).uniform_(-2.0, 2.0).numpy().copy()
    ta.manual_seed(3)
    second = Tensor(np.zeros((200,))).uniform_(-2.0, 2.0).numpy()
    np.testing.assert_array_equal(first, second)
    assert first.min() >= -2.0 and first.max() < 2.0
    normal = Tensor(np.zeros(20000)).normal_(1.0, 0.5).numpy()
    assert abs(normal.mean() - 1.0) < 0.02 and abs(normal.std() - 0.5) < 0.02


# ---------------------------------------------------------------- max / min


@pytest.mark.parametrize("batch", [2, 128])
def test_max_over_a_dim_unpacks_into_values_and_indices(batch: int, rng: np.random.Generator) -> None:
    logits = rng.standard_normal((batch, 10))
    ours, theirs = both(logits)
    _, predicted = ours.max(1)
    _, expected = theirs.max(1)
    np.testing.assert_array_equal(predicted.numpy(), expected.numpy())
    assert predicted.dtype == np.int64
    values, indices = ta.max(ours, dim=1, keepdim=True)
    assert values.shape == (batch, 1) and indices.shape == (batch, 1)
    assert ours.min(0).indices.shape == (10,)


def test_max_over_a_dim_sends_the_gradient_to_one_element_and_amax_shares_it() -> None:
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for method in ("max_dim", "amax", "max_all", "min_dim", "amin"):
        grads = []
        for lib_x in both(data, requires_grad=True):
            if method == "max_dim":
                out = lib_x.max(1).values
            elif method == "min_dim":
                out = lib_x.min(1)[0]
            elif method == "max_all":
                out = lib_x.max()
            else:
                out = getattr(lib_x, method)(1)
            (out * out).sum().backward()
            grads.append(lib_x.grad)
        assert_same(*grads)


def test_function_forms_of_max_min_and_argmax() -> None:
    a, ta_b = both(np.array([[1.0, 5.0], [4.0, 2.0]]))
    other = Tensor(np.array([[3.0, 3.0], [3.0, 3.0]]), dtype=np.float64)
    np.testing.assert_array_equal(ta.max(a, other).numpy(), [[3.0, 5.0], [4.0, 3.0]])
    np.testing.assert_array_equal(ta.min(a, 1).values.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(ta.argmax(a, dim=1).numpy(), torch.argmax(ta_b, dim=1).numpy())
    assert ta.max(a).item() == 5.0


# ---------------------------------------------------------------- gradients at the edges


def test_clamped_square_root_has_a_zero_gradient_below_the_clamp() -> None:
    grads = []
    for lib_x in both(np.array([-2.0, 0.0, 4.0]), requires_grad=True):
        lib_x.clamp(min=0).sqrt().sum().backward()
        grads.append(lib_x.grad)
    assert_same(*grads)
    assert not np.isnan(grads[0].numpy()).any()


@pytest.mark.parametrize("expression", [
    lambda x, lib: (x ** 0).sum(),
    lambda x, lib: (x ** x).sum(),
    lambda x, lib: (0 ** x).sum(),
    lambda x, lib: (lib.tensor(0.0, dtype=x.dtype) ** x).sum() if lib is torch else (Tensor(0.0, dtype=np.float64) ** x).sum(),
    lambda x, lib: (x ** 2.5).sum(),
    lambda x, lib: (x ** -1.0).sum(),
    lambda x, lib: x.std(),
    lambda x, lib: x.var(),
    lambda x, lib: (x.std(0, keepdim=True) * x).sum(),
])
def test_gradients_that_pytorch_defines_at_zero(expression: Callable) -> None:
    for data in (np.zeros(3), np.array([0.0, 1.0, -1.0]), np.array([2.0, 2.0, 2.0])):
        grads = []
        for lib_x, lib in zip(both(data, requires_grad=True), (ta, torch)):
            expression(lib_x, lib).backward()
            grads.append(lib_x.grad)
        assert_same(*grads)


def test_variance_follows_pytorchs_arguments_and_empty_rule() -> None:
    data = np.arange(12.0).reshape(3, 4) ** 1.5
    ours, theirs = both(data)
    assert_same(ours.var(1, False), theirs.var(1, False))  # the second positional is `unbiased`
    assert_same(ours.var(0, keepdim=True, correction=0), theirs.var(0, keepdim=True, correction=0))
    assert_same(ours.std(unbiased=True), theirs.std(unbiased=True))
    std, mean = ours.std_mean(1)
    expected_std, expected_mean = torch.std_mean(theirs, 1)
    assert_same(std, expected_std)
    assert_same(mean, expected_mean)
    assert np.isnan(Tensor(np.zeros(0)).var().item())


# ---------------------------------------------------------------- dimension checks


DIMENSION_CASES = {
    "unsqueeze(5)": lambda x: x.unsqueeze(5),
    "unsqueeze(-4)": lambda x: x.unsqueeze(-4),
    "permute(0, 3)": lambda x: x.permute(0, 3),
    "flatten(5)": lambda x: x.flatten(5),
    "transpose(0, 5)": lambda x: x.transpose(0, 5),
    "squeeze(5)": lambda x: x.squeeze(5),
    "sum(5)": lambda x: x.sum(5),
    "mean(-3)": lambda x: x.mean(-3),
    "max(2)": lambda x: x.max(2),
    "argmax(2)": lambda x: x.argmax(2),
    "var(2)": lambda x: x.var(2),
    "softmax(2)": lambda x: x.softmax(2),
    "log_softmax(-3)": lambda x: x.log_softmax(-3),
    "cat(dim=3)": lambda x: (ta if isinstance(x, Tensor) else torch).cat([x, x], dim=3),
    "stack(dim=4)": lambda x: (ta if isinstance(x, Tensor) else torch).stack([x, x], dim=4),
}


@pytest.mark.parametrize("case", DIMENSION_CASES)
def test_a_dimension_out_of_range_raises_pytorchs_index_error(case: str) -> None:
    ours, theirs = both(np.zeros((2, 3)))
    with pytest.raises(IndexError) as expected:
        DIMENSION_CASES[case](theirs)
    with pytest.raises(IndexError, match=r"^Dimension out of range") as ours_error:
        DIMENSION_CASES[case](ours)
    assert str(ours_error.value) == str(expected.value).split(" (Triggered")[0]


@pytest.mark.parametrize("call, message", [
    (lambda x: x.flatten(1, 0), "start_dim cannot come after end_dim"),
    (lambda x: x.permute(0, 0), "duplicate dims are not allowed"),
    (lambda x: x.permute(0), "number of dims don't match"),
    (lambda x: x.reshape(5), "shapes"),
    (lambda x: x @ Tensor(np.zeros((4, 2))), "matmul: shapes"),
    (lambda x: x + Tensor(np.zeros(4)), "add: shapes"),
    (lambda x: x.sum((0, 0)), "appears multiple times"),
])
def test_invalid_shapes_raise_runtime_error_as_pytorch(call: Callable, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        call(Tensor(np.zeros((2, 3))))


def test_zero_dimensional_tensors_accept_dim_zero_and_minus_one() -> None:
    ours, theirs = both(np.array(2.5))
    for call in (lambda x: x.sum(0), lambda x: x.sum(-1), lambda x: x.squeeze(0), lambda x: x.mean(0),
                 lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(-1), lambda x: x.flatten()):
        assert_same(call(ours), call(theirs))


# ---------------------------------------------------------------- empty and degenerate cases


def test_an_empty_dim_tuple_reduces_everything() -> None:
    ours, theirs = both(np.arange(6.0).reshape(2, 3))
    assert_same(ours.sum(dim=()), theirs.sum(dim=()))
    assert_same(ours.mean(dim=()), theirs.mean(dim=()))


def test_squeeze_of_a_dim_that_is_not_one_is_a_new_tensor() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2.0
    squeezed = y.squeeze(0)
    assert squeezed is not y and squeezed.shape == (2, 3)
    squeezed.retain_grad()
    squeezed.sum().backward()
    assert y.grad is None and squeezed.grad is not None


def test_a_hook_that_changes_the_gradients_shape_raises_naming_it() -> None:
    def truncate(grad: Tensor) -> Tensor:
        return grad[:2]

    x = Tensor(np.ones(3), requires_grad=True)
    x.register_hook(truncate)
    with pytest.raises(RuntimeError, match="hook 'truncate' has changed the size of value"):
        (x * 2.0).sum().backward()
    y = Tensor(np.ones(3), requires_grad=True)
    z = y * 2.0
    z.register_hook(truncate)
    with pytest.raises(RuntimeError, match="hook 'truncate'"):
        z.sum().backward()


def test_zero_dimensional_parameters_have_ndarray_data_and_gradients() -> None:
    w = Tensor(2.0, requires_grad=True)
    (w * w * 3.0).backward()
    assert type(w.data) is np.ndarray and type(w.grad.data) is np.ndarray
    before = w.grad.data
    (w * 1.0).backward()
    assert w.grad.data is before and w.grad.item() == 13.0  # accumulated in place


# ---------------------------------------------------------------- clear errors for bad arguments


@pytest.mark.parametrize("call, error, message", [
    (lambda: Tensor([1.0]).clamp(min="a"), TypeError, "clamp: min must be a number"),
    (lambda: ta.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (lambda: Tensor([1.0], dtype=str), TypeError, "dtype must be a number or bool dtype"),
    (lambda: Tensor([1.0], dtype=object), TypeError, "dtype must be a number or bool dtype"),
    (lambda: Tensor(["a"]), TypeError, "numbers or booleans"),
    (lambda: Tensor([1.0]).to("cuda"), RuntimeError, "runs on numpy on the CPU"),
    (lambda: Tensor([1.0]).cuda(), RuntimeError, "runs on numpy on the CPU"),
    (lambda: ta.zeros(2, device="mps"), RuntimeError, "runs on numpy on the CPU"),
    (lambda: ta.device("gpu"), RuntimeError, "Expected one of cpu"),
    (lambda: [1, 2][Tensor([0.0])], TypeError, "only integer tensors of a single element"),
    (lambda: Tensor([1.0, 2.0]).gather(0, np.array([0.5])), RuntimeError, "int64 for index"),
])
def test_bad_arguments_give_a_sentence(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- dtypes, promotion and conversions


PROMOTION_CASES = {
    "int tensor * float": (lambda lib, i, f: i * 1.5),
    "int tensor / int tensor": (lambda lib, i, f: i / i),
    "int tensor / int": (lambda lib, i, f: i / 2),
    "float32 ** int tensor": (lambda lib, i, f: f ** i),
    "int tensor + float32 tensor": (lambda lib, i, f: i + f),
    "float32 + float64 0-d tensor": (lambda lib, i, f: f + lib.tensor(2.0, dtype=lib.float64)),
    "int + float64 0-d tensor": (lambda lib, i, f: i + lib.tensor(2.0, dtype=lib.float64)),
    "bool tensor + int": (lambda lib, i, f: (i > 1) + 1),
    "int tensor * True": (lambda lib, i, f: i * True),
    "float32 * numpy float64 scalar": (lambda lib, i, f: f * np.float64(2.0)),
    "int tensor % 2": (lambda lib, i, f: i % 2),
    "float32 // 2": (lambda lib, i, f: f // 2),
}


@pytest.mark.parametrize("case", PROMOTION_CASES)
def test_type_promotion_follows_pytorch(case: str) -> None:
    results = []
    for lib in (ta, torch):
        integers = lib.tensor(np.array([1, 2, 3]))
        floats = lib.tensor(np.array([0.5, 1.5, -2.5], dtype=np.float32))
        results.append(PROMOTION_CASES[case](lib, integers, floats))
    ours, theirs = results
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_dtype_names_and_conversions_work_as_in_pytorch() -> None:
    x = ta.tensor([1.7, -2.2])
    assert x.dtype == ta.float32 == ta.float
    assert x.double().dtype == ta.float64 == ta.double
    assert x.long().dtype == ta.int64 == ta.long
    assert x.int().dtype == ta.int32 and x.bool().dtype == ta.bool and x.half().dtype == ta.float16
    assert x.to(ta.float64).dtype == np.float64 and x.to("cpu") is x and x.cpu() is x
    assert x.to("cpu", ta.float64).dtype == np.float64 and x.to(dtype=ta.int64).dtype == np.int64
    assert x.to(Tensor(np.zeros(1), dtype=np.float64)).dtype == np.float64
    assert x.type() == "tinygrad_act.FloatTensor" and x.type(ta.long).dtype == np.int64
    assert ta.zeros(2, dtype=ta.long).dtype == np.int64
    np.testing.assert_array_equal(x.long().numpy(), torch.tensor([1.7, -2.2]).long().numpy())


def test_tensor_and_from_numpy_keep_or_share_as_pytorch() -> None:
    array = np.array([1.0, 2.0])
    assert ta.tensor(array).dtype == np.float64 and ta.tensor([1.0, 2.0]).dtype == np.float32
    copied, shared = ta.tensor(array), ta.from_numpy(array)
    array[0] = 9.0
    assert copied.numpy()[0] == 1.0 and shared.numpy()[0] == 9.0
    assert ta.from_numpy(np.arange(3)).dtype == np.int64


def test_the_device_idiom_runs_on_the_cpu() -> None:
    device = "cuda" if ta.cuda.is_available() else "mps" if ta.backends.mps.is_available() else "cpu"
    assert device == "cpu" and not ta.accelerator.is_available()
    ta.set_default_device("cpu")
    x = ta.ones(2, device=device).to(device)
    assert x.device == ta.device("cpu") and str(x.device) == "cpu" and not x.is_cuda
    with pytest.raises(RuntimeError, match="CPU"):
        ta.set_default_device("cuda")


def test_set_grad_enabled_as_a_call_and_as_a_block() -> None:
    w = Tensor(np.ones(2), requires_grad=True)
    with ta.set_grad_enabled(False):
        assert not (w * 2.0).requires_grad
    assert (w * 2.0).requires_grad
    ta.set_grad_enabled(False)
    try:
        assert not ta.is_grad_enabled()
    finally:
        ta.set_grad_enabled(True)


def test_a_zero_dimensional_integer_tensor_is_an_index() -> None:
    names = ["zero", "one", "two"]
    assert names[ta.tensor(2)] == "two"
    assert names[Tensor(np.array([0, 1, 2])).argmax()] == "two"


def test_any_and_all_return_bool_tensors_and_take_dim() -> None:
    ours, theirs = both(np.array([[0.0, 1.0], [0.0, 0.0]]))
    assert_same(ours.any(1), theirs.any(1))
    assert_same(ours.all(dim=0, keepdim=True), theirs.all(dim=0, keepdim=True))
    assert ours.any().dtype == np.bool_ and bool(ours.any()) and not bool(ours.all())


# ---------------------------------------------------------------- method aliases and new ops


UNARY_CASES = {
    "sin": lambda x: x.sin(), "cos": lambda x: x.cos(), "rsqrt": lambda x: (x.abs() + 0.5).rsqrt(),
    "square": lambda x: x.square(), "neg": lambda x: x.neg(), "clone": lambda x: x.clone() * 2.0,
    "prod": lambda x: x.prod(), "prod(1)": lambda x: x.prod(1), "prod(0, keepdim)": lambda x: x.prod(0, keepdim=True),
    "logsumexp(1)": lambda x: x.logsumexp(1), "logsumexp((0, 1))": lambda x: x.logsumexp((0, 1)),
    "expand": lambda x: x[:, :1].expand(3, 4), "expand(-1)": lambda x: x[:1].expand(2, -1, -1),
    "gather": lambda x: x.gather(1, _torch_or_numpy(x, np.array([[0, 0], [3, 1], [2, 2]]))),
    "masked_fill": lambda x: x.masked_fill(x > 0.3, 0.5),
    "maximum": lambda x: x.maximum(x[:1] * 0.5),
    "minimum": lambda x: x.minimum(x * 0.5),
    "remainder": lambda x: (x * 3.0) % 1.25,
    "add(alpha)": lambda x: x.add(x * x, alpha=0.5), "sub(alpha)": lambda x: x.sub(x, alpha=3.0),
    "mul/div": lambda x: x.mul(2.0).div(x.abs() + 1.0), "matmul": lambda x: x.matmul(x.T),
    "sum(dtype)": lambda x: x.sum(1, dtype=_dtype_of(x)), "t": lambda x: x.t(), "contiguous": lambda x: x.T.contiguous(),
    "std(1)": lambda x: x.std(1), "var_mean": lambda x: sum(_library_of(x).var_mean(x, 0)),
    "mixed index": lambda x: x.reshape(2, 3, 2)[1, :, _torch_or_numpy(x, np.array([0, 1]))],
}


def _torch_or_numpy(like: object, array: np.ndarray) -> object:
    return torch.tensor(array) if isinstance(like, torch.Tensor) else array


def _library_of(like: object) -> object:
    return torch if isinstance(like, torch.Tensor) else ta


def _dtype_of(like: object) -> object:
    return torch.float64 if isinstance(like, torch.Tensor) else np.float64


@pytest.mark.parametrize("case", UNARY_CASES)
def test_ops_and_aliases_match_pytorch_forward_and_backward(case: str, rng: np.random.Generator) -> None:
    data = rng.standard_normal((3, 4))
    data[1, 2] = data[1, 3]  # a tie, for maximum/minimum and the reductions
    outputs, grads = [], []
    for lib_x in both(data, requires_grad=True):
        out = UNARY_CASES[case](lib_x)
        projection = np.linspace(-1.0, 1.0, int(np.prod(out.shape))).reshape(out.shape)
        weights = projection if isinstance(out, Tensor) else torch.tensor(projection)
        (out * weights).sum().backward()
        outputs.append(out)
        grads.append(lib_x.grad)
    assert_same(*outputs)
    assert_same(*grads)


def test_module_level_functions_match_pytorch(rng: np.random.Generator) -> None:
    data = rng.standard_normal((3, 4))
    ours, theirs = both(data)
    for name, args, kwargs in [
        ("sin", (), {}), ("cos", (), {}), ("exp", (), {}), ("sum", (1,), {}), ("mean", (), {"dim": 0}),
        ("argmax", (), {"dim": 1}), ("softmax", (), {"dim": 1}), ("log_softmax", (1,), {}),
        ("maximum", (np.zeros((3, 4)),), {}), ("matmul", (np.ones((4, 2)),), {}), ("abs", (), {}),
        ("clamp", (), {"min": -0.5, "max": 0.5}), ("sigmoid", (), {}), ("tanh", (), {}), ("relu", (), {}),
        ("flatten", (), {}), ("transpose", (0, 1), {}), ("prod", (1,), {}), ("amax", (1,), {}),
    ]:
        torch_args = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        assert_same(getattr(ta, name)(ours, *args, **kwargs), getattr(torch, name)(theirs, *torch_args, **kwargs))
    assert ta.is_tensor(ours) and not ta.is_tensor(data)
    np.testing.assert_allclose(ta.exp(data).numpy(), np.exp(data), rtol=1e-6)  # plain arrays are accepted too


def test_logical_operators_on_masks() -> None:
    x = ta.tensor([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(((x > 0) & (x < 1)).numpy(), [False, True, False])
    np.testing.assert_array_equal((~(x > 0)).numpy(), [True, False, False])
    np.testing.assert_array_equal(((x < 0) | (x > 1)).numpy(), [True, False, True])


def test_mixed_integer_and_array_indexing_follows_pytorch() -> None:
    data = np.arange(24.0).reshape(2, 3, 4)
    ours, theirs = both(data, requires_grad=True)
    for index in [(1, slice(None), [0, 2]), (slice(None), 1, [0, 3]), ([0, 1], slice(None), 2), (0, [1, 2], [0, 3])]:
        torch_index = tuple(torch.tensor(p) if isinstance(p, list) else p for p in index)
        out_ours, out_theirs = ours[index], theirs[torch_index]
        assert_same(out_ours, out_theirs)
    ours[1, :, [0, 2]].sum().backward()
    theirs[1, :, torch.tensor([0, 2])].sum().backward()
    assert_same(ours.grad, theirs.grad)


# ---------------------------------------------------------------- the documented differences (README)


def test_difference_data_is_the_numpy_array() -> None:
    w = Tensor(np.ones(2), requires_grad=True)
    (w * 3.0).sum().backward()
    w.data -= 0.5 * w.grad.data  # numpy in place: works as in PyTorch
    assert isinstance(w.data, np.ndarray) and not hasattr(w.data, "zero_")
    np.testing.assert_allclose(w.numpy(), [-0.5, -0.5])


def test_difference_tensor_of_an_array_shares_it_and_tensor_copies() -> None:
    array = np.zeros(3, dtype=np.float32)
    shared, copied = Tensor(array, requires_grad=True), ta.tensor(array, requires_grad=True)
    with ta.no_grad():
        shared += 1.0
        copied += 1.0
    np.testing.assert_array_equal(array, [1.0, 1.0, 1.0])  # changed through `shared` only


def test_difference_recorded_in_place_ops_give_the_tensor_a_new_array() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 2.0
    view = y[:2]
    y += 1.0
    assert y._version == 1 and y.grad_fn is not None
    np.testing.assert_array_equal(view.numpy(), [2.0, 2.0])  # PyTorch's view would show 3.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_difference_lenient_dtypes() -> None:
    counts = Tensor(np.array([1, 2, 4]))
    assert counts.mean().dtype == np.float32 and counts.mean().item() == pytest.approx(7 / 3)
    product = Tensor(np.ones((2, 2), dtype=np.float32)) @ Tensor(np.ones((2, 2)), dtype=np.float64)
    assert product.dtype == np.float64
    x = Tensor(np.array([3.0, 5.0]), requires_grad=True)
    assert not (x // 2).requires_grad


IN_PLACE_CASES = {
    "add_": lambda x, o: x.add_(o), "add_(alpha)": lambda x, o: x.add_(o, alpha=-0.5),
    "sub_": lambda x, o: x.sub_(o), "sub_(alpha)": lambda x, o: x.sub_(o, alpha=2.0),
    "mul_": lambda x, o: x.mul_(o), "div_": lambda x, o: x.div_(o), "pow_": lambda x, o: x.abs().pow_(2.0),
    "+= scalar": lambda x, o: x.__iadd__(1.5), "*= scalar": lambda x, o: x.__imul__(-2.0),
    "/= tensor": lambda x, o: x.__itruediv__(o), "neg_": lambda x, o: x.neg_(),
    "clamp_": lambda x, o: x.clamp_(-0.3, 0.4), "masked_fill_": lambda x, o: x.masked_fill_(o > 0, 0.25),
    "fill_": lambda x, o: x.fill_(0.5), "zero_": lambda x, o: x.zero_(), "copy_": lambda x, o: x.copy_(o * 3.0),
}


@pytest.mark.parametrize("case", IN_PLACE_CASES)
def test_in_place_ops_match_pytorch_unrecorded_and_recorded(case: str, rng: np.random.Generator) -> None:
    data, other = rng.standard_normal((3, 4)), rng.uniform(0.5, 2.0, (3, 4))
    results, grads = [], []
    for x, o in zip(both(data, requires_grad=True), both(other)):
        with ta.no_grad() if isinstance(x, Tensor) else torch.no_grad():  # unrecorded: into the array
            plain = x.detach().clone()
            IN_PLACE_CASES[case](plain, o)
        recorded = x * 1.0  # a non-leaf: the change is recorded and backpropagated
        out = IN_PLACE_CASES[case](recorded, o)
        (out * out).sum().backward()
        results.append((plain, out))
        grads.append(x.grad)
    (ours_plain, ours_out), (theirs_plain, theirs_out) = results
    assert_same(ours_plain, theirs_plain)
    assert_same(ours_out, theirs_out)
    assert_same(*grads)
