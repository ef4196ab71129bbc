"""The README's code runs as written, so its examples cannot drift from the library."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_python_examples():
    assert len(python_blocks()) >= 3


def test_readme_python_blocks_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys,
                                           scratch_names: list[str]):
    monkeypatch.chdir(tmp_path)  # the examples write a checkpoint and a plot
    scratch_names.append("swish")  # the README registers it; undone after the test
    namespace: dict = {}
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["ta"].gradcheck(lambda t: t.swish(beta=2.0), namespace["Tensor"](
        [0.3, -1.2], requires_grad=True))
    assert (tmp_path / "checkpoint.npz").exists() and (tmp_path / "gradient_flow.png").exists()
    assert "gradient flow after 20 backward call(s)" in capsys.readouterr().out
