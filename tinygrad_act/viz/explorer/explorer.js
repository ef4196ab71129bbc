// The backprop explorer: steps through a recorded graph (forward, then backward in the engine's order)
// and scrubs a training timeline. Plain JS and SVG; everything it shows comes from the JSON data
// element, so the page works from file:// with no network.
"use strict";

(function () {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const NODE_WIDTH = 152;
  const NODE_HEIGHT = 70;
  const COLUMN_WIDTH = 180;
  const ROW_HEIGHT = 84;
  const MARGIN = 12;
  const PLAY_INTERVAL_MS = 700;
  const CLASS_COLOURS = [[8, 119, 189], [245, 147, 34]]; // class 0 blue, class 1 orange
  const POSITIVE = [8, 119, 189];
  const NEGATIVE = [232, 113, 10];

  const data = JSON.parse(document.getElementById("tinygrad-act-data").textContent);
  const graph = data.graph;
  const nodeById = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const node of graph.nodes) {
    node.x = node.column * COLUMN_WIDTH;
    node.y = node.row * ROW_HEIGHT;
  }
  const forwardIndex = new Map(graph.forward_order.map((id, index) => [id, index]));
  const backwardIndex = new Map(graph.backward_order.map((id, index) => [id, index]));
  const opCount = graph.forward_order.length;
  const lastStep = 2 * opCount;
  const inputsOf = new Map(graph.nodes.map((node) => [node.id, []]));
  const consumersOf = new Map(graph.nodes.map((node) => [node.id, []]));
  for (const edge of graph.edges) {
    inputsOf.get(edge.target).push(edge.source);
    consumersOf.get(edge.source).push(edge.target);
  }

  // ------------------------------------------------------------ numbers

  function formatNumber(value) {
    if (typeof value === "string") return value; // "inf", "-inf", "nan"
    if (value === 0) return "0";
    const size = Math.abs(value);
    if (size >= 1e4 || size < 1e-3) return value.toExponential(2);
    return String(parseFloat(value.toPrecision(4)));
  }

  function mean(values) {
    const finite = values.filter((value) => typeof value === "number");
    return finite.reduce((sum, value) => sum + value, 0) / Math.max(finite.length, 1);
  }

  // A few characters that summarise an array: the number, a short list, or its mean.
  function brief(array) {
    if (!array) return "not recorded";
    if (array.values) {
      if (array.values.length === 1) return formatNumber(array.values[0]);
      if (array.values.length <= 3) return "[" + array.values.map(formatNumber).join(", ") + "]";
      return "mean " + formatNumber(mean(array.values));
    }
    return array.summary.mean === undefined ? "not finite" : "mean " + formatNumber(array.summary.mean);
  }

  function isAllZero(array) {
    if (!array) return false;
    if (array.values) return array.values.every((value) => value === 0);
    return array.summary.min === 0 && array.summary.max === 0;
  }

  // ------------------------------------------------------------ which step shows what

  let step = 0;
  let playTimer = null;
  let selectedId = null;

  // Backward steps after which a node's gradient is complete: an op once visited; a leaf once every
  // op that uses it has sent its share back.
  function gradientStep(node) {
    if (backwardIndex.has(node.id)) return backwardIndex.get(node.id) + 1;
    const uses = consumersOf.get(node.id).map((id) => backwardIndex.get(id) + 1);
    return uses.length ? Math.max(...uses) : Infinity;
  }

  function valueShown(node, at) {
    return !forwardIndex.has(node.id) || forwardIndex.get(node.id) < at;
  }

  function gradShown(node, at) {
    return node.grad !== null && at - opCount >= gradientStep(node);
  }

  function currentNodeId(at) {
    if (at === 0) return null;
    return at <= opCount ? graph.forward_order[at - 1] : graph.backward_order[at - opCount - 1];
  }

  // ------------------------------------------------------------ drawing the graph

  function svgElement(name, attributes, parent) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (parent) parent.appendChild(element);
    return element;
  }

  function shortened(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function shapeText(node) {
    return (node.shape.length ? "(" + node.shape.join(", ") + ")" : "scalar") + " " + node.dtype;
  }

  const svg = document.getElementById("graph");
  const nodeViews = new Map();
  const edgeViews = [];

  function drawGraph() {
    const width = Math.max(...graph.nodes.map((node) => node.x)) + NODE_WIDTH + 2 * MARGIN;
    const height = Math.max(...graph.nodes.map((node) => node.y)) + NODE_HEIGHT + 2 * MARGIN;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    for (const edge of graph.edges) {
      const source = nodeById.get(edge.source);
      const target = nodeById.get(edge.target);
      const x1 = source.x + MARGIN + NODE_WIDTH;
      const y1 = source.y + MARGIN + NODE_HEIGHT / 2;
      const x2 = target.x + MARGIN;
      const y2 = target.y + MARGIN + NODE_HEIGHT / 2;
      const bend = Math.max(24, (x2 - x1) / 2);
      const path = svgElement("path", {
        class: "edge", d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
      }, svg);
      edgeViews.push({ edge, path });
    }
    for (const node of graph.nodes) {
      const group = svgElement("g", {
        class: "node kind-" + node.kind, "data-node-id": node.id, "data-grad-shown": "false",
        transform: `translate(${node.x + MARGIN},${node.y + MARGIN})`, tabindex: "0",
      }, svg);
      svgElement("title", {}, group).textContent = node.label;
      svgElement("rect", { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 7 }, group);
      const lines = ["label", "detail", "value", "grad"].map((kind, row) => {
        const text = svgElement("text", { class: kind, x: 8, y: 17 + row * 16 }, group);
        return text;
      });
      lines[0].textContent = shortened(node.label, 20);
      lines[1].textContent = shapeText(node);
      group.addEventListener("mouseenter", () => inspect(node));
      group.addEventListener("mouseleave", () => inspect(selectedId ? nodeById.get(selectedId) : null));
      group.addEventListener("click", () => select(node.id));
      group.addEventListener("focus", () => inspect(node));
      nodeViews.set(node.id, { group, valueLine: lines[2], gradLine: lines[3] });
    }
  }

  // ------------------------------------------------------------ the step panel

  const stepInfo = document.getElementById("step-info");
  const statusLine = document.getElementById("status");

  function labelsOf(ids) {
    return ids.map((id) => nodeById.get(id).label).join(", ") || "nothing (no input needs a gradient)";
  }

  function appendMath(parent, markup) {
    // MathML made by tinygrad_act.viz.mathml from the registry's formulas (escaped there)
    const span = document.createElement("span");
    span.innerHTML = markup;
    parent.appendChild(span);
  }

  function describeStep(at) {
    stepInfo.replaceChildren();
    const id = currentNodeId(at);
    const paragraph = document.createElement("p");
    paragraph.style.margin = "0";
    stepInfo.appendChild(paragraph);
    const phase = document.createElement("span");
    paragraph.appendChild(phase);
    if (id === null) {
      phase.textContent = "Start. ";
      paragraph.append("Leaves hold their values; press step (→) to run the forward pass, op by op.");
      return;
    }
    const node = nodeById.get(id);
    if (at <= opCount) {
      phase.className = "phase-forward";
      phase.textContent = `Forward ${at}/${opCount}: `;
      paragraph.append(`${node.label} computes its output from ${labelsOf(inputsOf.get(id))}: ${brief(node.value)}.`);
      if (at === opCount) paragraph.append(" The forward pass is done; the backward pass starts from the output with gradient 1.");
      return;
    }
    phase.className = "phase-backward";
    phase.textContent = `Backward ${at - opCount}/${opCount}: `;
    paragraph.append(`${node.label} receives grad_out = ${brief(node.grad)} and sends a gradient to ` +
      `${labelsOf(inputsOf.get(id))} by its local rule: ${node.rule.replace(/\.$/, "")}`);
    if (node.derivative) {
      paragraph.append(", where ");
      appendMath(paragraph, node.derivative);
    }
    paragraph.append(".");
  }

  function update() {
    const current = currentNodeId(step);
    const inBackward = step > opCount;
    for (const node of graph.nodes) {
      const view = nodeViews.get(node.id);
      const hasValue = valueShown(node, step);
      const hasGrad = gradShown(node, step);
      view.valueLine.textContent = hasValue ? "value " + brief(node.value) : "";
      view.gradLine.textContent = hasGrad ? "grad " + brief(node.grad) : "";
      view.group.setAttribute("data-grad-shown", hasGrad ? "true" : "false");
      view.group.classList.toggle("pending", !hasValue);
      view.group.classList.toggle("zero-grad", hasGrad && isAllZero(node.grad));
      view.group.classList.toggle("current", node.id === current);
      view.group.classList.toggle("in-backward", inBackward);
      view.group.classList.toggle("selected", node.id === selectedId);
    }
    for (const { edge, path } of edgeViews) {
      const lit = edge.target === current;
      path.classList.toggle("forward-lit", lit && !inBackward);
      path.classList.toggle("backward-lit", lit && inBackward);
      const target = nodeById.get(edge.target);
      path.classList.toggle("carried", inBackward && !lit && gradShown(target, step));
    }
    const phase = step === 0 ? "start" : step <= opCount ? `forward ${step}/${opCount}` : `backward ${step - opCount}/${opCount}`;
    statusLine.textContent = `step ${step}/${lastStep} · ${phase}`;
    describeStep(step);
    if (current !== null) scrollIntoSight(nodeById.get(current));
  }

  // Keep the current node inside the graph's scrolling box (without scrolling the page itself).
  const graphScroll = document.getElementById("graph-scroll");

  function scrollIntoSight(node) {
    const left = node.x + MARGIN;
    const top = node.y + MARGIN;
    if (left < graphScroll.scrollLeft || left + NODE_WIDTH > graphScroll.scrollLeft + graphScroll.clientWidth) {
      graphScroll.scrollLeft = left - (graphScroll.clientWidth - NODE_WIDTH) / 2;
    }
    if (top < graphScroll.scrollTop || top + NODE_HEIGHT > graphScroll.scrollTop + graphScroll.clientHeight) {
      graphScroll.scrollTop = top - (graphScroll.clientHeight - NODE_HEIGHT) / 2;
    }
  }

  function goTo(target) {
    step = Math.min(Math.max(target, 0), lastStep);
    update();
    if (step === lastStep) stopPlaying();
  }

  const playButton = document.getElementById("play");

  function stopPlaying() {
    if (playTimer !== null) clearInterval(playTimer);
    playTimer = null;
    playButton.textContent = "▶ play";
  }

  function togglePlay() {
    if (playTimer !== null) {
      stopPlaying();
      return;
    }
    if (step === lastStep) goTo(0);
    playButton.textContent = "⏸ pause";
    playTimer = setInterval(() => goTo(step + 1), PLAY_INTERVAL_MS);
  }

  // ------------------------------------------------------------ the inspector

  const inspector = document.getElementById("inspector");

  function addRow(list, term, content) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    if (typeof content === "string") dd.textContent = content;
    else dd.appendChild(content);
    list.append(dt, dd);
  }

  function mathElement(markup) {
    const span = document.createElement("span");
    span.innerHTML = markup; // MathML from tinygrad_act.viz.mathml (escaped there)
    return span;
  }

  function numbersTable(array) {
    const table = document.createElement("table");
    table.className = "numbers";
    const columns = array.shape.length >= 2 ? array.shape[array.shape.length - 1] : Math.min(array.values.length, 8);
    for (let start = 0; start < array.values.length; start += Math.max(columns, 1)) {
      const row = table.insertRow();
      for (const value of array.values.slice(start, start + Math.max(columns, 1))) {
        row.insertCell().textContent = formatNumber(value);
      }
    }
    return table;
  }

  function histogram(array, colour) {
    const counts = array.histogram.counts;
    const chart = svgElement("svg", { width: 240, height: 74, style: "display: block" });
    const tallest = Math.max(...counts, 1);
    const barWidth = 240 / counts.length;
    counts.forEach((count, index) => {
      const height = (count / tallest) * 56;
      svgElement("rect", { x: index * barWidth + 1, y: 58 - height, width: barWidth - 2, height, fill: colour }, chart);
    });
    const low = svgElement("text", { x: 0, y: 72, "font-size": 11 }, chart);
    low.textContent = formatNumber(array.histogram.low);
    const high = svgElement("text", { x: 240, y: 72, "font-size": 11, "text-anchor": "end" }, chart);
    high.textContent = formatNumber(array.histogram.high);
    return chart;
  }

  function arrayBlock(title, array, className, colour, note) {
    const block = document.createElement("div");
    block.className = className;
    const heading = document.createElement("h3");
    heading.textContent = title + (note ? ` (${note})` : "");
    block.appendChild(heading);
    if (!array) {
      block.append(className === "value-block"
        ? "Not recorded: build the graph inside viz.record_values() to see it."
        : "None: no gradient flows here.");
      return block;
    }
    if (array.values) {
      block.appendChild(numbersTable(array));
      return block;
    }
    const summary = array.summary;
    const line = document.createElement("div");
    block.appendChild(line);
    line.append(summary.mean === undefined ? `all ${summary.non_finite} elements are inf or NaN`
      : `min ${formatNumber(summary.min)} · mean ${formatNumber(summary.mean)} · max ${formatNumber(summary.max)}` +
        ` · std ${formatNumber(summary.std)}` + (summary.non_finite ? ` · ${summary.non_finite} inf/NaN` : ""));
    if (array.histogram) block.appendChild(histogram(array, colour));
    return block;
  }

  function inspect(node) {
    inspector.replaceChildren();
    if (!node) {
      const placeholder = document.createElement("p");
      placeholder.className = "placeholder";
      placeholder.textContent = "Hover or click a node.";
      inspector.appendChild(placeholder);
      return;
    }
    const heading = document.createElement("h2");
    heading.textContent = node.label;
    const list = document.createElement("dl");
    inspector.append(heading, list);
    addRow(list, "kind", node.kind === "op" ? "op " + node.op : node.kind);
    if (node.module) addRow(list, "module", node.module);
    addRow(list, "shape", shapeText(node));
    if (node.formula) addRow(list, "formula", mathElement(node.formula));
    if (node.derivative) addRow(list, "derivative", mathElement(node.derivative));
    addRow(list, "backward rule", node.rule);
    for (const [fact, value] of Object.entries(node.facts)) addRow(list, fact, value);
    if (node.note) addRow(list, "note", node.note);
    const valueNote = valueShown(node, step) ? "" : `appears at forward step ${forwardIndex.get(node.id) + 1}`;
    const gradNote = gradShown(node, step) || !node.grad ? "" : `complete after backward step ${gradientStep(node)}`;
    inspector.appendChild(arrayBlock("value", node.value, "value-block", "#1a7f37", valueNote));
    inspector.appendChild(arrayBlock("gradient (of the output, by this node)", node.grad, "grad-block", "#b3261e", gradNote));
  }

  function select(id) {
    selectedId = selectedId === id ? null : id;
    inspect(selectedId ? nodeById.get(selectedId) : null);
    update();
  }

  // ------------------------------------------------------------ the training timeline

  function decodeBytes(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let index = 0; index < raw.length; index += 1) bytes[index] = raw.charCodeAt(index);
    return bytes;
  }

  function mix(colour, amount) {
    return colour.map((channel) => Math.round(255 - (255 - channel) * amount));
  }

  // A colour for a probability byte: the class's colour, paler near 0.5 (never white, so the class stays readable).
  function probabilityColour(byte) {
    const probability = byte / 255;
    const confidence = Math.abs(probability - 0.5) * 2;
    return mix(CLASS_COLOURS[byte >= 128 ? 1 : 0], 0.15 + 0.45 * confidence);
  }

  // A small image (data: URL) of a grid of colours.
  function gridImage(size, colourAt) {
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext("2d");
    const image = context.createImageData(size, size);
    for (let cell = 0; cell < size * size; cell += 1) {
      const [red, green, blue] = colourAt(cell);
      image.data.set([red, green, blue, 255], cell * 4);
    }
    context.putImageData(image, 0, 0);
    return canvas.toDataURL();
  }

  // Diverging colours for a unit's output: blue above 0, orange below, white at 0.
  function unitColour(value, scale) {
    const amount = Math.min(Math.abs(value) / scale, 1);
    return mix(value >= 0 ? POSITIVE : NEGATIVE, amount);
  }

  function setUpTimeline(timeline) {
    const slider = document.getElementById("timeline");
    const frames = timeline.frames;
    const size = timeline.grid_size;
    const [xLow, xHigh, yLow, yHigh] = timeline.extent;
    slider.max = String(frames.length - 1);
    slider.value = String(frames.length - 1);
    drawPoints(timeline);
    const curves = drawCurves(frames);
    const showFrame = () => {
      const frame = frames[Number(slider.value)];
      document.getElementById("timeline-status").textContent =
        `step ${frame.step} · loss ${formatNumber(frame.loss)} · accuracy ${frame.accuracy.toFixed(2)}`;
      drawBoundary(frame, size);
      drawNetwork(timeline, frame);
      curves.mark(frame.step);
    };
    slider.addEventListener("input", showFrame);
    showFrame();

    function drawPoints() {
      const points = document.getElementById("points");
      timeline.points.forEach(([x, y], index) => {
        const colour = CLASS_COLOURS[timeline.labels[index]];
        svgElement("circle", {
          cx: ((x - xLow) / (xHigh - xLow)) * 240, cy: ((yHigh - y) / (yHigh - yLow)) * 240, r: timeline.points.length > 20 ? 3 : 6,
          fill: `rgb(${colour.join(",")})`, stroke: "#24292f", "stroke-width": 1,
        }, points);
      });
    }
  }

  function drawBoundary(frame, size) {
    const canvas = document.getElementById("boundary");
    const context = canvas.getContext("2d");
    const bytes = decodeBytes(frame.boundary);
    const cell = canvas.width / size;
    for (let index = 0; index < bytes.length; index += 1) {
      context.fillStyle = `rgb(${probabilityColour(bytes[index]).join(",")})`;
      context.fillRect((index % size) * cell, Math.floor(index / size) * cell, cell, cell);
    }
  }

  function drawCurves(frames) {
    const chart = document.getElementById("curves");
    const [left, top, width, height] = [36, 10, 250, 180];
    const lastStep = frames[frames.length - 1].step || 1;
    const highestLoss = Math.max(...frames.map((frame) => frame.loss), 1e-9);
    const x = (stepNumber) => left + (stepNumber / lastStep) * width;
    svgElement("rect", { x: left, y: top, width, height, fill: "none", stroke: "#d0d7de" }, chart);
    const line = (value, colour) => svgElement("polyline", {
      points: frames.map((frame) => `${x(frame.step)},${top + height - value(frame) * height}`).join(" "),
      fill: "none", stroke: colour, "stroke-width": 2,
    }, chart);
    line((frame) => frame.loss / highestLoss, "#1f6feb");
    line((frame) => frame.accuracy, "#e8710a");
    const labels = [[left - 4, top + 10, "end", formatNumber(highestLoss)], [left - 4, top + height, "end", "0"],
      [left, top + height + 16, "start", "0"], [left + width, top + height + 16, "end", `step ${lastStep}`],
      [left + width + 4, top + 10, "start", "1"], [left + width + 4, top + height, "start", "0"]];
    labels.forEach(([lx, ly, anchor, text], index) => {
      const label = svgElement("text", { x: lx, y: ly, "text-anchor": anchor }, chart);
      label.textContent = text;
      if (index >= 4) label.style.fill = "#e8710a"; // the accuracy axis, on the right
    });
    const marker = svgElement("line", { y1: top, y2: top + height, stroke: "#59636e", "stroke-dasharray": "3 3" }, chart);
    return { mark: (stepNumber) => { marker.setAttribute("x1", x(stepNumber)); marker.setAttribute("x2", x(stepNumber)); } };
  }

  function drawNetwork(timeline, frame) {
    const chart = document.getElementById("network");
    chart.replaceChildren();
    const sizes = timeline.sizes;
    const unit = 40;
    const columnGap = Math.min(150, (Number(chart.getAttribute("width")) - unit - 20) / (sizes.length - 1));
    const height = Number(chart.getAttribute("height"));
    const rowGap = Math.min(58, (height - 30) / Math.max(...sizes));
    const position = (layer, index) => [10 + layer * columnGap, 8 + (height - 30 - sizes[layer] * rowGap) / 2 + index * rowGap];
    frame.weights.forEach((matrix, layer) => {
      matrix.forEach((row, target) => row.forEach((weight, source) => {
        const [x1, y1] = position(layer, source);
        const [x2, y2] = position(layer + 1, target);
        svgElement("line", {
          x1: x1 + unit, y1: y1 + unit / 2, x2, y2: y2 + unit / 2,
          stroke: `rgb(${(weight >= 0 ? POSITIVE : NEGATIVE).join(",")})`,
          "stroke-width": 0.6 + Math.min(Math.abs(weight), 4) * 1.4, "stroke-opacity": 0.65,
        }, chart).appendChild(svgElement("title", {})).textContent = `w = ${formatNumber(weight)}`;
      }));
    });
    const size = timeline.grid_size;
    const [xLow, xHigh, yLow, yHigh] = timeline.extent;
    const inputImages = [
      gridImage(size, (cell) => unitColour(xLow + ((cell % size) / (size - 1)) * (xHigh - xLow), Math.max(Math.abs(xLow), Math.abs(xHigh)))),
      gridImage(size, (cell) => unitColour(yHigh - (Math.floor(cell / size) / (size - 1)) * (yHigh - yLow), Math.max(Math.abs(yLow), Math.abs(yHigh)))),
    ];
    const boundaryBytes = decodeBytes(frame.boundary);
    const outputImage = gridImage(size, (cell) => probabilityColour(boundaryBytes[cell]));
    let hiddenIndex = 0;
    sizes.forEach((count, layer) => {
      for (let index = 0; index < count; index += 1) {
        const [x, y] = position(layer, index);
        let href = outputImage;
        let unitData = null;
        if (layer === 0) href = inputImages[index];
        else if (layer < sizes.length - 1) {
          unitData = frame.units[hiddenIndex];
          hiddenIndex += 1;
          const bytes = decodeBytes(unitData.heatmap);
          const scale = Math.max(Math.abs(unitData.low), Math.abs(unitData.high), 1e-12);
          href = gridImage(size, (cell) => unitColour(unitData.low + (bytes[cell] / 255) * (unitData.high - unitData.low), scale));
        }
        svgElement("image", { x, y, width: unit, height: unit, href, preserveAspectRatio: "none" }, chart);
        const flagged = unitData && (unitData.dead || unitData.saturated);
        svgElement("rect", {
          x, y, width: unit, height: unit, fill: "none",
          stroke: flagged ? (unitData.dead ? "#cf222e" : "#8250df") : "#8c959f",
          "stroke-width": flagged ? 3 : 1, "stroke-dasharray": unitData && unitData.saturated && !unitData.dead ? "5 3" : "none",
        }, chart);
        if (layer === 0) svgElement("text", { x: x + unit / 2, y: y + unit + 12, "text-anchor": "middle" }, chart).textContent = `x${index + 1}`;
        if (flagged) {
          svgElement("text", { x: x + unit / 2, y: y + unit + 12, "text-anchor": "middle" }, chart).textContent = unitData.dead ? "dead" : "saturated";
        }
      }
    });
  }

  // ------------------------------------------------------------ start

  drawGraph();
  for (const note of graph.notes.concat(graph.values_recorded ? [] :
    ["Some values were not recorded: build the graph inside viz.record_values() to see every value."])) {
    const item = document.createElement("li");
    item.textContent = note;
    document.getElementById("graph-notes").appendChild(item);
  }
  document.getElementById("step-forward").addEventListener("click", () => goTo(step + 1));
  document.getElementById("step-backward").addEventListener("click", () => goTo(step - 1));
  document.getElementById("reset").addEventListener("click", () => { stopPlaying(); goTo(0); });
  playButton.addEventListener("click", togglePlay);
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement) return; // the slider keeps its own arrow keys
    if (event.key === "ArrowRight") goTo(step + 1);
    else if (event.key === "ArrowLeft") goTo(step - 1);
    else if (event.key === " ") togglePlay();
    else return;
    event.preventDefault();
  });
  update();
  if (data.timeline) setUpTimeline(data.timeline);
  document.body.setAttribute("data-ready", "true");
  document.body.setAttribute("data-ready-ms", performance.now().toFixed(1)); // time to interactive, for the README's figure
}());
