"""XOR needs a non-linearity: train a 2-4-1 network on it and print the truth table it learned.

XOR's positive points, (0, 1) and (1, 0), sit on one diagonal of the unit square and its negative
points on the other, so no straight line separates them. A hidden layer helps only if something
bends its output: with the identity activation the two layers collapse into one linear map, which
gets at most 3 of the 4 points right. With tanh (the default), ReLU or sigmoid it learns all four.

    python examples/xor.py                          # tanh: the truth table comes out right
    python examples/xor.py --activation identity    # a linear network: at least one row is WRONG
    python examples/xor.py --compare [--quick]      # every activation over several seeds
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn, optim
from tinygrad_act.activations import list_activations
from tinygrad_act.data.datasets import xor
from tinygrad_act.experiments import xor as xor_experiment
from tinygrad_act.experiments.protocol import as_text


def train(activation: str, steps: int, hidden: int = 4, lr: float = 0.05, seed: int = 0) -> nn.MLP:
    """Fit MLP([2, hidden, 1]) to the four XOR points with Adam, full batch, and return it."""
    ta.manual_seed(seed)  # the same initial weights in every run
    inputs, targets = xor()  # X (4, 2) and y (4, 1), float32 0/1
    X, y = Tensor(inputs), Tensor(targets)

    # Linear(2, hidden) -> activation -> Linear(hidden, 1). The output is a logit (no sigmoid):
    # binary_cross_entropy_with_logits applies the sigmoid itself, in a form that cannot overflow.
    # bias_init=None keeps nn.Linear's random biases, so the hidden units' boundary lines do not
    # all start through the origin (the same network as `tinygrad-act xor`).
    model = nn.MLP([2, hidden, 1], activation=activation, bias_init=None)
    optimizer = optim.Adam(model.parameters(), lr=lr)

    for step in range(1, steps + 1):
        optimizer.zero_grad()  # gradients accumulate until zeroed
        loss = F.binary_cross_entropy_with_logits(model(X), y)
        loss.backward()  # fills .grad of every weight and bias
        optimizer.step()  # moves them against their gradients
        if step % (steps // 4) == 0:
            print(f"step {step:5d}  loss {loss.item():.4f}")
    return model


def print_truth_table(model: nn.MLP) -> float:
    """Print each input, its target, the predicted probability and class; return the accuracy."""
    inputs, targets = xor()
    with ta.no_grad():  # no graph is needed to make predictions
        probabilities = model(Tensor(inputs)).sigmoid().numpy().ravel()
    predicted = (probabilities > 0.5).astype(int)
    print("\n x1  x2 | target  p(1)   predicted")
    for (x1, x2), target, probability, guess in zip(inputs.astype(int), targets.ravel().astype(int),
                                                    probabilities, predicted):
        verdict = "" if guess == target else "  WRONG"
        print(f"  {x1}   {x2} |   {target}    {probability:.3f}      {guess}{verdict}")
    accuracy = float(np.mean(predicted == targets.ravel()))
    print(f"\naccuracy {accuracy:.0%}")
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activation", default="tanh", choices=list_activations(),
                        help="the hidden layer's activation (default tanh)", metavar="NAME")
    parser.add_argument("--compare", action="store_true",
                        help="train every activation of the XOR experiment over several seeds and compare")
    parser.add_argument("--quick", action="store_true", help="fewer steps and seeds (for the test suite)")
    args = parser.parse_args()

    if args.compare:
        # The same computation, for each activation and seed, as `tinygrad-act xor --compare [--quick]`.
        settings = xor_experiment.Settings.quick(compare=True) if args.quick else xor_experiment.Settings(compare=True)
        print(as_text(xor_experiment, xor_experiment.run(settings)))
        return

    model = train(args.activation, steps=xor_experiment.Settings.quick().steps if args.quick else 1000)
    print_truth_table(model)


if __name__ == "__main__":
    main()
