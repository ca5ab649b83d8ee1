"""nngraph: see a neural network compute.

An autograd-free computational graph engine for chapters 2–3 of *Deep
Learning from Scratch*: build a network, evaluate it exactly with NumPy, step
through it node by node, and draw it.

Example:
    >>> import nngraph as ng
    >>> net = ng.three_layer_network()
    >>> net.forward([1.0, 0.5]).round(8)
    array([0.31682708, 0.69627909])
"""

import importlib
from typing import TYPE_CHECKING

from .version import __version__ as __version__

#: Where each public name lives. They are imported on first use, so that ``nngraph --version``
#: and ``--help`` need neither NumPy nor networkx; ``from nngraph import Graph`` works as usual.
_EXPORTS = {
    "ACTIVATIONS": "activations",
    "Activation": "activations",
    "get_activation": "activations",
    "register_activation": "activations",
    "unregister_activation": "activations",
    "BUILTIN_NETWORKS": "build",
    "and_gate": "build",
    "mlp": "build",
    "mnist_network": "build",
    "nand_gate": "build",
    "or_gate": "build",
    "perceptron": "build",
    "three_layer_network": "build",
    "xor_gate": "build",
    "FormatError": "errors",
    "GraphError": "errors",
    "InputError": "errors",
    "NNGraphError": "errors",
    "OptionError": "errors",
    "RenderError": "errors",
    "ShapeError": "errors",
    "UnknownActivationError": "errors",
    "DISPLAY": "graph",
    "Graph": "graph",
    "Layer": "graph",
    "load_mnist": "idx",
    "from_onnx": "interop",
    "from_sklearn": "interop",
    "from_torch": "interop",
    "to_onnx": "interop",
    "convert_weights": "io",
    "read_idx": "idx",
    "load": "io",
    "load_weights": "io",
    "save": "io",
    "narrate": "narration",
    "ActivationNode": "nodes",
    "AffineNode": "nodes",
    "InputNode": "nodes",
    "NODE_KINDS": "nodes",
    "Node": "nodes",
    "Operation": "nodes",
    "WeightNode": "nodes",
    "Plan": "plan",
    "Step": "plan",
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nngraph' has no attribute {name!r}")
    module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
    _show_graphs_in_notebooks()
    value = globals()[name] = getattr(module, name)
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})


def _show_graphs_in_notebooks() -> None:
    """Let a notebook draw a graph it shows: a hook the core calls, which loads rendering only then."""
    from .graph import DISPLAY

    if _draw_in_a_notebook not in DISPLAY:
        DISPLAY.append(_draw_in_a_notebook)


def _draw_in_a_notebook(graph) -> dict:
    """The neuron diagram (or signal view) of ``graph`` as SVG."""
    from .render.notebook import graph_bundle

    return graph_bundle(graph)


if TYPE_CHECKING:
    from .activations import ACTIVATIONS, Activation, get_activation, register_activation, unregister_activation
    from .build import (
        BUILTIN_NETWORKS,
        and_gate,
        mlp,
        mnist_network,
        nand_gate,
        or_gate,
        perceptron,
        three_layer_network,
        xor_gate,
    )
    from .errors import (
        FormatError,
        GraphError,
        InputError,
        NNGraphError,
        OptionError,
        RenderError,
        ShapeError,
        UnknownActivationError,
    )
    from .graph import DISPLAY, Graph, Layer
    from .idx import load_mnist, read_idx
    from .interop import from_onnx, from_sklearn, from_torch, to_onnx
    from .io import convert_weights, load, load_weights, save
    from .narration import narrate
    from .nodes import NODE_KINDS, ActivationNode, AffineNode, InputNode, Node, Operation, WeightNode
    from .plan import Plan, Step

__all__ = [
    "DISPLAY",
    "ACTIVATIONS",
    "Activation",
    "ActivationNode",
    "AffineNode",
    "BUILTIN_NETWORKS",
    "FormatError",
    "Graph",
    "GraphError",
    "InputError",
    "InputNode",
    "Layer",
    "NNGraphError",
    "NODE_KINDS",
    "Node",
    "Operation",
    "Plan",
    "OptionError",
    "RenderError",
    "ShapeError",
    "Step",
    "UnknownActivationError",
    "WeightNode",
    "and_gate",
    "convert_weights",
    "from_onnx",
    "from_sklearn",
    "from_torch",
    "get_activation",
    "load",
    "load_mnist",
    "load_weights",
    "mlp",
    "mnist_network",
    "narrate",
    "nand_gate",
    "or_gate",
    "perceptron",
    "read_idx",
    "register_activation",
    "save",
    "three_layer_network",
    "to_onnx",
    "unregister_activation",
    "xor_gate",
]
