"""ta.save / ta.load: round trips of models and optimizers, atomic writes, and no unpickling."""

import os
import pickle

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn, optim, serialization
from tinygrad_act.serialization import load, save


def test_model_state_dict_round_trip(tmp_path):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.BatchNorm1d(4))
    path = tmp_path / "model.npz"
    save(model.state_dict(), path)
    loaded = load(path)
    assert list(loaded) == list(model.state_dict())
    for key, value in model.state_dict().items():
        assert isinstance(loaded[key], ta.Tensor)
        assert loaded[key].dtype == value.dtype
        np.testing.assert_array_equal(loaded[key].data, value.data)


def test_float64_tensors_keep_their_dtype(tmp_path):
    save({"w": ta.tensor(np.array([0.1, 1e-300]), dtype=np.float64)}, tmp_path / "w.npz")
    restored = load(tmp_path / "w.npz")["w"]
    assert restored.dtype == np.float64
    np.testing.assert_array_equal(restored.data, [0.1, 1e-300])


def test_nested_checkpoint_restores_structure_and_types(tmp_path):
    checkpoint = {
        "epoch": 3, "loss": 0.25, "done": False, "name": "xor", "nothing": None,
        "array": np.arange(3), "betas": (0.9, 0.999), "history": [1.0, 0.5],
        "state": {0: {"step": 2}}, "scalar": np.float32(1.5),
    }
    save(checkpoint, tmp_path / "checkpoint.npz")
    loaded = load(tmp_path / "checkpoint.npz")
    assert loaded.keys() == checkpoint.keys()
    assert loaded["epoch"] == 3 and type(loaded["epoch"]) is int
    assert loaded["loss"] == 0.25 and loaded["done"] is False and loaded["name"] == "xor"
    assert loaded["nothing"] is None
    assert loaded["betas"] == (0.9, 0.999) and loaded["history"] == [1.0, 0.5]
    assert loaded["state"] == {0: {"step": 2}}
    assert loaded["scalar"] == np.float32(1.5) and loaded["scalar"].dtype == np.float32
    np.testing.assert_array_equal(loaded["array"], np.arange(3))


def test_archive_stores_flattened_names_and_scalars_as_0d_arrays(tmp_path):
    save({"model": {"0.weight": ta.ones(2, 2)}, "epoch": 7}, tmp_path / "checkpoint.npz")
    with np.load(tmp_path / "checkpoint.npz", allow_pickle=False) as archive:
        assert "model/0.weight" in archive.files
        assert archive["epoch"].shape == () and archive["epoch"] == 7


def test_training_resumes_identically_from_a_checkpoint(train, tmp_path):
    ta.manual_seed(0)
    model = nn.MLP([2, 8, 1], activation="tanh")
    optimizer = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    train(model, optimizer, 3, seed=1)
    save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3}, tmp_path / "ckpt.npz")

    checkpoint = load(tmp_path / "ckpt.npz")
    resumed = nn.MLP([2, 8, 1], activation="tanh")
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer = optim.Adam(resumed.parameters())
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 3
    assert resumed_optimizer.param_groups[0]["betas"] == (0.9, 0.999)

    train(model, optimizer, 3, seed=2)
    train(resumed, resumed_optimizer, 3, seed=2)
    for (name, mine), (_, theirs) in zip(model.named_parameters(), resumed.named_parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data, err_msg=name)


def test_failing_save_leaves_the_old_file_intact_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": ta.ones(3)}, path)
    original = path.read_bytes()
    real_write_array = np.lib.format.write_array
    written = []

    def write_one_then_fail(*args, **kwargs):
        if written:
            raise OSError("disk full")
        written.append(True)
        return real_write_array(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_one_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save({"w": ta.zeros(3), "b": ta.zeros(1)}, path)
    assert written == [True]
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "model.npz"
    save({"w": ta.ones(3)}, path)
    save({"w": ta.zeros(2)}, path)
    np.testing.assert_array_equal(load(path)["w"].data, np.zeros(2))
    assert os.listdir(tmp_path) == ["model.npz"]


def test_load_refuses_a_pickle_file(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"w": np.ones(2)}))
    with pytest.raises(ValueError, match="holds pickled data, which ta.load never reads"):
        load(path)


def test_load_refuses_an_archive_with_pickled_object_arrays(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, w=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="holds pickled data"):
        load(path)


def test_save_refuses_object_arrays(tmp_path):
    with pytest.raises(TypeError, match="value at 'model/w' is an object array"):
        save({"model": {"w": np.array([None, 1], dtype=object)}}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_save_refuses_values_it_cannot_store_without_pickle(tmp_path):
    with pytest.raises(TypeError, match="cannot store a set at 'tags'"):
        save({"tags": {"a", "b"}}, tmp_path / "x.npz")


def test_save_refuses_keys_that_would_collide(tmp_path):
    with pytest.raises(ValueError, match="two entries would both be stored as 'a/b'"):
        save({"a/b": 1, "a": {"b": 2}}, tmp_path / "x.npz")


def test_plain_npz_loads_as_a_dict_of_arrays(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones(2), b=np.zeros(1))
    loaded = load(tmp_path / "plain.npz")
    assert sorted(loaded) == ["b", "w"]
    np.testing.assert_array_equal(loaded["w"], np.ones(2))


def test_save_accepts_string_paths(tmp_path):
    path = str(tmp_path / "model.npz")
    serialization.save({"w": ta.ones(1)}, path)
    assert load(path)["w"].item() == 1.0
