"""The shape of PyTorch's "What is torch.nn really?": logistic regression on flattened 28x28 images,
first from raw tensors with a hand-written log_softmax, nll and update, then refactored step by step
onto F.cross_entropy, nn.Module with nn.Parameter, nn.Linear, optim.SGD, TensorDataset and
DataLoader, and nn.Sequential with a Lambda layer.

Every stage starts from the same weights (a numpy array of standard normals, scaled by 1/sqrt(784)
as the tutorial's torch.randn(784, 10) / math.sqrt(784) is) and visits the batches in the same
order, so each refactor computes the same training run: the losses it logs should not change.
`data` is the tuple of numpy arrays (x_train, y_train, x_valid, y_valid).
"""

from __future__ import annotations

import math
from typing import Any

BATCH_SIZE = 64
LEARNING_RATE = 0.5


def fit_from_scratch(torch: Any, data: tuple, initial_weights: Any, epochs: int = 2) -> dict[str, Any]:
    """Raw tensors, log_softmax and nll written by hand, the update written out under no_grad.

    Returns the loss of every batch, and the loss and accuracy of the first batch before and after.
    """
    x_train, y_train, x_valid, y_valid = map(torch.tensor, data)
    n, c = x_train.shape

    weights = torch.from_numpy(initial_weights) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):  # noqa: A002 - the tutorial's name
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    xb, yb = x_train[0:BATCH_SIZE], y_train[0:BATCH_SIZE]
    preds = model(xb)
    assert tuple(preds.shape) == (BATCH_SIZE, 10)
    first_batch_before = (loss_func(preds, yb).item(), accuracy(preds, yb).item())

    losses = []
    for _ in range(epochs):
        for i in range((n - 1) // BATCH_SIZE + 1):
            start_i = i * BATCH_SIZE
            end_i = start_i + BATCH_SIZE
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            losses.append(loss.item())

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * LEARNING_RATE
                bias -= bias.grad * LEARNING_RATE
                weights.grad.zero_()
                bias.grad.zero_()

    xb, yb = x_train[0:BATCH_SIZE], y_train[0:BATCH_SIZE]
    first_batch_after = (loss_func(model(xb), yb).item(), accuracy(model(xb), yb).item())
    return {"losses": losses, "before": first_batch_before, "after": first_batch_after}


def fit_with_cross_entropy(torch: Any, data: tuple, initial_weights: Any, epochs: int = 2) -> list[float]:
    """The same, with F.cross_entropy in place of log_softmax and nll."""
    F = torch.nn.functional  # noqa: N806 - PyTorch's usual name
    x_train, y_train, x_valid, y_valid = map(torch.tensor, data)
    n, c = x_train.shape

    weights = torch.from_numpy(initial_weights) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)
    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    losses = []
    for _ in range(epochs):
        for i in range((n - 1) // BATCH_SIZE + 1):
            start_i = i * BATCH_SIZE
            end_i = start_i + BATCH_SIZE
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            loss = loss_func(model(xb), yb)
            losses.append(loss.item())

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * LEARNING_RATE
                bias -= bias.grad * LEARNING_RATE
                weights.grad.zero_()
                bias.grad.zero_()
    return losses


def fit_module_with_parameters(torch: Any, data: tuple, initial_weights: Any, epochs: int = 2) -> list[float]:
    """An nn.Module holding nn.Parameter weights; the update loops over model.parameters()."""
    nn, F = torch.nn, torch.nn.functional  # noqa: N806
    x_train, y_train, x_valid, y_valid = map(torch.tensor, data)
    n, c = x_train.shape

    class Mnist_Logistic(nn.Module):  # noqa: N801 - the tutorial's name
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.from_numpy(initial_weights) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()
    loss_func = F.cross_entropy

    losses = []
    for _ in range(epochs):
        for i in range((n - 1) // BATCH_SIZE + 1):
            start_i = i * BATCH_SIZE
            end_i = start_i + BATCH_SIZE
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            loss = loss_func(model(xb), yb)
            losses.append(loss.item())

            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * LEARNING_RATE
                model.zero_grad()
    return losses


def _linear_state(torch: Any, initial_weights: Any, prefix: str) -> dict[str, Any]:
    """The starting weights as an nn.Linear(784, 10) state_dict: Linear keeps weight as (out, in)."""
    return {f"{prefix}weight": torch.from_numpy(initial_weights.T.copy()) / math.sqrt(784),
            f"{prefix}bias": torch.zeros(10)}


def _fit_with_loaders(torch: Any, model: Any, data: tuple, epochs: int) -> dict[str, Any]:
    """optim.SGD over TensorDataset/DataLoader batches, with a validation pass after each epoch.

    The validation loss is taken twice, as the tutorial does at two stages: as the sum of the
    batches' loss tensors over len(valid_dl), and as loss_batch's size-weighted mean.
    """
    F = torch.nn.functional  # noqa: N806
    TensorDataset = torch.utils.data.TensorDataset  # noqa: N806
    DataLoader = torch.utils.data.DataLoader  # noqa: N806
    x_train, y_train, x_valid, y_valid = map(torch.tensor, data)

    train_ds = TensorDataset(x_train, y_train)
    train_dl = DataLoader(train_ds, batch_size=BATCH_SIZE)
    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=BATCH_SIZE * 2)
    assert len(train_ds) == len(x_train)

    loss_func = F.cross_entropy
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    losses, summed_valid_losses, weighted_valid_losses = [], [], []
    for _ in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss, _ = loss_batch(model, loss_func, xb, yb, opt)
            losses.append(loss)

        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
            batch_losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        summed_valid_losses.append((valid_loss / len(valid_dl)).item())
        weighted_valid_losses.append(sum(loss * num for loss, num in zip(batch_losses, nums)) / sum(nums))
    return {"losses": losses, "summed_valid_losses": summed_valid_losses,
            "weighted_valid_losses": weighted_valid_losses}


def fit_linear_with_optimizer(torch: Any, data: tuple, initial_weights: Any, epochs: int = 2) -> dict[str, Any]:
    """nn.Linear inside the Module, optim.SGD, TensorDataset and DataLoader."""
    nn = torch.nn

    class Mnist_Logistic(nn.Module):  # noqa: N801
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    model = Mnist_Logistic()
    model.load_state_dict(_linear_state(torch, initial_weights, "lin."))
    return _fit_with_loaders(torch, model, data, epochs)


def fit_sequential_with_lambda(torch: Any, data: tuple, initial_weights: Any, epochs: int = 2) -> dict[str, Any]:
    """nn.Sequential(Lambda(view as (-1, 784)), nn.Linear(784, 10)), Lambda a Module holding a function."""
    nn = torch.nn

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x):
        return x.view(-1, 28 * 28)

    model = nn.Sequential(Lambda(preprocess), nn.Linear(784, 10))
    model.load_state_dict(_linear_state(torch, initial_weights, "1."))
    return _fit_with_loaders(torch, model, data, epochs)
