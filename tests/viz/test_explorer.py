"""The backprop explorer (viz.explore and `tinygrad-act explore`): the page's data, and the page itself
driven in headless Chromium (stepping, gradients shown, the timeline, no console errors)."""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import tinygrad_act as ta
import tinygrad_act.functional as F
from tinygrad_act import Tensor, nn, viz
from tinygrad_act.activations import register_activation
from tinygrad_act.cli import main
from tinygrad_act.experiments import explore as explore_experiment
from tinygrad_act.viz.explorer import Timeline
from tinygrad_act.viz.explorer.browser import INSTALL_HINT, headless_chromium, missing_tools
from tinygrad_act.viz.explorer.page import CONTENT_SECURITY_POLICY, DATA_ELEMENT_ID


def page_data(page: str) -> dict:
    match = re.search(
        rf'<script type="application/json" id="{DATA_ELEMENT_ID}">(.*?)</script>', page, re.DOTALL
    )
    return json.loads(match.group(1))


def xor_loss(model: nn.Module, record: bool = True) -> Tensor:
    inputs, targets = ta.data.datasets.xor()
    if not record:
        return F.binary_cross_entropy_with_logits(model(Tensor(inputs)), Tensor(targets))
    with viz.record_values():
        return F.binary_cross_entropy_with_logits(model(Tensor(inputs)), Tensor(targets))


@pytest.fixture
def xor_model(seeded) -> nn.MLP:
    return nn.MLP([2, 4, 1], activation="relu")


def reference_gradients(model: nn.Module) -> dict[str, np.ndarray]:
    """p.grad of every parameter after a plain backward of the same graph."""
    model.zero_grad()
    xor_loss(model, record=False).backward()
    return {name: p.grad.numpy().copy() for name, p in model.named_parameters()}


# ---------------------------------------------------------------- the page's data


def test_parameter_gradients_in_the_data_equal_those_of_backward(xor_model):
    data = viz.explore(xor_loss(xor_model), params=xor_model).data
    shown = {node["label"]: node["grad"] for node in data["graph"]["nodes"] if node["kind"] == "parameter"}
    for name, grad in reference_gradients(xor_model).items():
        assert shown[name]["shape"] == list(grad.shape)
        np.testing.assert_allclose(shown[name]["values"], grad.ravel(), rtol=1e-6, atol=0)


def test_explore_leaves_the_parameters_grad_untouched(xor_model):
    viz.explore(xor_loss(xor_model), params=xor_model)
    assert all(p.grad is None for p in xor_model.parameters())


def test_a_graph_already_backpropagated_is_refused_with_the_fix(xor_model):
    loss = xor_loss(xor_model)
    loss.backward()
    with pytest.raises(RuntimeError, match=r"before output.backward\(\)"):
        viz.explore(loss)


def test_recorded_values_are_what_each_op_computed(xor_model):
    data = viz.explore(xor_loss(xor_model), params=xor_model).data
    inputs, _ = ta.data.datasets.xor()
    first_linear = next(node for node in data["graph"]["nodes"] if node["label"] == "linear")
    expected = inputs @ xor_model[0].weight.numpy().T + xor_model[0].bias.numpy()
    np.testing.assert_allclose(first_linear["value"]["values"], expected.ravel(), rtol=1e-6)
    assert data["graph"]["values_recorded"]


def test_without_recording_only_leaves_and_the_output_have_values(xor_model):
    nodes = viz.explore(xor_loss(xor_model, record=False), params=xor_model).data["graph"]["nodes"]
    output = next(node for node in nodes if node["op"] == "mean")
    assert output["value"]["values"] == [pytest.approx(xor_loss(xor_model, record=False).item())]
    assert next(node for node in nodes if node["label"] == "relu")["value"] is None
    assert all(node["value"] is not None for node in nodes if node["kind"] == "parameter")


def test_backward_order_is_the_engines_decreasing_creation_order(xor_model):
    graph = viz.explore(xor_loss(xor_model), params=xor_model).data["graph"]
    assert graph["backward_order"] == list(reversed(graph["forward_order"]))
    by_id = {node["id"]: node for node in graph["nodes"]}
    assert by_id[graph["backward_order"][0]]["grad"]["values"] == [1.0]  # the output's own gradient


def test_an_activation_node_shows_its_registry_rule_as_mathml(xor_model):
    nodes = viz.explore(xor_loss(xor_model), params=xor_model).data["graph"]["nodes"]
    relu = next(node for node in nodes if node["label"] == "relu")
    assert relu["derivative"].startswith("<math") and "\\" not in relu["derivative"]
    assert "<mtext>&#160;if&#160;</mtext>" in relu["derivative"]
    assert relu["facts"]["zero centred"] == "no" and relu["facts"]["output range"] == "(0, ∞)"
    assert relu["rule"] == "grad_in = grad_out · f′(x)"


def test_a_users_own_activation_shows_its_declared_derivative(seeded, scratch_names):
    scratch_names.append("cube_explored")

    @register_activation(
        backward=lambda x, y, grad_output: grad_output * 3 * x**2, formula="f(x) = x^3", derivative="3 x^2"
    )
    def cube_explored(x):
        return x**3

    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    with viz.record_values():
        loss = x.cube_explored().sum()
    nodes = viz.explore(loss, params={"x": x}).data["graph"]["nodes"]
    cube = next(node for node in nodes if node["label"] == "cube_explored")
    assert cube["derivative"] == viz.mathml.to_mathml("f'(x) = 3 x^2")
    assert cube["value"]["values"] == [1.0, -8.0]
    assert next(node for node in nodes if node["label"] == "x")["grad"]["values"] == [3.0, 12.0]


def test_large_tensors_are_summarised_with_a_histogram(seeded):
    x = Tensor.randn(30, 40, requires_grad=True)
    node = next(
        node for node in viz.explore(x.tanh().sum()).data["graph"]["nodes"] if node["kind"] == "input"
    )
    assert "values" not in node["value"]
    assert node["value"]["summary"]["min"] == pytest.approx(float(x.numpy().min()))
    assert sum(node["value"]["histogram"]["counts"]) == 1200


def test_a_big_graph_collapses_like_the_static_pictures_with_a_note(seeded):
    model = nn.MLP([3] + [4] * 30 + [1], activation="sigmoid")
    loss = model(Tensor.randn(2, 3)).sum()
    graph = viz.explore(loss, params=model, max_nodes=12).data["graph"]
    assert len(graph["forward_order"]) <= 12
    assert any("collapsed" in note for note in graph["notes"])


def test_the_page_embeds_its_csp_and_fetches_nothing(xor_model):
    page = viz.explore(xor_loss(xor_model), params=xor_model).html
    assert (
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CONTENT_SECURITY_POLICY)}">'
        in page
    )
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "import(" not in page


def test_jupyter_shows_a_sandboxed_iframe_whose_srcdoc_is_the_page(xor_model):
    explorer = viz.explore(xor_loss(xor_model), params=xor_model)
    frame = explorer._repr_html_()
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)
    assert html.unescape(srcdoc) == explorer.html


def test_timeline_frames_and_boundary_match_the_models_predictions(seeded):
    inputs, targets = ta.data.datasets.moons(40, seed=1)
    model = nn.MLP([2, 5, 1], activation="tanh")
    timeline = Timeline(model, inputs, targets, grid_size=12)
    timeline.record(0, 0.5)
    frame = timeline.frames[-1]
    classes = np.frombuffer(base64.b64decode(frame["boundary"]), dtype=np.uint8) >= 128
    np.testing.assert_array_equal(classes, timeline.predict_grid() == 1)
    assert len(frame["units"]) == 5
    np.testing.assert_allclose(frame["weights"][0], model[0].weight.numpy(), atol=1e-5)


def test_a_relu_unit_pushed_negative_is_marked_dead(seeded):
    inputs, targets = ta.data.datasets.xor()
    model = nn.MLP([2, 3, 1], activation="relu")
    model[0].bias.data[:] = [100.0, -100.0, 100.0]  # the middle unit never fires, the others always
    timeline = Timeline(model, inputs, targets)
    timeline.record(0, 0.0)
    assert [unit["dead"] for unit in timeline.frames[0]["units"]] == [False, True, False]


def test_the_command_writes_the_page_with_one_frame_per_recorded_step(tmp_path, capsys):
    out = tmp_path / "explorer.html"
    assert (
        main(
            [
                "explore",
                "--activation",
                "relu",
                "--data",
                "circles",
                "--hidden",
                "3",
                "3",
                "--steps",
                "30",
                "--record-every",
                "10",
                "--points",
                "60",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    data = page_data(out.read_text(encoding="utf-8"))
    assert [frame["step"] for frame in data["timeline"]["frames"]] == [0, 10, 20, 30]
    assert data["timeline"]["sizes"] == [2, 3, 3, 1]
    assert "recorded frames" in capsys.readouterr().out


def test_the_default_xor_page_stays_under_two_megabytes():
    result = explore_experiment.run(explore_experiment.Settings())
    assert len(result.timeline.frames) == 21
    assert len(result.explorer.html.encode("utf-8")) < 2_000_000


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module (starting it takes seconds). Skipped when Chromium,
    its driver or selenium is missing, except in CI, where they must be there."""
    missing = missing_tools()
    if missing:
        message = f"the browser tests need {', '.join(missing)}: {INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with headless_chromium() as driver:
        yield driver


def open_page(browser, path: Path) -> None:
    browser.get(path.resolve().as_uri())
    assert browser.find_element("tag name", "body").get_attribute("data-ready") == "true"
    browser.get_log("browser")  # start each test with an empty console log


def console_errors(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def step_to_end(browser) -> int:
    """Click step-forward until the last step; returns the number of clicks."""
    graph = browser.execute_script(
        f"return JSON.parse(document.getElementById('{DATA_ELEMENT_ID}').textContent).graph"
    )
    steps = 2 * len(graph["forward_order"])
    button = browser.find_element("id", "step-forward")
    for _ in range(steps):
        button.click()
    return steps


@pytest.fixture(scope="module")
def xor_page(tmp_path_factory) -> tuple[Path, dict[str, np.ndarray]]:
    ta.manual_seed(3)
    model = nn.MLP([2, 4, 1], activation="relu")
    path = tmp_path_factory.mktemp("explorer") / "xor.html"
    viz.explore(xor_loss(model), path, params=model)
    return path, reference_gradients(model)


def test_in_the_browser_every_gradient_is_shown_after_the_backward_walk(browser, xor_page):
    path, gradients = xor_page
    open_page(browser, path)
    assert browser.find_elements("css selector", '[data-grad-shown="true"]') == []
    step_to_end(browser)
    shown = browser.execute_script(f"""
        const data = JSON.parse(document.getElementById('{DATA_ELEMENT_ID}').textContent);
        const shown = [...document.querySelectorAll('[data-grad-shown="true"]')].map(e => e.dataset.nodeId);
        return data.graph.nodes.filter(n => shown.includes(n.id)).map(n => [n.label, n.grad.values]);""")
    with_grad = browser.execute_script(f"""return JSON.parse(document.getElementById('{DATA_ELEMENT_ID}')
        .textContent).graph.nodes.filter(n => n.grad !== null).length""")
    assert len(shown) == with_grad
    shown = dict(shown)
    for name, grad in gradients.items():
        np.testing.assert_allclose(shown[name], grad.ravel(), rtol=1e-6, atol=0)
    assert console_errors(browser) == []


def test_in_the_browser_the_inspector_shows_a_parameters_gradient(browser, xor_page):
    path, gradients = xor_page
    open_page(browser, path)
    step_to_end(browser)
    browser.find_element("css selector", '[data-node-id="leaf0"]').click()
    cells = browser.find_elements("css selector", "#inspector .grad-block td")
    np.testing.assert_allclose(
        [float(cell.text) for cell in cells], gradients["0.weight"].ravel(), rtol=1e-3, atol=1e-6
    )


def test_in_the_browser_the_derivative_renders_as_mathml(browser, xor_page):
    path, _ = xor_page
    open_page(browser, path)
    relu = browser.execute_script(
        "return [...document.querySelectorAll('.node')].find(n => "
        "n.querySelector('.label').textContent === 'relu').dataset.nodeId"
    )
    browser.find_element("css selector", f'[data-node-id="{relu}"]').click()
    maths = browser.find_elements("css selector", "#inspector math")
    assert len(maths) == 2 and "\\" not in browser.find_element("id", "inspector").text
    assert maths[0].size["width"] > 30  # drawn, not an empty box


def test_in_the_browser_keys_step_and_step_back(browser, xor_page):
    path, _ = xor_page
    open_page(browser, path)
    body = browser.find_element("tag name", "body")
    status = browser.find_element("id", "status")
    body.send_keys("\ue014\ue014")  # ArrowRight twice
    assert status.text.startswith("step 2/")
    body.send_keys("\ue012")  # ArrowLeft
    assert status.text.startswith("step 1/")
    browser.find_element("id", "reset").click()
    assert status.text.startswith("step 0/")


def test_in_the_browser_the_csp_meta_is_in_force(browser, xor_page):
    path, _ = xor_page
    open_page(browser, path)
    policy = browser.execute_script(
        "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content"
    )
    assert "default-src 'none'" in policy
    # a fetch is refused by the policy, and says so in the console
    browser.execute_script("fetch('data:text/plain,x').catch(() => null)")
    assert any("Content Security Policy" in entry["message"] for entry in browser.get_log("browser"))


def test_in_the_browser_the_timeline_shows_the_models_last_boundary(browser, tmp_path):
    settings = explore_experiment.Settings(
        activation="tanh",
        data="moons",
        hidden=(4,),
        steps=40,
        record_every=10,
        points=60,
        grid=20,
        out=str(tmp_path / "moons.html"),
    )
    result = explore_experiment.run(settings)
    path = next(iter(explore_experiment.figures(result, tmp_path)))
    open_page(browser, path)
    slider = browser.find_element("id", "timeline")
    assert int(slider.get_attribute("max")) + 1 == len(result.timeline.frames) == 5
    assert int(slider.get_attribute("value")) == 4
    pixels = browser.execute_script(
        """
        const canvas = document.getElementById('boundary'), size = arguments[0], cell = canvas.width / size;
        const context = canvas.getContext('2d'), classes = [];
        for (let row = 0; row < size; row++) for (let column = 0; column < size; column++) {
            const x = column * cell + cell / 2, y = row * cell + cell / 2;
            const [red, , blue] = context.getImageData(x, y, 1, 1).data;
            classes.push(red > blue ? 1 : 0);
        }
        return classes;""",
        settings.grid,
    )
    np.testing.assert_array_equal(pixels, result.timeline.predict_grid())
    assert console_errors(browser) == []
