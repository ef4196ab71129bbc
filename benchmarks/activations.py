"""Forward + backward cost of every registered activation, per element, relative to ReLU.

Each activation runs on the same 1,000,000 float32 values (a 1000 x 1000 tensor; softmax and
log_softmax along the last dim): forward, then backward with a gradient of ones. BLAS/OpenMP are
pinned to one thread, and the activations are timed in interleaved rounds: every round times each
activation once (`repeat` calls, averaged) in a freshly shuffled order, so a slow phase of the
machine hits them all alike; the table shows the median over rounds.

    python benchmarks/activations.py [--rounds 7] [--repeat 3] [--size 1000000] [--import my_file.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from timing import one_thread

from tinygrad_act import Tensor
from tinygrad_act.activations import get_activation, list_activations


def forward_backward(name: str, data: np.ndarray) -> Callable[[], None]:
    """One call: f(x) on a leaf that requires grad, then backward with a gradient of ones."""
    spec = get_activation(name)
    x = Tensor(data, dtype=data.dtype, requires_grad=True)
    ones = np.ones_like(data)

    def run() -> None:
        x.grad = None
        spec(x).backward(ones)

    return run


def shuffled_rounds(candidates: dict[str, Callable[[], None]], rounds: int, repeat: int, seed: int
                    ) -> dict[str, float]:
    """Median seconds per call of each candidate; each round times all of them in a new random order."""
    order = random.Random(seed)
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():
        fn()  # warm-up: first-touch page faults, lazily built node classes
    for _ in range(rounds):
        names = list(candidates)
        order.shuffle(names)
        for name in names:
            fn = candidates[name]
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            samples[name].append((time.perf_counter() - start) / repeat)
    return {name: statistics.median(values) for name, values in samples.items()}


def _load(path: str) -> None:
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="calls per activation per round")
    parser.add_argument("--size", type=int, default=1_000_000, help="number of float32 values")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="FILE",
                        help="a Python file registering more activations to time")
    args = parser.parse_args()
    for path in args.imports:
        _load(path)

    columns = 1000 if args.size % 1000 == 0 else args.size
    data = (np.random.default_rng(0).standard_normal(args.size) * 2.0).astype(np.float32)
    data = data.reshape(-1, columns)
    candidates = {name: forward_backward(name, data) for name in list_activations()}
    with one_thread() as blas:
        seconds = shuffled_rounds(candidates, args.rounds, args.repeat, seed=0)

    relu = seconds["relu"]
    print(f"forward + backward on {args.size:,} float32 values {data.shape}, median of {args.rounds} "
          f"shuffled rounds x {args.repeat} calls, 1 thread ({blas})")
    print(f"{'activation':<14}{'ns/element':>12}{'x relu':>9}")
    for name in sorted(seconds, key=seconds.get):
        print(f"{name:<14}{seconds[name] / args.size * 1e9:>12.2f}{seconds[name] / relu:>9.2f}")
    print(f"sigmoid costs {seconds['sigmoid'] / relu:.1f}x relu (the seeds claim about 4x)")


if __name__ == "__main__":
    main()
