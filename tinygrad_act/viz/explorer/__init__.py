"""The backprop explorer: one self-contained HTML page to step through a graph's forward and backward
passes, inspect every node, and scrub through a small network's training.

    from tinygrad_act import viz

    with viz.record_values():                  # so every node can show its value
        loss = F.binary_cross_entropy_with_logits(model(x), y)
    viz.explore(loss, "explorer.html", params=model)   # before loss.backward(); in Jupyter, shows inline

or from the command line, training a small net and recording its timeline:
`tinygrad-act explore --activation relu --data moons --hidden 4 4 --steps 200 --out explorer.html`.

The page needs no network: CSS, JS (plain, no framework) and data are inline, and a
Content-Security-Policy meta (`default-src 'none'`, inline script and style, data: images) stops
it fetching anything. It opens from file:// and inside a sandboxed iframe.

Contract (for tests, ours and users', and other tools reading the page):
- Data: `<script type="application/json" id="tinygrad-act-data">` holds {"title", "graph", "timeline"}.
  `graph.nodes[]` has id, kind (op, group, parameter, input), op, label, shape, dtype, value, grad,
  rule, formula, derivative (MathML or null), facts, note, module, column and row (the layout);
  `value` and `grad` are {"shape", "values"} (every element, row-major) for up to 64 elements,
  else {"shape", "summary" (min, mean, max, std), "histogram"}; `grad` is the gradient of the output summed over its
  elements, as `output.sum().backward()` would give (a scalar loss: its `.backward()`).
  `graph.edges[]` are {source, target} in data-flow direction; `graph.forward_order` and
  `graph.backward_order` list op node ids in creation order and in the order the engine's backward
  visits them. `timeline` is null or {sizes, activation, grid_size, extent, points, labels,
  frames[]}, each frame {step, loss, accuracy, boundary, units[], weights, biases}.
- Each node is an SVG element with `data-node-id`; once the backward walk has reached a node with a
  gradient, it carries `data-grad-shown="true"` (all such nodes after the last step).
- Controls: buttons `step-forward`, `step-backward` (one step back), `play`, `reset`; the range
  input `timeline` (one position per frame, the last shown first); the canvas `boundary` draws the
  frame's predicted class per grid cell (orange: class 1, blue: class 0). Keys: arrows step, space plays.
- `document.body` gets `data-ready="true"` once the page is drawn, and `data-ready-ms` the time
  that took since navigation began (`performance.now()`).
"""

from .page import Explorer, explore
from .recording import record_values
from .timeline import Timeline

__all__ = ["Explorer", "Timeline", "explore", "record_values"]
