"""`tinygrad-act graph`: draws a small MLP's loss graph to .svg/.png/.dot and prints each layer's
gradient norm, so a deep sigmoid net's fading gradients show both in the picture and in numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tinygrad_act.cli import main


def _weight_norms(output: str) -> list[float]:
    return [float(value) for value in re.findall(r"^  \d+\.weight\s+(\S+)$", output, re.M)]


@pytest.mark.needs_dot
def test_graph_writes_an_svg_and_says_where(tmp_path, run_cli):
    out = tmp_path / "graph.svg"
    output = run_cli(["graph", "--activation", "tanh", "--out", str(out)])
    assert f"to {out}" in output
    text = " ".join(element.text or "" for element in ET.parse(out).getroot().iter())
    for label in ("0.weight", "tanh", "linear", "crossentropy"):
        assert label in text


@pytest.mark.needs_dot
def test_graph_writes_a_png(tmp_path, run_cli):
    out = tmp_path / "graph.png"
    run_cli(["graph", "--out", str(out)])
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_graph_writes_dot_text_for_a_dot_file(tmp_path, run_cli):
    out = tmp_path / "graph.dot"
    run_cli(["graph", "--activation", "relu", "--out", str(out)])
    assert out.read_text().startswith("digraph computation_graph {")


def test_graph_prints_one_weight_gradient_norm_per_layer(tmp_path, run_cli):
    output = run_cli(["graph", "--depth", "3", "--out", str(tmp_path / "graph.dot")])
    assert len(_weight_norms(output)) == 4


def test_a_deep_sigmoid_net_has_much_smaller_gradients_at_the_input(tmp_path, run_cli):
    output = run_cli(["graph", "--activation", "sigmoid", "--depth", "8", "--out", str(tmp_path / "g.dot")])
    norms = _weight_norms(output)
    assert norms[0] < norms[-1] / 100


def test_group_by_module_and_backward_order_reach_the_picture(tmp_path, run_cli):
    out = tmp_path / "graph.dot"
    run_cli(["graph", "--out", str(out), "--group-by-module", "--show-backward-order"])
    text = out.read_text()
    assert 'label="0: Linear"' in text
    assert "#1 crossentropy" in text


def test_the_same_seed_draws_the_same_graph(tmp_path, run_cli):
    first, second = tmp_path / "a.dot", tmp_path / "b.dot"
    run_cli(["graph", "--seed", "3", "--out", str(first)])
    run_cli(["graph", "--seed", "3", "--out", str(second)])
    assert first.read_text() == second.read_text()


def test_an_unknown_activation_is_refused(tmp_path, cli_refusal):
    assert "nope" in cli_refusal(["graph", "--activation", "nope", "--out", str(tmp_path / "g.svg")])


def test_without_dot_the_command_says_how_to_install_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["graph", "--out", str(tmp_path / "graph.svg")]) == 1
    assert "apt-get install graphviz" in capsys.readouterr().out
