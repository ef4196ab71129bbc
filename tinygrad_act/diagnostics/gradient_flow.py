"""GradientFlow: per-layer weight-gradient norms at every backward, to see gradients vanish or explode.

Backpropagation multiplies the gradient by each layer's Jacobian W^T diag(f'(z)) on its way to the
input. With sigmoid (f' <= 1/4) and Xavier-sized weights every layer shrinks it about 4x, so in a
10-layer sigmoid net the first layer's gradient is orders of magnitude smaller than the last's and
the first layers barely learn; ReLU with He init keeps the product near 1, so all layers learn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..nn import Module, Parameter
from ..tensor import Tensor
from .monitor import Monitor, layer_name


def first_over_last(norms: Sequence[float]) -> float:
    """norms[0] / norms[-1], the first layer's norm over the last's (about 1 when gradients flow);
    NaN when the last is 0."""
    return norms[0] / norms[-1] if norms[-1] else math.nan


class GradientFlow(Monitor):
    """Record, at every backward, each layer's weight-gradient L2 norm ||dL/dW||_2 and mean |dL/dW|.

    A layer is a module owning a parameter called `weight` (Linear, PReLU, BatchNorm1d, ...), named
    by its attribute path ("0", "layers.3"); the model itself, if it owns one, by its class name.
    A hook on each weight fires once per backward that reaches it, with the gradient of that
    backward alone (before it is added to `.grad`), so values do not depend on zero_grad. A layer
    that a backward does not reach (or a frozen weight) gets no entry for it.

    With `outputs=True` it also records each layer's output-gradient norm ||dL/dz||_2 (z = W h + b
    for a Linear): the backpropagated signal itself. dL/dW = dL/dz h^T mixes it with the forward
    signal h, so only dL/dz shows which of the two grows or shrinks with depth.

        with GradientFlow(model) as flow:
            loss.backward()
        flow.ratio()     # first layer / last layer: far below 1 means vanishing gradients
    """

    def __init__(self, model: Module, outputs: bool = False) -> None:
        super().__init__()
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.history: dict[str, list[float]] = {}
        self.mean_abs_history: dict[str, list[float]] = {}
        self.output_history: dict[str, list[float]] = {}
        for path, module in model.named_modules():
            weight = module.__dict__.get("weight")
            if isinstance(weight, Parameter) and weight.requires_grad:
                name = layer_name(path, module)
                self.shapes[name] = weight.shape
                self.history[name] = []
                self.mean_abs_history[name] = []
                self.add(weight.register_hook(self._recorder(name)))
                if outputs:
                    self.output_history[name] = []
                    self.add(module.register_forward_hook(self._output_watcher(name)))
        if not self.history:
            raise ValueError(
                f"GradientFlow: {type(model).__name__} has no module with a trainable parameter named "
                "'weight' to watch"
            )

    def _recorder(self, name: str) -> Callable[[Tensor], None]:
        norms, mean_abs = self.history[name], self.mean_abs_history[name]

        def record(grad: Tensor) -> None:
            # float64, so the squares of a huge (exploding) float32 gradient do not overflow
            values = np.abs(grad.data.astype(np.float64, copy=False)).ravel()
            norms.append(float(np.linalg.norm(values)))
            mean_abs.append(float(values.mean()) if values.size else 0.0)

        return record

    def _output_watcher(self, name: str) -> Callable[[Module, tuple, Tensor], None]:
        norms = self.output_history[name]

        def record(grad: Tensor) -> None:
            if self._handles:  # not after remove(), even through the output of a forward run before it
                norms.append(float(np.linalg.norm(grad.data.astype(np.float64, copy=False))))

        def watch(module: Module, inputs: tuple, output: Tensor) -> None:
            if output.requires_grad:
                output.register_hook(record)

        return watch

    @property
    def layers(self) -> list[str]:
        """Layer names, input to output (the order the model defines them in)."""
        return list(self.history)

    @property
    def steps(self) -> int:
        """How many backward calls were recorded (by the layer that received the most)."""
        return max(len(norms) for norms in self.history.values())

    def norms(self) -> dict[str, float]:
        """Each layer's weight-gradient L2 norm at the latest backward that reached it."""
        return {name: norms[-1] for name, norms in self.history.items() if norms}

    def mean_abs(self) -> dict[str, float]:
        """Each layer's mean |weight gradient| at the latest backward that reached it."""
        return {name: values[-1] for name, values in self.mean_abs_history.items() if values}

    def output_norms(self) -> dict[str, float]:
        """Each layer's output-gradient L2 norm ||dL/dz|| at the latest backward that reached it
        (recorded with `outputs=True`)."""
        return {name: norms[-1] for name, norms in self.output_history.items() if norms}

    def ratio(self) -> float:
        """||grad W_first|| / ||grad W_last|| at the latest backward: about 1 when gradients flow,
        far below 1 when they vanish on the way to the input, far above when they explode."""
        norms = self.norms()
        if not norms:
            raise RuntimeError("GradientFlow.ratio: no backward recorded yet; call loss.backward() first")
        values = list(norms.values())
        first, last = values[0], values[-1]
        if last == 0.0:
            return math.nan if first == 0.0 else math.inf
        return first / last

    def table(self) -> str:
        """The latest norms as a text table, one row per layer, with each norm relative to the last layer's."""
        norms, mean_abs = self.norms(), self.mean_abs()
        rows = [("layer", "weight shape", "grad norm", "mean |grad|", "norm / last")]
        last = list(norms.values())[-1] if norms else math.nan
        for name in self.layers:
            if name in norms:
                relative = norms[name] / last if last else math.nan
                rows.append((name, str(self.shapes[name]), f"{norms[name]:.3e}", f"{mean_abs[name]:.3e}",
                             f"{relative:.3g}"))
            else:
                rows.append((name, str(self.shapes[name]), "-", "-", "-"))
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        lines = [f"gradient flow after {self.steps} backward call(s)"]
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
        return "\n".join(lines)
