"""The shape of PyTorch's Quickstart: a NeuralNetwork(nn.Module) classifying 28x28 images, moved to
the chosen device, trained by train() and measured by test() for a few epochs, then saved with
torch.save(model.state_dict(), path) and loaded back into a fresh model.

The images and labels are numpy arrays from the caller (random, in place of FashionMNIST), and so
are the starting weights (a state_dict of arrays), so two frameworks start from the same point.
"""

from __future__ import annotations

from typing import Any

CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def choose_device(torch: Any, idiom: str = "accelerator") -> str:
    """The device the tutorial picks: today's `torch.accelerator` idiom, or the older chain of checks."""
    if idiom == "accelerator":
        return torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    return "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"


def run_quickstart(torch: Any, train_images: Any, train_labels: Any, test_images: Any, test_labels: Any,
                   initial_state: dict[str, Any], checkpoint_path: str, epochs: int = 2,
                   batch_size: int = 64) -> dict[str, Any]:
    """Train and test as the Quickstart does; return every logged number.

    The result holds `train_losses` (one per batch), `test_losses` and `accuracies` (one per epoch),
    `reloaded_test_loss` (the test loss of the model loaded back from `checkpoint_path`) and
    `predicted` (the class name the reloaded model gives the first test image).
    """
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader  # noqa: N806 - PyTorch's class names
    TensorDataset = torch.utils.data.TensorDataset  # noqa: N806

    training_data = TensorDataset(torch.from_numpy(train_images), torch.from_numpy(train_labels))
    test_data = TensorDataset(torch.from_numpy(test_images), torch.from_numpy(test_labels))
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    for X, y in test_dataloader:
        assert tuple(X.shape) == (batch_size, 1, 28, 28), X.shape
        assert tuple(y.shape) == (batch_size,) and y.dtype == torch.int64, (y.shape, y.dtype)
        break

    device = choose_device(torch)

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    model.load_state_dict({name: torch.tensor(value) for name, value in initial_state.items()})
    print(f"Using {device} device")
    print(model)

    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    train_losses: list[float] = []

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)

            pred = model(X)
            loss = loss_fn(pred, y)

            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

            loss, current = loss.item(), (batch + 1) * len(X)
            assert current <= size
            train_losses.append(loss)

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        return test_loss, correct

    test_losses, accuracies = [], []
    for _ in range(epochs):
        train(train_dataloader, model, loss_fn, optimizer)
        test_loss, accuracy = test(test_dataloader, model, loss_fn)
        test_losses.append(test_loss)
        accuracies.append(accuracy)

    torch.save(model.state_dict(), checkpoint_path)

    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(checkpoint_path, weights_only=True))
    reloaded_test_loss, _ = test(test_dataloader, model, loss_fn)

    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        x = x.to(device)
        pred = model(x)
        predicted, actual = CLASSES[pred[0].argmax(0)], CLASSES[y]
    assert actual == CLASSES[int(test_labels[0])]

    return {"train_losses": train_losses, "test_losses": test_losses, "accuracies": accuracies,
            "reloaded_test_loss": reloaded_test_loss, "predicted": predicted}
