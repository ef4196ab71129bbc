"""Fixtures of the command-line tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tinygrad_act.cli import main


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture) -> Callable[[list[str]], str]:
    """Run `tinygrad-act argv`, assert it succeeded, and return what it printed."""

    def run(argv: list[str]) -> str:
        assert main(argv) == 0
        return capsys.readouterr().out

    return run
