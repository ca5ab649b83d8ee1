"""How a graph shows itself in a notebook: its neuron diagram, or the signal view of any other graph.

Example:
    >>> from nngraph import three_layer_network
    >>> "<svg" in graph_bundle(three_layer_network())["image/svg+xml"]
    True
"""

from __future__ import annotations

from ..errors import GraphError, RenderError
from .neuron import neuron_diagram
from .signal import signal_diagram

__all__ = ["graph_bundle"]


def graph_bundle(graph) -> dict:
    """``{"image/svg+xml": …}`` for ``graph``; nothing when no renderer is installed or it cannot be drawn."""
    try:
        try:
            graph.layers()
            diagram = neuron_diagram(graph)
        except GraphError:  # not a stack of layers: the op-level view draws any graph
            diagram = signal_diagram(graph)
        return {"image/svg+xml": diagram.svg()}
    except RenderError:  # no renderer, or too big to draw: the notebook shows the repr
        return {}
