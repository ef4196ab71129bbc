"""Pictures: activation galleries, training diagnostics and the experiments' figures (matplotlib), computation
graphs (graphviz), and tables rendered as terminal text, Markdown or HTML (viz.tables)."""

from .activation_plots import plot_activations
from .diagnostic_plots import plot_activation_stats, plot_dead_units, plot_gradient_flow, plot_history
from .explorer import Explorer, explore, record_values
from .graph import draw_graph, render, to_dot
from .graph_structure import watch

__all__ = [
    "Explorer", "draw_graph", "explore", "plot_activation_stats", "plot_activations", "plot_dead_units",
    "plot_gradient_flow", "plot_history", "record_values", "render", "to_dot", "watch",
]
