"""Speed of the autograd core against the same computation hand-written in numpy (and PyTorch).

Four figures, each measured in one run at one BLAS thread, implementations interleaved in rounds;
a ratio is the median over rounds of the two times in the same round (timing.Rounds):
  1. one training step of a 784-256-256-10 ReLU MLP on a batch of 128 (float32), and of a
     784-128-10 MLP on a batch of 64: forward, softmax cross-entropy, backward, SGD update. The
     reference keeps its weights row-major, the plain numpy way; nn.Linear keeps those of 4,096
     entries or more column-major (x W^T is then a product without a transposed operand, which
     OpenBLAS computes faster), so a second numpy row in nn.Linear's layout shows how much of the
     difference is that layout;
  2. per-op overhead: a chain of 100 small elementwise ops (add, mul, tanh, relu) on a (4, 2) tensor,
     forward + backward;
  3. XOR: a 2-4-1 tanh/sigmoid MLP trained for 2000 full-batch SGD steps.

    python benchmarks/core.py [--rounds 15]
"""

from __future__ import annotations

import argparse

import numpy as np
from handwritten import mlp_loss_and_gradients
from timing import Rounds, interleaved, one_thread, torch_or_none

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn, optim
from tinygrad_act.nn.linear import in_linear_layout

# ------------------------------------------------------------------ 1. MLP training step

LR = 0.01
MLP_CASES = {  # (sizes, batch): target ratio to numpy
    ((784, 256, 256, 10), 128): 1.05,
    ((784, 128, 10), 64): 1.25,
}


def mlp_case(sizes: tuple[int, ...], batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    layers = [(rng.standard_normal((n_out, n_in), dtype=np.float32) * np.float32(np.sqrt(2 / n_in)),
               np.zeros(n_out, np.float32)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return x, y, layers


def numpy_mlp_step(x, y, layers):
    """The step written by hand: what our engine must match."""
    loss, grads = mlp_loss_and_gradients(x, y, layers)
    for (w, b), (gw, gb) in zip(layers, grads):
        w -= LR * gw
        b -= LR * gb
    return loss


def _sequential(library, layers):
    """A Linear/ReLU stack of either library with the given (weight, bias) pairs."""
    modules = []
    for i, (w, _) in enumerate(layers):
        modules.append(library.nn.Linear(w.shape[1], w.shape[0]))
        if i < len(layers) - 1:
            modules.append(library.nn.ReLU())
    return library.nn.Sequential(*modules)


def ours_mlp(x, y, layers):
    model = _sequential(ta, layers)
    for linear, (w, b) in zip(model[::2], layers):
        linear.weight.data[...] = w
        linear.bias.data[...] = b
    optimizer = optim.SGD(model.parameters(), lr=LR)
    inputs = Tensor(x)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def ours_mlp_composite(x, y, layers):
    """The same step with the loss written from primitives (log_softmax, indexing, mean)."""
    params = [(Tensor(w.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)) for w, b in layers]
    flat = [p for pair in params for p in pair]
    inputs, rows = Tensor(x), np.arange(len(y))

    def step():
        h = inputs
        for i, (w, b) in enumerate(params):
            h = F.linear(h, w, b)
            if i < len(params) - 1:
                h = h.relu()
        loss = -h.log_softmax(dim=1)[rows, y].mean()
        for p in flat:
            p.grad = None
        loss.backward()
        for p in flat:
            p.data -= LR * p.grad.data
        return loss

    return step


def torch_mlp(torch, x, y, layers):
    model = _sequential(torch, layers)
    with torch.no_grad():
        for linear, (w, b) in zip(model[::2], layers):
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    return step


# ------------------------------------------------------------------ 2. per-op overhead

CHAIN = 100
CHAIN_OPS = ("add", "mul", "tanh", "relu")


def numpy_chain(x):
    values, ops = [], []
    v = x
    for i in range(CHAIN):
        op = CHAIN_OPS[i % 4]
        if op == "add":
            v = v + 0.5
        elif op == "mul":
            v = v * 0.9
        elif op == "tanh":
            v = np.tanh(v)
        else:
            v = np.maximum(v, 0)
        values.append(v)
        ops.append(op)
    grad = np.ones_like(v)
    for op, out in zip(reversed(ops), reversed(values)):
        if op == "mul":
            grad = grad * 0.9
        elif op == "tanh":
            grad = grad * (1.0 - out * out)
        elif op == "relu":
            grad = grad * (out > 0)
    return grad


def autograd_chain(leaf):
    """The chain through an autograd library (ours or PyTorch: same method names) from `leaf`."""

    def run():
        v = leaf
        for i in range(CHAIN):
            op = CHAIN_OPS[i % 4]
            if op == "add":
                v = v + 0.5
            elif op == "mul":
                v = v * 0.9
            elif op == "tanh":
                v = v.tanh()
            else:
                v = v.relu()
        leaf.grad = None
        v.sum().backward()
        return leaf.grad

    return run


# ------------------------------------------------------------------ 3. XOR training

XOR_STEPS, XOR_LR = 2000, 0.5
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], np.float32)


def xor_init(seed: int = 0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (4, 2)).astype(np.float32), np.zeros(4, np.float32),
            rng.uniform(-1, 1, (1, 4)).astype(np.float32), np.zeros(1, np.float32)]


def numpy_xor():
    w1, b1, w2, b2 = xor_init()
    n = len(XOR_X)
    for _ in range(XOR_STEPS):
        h = np.tanh(XOR_X @ w1.T + b1)
        out = h @ w2.T + b2
        p = np.where(out >= 0, 1.0, np.exp(out)) / (1.0 + np.exp(-np.abs(out)))
        g_out = 2.0 * (p - XOR_Y) / n * p * (1.0 - p)
        g_h = (g_out @ w2) * (1.0 - h * h)
        w2 -= XOR_LR * (g_out.T @ h)
        b2 -= XOR_LR * g_out.sum(0)
        w1 -= XOR_LR * (g_h.T @ XOR_X)
        b1 -= XOR_LR * g_h.sum(0)
    return ((p - XOR_Y) ** 2).mean()


def ours_xor():
    w1, b1, w2, b2 = xor_init()
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    for p, value in zip(model.parameters(), (w1, b1, w2, b2)):
        p.data[...] = value
    optimizer = optim.SGD(model.parameters(), lr=XOR_LR)
    x, y = Tensor(XOR_X), Tensor(XOR_Y)
    for _ in range(XOR_STEPS):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def torch_xor(torch):
    def run():
        w1, b1, w2, b2 = xor_init()
        model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1),
                                    torch.nn.Sigmoid())
        with torch.no_grad():
            for p, value in zip(model.parameters(), (w1, b1, w2, b2)):
                p.copy_(torch.from_numpy(value))
        optimizer = torch.optim.SGD(model.parameters(), lr=XOR_LR)
        x, y = torch.from_numpy(XOR_X), torch.from_numpy(XOR_Y)
        for _ in range(XOR_STEPS):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
        return loss.item()

    return run


# ------------------------------------------------------------------ report


def report(title: str, rounds: Rounds, unit: float, unit_name: str, target: float | None) -> None:
    """Each candidate's median time and its ratio to numpy (the median of the per-round ratios)."""
    print(f"\n{title}")
    for name in rounds.samples:
        ratio = rounds.ratio(name, "numpy")
        verdict = ""
        if name == "tinygrad_act" and target is not None:
            verdict = f"  (target <= {target:.2f}x: {'met' if ratio <= target else 'MISSED'})"
        print(f"  {name:<28} {rounds.median(name) / unit:10.1f} {unit_name}   {ratio:5.2f}x numpy{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    torch = torch_or_none()
    ta.manual_seed(0)
    with one_thread() as blas:
        print(f"BLAS: {blas}; 1 thread; {args.rounds} interleaved rounds; median times, median per-round ratios")
        for (sizes, batch), target in MLP_CASES.items():
            x, y, layers = mlp_case(sizes, batch)
            numpy_layers = [(w.copy(), b.copy()) for w, b in layers]
            column_major_layers = [(in_linear_layout(w.copy()), b.copy()) for w, b in layers]
            candidates = {
                "numpy": lambda: numpy_mlp_step(x, y, numpy_layers),  # noqa: B023 - timed in this iteration
                "numpy, column-major W": lambda: numpy_mlp_step(x, y, column_major_layers),  # noqa: B023
                "tinygrad_act": ours_mlp(x, y, layers),
                "tinygrad_act (composite CE)": ours_mlp_composite(x, y, layers),
            }
            if torch:
                candidates["pytorch"] = torch_mlp(torch, x, y, layers)
            rounds = interleaved(candidates, rounds=args.rounds, repeat=20)
            name = "-".join(map(str, sizes))
            report(f"1. MLP {name} ReLU, batch {batch}, one SGD step", rounds, 1e-3, "ms", target)

        small = np.random.default_rng(1).standard_normal((4, 2)).astype(np.float32)
        candidates = {"numpy": lambda: numpy_chain(small),
                      "tinygrad_act": autograd_chain(Tensor(small, requires_grad=True))}
        if torch:
            candidates["pytorch"] = autograd_chain(torch.tensor(small, requires_grad=True))
        rounds = interleaved(candidates, rounds=args.rounds, repeat=100)
        report(f"2. chain of {CHAIN} elementwise ops on (4, 2), forward + backward", rounds, 1e-6, "us", 2.5)

        candidates = {"numpy": numpy_xor, "tinygrad_act": ours_xor}
        if torch:
            candidates["pytorch"] = torch_xor(torch)
        xor_rounds = max(3, args.rounds // 3)
        rounds = interleaved(candidates, rounds=xor_rounds, repeat=1)
        report(f"3. XOR 2-4-1 tanh/sigmoid, {XOR_STEPS} SGD steps ({xor_rounds} rounds)", rounds, 1e-3, "ms", 3.0)


if __name__ == "__main__":
    main()
