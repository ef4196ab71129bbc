"""The generic adapter from experiments to commands (cli/adapter.py) and the Settings protocol:
flags come from Settings knobs, --quick fills only what the user did not give, bad values exit with
status 2 and a one-line message, and a newly registered experiment appears everywhere by itself."""

from __future__ import annotations

import dataclasses
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from tinygrad_act import experiments
from tinygrad_act.cli import build_parser, main
from tinygrad_act.experiments import mnist, registered, vanishing, xor
from tinygrad_act.experiments.protocol import About, SettingsBase, command_line, flag_name, knob, resolve
from tinygrad_act.viz.tables import Table


@pytest.mark.parametrize("argv, message", [
    (["mnist", "--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
    (["mnist", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
    (["xor", "--lr", "-1"], "argument --lr: must be greater than 0, got -1"),
    (["graph", "--out", "picture"], "argument --out: picture: the extension must be one of .svg, .png, .pdf, .dot"),
    (["graph", "--out", "picture.jpg"], "the extension must be one of"),
    (["activations", "--plot", "gallery.txt"], "the extension must be one of .png, .svg, .pdf"),
    (["dying-relu", "--widths", "2", "0"], "argument --widths: must be at least 1, got 0"),
])
def test_invalid_values_exit_2_with_the_allowed_range(argv, message, cli_refusal):
    assert message in cli_refusal(argv).strip().splitlines()[-1]


def test_an_out_dir_that_cannot_be_created_is_refused(tmp_path, cli_refusal):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for argv in (["selu", "--out-dir", str(blocker / "sub")], ["report", "--out", str(blocker / "sub")]):
        assert "cannot create the folder" in cli_refusal(argv).strip().splitlines()[-1]


def test_quick_fills_only_the_values_the_user_did_not_give():
    assert resolve(mnist.Settings, {"epochs": 1}, quick=True).epochs == 1
    assert resolve(xor.Settings, {"steps": 5}, quick=True).steps == 5
    assert resolve(xor.Settings, {}, quick=True).steps == xor.Settings.quick().steps == 300
    assert resolve(xor.Settings, {}, quick=False) == xor.Settings()


def test_xor_quick_with_steps_runs_the_steps_given(capsys):
    assert main(["xor", "--quick", "--steps", "5"]) == 0
    assert "5 steps of adam" in capsys.readouterr().out


def test_settings_check_their_knobs_outside_the_cli_too():
    with pytest.raises(ValueError, match=r"Settings.batch_size: must be at least 1, got 0"):
        vanishing.Settings(batch_size=0)


def test_every_knob_is_a_flag_of_its_command():
    commands = build_parser()._subparsers._group_actions[0].choices
    for experiment in registered():
        options = commands[experiment.ABOUT.command_name]._option_string_actions
        for field in dataclasses.fields(experiment.Settings):
            assert flag_name(field) in options, (experiment.ABOUT.key, field.name)


def test_command_line_carries_switches_first_and_only_the_given_values():
    argv = command_line(xor, {"compare": True, "seed": 0}, quick=True)
    assert argv == ["xor", "--compare", "--quick", "--seed", "0"]
    assert build_parser().parse_args(argv).compare is True


def test_xor_compare_prints_only_the_footnotes_that_apply(capsys):
    assert main(["xor", "--compare", "--quick", "--activations", "relu", "tanh"]) == 0
    output = capsys.readouterr().out
    assert "identity:" not in output and "step:" not in output


# ---------------------------------------------------------------- a new experiment is one module + one line


@dataclass(frozen=True)
class ToySettings(SettingsBase):
    count: int = knob(3, "how many squares", quick=2, at_least=1)


def _toy_module() -> types.ModuleType:
    toy = types.ModuleType("tinygrad_act.experiments.toy")
    toy.ABOUT = About("toy", "Toy squares", "print a few squares", "A toy experiment that squares numbers. " * 6,
                      out_dir=False)
    toy.Settings = ToySettings
    toy.run = lambda settings: settings
    toy.tables = lambda result: [Table(["n", "n^2"], [[n, n * n] for n in range(result.count)], "squares")]
    toy.figures = lambda result, folder: {}
    toy.notes = lambda result: [f"{result.count} squares"]
    return toy


@pytest.fixture
def toy(monkeypatch) -> types.ModuleType:
    module = _toy_module()
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(experiments, "REGISTERED", (*experiments.REGISTERED, "toy"))
    return module


def test_a_registered_experiment_is_a_command_in_the_help(toy, capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "print a few squares" in capsys.readouterr().out
    assert main(["toy", "--quick"]) == 0
    output = capsys.readouterr().out
    assert "squares:" in output and "2 squares" in output


def test_a_registered_experiment_is_a_section_of_the_report(toy, tmp_path):
    from tinygrad_act import report

    section = report.experiment_section(toy, report.ReportOptions(quick=True), Path(tmp_path))
    assert section.commands == ["tinygrad-act toy --quick"]
    assert section.tables[0].texts() == [["0", "0"], ["1", "1"]]
