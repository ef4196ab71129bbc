"""viz.graph: computation-graph pictures coloured by gradient size (DOT text, and real files via `dot`)."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import time
import weakref
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn
from tinygrad_act.viz import draw_graph, render, to_dot, watch
from tinygrad_act.viz.graph_structure import recorded_grad_norm

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "computation_graph.py"
NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\t(\w+) -> (\w+)", re.M)
TITLE = re.compile(r"<B>(.*?)</B>")
FILL = re.compile(r'fillcolor="(#[0-9a-f]{6})"')


def nodes(dot: str) -> dict[str, str]:
    """Drawn node id -> its attribute text (the legend and the collapse note left out)."""
    return {name: attributes for name, attributes in NODE.findall(dot)
            if name not in ("graph", "node", "edge", "legend", "note")}


def titles(dot: str) -> dict[str, str]:
    return {name: TITLE.search(attributes).group(1) for name, attributes in nodes(dot).items()}


def edges_by_title(dot: str) -> set[tuple[str, str]]:
    names = titles(dot)
    return {(names[start], names[end]) for start, end in EDGE.findall(dot)}


def luminance(attributes: str) -> float:
    red, green, blue = (int(FILL.search(attributes).group(1)[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def node_titled(dot: str, title: str) -> str:
    return next(attributes for name, attributes in nodes(dot).items() if titles(dot)[name] == title)


@pytest.fixture
def small() -> tuple[Tensor, dict[str, Tensor]]:
    """(x * w + b).sum() after a watched backward, with its three leaves named."""
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    y = (x * w + b).sum()
    watch(y)
    y.backward()
    return y, {"x": x, "w": w, "b": b}


def mlp_loss(sizes: list[int], activation: str, **mlp_options) -> tuple[Tensor, nn.MLP]:
    ta.manual_seed(0)
    model = nn.MLP(sizes, activation=activation, **mlp_options)
    rng = np.random.default_rng(0)
    loss = F.cross_entropy(model(Tensor(rng.standard_normal((16, sizes[0])))), rng.integers(0, sizes[-1], 16))
    watch(loss)
    loss.backward()
    return loss, model


# ------------------------------------------------------------ structure


def test_small_graph_has_a_node_per_leaf_op_and_output(small):
    y, params = small
    dot = to_dot(y, params=params)
    assert sorted(titles(dot).values()) == ["add", "b", "mul", "output", "sum", "w", "x"]


def test_edges_follow_the_data_from_inputs_to_output(small):
    y, params = small
    dot = to_dot(y, params=params)
    assert len(EDGE.findall(dot)) == 6
    assert edges_by_title(dot) == {("x", "mul"), ("w", "mul"), ("mul", "add"), ("b", "add"),
                                   ("add", "sum"), ("sum", "output")}


def test_inputs_that_need_no_gradient_are_not_drawn():
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = (Tensor([3.0, 4.0]) * w).sum()
    assert sorted(titles(to_dot(y, params={"w": w})).values()) == ["mul", "output", "sum", "w"]


def test_parameters_are_named_from_params_and_other_leaves_by_kind():
    loss, model = mlp_loss([4, 8, 3], "relu")
    named = set(titles(to_dot(loss, params=dict(model.named_parameters()))).values())
    assert {"0.weight", "0.bias", "2.weight", "2.bias", "linear", "relu", "crossentropy"} <= named
    assert "parameter" in titles(to_dot(loss)).values()


def test_activation_nodes_carry_their_parameters():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    assert "leaky_relu(0.2)" in titles(to_dot(x.leaky_relu(0.2).sum())).values()


def test_nodes_show_shape_and_dtype():
    x = Tensor(np.ones((4, 3)), requires_grad=True, dtype=np.float64)
    dot = to_dot((x * 2.0).sum())
    assert "(4, 3) float64" in node_titled(dot, "mul")
    assert "scalar float64" in node_titled(dot, "output")


def test_a_leaf_root_is_drawn_alone():
    x = Tensor([1.0], requires_grad=True)
    assert titles(to_dot(x, params={"x": x})) == {"leaf0": "x"}


def test_a_leaf_used_by_many_ops_is_drawn_again_beside_each_use():
    w = Tensor(1.5, requires_grad=True)
    z = Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(6):
        z = z * w
    dot = to_dot(z.sum(), params={"w": w})
    copies = [name for name, title in titles(dot).items() if title == "w"]
    assert len(copies) == 6
    assert all(EDGE.findall(dot).count((copy, end)) <= 1 for copy in copies for end in titles(dot))


# ------------------------------------------------------------ gradients and colours


def test_watch_records_the_norm_of_each_op_output_gradient(small):
    y, _ = small
    sum_node = y.grad_fn
    add_node = sum_node.parents[0]
    mul_node = add_node.parents[0]
    assert recorded_grad_norm(sum_node) == pytest.approx(1.0)
    assert recorded_grad_norm(add_node) == pytest.approx(np.sqrt(3.0))
    assert recorded_grad_norm(mul_node) == pytest.approx(np.sqrt(3.0))


def test_watching_twice_records_once():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3.0).sum()
    watch(y)
    watch(y)
    assert len(y.grad_fn.hooks) == 1


def test_watch_leaves_no_reference_cycle():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3.0).sum()
    watch(y)
    node = weakref.ref(y.grad_fn)
    gc.disable()
    try:
        del y
        assert node() is None
    finally:
        gc.enable()


def test_labels_show_the_gradient_norm_of_leaves_and_watched_ops(small):
    y, params = small
    dot = to_dot(y, params=params)
    assert "‖grad‖ = 2.29" in node_titled(dot, "x")  # |w| = sqrt(0.25 + 1 + 4)
    assert "‖grad‖ = 1.73" in node_titled(dot, "add")


def test_unwatched_ops_have_no_gradient_and_the_legend_says_why():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3.0).sum()
    y.backward()
    dot = to_dot(y, params={"x": x})
    assert "‖grad‖" in node_titled(dot, "x")
    assert "‖grad‖" not in node_titled(dot, "mul")
    assert "call watch() before backward" in dot


def test_show_grad_false_hides_the_numbers(small):
    y, params = small
    assert "‖grad‖" not in to_dot(y, params=params, show_grad=False)


def test_larger_gradients_are_darker():
    small_grad = Tensor([1.0], requires_grad=True)
    large_grad = Tensor([1.0], requires_grad=True)
    y = (small_grad * 1e-3 + large_grad * 2.0).sum()
    y.backward()
    dot = to_dot(y, params={"small": small_grad, "large": large_grad})
    assert luminance(node_titled(dot, "large")) < luminance(node_titled(dot, "small"))


def test_the_legend_names_each_decade_shown():
    large, small = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    y = (large * 2.0 + small * 2e-3).sum()
    y.backward()
    legend = next(line for line in to_dot(y).splitlines() if "legend [" in line)
    assert "log10 scale" in legend
    for decade in ("1e0 to 1e1", "1e-1 to 1e0", "1e-2 to 1e-1", "1e-3 to 1e-2"):
        assert decade in legend
    assert "1e-4" not in legend


def test_a_zero_gradient_is_grey_with_a_red_border_and_says_zero():
    ta.manual_seed(0)
    model = nn.MLP([4, 8, 8, 3], activation="relu")
    model[2].bias.data[:] = -100.0  # every unit of the second ReLU layer is off: a dead layer
    loss = F.cross_entropy(model(Tensor(np.ones((2, 4)))), np.array([0, 1]))
    watch(loss)
    loss.backward()
    dot = to_dot(loss, params=dict(model.named_parameters()))
    for title in ("2.weight", "2.bias"):
        assert "zero" in node_titled(dot, title)
        assert 'color="#d62728"' in node_titled(dot, title)
    assert "zero" not in node_titled(dot, "4.bias")  # 4.weight sees only zeros, so its gradient is zero too
    assert "zero gradient" in dot


def test_a_deep_sigmoid_net_fades_toward_the_input():
    loss, model = mlp_loss([4, 8, 8, 8, 8, 8, 3], "sigmoid")
    dot = to_dot(loss, params=dict(model.named_parameters()))
    weights = [luminance(node_titled(dot, f"{2 * layer}.weight")) for layer in range(6)]
    assert weights == sorted(weights, reverse=True)
    assert weights[0] > weights[-1]


def test_color_by_kind_has_a_legend_of_kinds(small):
    y, params = small
    dot = to_dot(y, params=params, color_by="kind")
    assert "node kind" in dot
    assert FILL.search(node_titled(dot, "mul")).group(1) != FILL.search(node_titled(dot, "x")).group(1)


# ------------------------------------------------------------ options


def test_show_backward_order_numbers_ops_from_the_output(small):
    y, params = small
    names = set(titles(to_dot(y, params=params, show_backward_order=True)).values())
    assert {"#1 sum", "#2 add", "#3 mul"} <= names


def test_show_data_writes_a_scalar_as_micrograd_does(small):
    y, params = small
    dot = to_dot(y, params=params, show_data=True)
    assert "data 2 | grad 3" in node_titled(dot, "b")
    assert "data [1, 2, 3]" in node_titled(dot, "x")
    assert "data 10.5" in node_titled(dot, "output")


def test_show_data_summarises_a_big_tensor():
    x = Tensor(np.arange(10.0), requires_grad=True)
    dot = to_dot((x * 2.0).sum(), params={"x": x}, show_data=True)
    assert "mean 4.5" in node_titled(dot, "x") and "max 9" in node_titled(dot, "x")


def test_group_by_module_draws_a_box_per_module_named_by_its_path():
    loss, model = mlp_loss([4, 8, 3], "tanh")
    dot = to_dot(loss, params=dict(model.named_parameters()), group_by_module=True)
    clusters = re.findall(r"subgraph (cluster_\d+) \{\n\tlabel=\"([^\"]*)\"", dot.replace("\t\t", "\t"))
    assert [label for _, label in clusters] == ["0: Linear", "tanh", "2: Linear"]  # the activation named as the CLI names it
    first = dot.split("subgraph cluster_0 {")[1].split("}")[0]
    assert "0.weight" in first and "0.bias" in first and "2.weight" not in first


def test_passing_the_model_names_every_module_and_parameter_by_its_path():
    loss, model = mlp_loss([4, 8, 3], "leaky_relu")
    dot = to_dot(loss, params=model, group_by_module=True)
    clusters = re.findall(r"subgraph (cluster_\d+) \{\n\tlabel=\"([^\"]*)\"", dot.replace("\t\t", "\t"))
    assert [label for _, label in clusters] == ["0: Linear", "1: leaky_relu", "2: Linear"]
    assert to_dot(loss, params=model) == to_dot(loss, params=dict(model.named_parameters()))


def test_rankdir_is_passed_to_graphviz(small):
    y, params = small
    assert "rankdir=TB" in to_dot(y, params=params, rankdir="TB")


@pytest.mark.parametrize("option", [{"color_by": "size"}, {"rankdir": "up"}, {"max_nodes": 0}])
def test_invalid_options_are_refused(small, option):
    with pytest.raises(ValueError):
        to_dot(small[0], **option)


# ------------------------------------------------------------ big graphs


def test_more_ops_than_max_nodes_are_collapsed_with_a_note():
    loss, model = mlp_loss([4] + [8] * 30 + [3], "sigmoid")
    dot = to_dot(loss, params=dict(model.named_parameters()), max_nodes=12)
    ops = [name for name in nodes(dot) if name.startswith("op")]
    assert len(ops) <= 12
    assert "62 ops is more than max_nodes=12" in dot
    assert "(sigmoid → linear) × " in dot or "(linear → sigmoid) × " in dot


def test_a_wide_graph_keeps_the_ops_nearest_the_output():
    leaves = [Tensor([float(i)], requires_grad=True) for i in range(30)]
    total = ta.cat([leaf * 2.0 for leaf in leaves]).sum()
    dot = to_dot(total, max_nodes=5)
    assert len([name for name in nodes(dot) if name.startswith("op")]) == 5
    assert "earliest ops (furthest from the output) are one box" in dot


def test_a_ten_thousand_op_chain_is_walked_without_recursion():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    y = y.sum()
    watch(y)
    y.backward()
    dot = to_dot(y, params={"x": x})
    assert "mul × " in dot
    assert len([name for name in nodes(dot) if name.startswith("op")]) <= 200


@pytest.mark.needs_dot
def test_a_thousand_op_graph_renders_to_svg_in_under_five_seconds(tmp_path):
    loss, model = mlp_loss([4] + [8] * 499 + [3], "tanh")
    start = time.perf_counter()
    render(loss, tmp_path / "big.svg", params=dict(model.named_parameters()), max_nodes=1_000)
    elapsed = time.perf_counter() - start
    assert ET.parse(tmp_path / "big.svg").getroot().tag.endswith("svg")
    assert elapsed < 5.0


# ------------------------------------------------------------ rendering with Graphviz


def svg_text(path: Path) -> str:
    return " ".join(element.text or "" for element in ET.parse(path).getroot().iter())


@pytest.mark.needs_dot
def test_draw_graph_wraps_the_same_dot_text_and_shows_in_jupyter(small):
    y, params = small
    graph = draw_graph(y, params=params, show_backward_order=True)
    assert graph.source == to_dot(y, params=params, show_backward_order=True)
    assert "image/svg+xml" in graph._repr_mimebundle_()


@pytest.mark.needs_dot
def test_render_writes_an_svg_with_the_labels(tmp_path):
    loss, model = mlp_loss([4, 8, 3], "leaky_relu", negative_slope=0.2)
    path = render(loss, tmp_path / "graph.svg", params=dict(model.named_parameters()))
    text = svg_text(path)
    for label in ("0.weight", "2.bias", "linear", "leaky_relu(0.2)", "crossentropy", "(16, 8) float32"):
        assert label in text


@pytest.mark.needs_dot
def test_render_writes_a_png(tmp_path, small):
    y, params = small
    path = render(y, tmp_path / "graph.png", params=params)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.needs_dot
def test_render_accepts_a_digraph(tmp_path, small):
    y, params = small
    path = render(draw_graph(y, params=params), tmp_path / "graph.svg")
    assert "mul" in svg_text(path)


def test_without_the_graphviz_package_the_error_says_how_to_install_and_dot_text_still_works(
    tmp_path, monkeypatch, small
):
    y, params = small
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(RuntimeError) as error:
        draw_graph(y, params=params)
    for advice in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz", "to_dot"):
        assert advice in str(error.value)
    assert "mul" in render(y, tmp_path / "graph.dot", params=params).read_text()
    assert to_dot(y, params=params).startswith("digraph")
    with pytest.raises(RuntimeError, match=r"apt-get install graphviz.* The DOT text is in .*picture\.dot\.$"):
        render(y, tmp_path / "picture.svg", params=params)
    assert "mul" in (tmp_path / "picture.dot").read_text()


def test_without_the_dot_program_render_says_how_to_install(tmp_path, monkeypatch, small):
    y, params = small
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        render(y, tmp_path / "graph.svg", params=params)


@pytest.mark.needs_dot
def test_the_example_runs_quickly_and_writes_both_pictures(tmp_path):
    result = subprocess.run([sys.executable, str(EXAMPLE), "--quick", "--out-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=True)
    for name in ("mlp_graph.svg", "deep_sigmoid_graph.svg"):
        assert f"wrote {tmp_path / name}" in result.stdout
        assert "linear" in svg_text(tmp_path / name)


def test_the_example_without_dot_says_so_once_and_names_each_file_once(tmp_path):
    example = Path(__file__).resolve().parents[2] / "examples" / "computation_graph.py"
    environment = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # the venv alone: no dot
    printed = subprocess.run([sys.executable, str(example), "--out-dir", str(tmp_path)], env=environment,
                             capture_output=True, text=True, check=True).stdout
    assert printed.count("drawing a graph needs Graphviz") == 1
    wrote = [line for line in printed.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {tmp_path / 'mlp_graph.dot'}", f"wrote {tmp_path / 'deep_sigmoid_graph.dot'}"]


def test_a_long_chain_is_drawn_top_to_bottom_and_a_short_one_left_to_right():
    assert "rankdir=LR" in to_dot(mlp_loss([4, 8, 3], "relu")[0])
    assert "rankdir=TB" in to_dot(mlp_loss([4] + [8] * 8 + [3], "sigmoid")[0])


def test_render_without_dot_leaves_the_dot_text_beside_and_says_where(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program on the PATH
    loss, model = mlp_loss([4, 8, 3], "relu")
    with pytest.raises(RuntimeError, match=r"apt-get install graphviz.* The DOT text is in .*mlp\.dot\.$"):
        render(loss, tmp_path / "mlp.svg", params=model)
    assert not (tmp_path / "mlp.svg").exists()
    dot = (tmp_path / "mlp.dot").read_text()
    assert dot.startswith("digraph") and "linear" in dot
