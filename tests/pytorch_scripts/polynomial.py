"""Fit sin(x) on [-pi, pi] with a cubic a + b x + c x^2 + d x^3, in the four styles of PyTorch's
"Learning PyTorch with Examples": raw tensors with a hand-written update, nn.Sequential with a
hand-written update, an optimizer, and nn.Module subclasses (one with dynamic control flow).

Each function returns the loss every `log_every` steps; the starting weights come from the caller.
"""

from __future__ import annotations

import math
import random
from typing import Any

SAMPLES = 2000


def fit_with_raw_tensors(torch: Any, initial: Any, steps: int = 2000, log_every: int = 100,
                         clear_grad: str = "none") -> list[float]:
    """Four scalar tensors, the gradient by backward(), the update written out under no_grad.

    `clear_grad` picks how the gradient is cleared after each update: "none" (`a.grad = None`)
    or "zero" (`a.grad.zero_()`).
    """
    dtype = torch.float64
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, SAMPLES, dtype=dtype, device=device)
    y = torch.sin(x)

    a = torch.tensor(initial[0], dtype=dtype, device=device, requires_grad=True)
    b = torch.tensor(initial[1], dtype=dtype, device=device, requires_grad=True)
    c = torch.tensor(initial[2], dtype=dtype, device=device, requires_grad=True)
    d = torch.tensor(initial[3], dtype=dtype, device=device, requires_grad=True)

    learning_rate = 1e-6
    losses = []
    for step in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if step % log_every == log_every - 1:
            losses.append(loss.item())
        loss.backward()

        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            if clear_grad == "zero":
                a.grad.zero_()
                b.grad.zero_()
                c.grad.zero_()
                d.grad.zero_()
            else:
                a.grad = None
                b.grad = None
                c.grad = None
                d.grad = None
    return losses


def _powers_of_x(torch: Any) -> tuple[Any, Any]:
    """x as the (2000, 3) tensor of x, x^2, x^3 (an int exponent tensor broadcast), and sin(x)."""
    x = torch.linspace(-math.pi, math.pi, SAMPLES)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    return xx, y


def _cubic_model(torch: Any, initial_weight: Any, initial_bias: Any) -> Any:
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1),
    )
    model.load_state_dict({"0.weight": torch.tensor(initial_weight), "0.bias": torch.tensor(initial_bias)})
    return model


def fit_with_sequential(torch: Any, initial_weight: Any, initial_bias: Any, steps: int = 2000,
                        log_every: int = 100) -> tuple[list[float], str]:
    """nn.Sequential(Linear(3, 1), Flatten(0, 1)) and MSELoss(sum), updated by hand over parameters().

    Returns the losses and the fitted polynomial as the tutorial prints it.
    """
    xx, y = _powers_of_x(torch)
    model = _cubic_model(torch, initial_weight, initial_bias)
    loss_fn = torch.nn.MSELoss(reduction="sum")

    learning_rate = 1e-6
    losses = []
    for step in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if step % log_every == log_every - 1:
            losses.append(loss.item())

        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad

    linear_layer = model[0]
    fitted = (f"y = {linear_layer.bias.item():.4f} + {linear_layer.weight[:, 0].item():.4f} x"
              f" + {linear_layer.weight[:, 1].item():.4f} x^2 + {linear_layer.weight[:, 2].item():.4f} x^3")
    return losses, fitted


def fit_with_optimizer(torch: Any, initial_weight: Any, initial_bias: Any, optimizer_name: str,
                       steps: int = 2000, log_every: int = 100) -> list[float]:
    """The same model, stepped by torch.optim.RMSprop(lr=1e-3) or SGD(lr=1e-6, momentum=0.9)."""
    xx, y = _powers_of_x(torch)
    model = _cubic_model(torch, initial_weight, initial_bias)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    if optimizer_name == "RMSprop":
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)

    losses = []
    for step in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if step % log_every == log_every - 1:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def fit_module_subclass(torch: Any, initial: Any, steps: int = 2000, log_every: int = 100) -> tuple[list[float], str]:
    """A Module subclass holding four scalar Parameters, with forward written out; SGD(lr=1e-6)."""

    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.tensor(initial[0]))
            self.b = torch.nn.Parameter(torch.tensor(initial[1]))
            self.c = torch.nn.Parameter(torch.tensor(initial[2]))
            self.d = torch.nn.Parameter(torch.tensor(initial[3]))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"

    x = torch.linspace(-math.pi, math.pi, SAMPLES)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)

    losses = []
    for step in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if step % log_every == log_every - 1:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses, model.string()


def fit_dynamic_module(torch: Any, initial: Any, seed: int, steps: int = 2000, log_every: int = 100) -> list[float]:
    """A Module whose forward adds x^4 (and x^5) terms a random number of times per call: the graph
    changes from step to step, and on steps where `e` is unused its gradient stays None."""
    chooser = random.Random(seed)

    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.tensor(initial[0]))
            self.b = torch.nn.Parameter(torch.tensor(initial[1]))
            self.c = torch.nn.Parameter(torch.tensor(initial[2]))
            self.d = torch.nn.Parameter(torch.tensor(initial[3]))
            self.e = torch.nn.Parameter(torch.tensor(initial[4]))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, chooser.randint(4, 6)):
                y = y + self.e * x ** exp
            return y

    x = torch.linspace(-math.pi, math.pi, SAMPLES)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)

    losses = []
    for step in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if step % log_every == log_every - 1:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses
