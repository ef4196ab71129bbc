"""Register your own activation in a few lines, and it works everywhere the built-ins do.

Swish with a parameter beta (Ramachandran et al. 2017), f(x) = x sigmoid(beta x), is registered
below with its derivative and what we know about it. From that one registration it is F.swish_beta,
Tensor.swish_beta, nn.Activation("swish_beta", beta=...) and nn.SwishBeta, it is checked by
ta.gradcheck like the built-ins, and `tinygrad-act --import examples/custom_activation.py activations`
lists it; `swish_beta.remove()` would undo all of that. The script gradchecks it, shows the three
ways to call it agree, and trains a small network with it on XOR.

    python examples/custom_activation.py [--quick] [--steps N]
"""

from __future__ import annotations

import argparse
import inspect
import math

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn, optim
from tinygrad_act.activations import register_activation
from tinygrad_act.data.datasets import xor


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * z)  # = 1 / (1 + e^-z), with no exp to overflow


def _swish_beta_backward(x: np.ndarray, y: np.ndarray, grad_output: np.ndarray, beta: float) -> np.ndarray:
    s = _sigmoid(beta * x)
    return grad_output * (s + beta * x * s * (1.0 - s))


@register_activation(
    backward=_swish_beta_backward,  # the parameter beta and its default come from the signature below
    formula=r"f(x) = x\,\sigma(\beta x)", derivative=r"\sigma(\beta x)\,(1 + \beta x (1 - \sigma(\beta x)))",
    # f(x) = g(beta x) / beta with g(u) = u sigmoid(u): the dip scales by 1/beta, the slopes do not.
    output_range=lambda p: (-0.27846454276107380 / p["beta"], math.inf), zero_centred=False,
    monotonic=False, saturating=False, max_derivative=1.0998393201288669,
    note="beta -> 0 gives x/2, beta = 1 is SiLU, beta -> inf approaches ReLU",
)
def swish_beta(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """x sigmoid(beta x); f'(x) = s (1 + beta x (1 - s)) with s = sigmoid(beta x)."""
    return x * _sigmoid(beta * x)


def check_gradients() -> None:
    x = Tensor(np.linspace(-4.0, 4.0, 9), dtype=np.float64, requires_grad=True)
    for beta in (0.5, 1.0, 4.0):
        ta.gradcheck(lambda t, beta=beta: F.swish_beta(t, beta=beta), x)
        print(f"gradcheck passed: swish_beta(beta={beta:g}) backward rule matches finite differences")


def show_the_three_forms() -> None:
    x = Tensor([-2.0, -0.5, 0.0, 1.0, 3.0])
    functional = F.swish_beta(x, beta=2.0).numpy()
    method = x.swish_beta(2.0).numpy()
    layer = nn.Activation("swish_beta", beta=2.0)(x).numpy()
    agree = np.array_equal(functional, method) and np.array_equal(functional, layer)
    print(f"F.swish_beta{inspect.signature(F.swish_beta)}: {F.swish_beta.__doc__.splitlines()[0]}")
    print(f"F.swish_beta, Tensor.swish_beta and {nn.Activation('swish_beta', beta=2.0)!r} "
          f"{'agree' if agree else 'DISAGREE'}: {', '.join(f'{value:.4f}' for value in functional)}")
    spec = nn.Activation("swish_beta").spec
    low, _ = spec.range_for({"beta": 2.0})
    print(f"metadata at beta=2: minimum output {low:.4f}, largest slope {spec.max_derivative_for({'beta': 2.0}):.4f}")


def train_xor(steps: int) -> float:
    """A 2-8-1 network with swish_beta(beta=2) hidden units, trained with Adam; returns the accuracy."""
    ta.manual_seed(0)
    inputs, targets = xor()
    X, y = Tensor(inputs), Tensor(targets)
    model = nn.Sequential(nn.Linear(2, 8), nn.SwishBeta(beta=2.0), nn.Linear(8, 1))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    for step in range(steps + 1):
        optimizer.zero_grad()
        logits = model(X)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        if step % max(steps // 4, 1) == 0 or step == steps:
            print(f"step {step:4d}  loss {loss.item():.4f}")
        if step < steps:
            loss.backward()
            optimizer.step()
    predictions = (logits.numpy() > 0).astype(np.float32)
    accuracy = float((predictions == targets).mean())
    print(f"XOR predictions {predictions.ravel().astype(int).tolist()} for targets "
          f"{targets.ravel().astype(int).tolist()}: accuracy {accuracy:.0%}")
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer training steps (for the test suite)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default 400, 150 with --quick)")
    args = parser.parse_args()
    steps = args.steps if args.steps is not None else (150 if args.quick else 400)
    check_gradients()
    show_the_three_forms()
    train_xor(steps)


if __name__ == "__main__":
    main()
