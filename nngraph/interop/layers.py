"""A chain of layers from another framework, named as the book names them.

PyTorch's ``nn.Sequential`` and scikit-learn's MLPs are both a chain of affine
layers and activations. :func:`chain` builds it: ``x``, then for layer i
``Wi``, ``bi``, ``ai = x·Wi + bi`` and ``zi = h(ai)``; the last activation is ``y``.

Example:
    >>> import numpy as np
    >>> net = chain("net", 2, [Affine(np.eye(2), np.zeros(2)), Activate("relu")])
    >>> net.names
    ('x', 'W1', 'b1', 'a1', 'y')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import FormatError, NNGraphError
from ..graph import Graph
from ..nodes import Node

__all__ = ["Affine", "Activate", "chain"]


@dataclass(frozen=True)
class Affine:
    """``a = x·W + b``, W already in the book's orientation (inputs × outputs); ``b`` may be None."""

    W: np.ndarray
    b: np.ndarray | None
    origin: str = ""
    name: str | None = None  # the affine's name when not the book's a1, a2, …


@dataclass(frozen=True)
class Activate:
    """``z = h(a)`` for the registered activation ``name`` with its parameters."""

    name: str
    parameters: Mapping[str, float] = field(default_factory=dict)
    origin: str = ""


def chain(name: str, size: int, layers: Sequence[Affine | Activate]) -> Graph:
    """The graph of ``layers`` applied in turn to an input ``x`` of ``size`` features.

    Raises:
        FormatError: naming the layer's ``origin`` (e.g. ``"module '2' (Linear)"``) when it does not fit.

    Example:
        >>> net = chain("regression", 1, [Affine(np.ones((1, 2)), None), Activate("leaky_relu", {"alpha": 0.2}), Affine(np.ones((2, 1)), np.zeros(1))])
        >>> net.names, net.forward([-1.0])
        (('x', 'W1', 'a1', 'z1', 'W2', 'b2', 'a2'), array([-0.4]))
    """
    graph = Graph(name)
    signal: Node = graph.input("x", size)
    layer, after = 0, 0
    last_activation = max((i for i, step in enumerate(layers) if isinstance(step, Activate)), default=-1)
    for i, step in enumerate(layers):
        try:
            if isinstance(step, Affine):
                layer, after = layer + 1, 0
                W = graph.weight(f"W{layer}", step.W)
                b = None if step.b is None else graph.weight(f"b{layer}", step.b)
                signal = graph.affine(step.name or f"a{layer}", signal, W, b)
            else:
                after += 1
                node = "y" if i == last_activation == len(layers) - 1 else f"z{layer}" + (f"_{after}" if after > 1 else "")
                signal = graph.activation(node, signal, step.name, **step.parameters)
        except NNGraphError as err:
            raise FormatError(f"{step.origin or f'layer {i}'}: {err}") from err
    return graph
