"""The one device: tinygrad_act runs on numpy on the CPU, and PyTorch's device idiom carries over.

    device = "cuda" if ta.cuda.is_available() else "cpu"   # "cpu": nothing else is available
    model.to(device); x = x.to(device)                      # no-ops on the CPU

Any other device (cuda, mps, ...) is an error that says so, rather than a silent CPU run. The CPU's
threads are numpy's BLAS threads: `set_num_threads` and `get_num_threads` as in torch, and
`blas_threads(n)` for a block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "vulkan", "mtia")


class device:  # noqa: N801 - PyTorch's name
    """A device, as `torch.device`: `device("cpu")`, `device("cpu", 0)` or `device("cpu:0")`."""

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, suffix = type.partition(":")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device string: {type}"
            )
        if suffix:
            if not suffix.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(suffix)
        self.type, self.index = name, index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(value: Any) -> device:
    """The device `value` names (a string or a device), which must be the CPU; raise otherwise."""
    found = value if isinstance(value, device) else device(value)
    if found.type != "cpu":
        raise RuntimeError(
            f"device {str(found)!r} is not available: tinygrad_act runs on numpy on the CPU only; "
            "use 'cpu' (ta.cuda.is_available() is False)"
        )
    return CPU


def is_device(value: Any) -> bool:
    """True for a device or a string that names a device type ('cpu', 'cuda:0', ...)."""
    if isinstance(value, device):
        return True
    return isinstance(value, str) and value.partition(":")[0] in _KNOWN_TYPES


def parse_to(*args: Any, **kwargs: Any) -> np.dtype | None:
    """Read the arguments of `Tensor.to` / `Module.to` as PyTorch does: a dtype, a device, both
    (`to("cpu", ta.float64)`), another tensor (its dtype), or `device=` / `dtype=` keywords.
    Checks that any device is the CPU and returns the dtype asked for (None when none is)."""
    dtype = kwargs.pop("dtype", None)
    if "device" in kwargs:
        check_device(kwargs.pop("device"))
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword argument(s): {', '.join(kwargs)}")
    for arg in args:
        if arg is None:
            continue
        if is_device(arg):
            check_device(arg)
        elif hasattr(arg, "data") and isinstance(arg.data, np.ndarray):  # another tensor
            dtype = arg.data.dtype
        elif isinstance(arg, bool):  # non_blocking / copy given positionally
            continue
        else:
            dtype = arg
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"to(): {dtype!r} is neither a dtype nor a device") from None


class _Unavailable:
    """An accelerator namespace that answers as PyTorch does on a machine without one."""

    def __init__(self, name: str) -> None:
        self._name = name

    def is_available(self) -> bool:
        """False: tinygrad_act runs on the CPU only."""
        return False

    def device_count(self) -> int:
        """0 devices of this kind."""
        return 0

    def current_accelerator(self) -> None:
        """None: there is no accelerator (torch.accelerator.current_accelerator)."""
        return None

    def __repr__(self) -> str:
        return f"<{self._name}: not available (tinygrad_act runs on numpy on the CPU)>"


cuda = _Unavailable("cuda")
accelerator = _Unavailable("accelerator")


class backends:  # noqa: N801 - PyTorch's name
    """`ta.backends.mps.is_available()` and `ta.backends.cuda.is_built()` answer False."""

    mps = _Unavailable("mps")

    class cuda:  # noqa: N801
        @staticmethod
        def is_built() -> bool:
            """False: no CUDA build."""
            return False


def set_default_device(value: Any) -> None:
    """Accept the CPU (the only device) as the default device; anything else is an error."""
    check_device(value)


def get_default_device() -> device:
    """The default device: always the CPU."""
    return CPU


def set_num_threads(threads: int) -> None:
    """Let numpy's BLAS (matrix products) use `threads` threads from now on, as torch.set_num_threads."""
    if threads < 1:
        raise ValueError(f"set_num_threads: expected a positive number of threads, got {threads}")
    threadpool_limits(limits=threads, user_api="blas")


def get_num_threads() -> int:
    """The number of threads numpy's BLAS uses, as torch.get_num_threads (1 without a threaded BLAS)."""
    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)


@contextlib.contextmanager
def blas_threads(threads: int | None) -> Iterator[None]:
    """Limit numpy's BLAS to `threads` threads inside the block (None: leave it alone).

    The experiments' matrices gain little from a second thread, a BLAS thread waiting for a busy core
    makes them many times slower, and a float32 matmul split between threads rounds differently, so
    the same seed gives the same numbers only at the same thread count. The CLI uses one by default.
    """
    if threads is None:
        yield
        return
    if threads < 1:  # threadpoolctl would take 0 or -1 as "no limit" without a word
        raise ValueError(f"blas_threads: expected a positive number of threads, got {threads}")
    with threadpool_limits(limits=threads, user_api="blas"):
        yield

