"""Regenerate the README's screenshot of the backprop explorer (docs/images/explorer.png) with
headless Chromium, and print the page's figures: write time, size, time to interactive, step time.

    python scripts/make_explorer_screenshot.py

The page is `tinygrad-act explore --activation relu --data moons --hidden 4 4` (two of its eight
ReLU units die in training); the picture stops half-way through the backward pass with the second
ReLU node selected. The figures are for the default XOR page (200 steps), as the README quotes them.
Needs chromium, chromium-driver and selenium (the dev extra).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tinygrad_act.experiments import explore
from tinygrad_act.viz.explorer.browser import headless_chromium

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "images" / "explorer.png"
STEP_TIMINGS = 20

# Clicks one button and forces style and layout, so the time includes the page's re-render.
TIMED_CLICK = """
const button = document.getElementById(arguments[0]);
const start = performance.now();
button.click();
document.body.getBoundingClientRect();
return performance.now() - start;
"""


def measure(folder: Path) -> None:
    """The default XOR page: how long writing it takes, its size, and in Chromium how soon it is
    interactive and how long one step takes."""
    start = time.perf_counter()
    result = explore.run(explore.Settings())
    path = next(iter(explore.figures(result, folder)))
    seconds = time.perf_counter() - start
    print(
        f"XOR page, {len(result.timeline.frames)} frames of {result.settings.steps} steps: "
        f"trained and written in {seconds:.2f} s, {path.stat().st_size / 1e6:.2f} MB"
    )
    with headless_chromium() as browser:
        ready = []
        for _ in range(3):  # the first load includes the browser's own warm-up
            browser.get(path.resolve().as_uri())
            ready.append(float(browser.find_element("tag name", "body").get_attribute("data-ready-ms")))
        steps = [browser.execute_script(TIMED_CLICK, "step-forward") for _ in range(STEP_TIMINGS)]
        print(
            f"interactive after {ready[-1]:.0f} ms (first load {ready[0]:.0f} ms); one step "
            f"{statistics.median(steps):.1f} ms median, {max(steps):.1f} ms max over {len(steps)} steps"
        )


def screenshot(folder: Path) -> None:
    settings = explore.Settings(activation="relu", data="moons", hidden=(4, 4), out="moons.html")
    path = next(iter(explore.figures(explore.run(settings), folder)))
    with headless_chromium(1500, 1000) as browser:
        browser.get(path.resolve().as_uri())
        graph = browser.execute_script(
            "return JSON.parse(document.getElementById('tinygrad-act-data').textContent).graph"
        )
        forward = len(graph["forward_order"])
        for _ in range(forward + forward // 2):
            browser.find_element("id", "step-forward").click()
        relu = [node["id"] for node in graph["nodes"] if node["label"] == "relu"][-1]
        browser.find_element("css selector", f'[data-node-id="{relu}"]').click()
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        if errors:
            raise SystemExit(f"the page logged errors: {errors}")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))
    print(f"wrote {SCREENSHOT.relative_to(ROOT)}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        measure(Path(folder))
        screenshot(Path(folder))


if __name__ == "__main__":
    main()
