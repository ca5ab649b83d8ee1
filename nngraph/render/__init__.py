"""Drawing networks: DOT built by pure code, rendered by one small backend.

Nothing outside this package (and the CLI) imports graphviz or runs a renderer.

Example:
    >>> from nngraph import three_layer_network
    >>> neuron_diagram(three_layer_network()).source.startswith("digraph")
    True
"""

from .backend import available_renderers, render_dot
from .detail import neuron_detail
from .diagram import Diagram
from .neuron import neuron_diagram
from .plots import plot_activations
from .regions import plot_regions
from .signal import signal_diagram
from .stepper import Stepper

__all__ = [
    "Diagram",
    "Stepper",
    "available_renderers",
    "neuron_detail",
    "neuron_diagram",
    "plot_activations",
    "plot_regions",
    "render_dot",
    "signal_diagram",
]
