"""Optional extras: import the package a feature needs (a bridge, a dataset, TensorBoard), or say
which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(package: str, extra: str, feature: str) -> ModuleType:
    """The module `package`, imported; if it is missing, an ImportError naming `feature`, the
    package and the pip command that installs the extra providing it."""
    try:
        return importlib.import_module(package)
    except ImportError as error:
        raise ImportError(
            f"{feature} needs the optional package {package!r}, which cannot be imported ({error}); "
            f"install it with: pip install 'tinygrad-act[{extra}]'",
            name=package,
        ) from None
