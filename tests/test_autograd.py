"""The autograd engine: graph bookkeeping, grad mode, hooks, accumulation, deep graphs, memory, errors."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import Tensor
from tinygrad_act.autograd import observe_forward


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    """Turn off the cyclic garbage collector, so objects die by reference counting alone or not at all."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


# ---------------------------------------------------------------- graph bookkeeping


def test_leaf_is_leaf_and_has_no_grad_fn() -> None:
    x = Tensor([1.0], requires_grad=True)
    assert x.is_leaf
    assert x.grad_fn is None


def test_op_on_a_tensor_requiring_grad_records_its_node() -> None:
    y = Tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad
    assert not y.is_leaf
    assert y.grad_fn.name == "mul"


def test_op_on_constants_records_nothing() -> None:
    y = Tensor([1.0]) * 2
    assert not y.requires_grad
    assert y.grad_fn is None
    assert y.is_leaf


def test_requires_grad_propagates_from_any_input() -> None:
    constant, x = Tensor([1.0]), Tensor([2.0], requires_grad=True)
    assert (constant * x).requires_grad
    assert (x + constant).requires_grad


def test_requires_grad_underscore_turns_a_leaf_on_and_returns_it() -> None:
    x = Tensor([1.0])
    assert x.requires_grad_() is x
    assert x.requires_grad


def test_requires_grad_underscore_on_a_non_leaf_raises() -> None:
    y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        y.requires_grad_(False)


def test_detach_shares_data_outside_the_graph() -> None:
    y = Tensor([1.0, 2.0], requires_grad=True) * 3
    detached = y.detach()
    assert detached.data is y.data
    assert not detached.requires_grad
    assert detached.is_leaf


def test_gradient_does_not_flow_through_detach() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * (x * 3).detach()).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 6.0])


def test_backward_of_a_leaf_scalar_sets_its_grad_to_one() -> None:
    x = Tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_grad_is_a_tensor_without_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert isinstance(x.grad, Tensor)
    assert not x.grad.requires_grad
    assert x.grad.grad_fn is None


# ---------------------------------------------------------------- grad mode


def test_no_grad_records_nothing() -> None:
    x = Tensor([1.0], requires_grad=True)
    with ta.no_grad():
        y = x * 2
        assert not ta.is_grad_enabled()
    assert not y.requires_grad
    assert y.grad_fn is None
    assert ta.is_grad_enabled()


def test_no_grad_as_a_decorator_records_nothing() -> None:
    @ta.no_grad()
    def double(t: Tensor) -> Tensor:
        return t * 2

    y = double(Tensor([1.0], requires_grad=True))
    assert not y.requires_grad
    assert ta.is_grad_enabled()


def test_enable_grad_records_inside_no_grad() -> None:
    x = Tensor([1.0], requires_grad=True)
    with ta.no_grad():
        with ta.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad
    assert not z.requires_grad


def test_no_grad_restores_grad_mode_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), ta.no_grad():
        raise ZeroDivisionError
    assert ta.is_grad_enabled()


# ---------------------------------------------------------------- accumulation and retain_graph


def test_gradients_accumulate_across_two_backward_calls() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0 + 2.0, 3.0 + 4.0])


def test_retain_graph_allows_a_second_backward_through_the_same_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_second_backward_without_retain_graph_raises_naming_retain_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_a_second_backward_through_nodes_that_saved_nothing_works_as_in_pytorch() -> None:
    # PyTorch frees saved tensors, not nodes: x + 1 saves nothing, so backward can run twice
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x + 1.0
    y.backward(np.ones(2, np.float32))
    y.backward(np.ones(2, np.float32))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    torch = pytest.importorskip("torch")
    x_torch = torch.tensor([1.0, 2.0], requires_grad=True)
    y_torch = x_torch + 1.0
    y_torch.backward(torch.ones(2))
    y_torch.backward(torch.ones(2))
    np.testing.assert_array_equal(x_torch.grad.numpy(), x.grad.numpy())


def test_reused_tensor_in_add_gets_gradient_two() -> None:
    a = Tensor([1.0, -2.0], requires_grad=True)
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 2.0])


def test_reused_tensor_in_mul_gets_gradient_two_a() -> None:
    a = Tensor([1.0, -2.0], requires_grad=True)
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, -4.0])


def test_diamond_graph_sums_both_paths() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    left, right = a * 2, a * 3
    (left * right).sum().backward()  # 6 a^2
    np.testing.assert_array_equal(a.grad.numpy(), [12.0, 24.0])


def test_shared_intermediate_collects_gradient_from_every_use() -> None:
    x = Tensor([0.0, 1.0], dtype=np.float64, requires_grad=True)
    hidden = x.exp()
    (hidden * hidden + hidden).sum().backward()  # e^2x + e^x
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2 * x.numpy()) + np.exp(x.numpy()))


def test_gradients_of_two_leaves_are_independent_arrays() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data *= 10  # what an optimizer or clip_grad_norm_ may do in place
    np.testing.assert_array_equal(a.grad.numpy(), [10.0, 10.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_leaf_grad_does_not_alias_the_gradient_passed_to_backward() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.ones(2, dtype=np.float32)
    x.backward(seed)
    x.grad.data *= 10
    np.testing.assert_array_equal(seed, [1.0, 1.0])


# ---------------------------------------------------------------- retain_grad and hooks


def test_non_leaf_has_no_grad_after_backward() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    (hidden * hidden).sum().backward()
    assert hidden.grad is None


def test_retain_grad_keeps_the_gradient_of_a_non_leaf() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    hidden.retain_grad()
    (hidden * hidden).sum().backward()
    np.testing.assert_array_equal(hidden.grad.numpy(), [6.0, 12.0])


def test_hook_on_a_leaf_receives_its_summed_gradient_once() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda grad: seen.append(grad.numpy().copy()))
    (x * 2 + x * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [5.0, 5.0])


def test_hook_returning_a_tensor_replaces_the_leaf_gradient() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: grad * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 30.0])


def test_hook_on_a_non_leaf_replaces_the_gradient_sent_to_its_inputs() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    hidden.register_hook(lambda grad: grad * 0)
    (hidden + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_hook_on_a_non_leaf_sees_the_gradient_of_that_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    seen = []
    hidden.register_hook(lambda grad: seen.append(grad.numpy().copy()))
    (hidden * hidden).sum().backward()
    np.testing.assert_array_equal(seen[0], [6.0, 12.0])


def test_removed_hook_is_not_called() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda grad: grad * 10)
    handle.remove()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_removed_hook_on_a_non_leaf_is_not_called() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    handle = hidden.register_hook(lambda grad: grad * 10)
    handle.remove()
    hidden.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_register_hook_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda grad: grad)


# ---------------------------------------------------------------- deep graphs


def test_backward_through_a_100000_op_chain_does_not_recurse() -> None:
    x = Tensor([1.0], dtype=np.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001**100_000], rtol=1e-9)


def _chain_backward_seconds(length: int) -> float:
    """The best of three timings of backward through one chain of `length` additions, in CPU time of
    this process (so other processes on the machine do not count)."""
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(length):
        y = y + 1.0
    timings = []
    for _ in range(3):
        start = time.process_time()
        y.backward(retain_graph=True)
        timings.append(time.process_time() - start)
    return min(timings)


def test_backward_time_grows_linearly_with_graph_length() -> None:
    ratio = _chain_backward_seconds(80_000) / _chain_backward_seconds(20_000)
    assert ratio < 8, f"4x the ops took {ratio:.1f}x the time (linear is 4x, quadratic 16x)"


# ---------------------------------------------------------------- memory


def test_intermediate_tensor_is_freed_by_reference_counting(gc_disabled: None) -> None:
    x = Tensor(np.ones(100), requires_grad=True)
    hidden = x * 2.0
    hidden_ref = weakref.ref(hidden)
    loss = hidden.exp().sum()
    del hidden
    assert hidden_ref() is None
    loss.backward()


def test_backward_frees_the_arrays_saved_for_it(gc_disabled: None) -> None:
    x = Tensor(np.ones(100), requires_grad=True)
    hidden = x.exp()  # exp saves its output, mul saves both operands: the same array
    saved_ref = weakref.ref(hidden.data)
    loss = (hidden * hidden).sum()
    node = loss.grad_fn
    del hidden
    assert saved_ref() is not None
    loss.backward()
    assert saved_ref() is None
    assert node.released


def test_retain_graph_keeps_the_saved_arrays(gc_disabled: None) -> None:
    x = Tensor(np.ones(100), requires_grad=True)
    hidden = x.exp()
    saved_ref = weakref.ref(hidden.data)
    loss = (hidden * hidden).sum()
    del hidden
    loss.backward(retain_graph=True)
    assert saved_ref() is not None


def test_graph_is_freed_by_reference_counting_once_unreachable(gc_disabled: None) -> None:
    x = Tensor(np.ones(100), requires_grad=True)
    loss = ((x * 2.0).exp() @ Tensor(np.ones(100))).sqrt()
    node_refs = [weakref.ref(loss.grad_fn), weakref.ref(loss.grad_fn.parents[0])]
    loss.backward(retain_graph=True)
    del loss
    assert all(ref() is None for ref in node_refs)


def test_forward_and_backward_create_no_reference_cycles(gc_disabled: None) -> None:
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    hidden = x @ w
    hidden.retain_grad()
    handle = hidden.register_hook(lambda grad: grad * 2)
    loss = (hidden.exp()[0] + hidden.sum(0)).mean()
    loss.backward()
    del x, w, hidden, handle, loss
    assert gc.collect() == 0


# ---------------------------------------------------------------- backward's arguments and errors


def test_backward_on_a_non_scalar_without_gradient_raises_naming_the_shape() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*shape \(2, 3\)"):
        y.backward()


def test_backward_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).backward()


def test_backward_with_a_gradient_of_the_wrong_shape_raises_naming_both_shapes() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\) but the tensor has shape \(2, 3\)"):
        y.backward(np.ones(3))


def test_backward_accepts_a_gradient_ndarray() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 40.0])
    assert x.grad.dtype == np.float32


def test_backward_accepts_a_gradient_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(Tensor([1.0, -1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, -3.0])


def test_a_forward_observer_sees_every_recorded_node_inside_its_block_only():
    seen = []
    x = Tensor([1.0, 2.0], requires_grad=True)
    with observe_forward(lambda node, output: seen.append((node.name, output.tolist()))):
        y = (x * 2.0).exp()
        Tensor([1.0]) * 3.0  # no input requires grad: nothing recorded, nothing observed
    (y * 1.0).sum()
    assert [name for name, _ in seen] == ["mul", "exp"]
    assert seen[0][1] == [2.0, 4.0]


@pytest.mark.parametrize("writer", ["optimizer step", "nn.init", "load_state_dict"])
def test_writing_parameters_after_forward_makes_that_backward_raise_as_in_pytorch(writer) -> None:
    torch = pytest.importorskip("torch")

    def run(library, nn, optim):
        layer = nn.Linear(2, 2)
        loss = layer(library.ones(1, 2, requires_grad=True)).sum()
        if writer == "optimizer step":
            for parameter in layer.parameters():
                parameter.grad = library.ones_like(parameter)
            optim.SGD(layer.parameters(), lr=0.1).step()
        elif writer == "nn.init":
            nn.init.zeros_(layer.weight)
        else:
            layer.load_state_dict(layer.state_dict())
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()

    run(ta, ta.nn, ta.optim)
    run(torch, torch.nn, torch.optim)
