"""ta.save / ta.load on the unhappy paths: every unreadable file is a CheckpointError naming the file
and its fault, damage is never loaded silently, and no save leaves a temporary file behind."""

import os
import pickle
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import tinygrad_act as ta
from tinygrad_act import nn, optim
from tinygrad_act.device import device
from tinygrad_act.serialization import CheckpointError, load, save


def checkpoint_bytes(tmp_path) -> bytes:
    save({"model": {"w": ta.ones(2, 2)}, "epoch": 3, "pair": (1.0, 2)}, tmp_path / "base.npz")
    return (tmp_path / "base.npz").read_bytes()


def temporaries(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


# ---------------------------------------------------------------- files that are not checkpoints


def test_load_refuses_a_npy_file_saying_it_holds_one_array(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones(3))
    with pytest.raises(CheckpointError, match=f"load: {path} is a single .npy array, not a checkpoint archive"):
        load(path)


@pytest.mark.parametrize("content", [b"hello, world\n", bytes(range(7, 107))])
def test_load_refuses_text_or_random_bytes_without_claiming_they_are_pickled(tmp_path, content):
    path = tmp_path / "notes.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=f"load: {path} is not a checkpoint: ta.load reads .npz") as error:
        load(path)
    assert "pickle" not in str(error.value)


def test_load_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(CheckpointError, match=rf"load: {path} is empty \(0 bytes\)"):
        load(path)


def test_load_refuses_a_truncated_checkpoint(tmp_path):
    content = checkpoint_bytes(tmp_path)
    path = tmp_path / "truncated.npz"
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(CheckpointError, match=f"load: {path} is damaged or truncated: it cannot be read as an .npz"):
        load(path)


def test_load_refuses_a_pickle_saying_it_never_unpickles(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"w": [1.0, 2.0]}, protocol=4))
    with pytest.raises(CheckpointError, match=f"load: {path} holds pickled data, which ta.load never reads"):
        load(path)


def test_load_refuses_a_zip_holding_a_pickle_as_torch_save_writes(tmp_path):
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"w": 1}))
    with pytest.raises(CheckpointError, match=r"holds pickled data \(in archive/data.pkl\)"):
        load(path)


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


def test_load_of_a_missing_file_raises_file_not_found_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load(tmp_path / "missing.npz")


# ---------------------------------------------------------------- damaged checkpoints


def test_a_flipped_byte_in_the_manifest_is_detected(tmp_path):
    content = bytearray(checkpoint_bytes(tmp_path))
    content[content.index('"format"'.encode("utf-32-le")) + 4] ^= 0x01  # the manifest is UTF-32
    path = tmp_path / "flipped.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=f"load: {path} is damaged or truncated: .*Bad CRC-32"):
        load(path)


def test_a_checkpoint_whose_manifest_is_gone_is_not_loaded_as_a_plain_npz(tmp_path):
    path = tmp_path / "stripped.npz"
    save({"w": ta.ones(2)}, tmp_path / "full.npz")
    with zipfile.ZipFile(tmp_path / "full.npz") as full, zipfile.ZipFile(path, "w") as stripped:
        stripped.comment = full.comment
        stripped.writestr("w.npy", full.read("w.npy"))
    with pytest.raises(CheckpointError, match=f"load: {path} is damaged: it was written by ta.save but its "
                                              "manifest .* is missing"):
        load(path)


def test_every_single_bit_flip_of_a_checkpoint_is_detected_or_harmless(tmp_path):
    content = checkpoint_bytes(tmp_path)
    expected = load(tmp_path / "base.npz")
    path = tmp_path / "flipped.npz"
    for position in range(len(content)):
        flipped = bytearray(content)
        flipped[position] ^= 0x01
        path.write_bytes(flipped)
        try:
            loaded = load(path)
        except CheckpointError:
            continue
        assert loaded.keys() == expected.keys(), position  # a flip zip ignores (a timestamp, ...)
        np.testing.assert_array_equal(loaded["model"]["w"].data, expected["model"]["w"].data)
        assert (loaded["epoch"], loaded["pair"]) == (3, (1.0, 2)), position


def test_a_manifest_naming_a_missing_array_is_reported(tmp_path):
    content = bytearray(checkpoint_bytes(tmp_path))
    # Rename one member in the central directory only: "pair/0.npy" becomes a second "pair/1.npy".
    directory = content.rindex(b"pair/0.npy")
    content[directory + 5] = ord("1")
    path = tmp_path / "renamed.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="its manifest names the array 'pair/0', which the archive does not"):
        load(path)


def test_an_archive_holding_arrays_its_manifest_does_not_list_is_refused(tmp_path):
    save({"w": ta.ones(2)}, tmp_path / "full.npz")
    path = tmp_path / "extra.npz"
    with zipfile.ZipFile(tmp_path / "full.npz") as full, zipfile.ZipFile(path, "w") as extended:
        for name in full.namelist():
            extended.writestr(name, full.read(name))
        extended.writestr("intruder.npy", full.read("w.npy"))
    with pytest.raises(CheckpointError, match="holds arrays its manifest does not list: intruder"):
        load(path)


def test_plain_npz_without_manifest_still_loads_as_a_dict(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.arange(3))
    loaded = load(tmp_path / "plain.npz")
    np.testing.assert_array_equal(loaded["w"], np.arange(3))


# ---------------------------------------------------------------- PyTorch's keyword arguments


@pytest.mark.parametrize("weights_only", [True, False])
def test_load_accepts_weights_only(tmp_path, weights_only):
    save({"w": ta.ones(2)}, tmp_path / "w.npz")
    np.testing.assert_array_equal(load(tmp_path / "w.npz", weights_only=weights_only)["w"].data, [1, 1])


def test_weights_only_false_still_never_unpickles(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps([1], protocol=2))
    with pytest.raises(CheckpointError, match="holds pickled data"):
        ta.load(path, weights_only=False)


@pytest.mark.parametrize("map_location", [None, "cpu", "cpu:0", device("cpu"), {"cuda:0": "cpu"}])
def test_load_accepts_a_map_location_naming_the_cpu(tmp_path, map_location):
    save({"w": ta.ones(2)}, tmp_path / "w.npz")
    assert load(tmp_path / "w.npz", map_location=map_location)["w"].shape == (2,)


@pytest.mark.parametrize("map_location", ["cuda", "cuda:1", {"cpu": "mps"}])
def test_load_refuses_a_map_location_other_than_the_cpu(tmp_path, map_location):
    save({"w": ta.ones(2)}, tmp_path / "w.npz")
    with pytest.raises(RuntimeError, match=r"load: map_location=.*runs on numpy on the CPU only"):
        load(tmp_path / "w.npz", map_location=map_location)


# ---------------------------------------------------------------- 0-d values


def test_0d_array_and_0d_tensor_come_back_0d(tmp_path):
    save({"array": np.array(2.5), "tensor": ta.tensor(np.float32(1.5))}, tmp_path / "scalars.npz")
    loaded = load(tmp_path / "scalars.npz")
    assert type(loaded["array"]) is np.ndarray and loaded["array"].shape == () and loaded["array"] == 2.5
    assert isinstance(loaded["tensor"], ta.Tensor) and loaded["tensor"].shape == ()
    assert loaded["tensor"].dtype == np.float32 and loaded["tensor"].item() == 1.5


def test_optimizer_state_of_a_0d_parameter_round_trips(tmp_path):
    scale = ta.tensor(np.float32(2.0), requires_grad=True)
    optimizer = optim.Adam([scale], lr=0.1)
    (scale * scale).backward()
    optimizer.step()
    save(optimizer.state_dict(), tmp_path / "optimizer.npz")
    state = load(tmp_path / "optimizer.npz")["state"][0]
    for key, value in optimizer.state_dict()["state"][0].items():
        assert type(state[key]) is type(value), key
        if isinstance(value, np.ndarray):
            assert state[key].shape == () and state[key].dtype == value.dtype
            np.testing.assert_array_equal(state[key], value)
    restored = optim.Adam([ta.tensor(np.float32(2.0), requires_grad=True)], lr=0.1)
    restored.load_state_dict(load(tmp_path / "optimizer.npz"))


# ---------------------------------------------------------------- saving: folders and temporary files


def test_save_into_a_missing_folder_names_the_folder(tmp_path):
    folder = tmp_path / "runs" / "today"
    with pytest.raises(FileNotFoundError, match=f"save: cannot write .*: the folder {folder} does not exist"):
        save({"w": ta.ones(1)}, folder / "model.npz")
    assert os.listdir(tmp_path) == []


def test_save_of_a_value_it_cannot_store_leaves_no_file(tmp_path):
    with pytest.raises(TypeError, match="cannot store a set"):
        save({"tags": {"a"}}, tmp_path / "model.npz")
    assert os.listdir(tmp_path) == []


def test_save_failing_at_the_rename_leaves_no_temporary(tmp_path, monkeypatch):
    def failing_replace(source, destination):
        raise OSError("rename refused")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename refused"):
        save({"w": ta.ones(1)}, tmp_path / "model.npz")
    assert os.listdir(tmp_path) == []


def test_save_removes_stale_temporaries_of_the_same_path_only(tmp_path):
    (tmp_path / ".model.npz.abcd_123.tmp").write_bytes(b"left by a killed save")
    (tmp_path / ".other.npz.abcd_123.tmp").write_bytes(b"another path's")
    (tmp_path / ".model.npz.backup.tmp.keep").write_bytes(b"not a temporary name")
    save({"w": ta.ones(1)}, tmp_path / "model.npz")
    assert sorted(os.listdir(tmp_path)) == [".model.npz.backup.tmp.keep", ".other.npz.abcd_123.tmp", "model.npz"]


HANGING_SAVE = """
import sys, time
import numpy as np
import tinygrad_act as ta

real_write_array = np.lib.format.write_array

def write_then_hang(*args, **kwargs):
    real_write_array(*args, **kwargs)
    print("writing", flush=True)
    time.sleep(120)

np.lib.format.write_array = write_then_hang
ta.save({"w": ta.zeros(3)}, sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_save_killed_midway_leaves_the_old_file_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "model.npz"
    save({"w": ta.ones(3)}, path)
    writer = subprocess.Popen([sys.executable, "-c", HANGING_SAVE, str(path)], stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline() == b"writing\n"
        save({"w": ta.full((3,), 2.0)}, path)  # a save running beside it keeps its temporary
        assert len(temporaries(tmp_path)) == 1
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    np.testing.assert_array_equal(load(path)["w"].data, [2.0, 2.0, 2.0])
    assert len(temporaries(tmp_path)) == 1
    save({"w": ta.full((3,), 4.0)}, path)
    assert os.listdir(tmp_path) == ["model.npz"]
    np.testing.assert_array_equal(load(path)["w"].data, [4.0, 4.0, 4.0])


def test_model_reloads_after_a_failed_save_attempt(tmp_path):
    model = nn.Linear(2, 2)
    save(model.state_dict(), tmp_path / "model.npz")
    with pytest.raises(TypeError):
        save({"model": model.state_dict(), "bad": object()}, tmp_path / "model.npz")
    nn.Linear(2, 2).load_state_dict(load(tmp_path / "model.npz"))
