"""device.py: the CPU's BLAS threads (set_num_threads, get_num_threads as in torch; blas_threads for a block)."""

from __future__ import annotations

import os

import pytest
import threadpoolctl

import tinygrad_act as ta
from tinygrad_act.device import blas_threads


def blas_thread_counts() -> list[int]:
    return [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]


def test_blas_threads_limits_blas_inside_the_block_only():
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = blas_thread_counts()
        with blas_threads(1):
            assert blas_thread_counts() == [1] * len(before)
        assert blas_thread_counts() == before


def test_set_num_threads_stays_until_changed_and_get_num_threads_reads_it():
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):  # restores the machine's count after
        ta.set_num_threads(1)
        assert ta.get_num_threads() == 1 and set(blas_thread_counts()) <= {1}
        ta.set_num_threads(2)
        counts = blas_thread_counts()
        assert ta.get_num_threads() == max(counts)
        assert max(counts) == 2 or (os.cpu_count() or 1) < 2  # the call took effect where it can


def test_set_num_threads_refuses_zero():
    with pytest.raises(ValueError, match="positive number of threads, got 0"):
        ta.set_num_threads(0)


@pytest.mark.parametrize("threads", [0, -1])
def test_blas_threads_refuses_fewer_than_one_thread(threads):
    with pytest.raises(ValueError, match=f"blas_threads: expected a positive number of threads, got {threads}"):
        with blas_threads(threads):
            pass
