"""Timing helpers shared by the benchmarks: one BLAS thread, interleaved rounds, medians.

This machine's multi-threaded BLAS speed drifts in phases, so every benchmark pins BLAS/OpenMP to one
thread (threadpoolctl) and times the implementations in alternating rounds; a ratio is the median of
one implementation over the median of the other, measured in the same run.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def one_thread() -> Iterator[str]:
    """Limit BLAS and OpenMP to one thread; yields a description of the BLAS in use."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=1):
        blas = [f"{info.get('internal_api')} {info.get('version')} ({info.get('architecture')})"
                for info in threadpool_info() if info.get("user_api") == "blas"]
        yield ", ".join(blas) or "unknown BLAS"


def interleaved(candidates: dict[str, Callable[[], object]], rounds: int, repeat: int) -> dict[str, float]:
    """Median seconds per call of each candidate, timing them in alternating rounds.

    Each round calls every candidate `repeat` times in a row (after one warm-up call) and records the
    mean; the result is the median over rounds, which shrugs off a round that hit a slow phase.
    """
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
    return {name: statistics.median(values) for name, values in samples.items()}


def torch_or_none():
    """The torch module when installed (set to one thread), else None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch
