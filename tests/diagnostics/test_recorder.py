"""diagnostics.Recorder: per-layer histograms and per-unit statuses every k steps."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import nn
from tinygrad_act.data import datasets
from tinygrad_act.diagnostics import DeadUnits, Recorder
from tinygrad_act.diagnostics.recorder import DEAD, SATURATED, clipped_histogram, histogram_edges
from tinygrad_act.experiments.timelapse import train
from tinygrad_act.tensor import Tensor


def dying_relu_run(steps: int = 100, every: int = 10):
    """The dying-ReLU run (`tinygrad-act dying-relu`'s too-large step: Adam at lr 0.03) on the MNIST
    subset. Returns the recorder and a DeadUnits watching the same forwards."""
    ta.manual_seed(0)
    x, y = datasets.mnist_subset(train=True)
    model = nn.MLP([784, 128, 128, 128, 10], activation="relu")
    with Recorder(model, every=every) as recorder, DeadUnits(model) as dead:
        train(model, (x, y), steps, "adam", 0.03, 32, 0, recorder)
    return recorder, dead


@pytest.fixture(scope="module")
def run():
    return dying_relu_run()


def test_records_every_kth_step(run):
    recorder, _ = run
    assert recorder.steps == list(range(0, 100, 10))
    assert all(len(counts) == 10 for counts in recorder.histograms.values())


def test_dead_fractions_equal_dead_units_at_every_recorded_step(run):
    recorder, dead = run
    recorded = recorder.dead_fractions()
    assert set(recorded) == set(dead.history)
    for name, fractions in recorded.items():
        assert fractions == [dead.history[name][step] for step in recorder.steps]
    assert max(fractions[-1] for fractions in recorded.values()) > 0.3  # units did die


def test_every_dead_unit_has_the_step_it_died_at(run):
    recorder, _ = run
    for name in recorder.layers:
        matrix = recorder.status_matrix(name)
        events = recorder.events(name)
        for event in events:
            index = recorder.steps.index(event.died_at)
            assert matrix[event.unit, index] == DEAD
            assert index == 0 or matrix[event.unit, index - 1] != DEAD or any(
                other.unit == event.unit and other.revived_at == event.died_at for other in events)
            if event.revived_at is not None:
                assert matrix[event.unit, recorder.steps.index(event.revived_at)] != DEAD
        still_dead = {event.unit for event in events if event.revived_at is None}
        assert still_dead == set(np.flatnonzero(matrix[:, -1] == DEAD))


def test_histograms_cover_the_four_quantities_with_fixed_bins(run):
    recorder, _ = run
    quantities = {quantity for quantity, _ in recorder.histograms}
    assert quantities == {"pre-activation", "activation", "activation gradient", "weight gradient"}
    for (quantity, name), counts in recorder.histograms.items():
        assert len(recorder.edges[quantity, name]) == recorder.bins + 1
        sizes = {int(count.sum()) for count in counts}
        assert len(sizes) == 1  # every value is counted, also those outside the first record's range
    assert int(recorder.histograms["weight gradient", "0"][0].sum()) == 128 * 784


def test_histogram_counts_values_outside_in_the_outer_bins():
    edges = histogram_edges(np.array([0.0, 1.0]), 4)  # [-0.5, 1.5] in 4 bins
    np.testing.assert_allclose(edges, [-0.5, 0.0, 0.5, 1.0, 1.5])
    counts = clipped_histogram(np.array([-9.0, 0.2, 0.7, 1.2, 9.0, np.nan]), edges)
    assert counts.tolist() == [1, 1, 1, 2]
    values = np.random.default_rng(0).standard_normal(1000)
    assert np.array_equal(clipped_histogram(values, edges), np.histogram(np.clip(values, -0.5, 1.5), edges)[0])


def test_bounded_activation_bins_span_its_range():
    model = nn.MLP([4, 6, 2], activation="sigmoid")
    with Recorder(model, every=1) as recorder:
        F.cross_entropy(model(Tensor(np.ones((3, 4)))), np.array([0, 1, 0])).backward()
        recorder.step()
    edges = recorder.edges["activation", "1"]
    assert (edges[0], edges[-1]) == (0.0, 1.0)


def test_large_weights_saturate_sigmoid_units():
    ta.manual_seed(0)
    model = nn.MLP([10, 16, 2], activation="sigmoid")
    model.linears()[0].weight.data *= 100
    x = np.random.default_rng(0).standard_normal((32, 10)).astype(np.float32)
    with Recorder(model, every=1) as recorder:
        F.cross_entropy(model(Tensor(x)), np.zeros(32, dtype=np.int64)).backward()
        recorder.step()
    assert recorder.saturated_fractions()["1"][0] > 0.9
    assert np.all(recorder.status_matrix("1")[:, 0] != DEAD)
    assert SATURATED in recorder.status_matrix("1")


def test_forwards_without_grad_are_not_recorded():
    model = nn.MLP([4, 6, 2], activation="relu")
    x = Tensor(np.random.default_rng(0).standard_normal((5, 4)))
    with Recorder(model, every=1) as recorder:
        with ta.no_grad():
            model(x)
        recorder.step()
    assert recorder.steps == []


def test_a_model_without_activation_layers_is_an_error():
    with pytest.raises(ValueError, match="no elementwise activation layer"):
        Recorder(nn.Linear(3, 2))


def _read_events(folder: Path) -> list:
    """Every Event in the TFRecord files of `folder`: uint64 length, uint32 crc, payload, uint32 crc."""
    from tensorboardX.proto import event_pb2

    events = []
    for path in folder.glob("events.out.tfevents.*"):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack("<Q", data[offset:offset + 8])
            events.append(event_pb2.Event.FromString(data[offset + 12:offset + 12 + length]))
            offset += 12 + length + 4
    return events


def test_tensorboard_export_writes_scalars_and_histograms(tmp_path):
    pytest.importorskip("tensorboardX")
    model = nn.MLP([4, 6, 2], activation="relu")
    x = Tensor(np.random.default_rng(0).standard_normal((5, 4)))
    with Recorder(model, every=2, tensorboard=tmp_path) as recorder:
        for _ in range(4):
            model.zero_grad()
            F.cross_entropy(model(x), np.array([0, 1, 0, 1, 0])).backward()
            recorder.step()
    tags = {(value.tag, event.step, value.HasField("histo")) for event in _read_events(tmp_path)
            for value in event.summary.value}
    assert ("dead_fraction/1", 2, False) in tags
    assert ("activation/1", 0, True) in tags and ("weight_gradient/0", 2, True) in tags
    scalar = next(value.simple_value for event in _read_events(tmp_path) for value in event.summary.value
                  if value.tag == "dead_fraction/1" and event.step == 2)
    assert scalar == pytest.approx(recorder.dead_fractions()["1"][1])
