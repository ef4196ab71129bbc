"""The layers the bridges translate, and the error that names a layer they cannot."""

from __future__ import annotations

from collections.abc import Iterable

from ..nn import Module, Sequential


def supported_kind(module: Module, path: str, operation: str, layers: Iterable[type[Module]]) -> type[Module]:
    """Which of the bridge's `layers` `module` is (an instance that keeps the class's own forward, so a
    subclass computing something else is never translated as its parent); else a TypeError naming
    the layer, where it sits, and the supported layers. Sequential is always supported, listed in
    `layers` or not (the ONNX export walks it itself), and is named first in that list; nn.MLP keeps
    Sequential's forward, so it comes back as Sequential and is translated as its layers."""
    kinds = [Sequential, *(kind for kind in layers if kind is not Sequential)]
    for kind in kinds:
        if isinstance(module, kind) and type(module).forward is kind.forward:
            return kind
    where = f"layer {path[:-1]!r}" if path else "the model"
    raise TypeError(
        f"{operation}: {where} is a {type(module).__name__}, which it cannot translate; supported layers: "
        f"{', '.join(kind.__name__ for kind in kinds)} (nn.MLP is a Sequential; Activation covers "
        "every registered activation, nn.ReLU and the like)"
    )


def module_dtype(module: Module) -> object:
    """The dtype of the first floating-point parameter or buffer of `module` (None if it has none)."""
    for value in module.state_dict().values():
        if value.data.dtype.kind == "f":
            return value.data.dtype
    return None
