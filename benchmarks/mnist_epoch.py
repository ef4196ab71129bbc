"""One epoch of MNIST training with our stack against the same loop written by hand in numpy (and PyTorch).

The epoch: 60,000 images in 469 shuffled batches of 128, a 784-256-256-10 ReLU MLP, softmax
cross-entropy, Adam (lr 1e-3, PyTorch's update). Every implementation starts from the same weights
and visits the batches in the same order (each draws its permutation per epoch from its own
generator with the same seed, as our DataLoader does). Timed at one BLAS thread, implementations
interleaved over rounds, one epoch per round; median times, and the median of each round's ratio to the numpy loop.

  ours, train.fit       nn.MLP + optim.Adam + DataLoader, train.fit(progress=False) (which also
                        tallies loss and accuracy per batch)
  ours, plain loop      the same pieces in a hand-written zero_grad/forward/backward/step loop
  numpy                 forward, backward and Adam written out with in-place numpy updates, the
                        weights row-major (the plain numpy way)
  numpy, column-major W the same with the weights of 4,096 entries or more column-major, as
                        nn.Linear keeps them (x W^T is then a product without a transposed operand,
                        which OpenBLAS computes faster)
  pytorch               the plain loop in PyTorch (when installed)

Uses the real MNIST when $TINYGRAD_ACT_DATA (or the cache) has it, else random images of its shape.

    python benchmarks/mnist_epoch.py [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import math
import pstats

import numpy as np
from handwritten import mlp_loss_and_gradients
from timing import interleaved, one_thread, torch_or_none

import tinygrad_act.functional as F
from tinygrad_act import nn, optim
from tinygrad_act.data import ChecksumError, DataLoader, DatasetNotFoundError, TensorDataset, datasets
from tinygrad_act.nn.linear import in_linear_layout

SIZES, BATCH, LR, SEED = (784, 256, 256, 10), 128, 1e-3, 0
BETAS, EPS = (0.9, 0.999), 1e-8
TARGET = 1.10  # ours / numpy


def training_set() -> tuple[np.ndarray, np.ndarray, str]:
    """MNIST's 60,000 training images and labels, or random stand-ins of the same shape and dtype."""
    try:
        images, labels = datasets.mnist(train=True, download=False)
        return images, labels, "MNIST"
    except (DatasetNotFoundError, ChecksumError) as error:
        rng = np.random.default_rng(SEED)
        reason = str(error).splitlines()[0]
        return (rng.random((60000, 784), dtype=np.float32), rng.integers(0, 10, 60000),
                f"random stand-ins for MNIST ({reason})")


def initial_weights() -> list[tuple[np.ndarray, np.ndarray]]:
    """Kaiming-normal weights (out, in) and zero biases, the same for every implementation."""
    rng = np.random.default_rng(SEED)
    return [(rng.standard_normal((n_out, n_in), dtype=np.float32) * np.float32(math.sqrt(2 / n_in)),
             np.zeros(n_out, np.float32)) for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]


# ------------------------------------------------------------------ ours


def ours_model() -> tuple[nn.MLP, optim.Adam]:
    model = nn.MLP(list(SIZES), activation="relu")
    for linear, (weight, bias) in zip(model.linears(), initial_weights()):
        linear.weight.data[...] = weight
        linear.bias.data[...] = bias
    return model, optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)


def ours_fit(images: np.ndarray, labels: np.ndarray):
    from tinygrad_act.train import fit

    model, optimizer = ours_model()
    loader = DataLoader(TensorDataset(images, labels), batch_size=BATCH, shuffle=True, seed=SEED)
    return lambda: fit(model, loader, optimizer, epochs=1, progress=False)


def ours_loop(images: np.ndarray, labels: np.ndarray):
    model, optimizer = ours_model()
    loader = DataLoader(TensorDataset(images, labels), batch_size=BATCH, shuffle=True, seed=SEED)

    def epoch() -> float:
        for inputs, target in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), target)
            loss.backward()
            optimizer.step()
        return loss.item()

    return epoch


# ------------------------------------------------------------------ numpy


class NumpyAdam:
    """PyTorch's Adam, in place: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = params
        self.exp_avg = [np.zeros_like(p) for p in params]
        self.exp_avg_sq = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.step_count = 0

    def step(self, grads: list[np.ndarray]) -> None:
        self.step_count += 1
        (beta1, beta2), t = BETAS, self.step_count
        step_size = LR / (1.0 - beta1**t)
        inverse_bias_correction2_sqrt = 1.0 / math.sqrt(1.0 - beta2**t)
        for param, grad, m, v, scratch in zip(self.params, grads, self.exp_avg, self.exp_avg_sq, self.scratch):
            m *= beta1
            np.multiply(grad, 1.0 - beta1, out=scratch)
            m += scratch
            v *= beta2
            np.multiply(grad, grad, out=scratch)
            scratch *= 1.0 - beta2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch *= inverse_bias_correction2_sqrt
            scratch += EPS
            np.divide(m, scratch, out=scratch)
            scratch *= -step_size
            param += scratch


def numpy_loop(images: np.ndarray, labels: np.ndarray, column_major: bool = False):
    """The epoch written by hand: what our stack must match."""
    layers = [(in_linear_layout(weight) if column_major else weight, bias) for weight, bias in initial_weights()]
    adam = NumpyAdam([array for layer in layers for array in layer])
    generator = np.random.default_rng(SEED)
    steps = math.ceil(len(images) / BATCH)

    def epoch() -> float:
        order = generator.permutation(len(images))
        for start in range(0, steps * BATCH, BATCH):
            batch = order[start : start + BATCH]
            x, y = images[batch], labels[batch]
            loss, grads = mlp_loss_and_gradients(x, y, layers)
            adam.step([array for pair in grads for array in pair])
        return loss

    return epoch


# ------------------------------------------------------------------ pytorch


def torch_loop(torch, images: np.ndarray, labels: np.ndarray):
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                                torch.nn.ReLU(), torch.nn.Linear(256, 10))
    with torch.no_grad():
        for linear, (weight, bias) in zip(model[::2], initial_weights()):
            linear.weight.copy_(torch.from_numpy(weight))
            linear.bias.copy_(torch.from_numpy(bias))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    inputs, targets = torch.from_numpy(images), torch.from_numpy(labels)
    generator = np.random.default_rng(SEED)
    steps = math.ceil(len(images) / BATCH)

    def epoch() -> float:
        order = torch.from_numpy(generator.permutation(len(images)))
        for start in range(0, steps * BATCH, BATCH):
            batch = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
        return loss.item()

    return epoch


# ------------------------------------------------------------------ report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds, one epoch each (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one epoch of ours (train.fit) with cProfile and print the top entries")
    args = parser.parse_args()
    images, labels, source = training_set()
    torch = torch_or_none()
    with one_thread() as blas:
        print(f"{source}: {len(images)} images, {math.ceil(len(images) / BATCH)} batches of {BATCH}; "
              f"BLAS: {blas}; 1 thread; {args.rounds} interleaved rounds of one epoch; median times, median per-round ratios")
        candidates = {
            "numpy": numpy_loop(images, labels),
            "numpy, column-major W": numpy_loop(images, labels, column_major=True),
            "ours, plain loop": ours_loop(images, labels),
            "ours, train.fit": ours_fit(images, labels),
        }
        if torch is not None:
            candidates["pytorch"] = torch_loop(torch, images, labels)
        rounds = interleaved(candidates, rounds=args.rounds, repeat=1)
        print(f"\n{'':<21} {'s/epoch':>8} {'ms/step':>8} {'x numpy':>8}")
        for name in candidates:
            seconds, ratio = rounds.median(name), rounds.ratio(name, "numpy")
            verdict = f"  (target <= {TARGET:.2f}x: {'met' if ratio <= TARGET else 'MISSED'})" \
                if name.startswith("ours") else ""
            print(f"{name:<21} {seconds:8.3f} {1000 * seconds / math.ceil(len(images) / BATCH):8.2f} "
                  f"{ratio:8.2f}{verdict}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(candidates["ours, train.fit"])
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
