"""Run every experiment and write one self-contained HTML page with its tables, figures and commands.

    build_report("out/report", ReportOptions(quick=True, seed=0))   # out/report/index.html

Each section parses the `tinygrad-act` command that reproduces it with the real CLI parser and
calls the experiment functions with those arguments, so the command shown on the page gives the
same numbers (timings aside) and, run from the report folder, rewrites the section's figures.
Everything runs with one BLAS thread, as every command does by default (`--threads`). Tables come
from the experiments' own table functions; the page has inline CSS, no scripts and is well-formed
XML, so any XML parser reads it.
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import platform
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, nn
from . import functional as F
from .activations import get_activation, list_activations
from .cli import build_parser
from .cli import dying_relu as dying_relu_cli
from .cli import graph as graph_cli
from .cli import speed as speed_cli
from .cli import vanishing as vanishing_cli
from .cli.activations import HEADERS as ACTIVATION_HEADERS
from .cli.activations import activation_row
from .experiments import born_dead, dying_relu, mnist, selu, speed, vanishing, xor
from .experiments.common import blas_threads
from .rng import generator, manual_seed
from .tensor import Tensor
from .viz import plot_activations, plot_history, render, to_dot, watch

PAGE_NAME = "index.html"


@dataclass
class ReportOptions:
    """What the whole report runs with: quick settings or the defaults, the dataset, the seed."""

    quick: bool = False
    dataset: str = "mnist"
    seed: int = 0
    root: str | None = None  # data folder (None: $TINYGRAD_ACT_DATA or ~/.cache/tinygrad_act)

    def flags(self, quick: bool = True, data: bool = True, seed: bool = True) -> list[str]:
        """The command-line flags that carry these options to a command which takes --quick (`quick`),
        --dataset and --root (`data`), --seed (`seed`); defaults are left out."""
        result = ["--quick"] if quick and self.quick else []
        if data and self.dataset != "mnist":
            result += ["--dataset", self.dataset]
        if data and self.root is not None:
            result += ["--root", self.root]
        return result + (["--seed", str(self.seed)] if seed else [])


@dataclass
class Table:
    """A table of the page: every cell already formatted as text."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Picture:
    """A figure of the page (PNG or SVG) and its caption."""

    path: str  # relative to the report folder, with forward slashes
    caption: str


@dataclass
class Section:
    """One experiment's part of the page."""

    key: str  # the HTML id, and the folder its figures go to
    title: str
    explanation: str
    commands: list[str]
    tables: list[Table] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def table_from_markdown(text: str, caption: str) -> Table:
    """A Table from the Markdown an experiment's table function writes (`format_table(markdown=True)`)."""
    lines = text.strip().splitlines()
    headers, *rows = [_markdown_cells(line) for line in lines[:1] + lines[2:]]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"table_from_markdown: {len(headers)} headers but a row of {len(row)} cells: {row}")
    return Table(caption, headers, rows)


def _markdown_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().removeprefix("|").removesuffix("|").split("|")]


def _command(argv: Sequence[str]) -> tuple[argparse.Namespace, str]:
    """The arguments the CLI would run `argv` with (its defaults included), and the command as text."""
    return build_parser().parse_args(list(argv)), shlex.join(["tinygrad-act", *argv])


# ------------------------------------------------------------------ sections, in page order


def activations_section(options: ReportOptions, out_dir: Path) -> Section:
    """The registry's table of facts and the gallery of f and f'."""
    args, command = _command(["activations", "--plot", "activations/gallery.png"])
    rows = [list(activation_row(get_activation(name))) for name in list_activations()]
    plot_activations(path=out_dir / args.plot)
    return Section(
        "activations", "Activation functions",
        "Every registered activation with the facts its registration records, at its default parameters: "
        "the output range, whether it is zero-centred, monotonic and saturating, and the largest value of "
        "its derivative f'. The gallery draws f (solid) and f' (dashed), f' computed by the registered "
        "backward rule, so it is what backpropagation uses. These facts predict the sections below: "
        "sigmoid's f' <= 1/4 shrinks the gradient at every layer, and relu's f' = 0 for x < 0 is what "
        "lets a unit die.",
        [command],
        tables=[Table(f"{len(rows)} registered activations", list(ACTIVATION_HEADERS), rows)],
        pictures=[Picture(args.plot, "f (solid) and f' (dashed) of every registered activation")],
    )


def xor_section(options: ReportOptions, out_dir: Path) -> Section:
    """Every compared activation on XOR, over several seeds (`xor --compare` uses seeds 0..N-1)."""
    args, command = _command(["xor", "--compare", *options.flags(data=False, seed=False)])
    steps, seeds = (300, min(args.seeds, 3)) if args.quick else (args.steps, args.seeds)
    rows = xor.compare(args.activations, seeds=range(seeds), hidden=args.hidden, steps=steps, lr=args.lr,
                       optimizer=args.optimizer)
    caption = (f"a 2-{args.hidden}-1 network, {steps} full-batch steps of {args.optimizer} (lr {args.lr}), "
               f"seeds 0..{seeds - 1} per activation")
    return Section(
        "xor", "XOR: why a non-linearity is needed",
        "XOR is the smallest problem that needs a non-linearity: no straight line separates {(0,1), (1,0)} "
        "from {(0,0), (1,1)}. A network with one hidden layer is trained on the four points with each "
        "activation. With identity it is a single linear map, so at most 3 of the 4 points can be right; "
        "step has derivative 0 everywhere, so its hidden weights never receive a gradient and never move; "
        "the other activations can solve it.",
        [command],
        tables=[table_from_markdown(xor.comparison_table(rows, markdown=True), caption)],
    )


def mnist_section(options: ReportOptions, out_dir: Path) -> Section:
    """An MLP trained on the dataset: accuracy per epoch, wall time and the training curves."""
    args, command = _command(["mnist", *options.flags(), "--plot", "mnist/history.png"])
    epochs = 2 if args.quick else args.epochs
    result = mnist.train_mnist(
        dataset=args.dataset, activation=args.activation, hidden=args.hidden, optimizer=args.optimizer,
        lr=args.lr, epochs=epochs, batch_size=args.batch_size, seed=args.seed, quick=args.quick, progress=False,
        root=args.root, download=not args.no_download, init=args.init, schedule=args.schedule,
        threads=args.threads,
    )
    plot_history(result.history.as_dict(), path=out_dir / args.plot)
    history = result.history
    rows = [[str(epoch), f"{loss:.4f}", f"{accuracy:.4f}", f"{test_accuracy:.4f}", f"{seconds:.2f}"]
            for epoch, (loss, accuracy, test_accuracy, seconds)
            in enumerate(zip(history.loss, history.accuracy, history.val_accuracy, history.seconds), 1)]
    sizes = "-".join(str(size) for size in result.model.sizes)
    caption = (f"{args.dataset}: {sizes} MLP, {args.activation}, {args.optimizer} lr {args.lr} ({args.schedule}), "
               f"batch {args.batch_size}")
    return Section(
        "mnist", f"{args.dataset}: training an MLP end to end",
        "The check that the whole stack trains a real network: an MLP with cross-entropy, mini-batches "
        "from the DataLoader, Adam with a learning rate annealed along a cosine. The table gives the "
        "training loss and accuracy, the test accuracy after every epoch and the seconds each epoch took.",
        [command],
        tables=[Table(caption, ["epoch", "train loss", "train accuracy", "test accuracy", "seconds"], rows)],
        pictures=[Picture(args.plot.as_posix(), "loss, accuracy and seconds per epoch (test accuracy dashed)")],
        notes=[f"test accuracy {result.test_accuracy:.4f}",
               f"wall time: {result.load_seconds:.2f} s loading + {result.train_seconds:.2f} s training"],
    )


def graph_section(options: ReportOptions, out_dir: Path) -> Section:
    """The loss graph of a small ReLU MLP and of a deep sigmoid net, coloured by gradient size (SVG)."""
    seed = options.flags(quick=False, data=False)
    drawings = [(["graph", "--activation", "relu", *seed, "--out", "graph/mlp.svg"],
                 "a 2-hidden-layer relu MLP"),
                (["graph", "--activation", "sigmoid", "--depth", "8", "--group-by-module", *seed,
                  "--out", "graph/deep_sigmoid.svg"], "an 8-hidden-layer sigmoid MLP, ops grouped by layer")]
    section = Section(
        "graph", "Computation graphs",
        "The graph autograd records for a cross-entropy loss, drawn after one backward: a box per op, the "
        "parameters by name, edges in data-flow order (backpropagation walks them in reverse). The fill is "
        "the gradient norm on a log scale, darker for larger. In the small relu MLP every layer gets a "
        "gradient of similar size; in the deep sigmoid net the colours fade towards the input: vanishing "
        "gradients, visible before any training.",
        [],
    )
    for argv, description in drawings:
        args, command = _command(argv)
        section.commands.append(command)
        loss, model = graph_loss(args)
        params = dict(model.named_parameters())
        drawing = dict(params=params, group_by_module=args.group_by_module)
        try:
            render(loss, out_dir / args.out, **drawing)
            section.pictures.append(Picture(args.out, f"{description} (loss {loss.item():.4f})"))
        except RuntimeError as error:
            dot_path = Path(args.out).with_suffix(".dot")
            (out_dir / dot_path).parent.mkdir(parents=True, exist_ok=True)
            (out_dir / dot_path).write_text(to_dot(loss, **drawing), encoding="utf-8")
            section.notes.append(f"{error} The DOT text of {description} is in {dot_path.as_posix()}.")
        names = {id(tensor): name for name, tensor in params.items()}
        rows = [[names[id(linear.weight)], f"{np.linalg.norm(linear.weight.grad.data):.3e}"]
                for linear in model.linears()]
        section.tables.append(Table(f"{description}: gradient norm of each weight, input layer first",
                                    ["weight", "||dL/dW||"], rows))
    return section


def graph_loss(args: argparse.Namespace) -> tuple[Tensor, nn.MLP]:
    """The watched, backpropagated loss that `tinygrad-act graph` draws for `args`, and its model."""
    manual_seed(args.seed)
    model = nn.MLP([graph_cli.FEATURES, *[args.width] * args.depth, graph_cli.CLASSES], activation=args.activation)
    inputs = Tensor(generator().standard_normal((args.batch_size, graph_cli.FEATURES)))
    labels = generator().integers(0, graph_cli.CLASSES, args.batch_size)
    loss = F.cross_entropy(model(inputs), labels)
    watch(loss)
    loss.backward()
    return loss, model


def vanishing_section(options: ReportOptions, out_dir: Path) -> Section:
    """Per-layer gradient norms of a deep MLP at init for each activation, then a training budget."""
    args, command = _command(["vanishing", *options.flags(), "--out-dir", "vanishing"])
    steps = min(args.steps, vanishing_cli.QUICK_STEPS) if args.quick else args.steps
    result = vanishing.run_vanishing(
        args.activations, dataset=args.dataset, quick=args.quick, depth=args.depth, width=args.width,
        init=args.init, init_scale=args.init_scale, steps=steps, optimizer=args.optimizer, lr=args.lr,
        batch_size=args.batch_size, clip=args.clip, probe_size=args.probe_size, seed=args.seed, root=args.root,
    )
    folder = Path(args.out_dir)
    vanishing.plot_gradient_norms(result, out_dir / folder / "gradient_norms.png")
    vanishing.plot_gradient_norms(result, out_dir / folder / "backward_signal.png", signal=True)
    vanishing.plot_loss_curves(result, out_dir / folder / "loss_curves.png")
    settings = result.settings
    return Section(
        "vanishing", "Vanishing gradients",
        "Backpropagation multiplies the gradient, layer after layer, by W^T diag(f'(z)). Sigmoid has "
        "f' <= 1/4, so with Xavier-sized weights each sigmoid layer shrinks the gradient about 4x: the first "
        "layer of a deep sigmoid net gets a gradient orders of magnitude smaller than the last, and plain "
        "SGD leaves it where it started. Each other activation, with its matching initialisation, keeps the "
        "product near 1. The first table is ||dL/dW|| per layer at initialisation; the second trains each "
        "net from that initialisation with plain SGD for the same number of steps.",
        [command],
        tables=[
            table_from_markdown(vanishing.gradient_table(result, markdown=True),
                                f"{args.depth} hidden layers of {args.width}: ||dL/dW|| after one backward of "
                                f"cross-entropy on {settings['probe_size']} training images"),
            table_from_markdown(vanishing.training_table(result, markdown=True),
                                f"{steps} steps of {args.optimizer} (lr {args.lr}, batch {args.batch_size}) on "
                                f"{settings['train_samples']} images; test accuracy on {settings['test_samples']}"
                                f" (chance: 0.1)"),
        ],
        pictures=[Picture(f"{folder.as_posix()}/gradient_norms.png", "weight-gradient norm per layer at init"),
                  Picture(f"{folder.as_posix()}/backward_signal.png", "backward signal ||dL/dz|| per layer"),
                  Picture(f"{folder.as_posix()}/loss_curves.png", "training loss per step")],
    )


def dying_relu_section(options: ReportOptions, out_dir: Path) -> Section:
    """Dead-unit fractions of ReLU nets under conditions that kill units, and of the fixes."""
    args, command = _command(["dying-relu", *options.flags(), "--out-dir", "dying-relu"])
    epochs = min(args.epochs, dying_relu_cli.QUICK_EPOCHS) if args.quick else args.epochs
    variants = dying_relu.default_variants(args.large_lr, args.small_lr, args.negative_bias, args.positive_bias)
    runs = dying_relu.run_dying_relu(variants, dataset=args.dataset, quick=args.quick, hidden=args.hidden,
                                     epochs=epochs, batch_size=args.batch_size, optimizer=args.optimizer,
                                     probe_size=args.probe_size, seed=args.seed, root=args.root)
    picture = f"{args.out_dir.as_posix()}/dead_units.png"
    dying_relu.plot_dying(runs, out_dir / picture)
    sizes = "-".join(str(size) for size in [784, *args.hidden, 10])
    history = Table("mean dead fraction over layers at initialisation (epoch 0) and after each epoch",
                    ["variant", *(f"epoch {epoch}" for epoch in range(epochs + 1))],
                    [[run.variant.name, *(f"{value:.2f}" for value in run.mean_dead_history())] for run in runs])
    return Section(
        "dying-relu", "Dying ReLU",
        "A ReLU unit whose input is negative for every sample outputs 0 with derivative 0: the weights "
        "feeding it get no gradient and it never comes back. A too-large learning rate or a negative bias "
        "initialisation kills units; activations whose derivative is never 0 (leaky_relu, elu, selu), a "
        "small positive bias or a smaller learning rate avoid it. Each layer's dead fraction is measured on "
        "a fixed batch of training images, at initialisation and after every epoch.",
        [command],
        tables=[table_from_markdown(dying_relu.dying_table(runs, markdown=True),
                                    f"{args.dataset}: {sizes} MLP, {epochs} epochs of {args.optimizer} (batch "
                                    f"{args.batch_size}); dead = f'(x) = 0 on all of {args.probe_size} training "
                                    f"images, after the last epoch"),
                history],
        pictures=[Picture(picture, "mean dead fraction per epoch")],
    )


def born_dead_section(options: ReportOptions, out_dir: Path) -> Section:
    """The probability that a random narrow deep ReLU net is constant at initialisation."""
    args, command = _command(["dying-relu", "--born-dead", *options.flags(data=False),
                              "--out-dir", "born-dead"])
    nets = min(args.nets, dying_relu_cli.QUICK_NETS) if args.quick else args.nets
    estimates = []
    for input_dim in args.input_dims:
        estimates += born_dead.simulate_born_dead(args.widths, args.max_depth, input_dim, nets, seed=args.seed)
    picture = f"{args.out_dir.as_posix()}/born_dead.png"
    born_dead.plot_born_dead(estimates, out_dir / picture)
    depths = [depth for depth in dying_relu_cli.BORN_DEAD_DEPTHS if depth <= args.max_depth]
    exact = ", ".join(f"width {width}: {born_dead.exact_depth_one(width):.4f}" for width in args.widths)
    return Section(
        "born-dead", "Born dead: constant ReLU nets at initialisation",
        "Even before training a narrow deep ReLU net can be dead: when all the units of one layer are off "
        "for every input, the network is constant and no weight before that layer gets a gradient (Lu, "
        "Shin, Su and Karniadakis 2019). A numpy simulation of many random nets (weights and biases drawn "
        "from N(0, 2/fan_in)) on a grid of the input box shows the probability growing to 1 with depth, "
        "faster for narrower nets. Each cell is the estimate and its 95% Wilson interval.",
        [command],
        tables=[table_from_markdown(born_dead.born_dead_table(estimates, depths, markdown=True),
                                    f"P(net constant on [-sqrt(3), sqrt(3)]^d at init), {nets} random nets per "
                                    f"width")],
        pictures=[Picture(picture, "P(born dead) against depth, with 95% bands")],
        notes=[f"exact at depth 1 with 1-D input: {exact}"] if 1 in args.input_dims else [],
    )


def selu_section(options: ReportOptions, out_dir: Path) -> Section:
    """Mean and std of every layer's activations in a 50-layer net at init: SELU self-normalises."""
    args, command = _command(["selu", *options.flags(data=False), "--out-dir", "selu"])
    samples, seeds = (min(args.samples, 500), min(args.seeds, 2)) if args.quick else (args.samples, args.seeds)
    results = selu.run_selu(args.activations, depth=args.depth, width=args.width, source=args.inputs,
                            samples=samples, seeds=seeds, seed=args.seed, dataset=args.dataset, quick=args.quick,
                            root=args.root)
    picture = f"{args.out_dir.as_posix()}/selu_statistics.png"
    selu.plot_selu(results, out_dir / picture)
    inits = ", ".join(f"{result.activation}: {result.init}" for result in results)
    return Section(
        "selu", "SELU self-normalisation",
        "SELU's two constants make mean 0 and variance 1 a stable fixed point of the map from one layer's "
        "activations to the next (with LeCun-normal weights and zero biases), so standardised inputs stay "
        "standardised through any depth without batch normalisation. ReLU with He init keeps the second "
        "moment but is never zero-centred, tanh loses variance layer after layer, and sigmoid's outputs "
        "sit around 0.5.",
        [command],
        tables=[table_from_markdown(selu.selu_table(results, every=args.every, markdown=True),
                                    f"{args.depth} hidden layers of {args.width} at init, {samples} N(0, 1) inputs, "
                                    f"mean over {seeds} nets ({inits}; biases 0)")],
        pictures=[Picture(picture, "mean and std of the activations by depth")],
    )


def speed_section(options: ReportOptions, out_dir: Path) -> Section:
    """Steps each activation needs to reach a target training accuracy."""
    args, command = _command(["speed", *options.flags(), "--out-dir", "speed"])
    budget = min(args.budget, speed_cli.QUICK_BUDGET) if args.quick else args.budget
    eval_every = min(args.eval_every, speed_cli.QUICK_EVAL_EVERY) if args.quick else args.eval_every
    runs = speed.run_speed(args.activations, dataset=args.dataset, quick=args.quick, target=args.target,
                           hidden=args.hidden, lr=args.lr, momentum=args.momentum, batch_size=args.batch_size,
                           budget=budget, eval_every=eval_every, eval_size=args.eval_size, seed=args.seed,
                           root=args.root)
    picture = f"{args.out_dir.as_posix()}/speed.png"
    speed.plot_speed(runs, out_dir / picture)
    baseline = runs[0]
    sizes = "-".join(str(size) for size in [784, *args.hidden, 10])
    notes = []
    for run in runs[1:]:
        ratio, relation = speed.step_ratio(run, baseline)
        amount = {"=": f"{ratio:.1f}x", ">": f"more than {ratio:.1f}x", "<": f"at most {ratio:.1f}x",
                  "?": "an unknown multiple of"}[relation]
        notes.append(f"{run.activation} needs {amount} the steps of {baseline.activation}")
    return Section(
        "speed", "Training speed: steps to a target accuracy",
        "How many steps of SGD with momentum each activation needs to reach a target accuracy on the "
        "training images, with the same net, seed and batches. Krizhevsky, Sutskever and Hinton (2012) "
        "report that ReLU reached 25% training error on CIFAR-10 about 6x faster than tanh: saturating "
        "activations have a small derivative wherever |x| is large, ReLU's is exactly 1 on its active side.",
        [command],
        tables=[table_from_markdown(speed.speed_table(runs, baseline=baseline.activation, markdown=True),
                                    f"{args.dataset}: {sizes} MLP, SGD lr {args.lr} momentum {args.momentum}, "
                                    f"batch {args.batch_size}; steps until the accuracy on {baseline.eval_samples} "
                                    f"training images (checked every {eval_every} steps) reaches {args.target:g}, "
                                    f"at most {budget}")],
        pictures=[Picture(picture, "accuracy on the fixed training subset against steps")],
        notes=notes,
    )


SECTIONS: tuple[Callable[[ReportOptions, Path], Section], ...] = (
    activations_section, xor_section, mnist_section, graph_section, vanishing_section, dying_relu_section,
    born_dead_section, selu_section, speed_section,
)


# ------------------------------------------------------------------ the page


def machine_summary() -> dict[str, str]:
    """The software and machine the numbers were produced on."""
    return {
        "tinygrad_act": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "CPU count": str(os.cpu_count()),
    }


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1 { margin-bottom: 0.2rem; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.5rem; }
nav ol { columns: 2; }
dl.header { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; }
dl.header dt { font-weight: 600; }
dl.header dd { margin: 0; }
pre, code { background: #f4f4f4; border-radius: 3px; }
pre { padding: 0.5rem 0.8rem; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.85rem; }
caption { text-align: left; font-style: italic; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ddd; padding: 0.15rem 0.5rem; text-align: left;
         font-variant-numeric: tabular-nums; }
th { background: #f0f0f0; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; }
.time { color: #666; font-size: 0.85rem; }
"""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{_escape(header)}</th>" for header in table.headers)
    body = "\n".join("<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    return (f"<table>\n<caption>{_escape(table.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody>\n</table>")


def _section_html(section: Section) -> str:
    parts = [f'<section id="{_escape(section.key)}">', f"<h2>{_escape(section.title)}</h2>",
             f"<p>{_escape(section.explanation)}</p>",
             "<p>Reproduce (from the report folder: this also rewrites the figures):</p>",
             "<pre>" + "\n".join(f"<code>{_escape(command)}</code>" for command in section.commands) + "</pre>"]
    parts += [_table_html(table) for table in section.tables]
    if section.notes:
        parts.append("<ul>" + "".join(f"<li>{_escape(note)}</li>" for note in section.notes) + "</ul>")
    # each figure links to itself, so a wide one (the deep graph) can be opened at full size
    parts += [f'<figure><a href="{_escape(picture.path)}"><img src="{_escape(picture.path)}" '
              f'alt="{_escape(picture.caption)}" /></a><figcaption>{_escape(picture.caption)}</figcaption></figure>'
              for picture in section.pictures]
    parts.append(f'<p class="time">took {section.seconds:.1f} s</p>')
    parts.append("</section>")
    return "\n".join(parts)


def render_html(sections: Sequence[Section], options: ReportOptions, command: str, seconds: float,
                created: datetime.datetime) -> str:
    """The whole page: a header (date, versions, machine, mode), a table of contents, the sections."""
    header = {"date": created.isoformat(timespec="seconds"), **machine_summary(),
              "mode": "quick (small data, short runs: noisier numbers)" if options.quick else "full",
              "dataset": options.dataset, "seed": str(options.seed), "total time": f"{seconds:.1f} s",
              "command": command}
    items = "".join(f"<dt>{_escape(name)}</dt><dd>{_escape(value)}</dd>" for name, value in header.items())
    contents = "".join(f'<li><a href="#{_escape(section.key)}">{_escape(section.title)}</a> '
                       f'<span class="time">({section.seconds:.1f} s)</span></li>' for section in sections)
    body = "\n\n".join(_section_html(section) for section in sections)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
            f"<title>tinygrad_act report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<header>\n<h1>tinygrad_act: why activation functions matter</h1>\n"
            f"<p>Every experiment of the package, run by one command. Each section says what it shows and the "
            f"command that reproduces it: the same seed gives the same numbers (timings aside). Everything runs "
            f"with one BLAS thread, as the commands do by default (--threads): a float32 matmul split between "
            f"threads rounds differently, and short training runs amplify the difference.</p>\n"
            f'<dl class="header">{items}</dl>\n</header>\n<nav><h2>Contents</h2><ol>{contents}</ol></nav>\n\n'
            f"{body}\n</body>\n</html>\n")


def report_command(out_dir: Path, options: ReportOptions) -> str:
    """The `tinygrad-act report` command that writes this report."""
    return shlex.join(["tinygrad-act", "report", "--out", str(out_dir), *options.flags()])


def build_report(out_dir: str | Path, options: ReportOptions | None = None,
                 log: Callable[[str], None] = print) -> Path:
    """Run every section into `out_dir` (created if needed) and write its index.html; returns the
    page's path. `log` receives a progress line per section. BLAS is limited to one thread: with few
    cores, a second BLAS thread waiting for a busy core makes these small matmuls many times slower."""
    options = options or ReportOptions()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    created = datetime.datetime.now().astimezone()
    start = time.perf_counter()
    sections = []
    with blas_threads(1):
        for index, make_section in enumerate(SECTIONS, 1):
            name = make_section.__name__.removesuffix("_section").replace("_", "-")
            log(f"[{index}/{len(SECTIONS)}] {name} ...")
            section_start = time.perf_counter()
            section = make_section(options, out_dir)
            section.seconds = time.perf_counter() - section_start
            sections.append(section)
            log(f"[{index}/{len(SECTIONS)}] {name}: {section.seconds:.1f} s")
    seconds = time.perf_counter() - start
    page = out_dir / PAGE_NAME
    page.write_text(render_html(sections, options, report_command(out_dir, options), seconds, created),
                    encoding="utf-8")
    return page
