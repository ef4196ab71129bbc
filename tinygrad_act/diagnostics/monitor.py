"""The shared machinery of the diagnostics: hook handles that detach together, per-layer records, and
every activation layer's input and output on one batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..nn import Activation, Module
from ..tensor import Tensor


def layer_name(path: str, module: Module) -> str:
    """A module's attribute path ("0", "layers.3"), or its class name for the model itself."""
    return path or type(module).__name__


def activation_layers(model: Module, accept: Callable[[Activation], bool]) -> list[tuple[str, Activation]]:
    """The activation layers of `model` (itself included) that `accept` keeps, with their names."""
    return [(layer_name(path, module), module) for path, module in model.named_modules()
            if isinstance(module, Activation) and accept(module)]


class Monitor:
    """Owns hook handles: `remove()` detaches them all, and `with Monitor(...) as m:` removes them on exit."""

    def __init__(self) -> None:
        self._handles: list[Any] = []

    def add(self, handle: Any) -> Any:
        """Keep `handle` (from register_forward_hook or Tensor.register_hook) to detach with the
        others; returns it."""
        self._handles.append(handle)
        return handle

    def remove(self) -> None:
        """Detach every hook; what was recorded so far stays readable."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


class LayerFractions(Monitor):
    """Forward hooks on activation layers that record, at every forward call, one fraction per layer
    computed by `measure(layer, input_array, output_array)`.

    `history[name]` holds one value per forward call of that layer; `fractions()` the latest ones.
    """

    def __init__(self, layers: Iterable[tuple[str, Activation]],
                 measure: Callable[[Activation, np.ndarray, np.ndarray], float]) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self._measure = measure
        for name, layer in layers:
            self.history[name] = []
            self.add(layer.register_forward_hook(self._recorder(name)))

    def _recorder(self, name: str) -> Callable[[Module, tuple, Any], None]:
        values = self.history[name]

        def record(layer: Module, inputs: tuple, output: Any) -> None:
            values.append(float(self._measure(layer, inputs[0].data, output.data)))

        return record

    def fractions(self) -> dict[str, float]:
        """The value of each layer on its latest forward call (layers not yet run are left out)."""
        return {name: values[-1] for name, values in self.history.items() if values}


def record_layers(model: Module, inputs: Any, layers: Iterable[tuple[str, Module]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{name: (input, output)} of each of the named `layers` that model's forward on `inputs` calls
    (one forward, no graph; the hooks are removed even if the forward raises)."""
    records: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with Monitor() as monitor:
        for name, layer in layers:
            def record(module: Module, layer_inputs: tuple, output: Tensor, name: str = name) -> None:
                records[name] = (layer_inputs[0].data, output.data)
            monitor.add(layer.register_forward_hook(record))
        with no_grad():
            model(inputs if isinstance(inputs, Tensor) else Tensor(inputs))
    return records


def layer_inputs_outputs(model: Module, inputs: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(pre-activation, activation) of every activation layer on `inputs`, in the order forward runs
    them (one forward, no graph)."""
    return list(record_layers(model, inputs, activation_layers(model, lambda layer: True)).values())
