"""Specification of tinygrad_act.train: fit returns a per-epoch History and stops early on max_steps or
until, evaluate measures a model in eval mode without a graph, accuracy is argmax for class labels and a
0.5 threshold for probabilities."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn, optim
from tinygrad_act.data import DataLoader, TensorDataset
from tinygrad_act.train import History, Step, correct_predictions, evaluate, fit


def blobs(rng: np.random.Generator, samples: int = 96) -> TensorDataset:
    """Three well-separated Gaussian blobs in 2-D, labels 0, 1, 2."""
    centres = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, samples)
    points = centres[labels] + 0.5 * rng.standard_normal((samples, 2))
    return TensorDataset(points.astype(np.float32), labels)


def classifier() -> nn.MLP:
    ta.manual_seed(0)
    return nn.MLP([2, 8, 3], activation="tanh")


class LookupModel(nn.Module):
    """Outputs row i of `outputs` for an input row holding i (for checking how fit and evaluate
    count losses and right answers); its one parameter lets an optimizer be built."""

    def __init__(self, outputs: np.ndarray) -> None:
        super().__init__()
        self.outputs = outputs
        self.weight = nn.Parameter(np.zeros(1, np.float32))

    def forward(self, x: Tensor) -> Tensor:
        return Tensor(self.outputs[x.data[:, 0].astype(int)]) + self.weight * 0.0


def indices(*rows: int) -> Tensor:
    return Tensor(np.array(rows, np.float32).reshape(-1, 1))


def fit_once(model: nn.Module, batches: list) -> History:
    return fit(model, batches, optim.SGD(model.parameters(), lr=0.0), progress=False)


# ------------------------------------------------------------------ fit


def test_fit_returns_a_history_with_one_entry_per_epoch(rng):
    model = classifier()
    loader = DataLoader(blobs(rng), batch_size=32, shuffle=True, seed=0)
    history = fit(model, loader, optim.SGD(model.parameters(), lr=0.1), epochs=3, progress=False)
    assert isinstance(history, History)
    assert len(history.loss) == len(history.accuracy) == len(history.seconds) == 3
    assert history.val_loss == history.val_accuracy == []
    assert set(history.as_dict()) == {"loss", "accuracy", "seconds"}


def test_fit_records_validation_metrics_each_epoch_when_given_val_data(rng):
    model = classifier()
    train_loader = DataLoader(blobs(rng), batch_size=32)
    val_loader = DataLoader(blobs(rng, 30), batch_size=10)
    history = fit(model, train_loader, optim.SGD(model.parameters(), lr=0.1), epochs=2, val_data=val_loader,
                  progress=False)
    assert len(history.val_loss) == len(history.val_accuracy) == 2
    assert (history.val_loss[-1], history.val_accuracy[-1]) == evaluate(model, val_loader)


def test_fit_lowers_the_loss_on_a_small_problem(rng):
    model = classifier()
    loader = DataLoader(blobs(rng), batch_size=16, shuffle=True, seed=0)
    history = fit(model, loader, optim.Adam(model.parameters(), lr=0.05), epochs=5, progress=False)
    assert history.loss[-1] < history.loss[0] / 4
    assert history.accuracy[-1] == 1.0


def test_fit_loss_is_the_per_sample_mean_over_the_epoch():
    # Batches of 3 and 1 samples: each batch counts by its size (3 log 2 - log 0.9) / 4, not 1/2 each.
    logits = np.log(np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.9, 0.1]], np.float32))
    history = fit_once(LookupModel(logits), [(indices(0, 1, 2), np.array([0, 1, 0])), (indices(3), np.array([0]))])
    assert history.loss == [pytest.approx((3 * np.log(2.0) - np.log(0.9)) / 4)]


def test_fit_accuracy_is_the_share_of_argmax_predictions_equal_to_the_labels():
    outputs = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 1.0], [5.0, 0.0, 0.0]], np.float32)
    # argmaxes 0, 1, 2, 0: right, right, wrong (label 1), wrong (label 2)
    history = fit_once(LookupModel(outputs), [(indices(0, 1, 2), np.array([0, 1, 1])), (indices(3), np.array([2]))])
    assert history.accuracy == [0.5]


def test_fit_calls_on_step_after_every_optimizer_step_with_the_running_count(rng):
    model = classifier()
    loader = DataLoader(blobs(rng, 40), batch_size=16)  # 3 batches per epoch
    steps = []
    fit(model, loader, optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False, on_step=steps.append)
    assert steps == [1, 2, 3, 4, 5, 6]


def test_fit_max_steps_stops_mid_epoch_and_records_that_epoch_over_the_batches_seen():
    losses = np.log(np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]], np.float32))
    batches = [(indices(0), np.array([0])), (indices(1), np.array([0])), (indices(2), np.array([0]))]
    model, steps = LookupModel(losses), []
    history = fit(model, batches, optim.SGD(model.parameters(), lr=0.0), epochs=3, progress=False,
                  on_step=steps.append, max_steps=4)
    assert steps == [1, 2, 3, 4]
    assert len(history.loss) == 2  # the whole first epoch, then one batch of the second
    assert history.loss[1] == pytest.approx(-np.log(0.5))


def test_fit_without_epochs_repeats_passes_until_max_steps(rng):
    model = classifier()
    loader = DataLoader(blobs(rng, 40), batch_size=16)  # 3 batches per epoch
    steps = []
    history = fit(model, loader, optim.SGD(model.parameters(), lr=0.1), epochs=None, progress=False,
                  on_step=steps.append, max_steps=7)
    assert steps == list(range(1, 8))
    assert len(history.loss) == 3


def test_fit_until_sees_every_step_and_stops_training_when_it_returns_true(rng):
    model = classifier()
    loader = DataLoader(blobs(rng, 40), batch_size=16)  # 3 batches per epoch
    seen, optimizer_steps = [], []
    history = fit(model, loader, optim.SGD(model.parameters(), lr=0.1), epochs=5, progress=False,
                  on_step=optimizer_steps.append, until=lambda step: seen.append(step) or step.number == 4)
    assert [(step.number, step.epoch) for step in seen] == [(1, 1), (2, 1), (3, 1), (4, 2)]
    assert optimizer_steps == [1, 2, 3, 4]
    assert len(history.loss) == 2
    assert all(isinstance(step, Step) and np.isfinite(step.loss) for step in seen)


def test_fit_until_gets_each_batch_loss_before_the_step():
    losses = np.log(np.array([[0.5, 0.5], [0.9, 0.1]], np.float32))
    model, seen = LookupModel(losses), []
    fit(model, [(indices(0), np.array([0])), (indices(1), np.array([1]))], optim.SGD(model.parameters(), lr=0.0),
        progress=False, until=lambda step: seen.append(step.loss))
    assert seen == [pytest.approx(-np.log(0.5)), pytest.approx(-np.log(0.1))]


def test_fit_until_is_called_at_the_last_step_of_max_steps(rng):
    model = classifier()
    seen = []
    fit(model, DataLoader(blobs(rng, 40), batch_size=16), optim.SGD(model.parameters(), lr=0.1), epochs=None,
        progress=False, max_steps=2, until=lambda step: seen.append(step.number))
    assert seen == [1, 2]


class NormRecordingSGD(optim.SGD):
    """SGD that records the joint gradient norm it is about to step with."""

    def __init__(self, parameters: list, lr: float) -> None:
        super().__init__(parameters, lr=lr)
        self.norms: list[float] = []

    def step(self) -> None:
        grads = [parameter.grad.numpy() for group in self.param_groups for parameter in group["params"]]
        self.norms.append(float(np.sqrt(sum((grad.astype(np.float64) ** 2).sum() for grad in grads))))
        super().step()


def test_fit_max_grad_norm_clips_the_joint_gradient_norm_before_every_step(rng):
    model = classifier()
    loader = DataLoader(blobs(rng, 40), batch_size=16)
    unclipped = NormRecordingSGD(list(model.parameters()), lr=0.0)
    fit(model, loader, unclipped, progress=False)
    clipped = NormRecordingSGD(list(model.parameters()), lr=0.0)
    fit(model, loader, clipped, progress=False, max_grad_norm=0.01)
    assert min(unclipped.norms) > 0.01
    assert clipped.norms == [pytest.approx(0.01, rel=1e-3)] * 3


def test_fit_without_epochs_stops_when_a_pass_yields_no_batch(rng):
    model = classifier()
    one_pass = iter(DataLoader(blobs(rng, 40), batch_size=16))  # a second pass is empty
    history = fit(model, one_pass, optim.SGD(model.parameters(), lr=0.1), epochs=None, progress=False, max_steps=10)
    assert len(history.loss) == 2 and history.loss[1] == 0.0


def test_fit_needs_max_steps_when_epochs_is_none(rng):
    model = classifier()
    with pytest.raises(ValueError, match="give max_steps"):
        fit(model, DataLoader(blobs(rng), batch_size=32), optim.SGD(model.parameters(), lr=0.1), epochs=None)


def test_fit_rejects_a_max_steps_below_one(rng):
    model = classifier()
    with pytest.raises(ValueError, match="max_steps must be at least 1, got 0"):
        fit(model, DataLoader(blobs(rng), batch_size=32), optim.SGD(model.parameters(), lr=0.1), max_steps=0)


def test_fit_with_progress_false_prints_nothing(rng, capsys):
    model = classifier()
    fit(model, DataLoader(blobs(rng), batch_size=32), optim.SGD(model.parameters(), lr=0.1), epochs=2,
        val_data=DataLoader(blobs(rng, 20), batch_size=10), progress=False)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_fit_with_progress_shows_a_tqdm_bar_on_stderr_and_a_summary_per_epoch(rng, capsys):
    model = classifier()
    fit(model, DataLoader(blobs(rng), batch_size=32), optim.SGD(model.parameters(), lr=0.1), epochs=2,
        progress=True, description="blobs")
    captured = capsys.readouterr()
    assert "blobs epoch 1/2" in captured.err and "blobs epoch 2/2" in captured.err
    assert "| 0/3 [" in captured.err  # tqdm's count of batches, of the loader's 3
    assert "batch/s" in captured.err
    summaries = [line for line in captured.out.splitlines() if line.startswith("blobs epoch")]
    assert [line.split(":")[0] for line in summaries] == ["blobs epoch 1/2", "blobs epoch 2/2"]


# ------------------------------------------------------------------ evaluate


def test_evaluate_returns_the_mean_loss_and_accuracy_over_all_batches(rng):
    model = classifier()
    data = blobs(rng, 50)
    loader = DataLoader(data, batch_size=16)  # batches of 16, 16, 16 and 2
    loss, accuracy = evaluate(model, loader)
    with ta.no_grad():
        logits = model(data.tensors[0])
    expected_loss = F.cross_entropy(logits, data.tensors[1]).item()
    expected_accuracy = float(np.mean(logits.numpy().argmax(axis=1) == data.tensors[1].numpy()))
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy == pytest.approx(expected_accuracy)


def test_evaluate_runs_in_eval_mode_and_restores_train_mode(rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    modes = []

    def loss_fn(output: Tensor, target: Tensor) -> Tensor:
        modes.append(model.training)
        return F.cross_entropy(output, target)

    model.train()
    evaluate(model, DataLoader(blobs(rng, 20), batch_size=10), loss_fn)
    assert modes == [False, False]
    assert model.training and all(module.training for module in model.children())


def test_evaluate_leaves_a_model_in_eval_mode_in_eval_mode(rng):
    model = classifier()
    model.eval()
    evaluate(model, DataLoader(blobs(rng, 20), batch_size=10))
    assert not model.training


def test_evaluate_records_no_graph(rng):
    model = classifier()
    outputs = []

    def loss_fn(output: Tensor, target: Tensor) -> Tensor:
        outputs.append(output)
        return F.cross_entropy(output, target)

    evaluate(model, DataLoader(blobs(rng, 20), batch_size=10), loss_fn)
    assert all(output.grad_fn is None and not output.requires_grad for output in outputs)
    assert all(parameter.grad is None for parameter in model.parameters())


def test_evaluate_measures_binary_probabilities_with_a_half_threshold():
    probabilities = np.array([[0.9], [0.2], [0.6], [0.4]], np.float32)
    targets = np.array([[1.0], [0.0], [0.0], [1.0]], np.float32)  # the last two are wrong
    _, accuracy = evaluate(LookupModel(probabilities), [(indices(0, 1, 2, 3), Tensor(targets))],
                           loss_fn=F.binary_cross_entropy)
    assert accuracy == 0.5


# ------------------------------------------------------------------ correct_predictions


def test_correct_predictions_takes_the_argmax_over_classes_for_integer_labels():
    logits = np.array([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05], [0.2, 0.3, 0.5]])
    assert correct_predictions(logits, np.array([1, 0, 0])) == 2
    assert correct_predictions(logits, np.array([1, 0, 2], dtype=np.uint8)) == 3


def test_correct_predictions_thresholds_probabilities_at_one_half():
    probabilities = np.array([0.51, 0.49, 0.99, 0.01, 0.5])
    targets = np.array([1.0, 1.0, 1.0, 0.0, 1.0])  # 0.49 and 0.5 (not above 0.5) are wrong
    assert correct_predictions(probabilities, targets) == 3


def test_correct_predictions_counts_every_element_of_multi_label_targets():
    probabilities = np.array([[0.8, 0.3], [0.6, 0.7]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert correct_predictions(probabilities, targets) == 3
