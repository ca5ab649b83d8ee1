"""Ready-made networks: mlp() and the book's perceptrons and networks.

Names follow the book: input ``x``, layer ``i`` has ``Wi``, ``bi``, ``ai = x·Wi + bi``
and ``zi = h(ai)``; the last layer's output is ``y``.

Example:
    >>> import numpy as np
    >>> xor_gate().forward(np.array([[0, 0], [1, 0], [0, 1], [1, 1]]))[:, 0]
    array([0., 1., 1., 0.])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeGuard, cast

from .checks import as_parameter
from .errors import FormatError, GraphError, ShapeError
from .graph import Graph
from .nodes import Node

__all__ = [
    "mlp",
    "perceptron",
    "and_gate",
    "nand_gate",
    "or_gate",
    "xor_gate",
    "three_layer_network",
    "mnist_network",
    "BUILTIN_NETWORKS",
]


#: An activation for mlp(): a name, or a name and its parameters, e.g. ("leaky_relu", {"alpha": 0.2}).
ActivationChoice = str | tuple[str, Mapping[str, float]]


def mlp(
    layers: Iterable, activations: Iterable[ActivationChoice] | ActivationChoice, *,
    name: str = "mlp", input_name: str = "x", output_name: str = "y",
) -> Graph:
    """A multilayer perceptron from ``[(W1, b1), (W2, b2), …]``; ``b`` may be None.

    Args:
        layers: one ``(W, b)`` pair per layer (any iterable); W of layer i has as
            many rows as layer i−1 has columns.
        activations: one activation per layer, or one for all; each a name or a
            pair ``(name, {parameter: value})``.
        name: the graph's name.

    Example:
        >>> net = mlp([([[1.0, -1.0]], [0.0, 0.0])], activations=("leaky_relu", {"alpha": 0.2}))
        >>> net.forward([2.0])
        array([ 2. , -0.4])
    """
    try:
        layers = list(layers)
        choices = [activations] * len(layers) if _one_activation(activations) else list(cast(Iterable[ActivationChoice], activations))
    except TypeError:
        raise GraphError("mlp takes a list of (W, b) pairs and a list of activation names (or one name)") from None
    if not layers:
        raise GraphError("mlp needs at least one (W, b) layer")
    if len(choices) != len(layers):
        raise GraphError(f"mlp got {len(layers)} layer(s) but {len(choices)} activation(s); give one activation per layer")
    g = Graph(name)
    for i, (layer, activation) in enumerate(zip(layers, choices), start=1):
        try:
            W, b = layer
        except (TypeError, ValueError):
            raise GraphError(f"layer {i} of mlp must be a pair (W, b); got {type(layer).__name__}") from None
        if i == 1:
            signal: Node = g.input(input_name, size=_rows(W, i))
        W_node = g.weight(f"W{i}", W)
        b_node = g.weight(f"b{i}", b) if b is not None else None
        a = g.affine(f"a{i}", signal, W_node, b_node)
        if not _one_activation(activation):
            raise GraphError(f"layer {i} of mlp: an activation is a name or (name, {{parameter: value}}); got {activation!r}")
        h, parameters = (activation, {}) if isinstance(activation, str) else activation
        signal = g.activation(output_name if i == len(layers) else f"z{i}", a, h, **parameters)
    return g


def _one_activation(value) -> TypeGuard[ActivationChoice]:
    """A name, or a pair (name, {parameter: value}): one activation, not one per layer."""
    return isinstance(value, str) or (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], Mapping))


def _rows(W, layer: int) -> int:
    W = as_parameter(W, f"W{layer}")
    if W.ndim != 2:
        raise ShapeError(f"W{layer} must be a matrix (rows × columns); got shape {W.shape}")
    return W.shape[0]


def perceptron(w: Sequence[float], b: float, *, name: str = "perceptron") -> Graph:
    """The book's perceptron: ``y = 1 if w·x + b > 0 else 0`` (figure 2-1).

    Example:
        >>> perceptron([0.5, 0.5], -0.7, name="AND").forward([1, 1])
        array([1.])
    """
    try:
        column = [[wi] for wi in w]
    except TypeError:
        raise GraphError(f"perceptron weights w must be a list of numbers, one per input; got {w!r}") from None
    return mlp([(column, [b])], "step", name=name)


def and_gate() -> Graph:
    """AND: w = (0.5, 0.5), b = −0.7 (section 2.3).

    Example:
        >>> and_gate().forward([[0, 0], [1, 0], [0, 1], [1, 1]])[:, 0]
        array([0., 0., 0., 1.])
    """
    return perceptron([0.5, 0.5], -0.7, name="AND")


def nand_gate() -> Graph:
    """NAND: w = (−0.5, −0.5), b = 0.7.

    Example:
        >>> nand_gate().forward([[0, 0], [1, 0], [0, 1], [1, 1]])[:, 0]
        array([1., 1., 1., 0.])
    """
    return perceptron([-0.5, -0.5], 0.7, name="NAND")


def or_gate() -> Graph:
    """OR: w = (0.5, 0.5), b = −0.2.

    Example:
        >>> or_gate().forward([[0, 0], [1, 0], [0, 1], [1, 1]])[:, 0]
        array([0., 1., 1., 1.])
    """
    return perceptron([0.5, 0.5], -0.2, name="OR")


def xor_gate() -> Graph:
    """XOR as two layers (figure 2-13): s₁ = NAND(x), s₂ = OR(x), y = AND(s₁, s₂).

    Example:
        >>> [step.node for step in xor_gate().steps([1, 0])]
        ['x', 'a1', 'z1', 'a2', 'y']
    """
    nand_or = ([[-0.5, 0.5], [-0.5, 0.5]], [0.7, -0.2])
    and_ = ([[0.5], [0.5]], [-0.7])
    return mlp([nand_or, and_], "step", name="XOR")


def three_layer_network() -> Graph:
    """The 2-3-2-2 network of section 3.4.3 (sigmoid, sigmoid, identity).

    Example:
        >>> three_layer_network().forward([1.0, 0.5]).round(8)
        array([0.31682708, 0.69627909])
    """
    W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]
    b1 = [0.1, 0.2, 0.3]
    W2 = [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]
    b2 = [0.1, 0.2]
    W3 = [[0.1, 0.3], [0.2, 0.4]]
    b3 = [0.1, 0.2]
    return mlp([(W1, b1), (W2, b2), (W3, b3)], ["sigmoid", "sigmoid", "identity"], name="three-layer")


def mnist_network(weights) -> Graph:
    """The book's MNIST network 784-50-100-10 (sigmoid, sigmoid, softmax).

    Args:
        weights: a mapping with keys W1, b1, W2, b2, W3, b3, e.g.
            ``nngraph.load_weights("book_mnist_mlp.npz")``.

    Raises:
        FormatError: for a missing key.

    Example:
        >>> import numpy as np
        >>> sizes = [784, 50, 100, 10]
        >>> zeros = {f"{k}{i}": np.zeros(s) for i, (m, n) in enumerate(zip(sizes, sizes[1:]), 1)
        ...          for k, s in (("W", (m, n)), ("b", n))}
        >>> mnist_network(zeros).forward(np.zeros(784)).round(2)
        array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    """
    if not isinstance(weights, Mapping):
        raise FormatError(f"mnist_network takes a mapping of arrays; got {type(weights).__name__}; read a file with nngraph.load_weights(path)")
    missing = [key for key in ("W1", "b1", "W2", "b2", "W3", "b3") if key not in weights]
    if missing:
        raise FormatError(f"the weights: missing {', '.join(missing)}; it holds {sorted(weights)}")
    layers = [(weights[f"W{i}"], weights[f"b{i}"]) for i in (1, 2, 3)]
    return mlp(layers, ["sigmoid", "sigmoid", "softmax"], name="mnist")


BUILTIN_NETWORKS = {
    "and": and_gate,
    "nand": nand_gate,
    "or": or_gate,
    "xor": xor_gate,
    "three-layer": three_layer_network,
}
