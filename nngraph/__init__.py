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
from .narrate import narrate
from .nodes import NODE_KINDS, ActivationNode, AffineNode, InputNode, Node, Operation, WeightNode
from .plan import Plan, Step

from .version import __version__


def _draw_in_a_notebook(graph) -> dict:
    """The neuron diagram (or signal view) of ``graph`` as SVG; rendering loads only when a notebook shows a graph."""
    from .render.notebook import graph_bundle

    return graph_bundle(graph)


DISPLAY.append(_draw_in_a_notebook)

__all__ = [
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
