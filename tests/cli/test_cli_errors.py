"""`tinygrad-act`: a data problem (missing files, a damaged file) ends the command with its one
message on stderr and exit status 1, never a traceback."""

from __future__ import annotations

import pytest

from tinygrad_act.cli import main


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """No MNIST anywhere: an empty data folder and an empty home (so no ~/.cache copy is found)."""
    monkeypatch.setenv("TINYGRAD_ACT_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "data"


def test_a_missing_dataset_exits_with_status_1_and_says_where_to_put_the_files(empty_home, capsys):
    status = main(["mnist", "--no-download", "--no-progress"])
    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.err
    assert captured.err.startswith("tinygrad-act mnist: error: MNIST: train-images-idx3-ubyte.gz")
    assert captured.err.count("Put these files") == 1
    assert "Downloading is off" in captured.err
    assert captured.out == ""


def test_a_damaged_data_file_exits_with_status_1_and_says_to_delete_it(empty_home, capsys, tmp_path):
    folder = empty_home / "mnist"
    folder.mkdir(parents=True)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"not a gzip file")
    status = main(["vanishing", "--steps", "1", "--out-dir", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.startswith("tinygrad-act vanishing: error: ")
    assert "checksum mismatch" in captured.err and "delete it" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
