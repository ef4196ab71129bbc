"""Timing helpers shared by the benchmarks: one BLAS thread, interleaved rounds, medians.

This machine's speed drifts in phases, so every benchmark pins BLAS/OpenMP to one thread
(threadpoolctl) and times the implementations in alternating rounds. A time is the median over
rounds; a ratio is the median over rounds of the two implementations' times in the same round, so a
slow phase that slows both cancels out.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@contextlib.contextmanager
def one_thread() -> Iterator[str]:
    """Limit BLAS and OpenMP to one thread; yields a description of the BLAS in use."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=1):
        blas = [f"{info.get('internal_api')} {info.get('version')} ({info.get('architecture')})"
                for info in threadpool_info() if info.get("user_api") == "blas"]
        yield ", ".join(blas) or "unknown BLAS"


@dataclass
class Rounds:
    """Seconds per call of each candidate, one value per round."""

    samples: dict[str, list[float]]

    def median(self, name: str) -> float:
        """The median seconds per call of `name` over the rounds."""
        return statistics.median(self.samples[name])

    def ratio(self, name: str, base: str) -> float:
        """The median over rounds of name's time divided by base's time in the same round."""
        return statistics.median(ours / theirs for ours, theirs in zip(self.samples[name], self.samples[base]))


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int, repeat: int) -> Rounds:
    """Time the candidates in alternating rounds: each round calls every candidate `repeat` times in
    a row (after one warm-up call) and records the mean, in forward order one round and reverse the
    next."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():
        fn()
    for round_index in range(rounds):
        order = list(candidates.items())
        if round_index % 2:
            order.reverse()
        for name, fn in order:
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            samples[name].append((time.perf_counter() - start) / repeat)
    return Rounds(samples)


def torch_or_none():
    """The torch module when installed (set to one thread), else None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch
