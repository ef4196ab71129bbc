"""ta.save / ta.load in the safetensors format: a bit-identical round trip of model, optimizer and
scheduler; tensors under PyTorch's dotted names, readable by safetensors.torch and back."""

import os

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn, optim, safetensors_format
from tinygrad_act.optim.lr_scheduler import CosineAnnealingLR
from tinygrad_act.serialization import CheckpointError, load, save


def assert_identical(restored, original, where="top"):
    """Same structure, same types (an OrderedDict comes back a dict, as from .npz), and arrays with the
    same dtype, shape and bits."""
    assert type(restored) is (dict if isinstance(original, dict) else type(original)), where
    if isinstance(original, dict):
        assert list(restored) == list(original), where
        for key in original:
            assert_identical(restored[key], original[key], f"{where}.{key}")
    elif isinstance(original, (list, tuple)):
        assert len(restored) == len(original), where
        for index, (mine, theirs) in enumerate(zip(restored, original)):
            assert_identical(mine, theirs, f"{where}.{index}")
    elif isinstance(original, (Tensor, np.ndarray)):
        mine, theirs = (value.data if isinstance(value, Tensor) else value for value in (restored, original))
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape, where
        assert mine.tobytes() == theirs.tobytes(), where
    else:
        assert restored == original or (restored != restored and original != original), where


def trained_checkpoint(rng):
    ta.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    optimizer = optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99))
    scheduler = CosineAnnealingLR(optimizer, T_max=10)
    for _ in range(3):
        optimizer.zero_grad()
        F.cross_entropy(model(Tensor(rng.standard_normal((8, 4)))), rng.integers(0, 3, 8)).backward()
        optimizer.step()
        scheduler.step()
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "epoch": 3, "note": "warm-up done", "best": float("inf"), "ids": (1, None, True)}


def test_model_optimizer_and_scheduler_round_trip_bit_identically(tmp_path, rng):
    checkpoint = trained_checkpoint(rng)
    save(checkpoint, tmp_path / "checkpoint.safetensors")
    assert_identical(load(tmp_path / "checkpoint.safetensors"), checkpoint)


def test_a_safetensors_file_is_recognised_by_its_content_whatever_its_name(tmp_path):
    save({"w": ta.ones(2)}, tmp_path / "model.safetensors")
    os.rename(tmp_path / "model.safetensors", tmp_path / "model.bin")
    np.testing.assert_array_equal(load(tmp_path / "model.bin")["w"].data, np.ones(2, np.float32))


def test_tensors_sit_under_dotted_names_and_the_rest_in_the_header_metadata(tmp_path, rng):
    save(trained_checkpoint(rng), tmp_path / "checkpoint.safetensors")
    tensors, metadata = safetensors_format.read((tmp_path / "checkpoint.safetensors").read_bytes())
    assert {"model.0.weight", "model.1.running_var", "optimizer.state.0.exp_avg"} <= set(tensors)
    assert not any(name.startswith(("scheduler", "epoch", "note")) for name in tensors)
    assert list(metadata) == ["tinygrad_act"] and '"warm-up done"' in metadata["tinygrad_act"]


def test_the_safetensors_package_reads_our_file_with_its_metadata(tmp_path):
    safetensors = pytest.importorskip("safetensors")
    model = nn.MLP([3, 4, 2])
    save({"model": model.state_dict(), "step": 7}, tmp_path / "checkpoint.safetensors")
    with safetensors.safe_open(str(tmp_path / "checkpoint.safetensors"), framework="np") as file:
        assert sorted(file.keys()) == ["model.0.bias", "model.0.weight", "model.2.bias", "model.2.weight"]
        np.testing.assert_array_equal(file.get_tensor("model.2.weight"), model[2].weight.data)
        assert '"step"' in file.metadata()["tinygrad_act"]


def test_a_state_dict_saved_here_loads_into_the_same_pytorch_model(tmp_path, rng):
    torch = pytest.importorskip("torch")
    load_file = pytest.importorskip("safetensors.torch").load_file
    ta.manual_seed(0)
    model = nn.MLP([4, 8, 3], activation="tanh")
    save(model.state_dict(), tmp_path / "model.safetensors")
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    state = load_file(str(tmp_path / "model.safetensors"))
    assert {name: tuple(value.shape) for name, value in state.items()} == {
        name: value.shape for name, value in model.state_dict().items()}
    torch_model.load_state_dict(state)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(torch_model(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data,
                               rtol=1e-6, atol=1e-6)


def test_a_pytorch_state_dict_saved_with_safetensors_loads_here(tmp_path, rng):
    torch = pytest.importorskip("torch")
    save_file = pytest.importorskip("safetensors.torch").save_file
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    save_file(torch_model.state_dict(), str(tmp_path / "torch.safetensors"))
    state = load(tmp_path / "torch.safetensors")
    assert all(isinstance(value, np.ndarray) for value in state.values())
    model = nn.MLP([4, 8, 3], activation="relu")
    model.load_state_dict(state)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(model(Tensor(x)).data, torch_model(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_a_truncated_safetensors_file_is_refused(tmp_path, rng):
    save(trained_checkpoint(rng), tmp_path / "checkpoint.safetensors")
    content = (tmp_path / "checkpoint.safetensors").read_bytes()
    (tmp_path / "checkpoint.safetensors").write_bytes(content[:-10])
    with pytest.raises(CheckpointError, match="is a damaged or truncated safetensors file: its entry for .* does not fit"):
        load(tmp_path / "checkpoint.safetensors")


def test_a_dtype_safetensors_cannot_hold_is_refused_with_the_alternative(tmp_path):
    with pytest.raises(TypeError, match=r"'z' has dtype complex128, which the safetensors format cannot hold.*\.npz"):
        save({"z": np.zeros(2, dtype=complex)}, tmp_path / "complex.safetensors")
    assert os.listdir(tmp_path) == []


def test_a_failing_safetensors_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    save({"w": ta.ones(3)}, path)
    original = path.read_bytes()

    def fail(file, tensors, metadata):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(safetensors_format, "write", fail)
    with pytest.raises(OSError, match="disk full"):
        save({"w": ta.zeros(3)}, path)
    assert path.read_bytes() == original and os.listdir(tmp_path) == ["model.safetensors"]
