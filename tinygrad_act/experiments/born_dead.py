"""Born dead: the probability that a narrow deep ReLU net is a constant function at initialisation.

A ReLU layer whose units are all <= 0 for every input outputs the zero vector everywhere; every
later layer then sees one constant input, so the network is constant over the whole domain and
every weight before that layer has zero gradient: it cannot be trained (Lu, Shin, Su, Karniadakis
2019, "Dying ReLU and Initialization"). With weights and biases drawn from a symmetric distribution,
each layer has a positive chance of being all-off, so the chance that SOME layer is grows to 1 with
depth, faster for narrower nets (fewer units that must all be off).

This is a plain numpy simulation, vectorised over many random nets at once with batched matmuls:
`nets` random nets per width, each evaluated on a dense grid of the domain [-sqrt(3), sqrt(3)]^d
(the box of unit variance per coordinate); a unit active only between grid points is missed, so
"constant on the grid" can slightly overestimate "constant on the domain". Entries of every W_l and b_l are iid N(0, 2 / fan_in):
He-normal weights, and biases from the same law, so each unit's (w, b) is an isotropic Gaussian, a
symmetric distribution as the paper assumes. A depth-L net is the first L hidden layers of the
deepest one (its output layer is linear, so whether it is constant depends on the hidden layers
only): one simulation gives every depth, and the estimates are non-decreasing in depth by
construction. For d = 1 and depth 1 the probability is exact: a unit is off on [-a, a] iff
b <= -a |w|, a cone of angle 2 atan(1/a) of the isotropic (w, b), so P = (atan(1/a) / pi)^width.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..theory.born_dead import dead_by_depth, exact_depth_one, simulation_grid, wilson_interval
from ..viz.experiment_plots import plot_born_dead
from ..viz.tables import Table
from .protocol import About, Result, SettingsBase, knob, seed_knob

BORN_DEAD_DEPTHS = (1, 2, 3, 5, 10, 15, 20, 25, 30)  # the table's rows
ABOUT = About("born-dead", "Born dead: constant ReLU nets at initialisation",
              "probability that a narrow deep ReLU net is constant at init (no data needed)",
              command="dying-relu", selector="born-dead")


@dataclass(frozen=True)
class Settings(SettingsBase):
    widths: tuple[int, ...] = knob((2, 3, 4, 5), "--born-dead widths", at_least=1)
    max_depth: int = knob(30, "--born-dead: depths 1..N", at_least=1)
    input_dims: tuple[int, ...] = knob((1, 2), "--born-dead input dimensions", at_least=1)
    nets: int = knob(2000, "--born-dead: random nets per width", quick=200, at_least=1)
    seed: int = seed_knob()


@dataclass
class BornDeadEstimate:
    """How many of `nets` random nets of this shape are constant on the grid, with a 95% interval."""

    width: int
    depth: int
    input_dim: int
    nets: int
    dead: int

    @property
    def probability(self) -> float:
        return self.dead / self.nets

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson interval of the probability."""
        return wilson_interval(self.dead, self.nets)


def run(settings: Settings) -> Result:
    """For each input dimension d, width and depth 1..max_depth: how many of `nets` random ReLU nets
    with d inputs are constant on the simulation grid of [-sqrt(3), sqrt(3)]^d (1001 points for
    d = 1, 41 per axis for d = 2, 11 per axis above), simulated 500 at a time; each width draws from its
    own generator seeded by (seed, width, d), so results do not depend on which other widths are
    simulated."""
    s, estimates = settings, []
    for input_dim in s.input_dims:
        grid = simulation_grid(input_dim)
        for width in s.widths:
            rng = np.random.default_rng((s.seed, width, input_dim))
            dead = dead_by_depth(grid, width, s.max_depth, s.nets, rng)
            estimates += [BornDeadEstimate(width, depth + 1, input_dim, s.nets, int(dead[depth]))
                          for depth in range(s.max_depth)]
    return Result(s, estimates)


def tables(result: Result) -> list[Table]:
    """Rows: depth (per input dimension); columns: width; cells: probability [95% interval]."""
    s, widths = result.settings, sorted(set(result.settings.widths))
    cells = {(e.input_dim, e.width, e.depth): "{:.3f} [{:.3f}, {:.3f}]".format(e.probability, *e.interval)
             for e in result.runs}
    depths = [depth for depth in BORN_DEAD_DEPTHS if depth <= s.max_depth]
    rows = [[dim, depth, *(cells[dim, width, depth] for width in widths)]
            for dim in sorted(set(s.input_dims)) for depth in depths]
    return [Table(["input dim", "depth", *(f"width {width}" for width in widths)], rows,
                  f"P(a ReLU net is constant on [-sqrt(3), sqrt(3)]^d at init), {s.nets} random nets per "
                  "width (W, b ~ N(0, 2/fan_in)), with 95% Wilson intervals")]


def figures(result: Result, folder: Path) -> dict[Path, str]:
    path = Path(folder) / "born_dead.png"
    plot_born_dead(result.runs, path)
    return {path: "P(born dead) against depth, with 95% bands"}


def notes(result: Result) -> list[str]:
    if 1 not in result.settings.input_dims:
        return []
    exact = ", ".join(f"width {width}: {exact_depth_one(width):.4f}" for width in result.settings.widths)
    return [f"exact at depth 1 with 1-D input: {exact}"]
