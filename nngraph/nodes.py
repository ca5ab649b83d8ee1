"""The four node kinds: input, weight, affine (x·W + b) and activation h(a).

Nodes are small immutable records. A node names the nodes it reads by role
(``x``, ``W``, ``b`` for an affine, ``a`` for an activation), so evaluation
order and diagrams never depend on networkx's adjacency order. Each computing
node knows its ``forward`` and how to write itself as a formula.

Example:
    >>> import numpy as np
    >>> node = AffineNode("a1", x="x", W="W1", b="b1", width=3)
    >>> node.forward(np.array([1.0, 0.5]), np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
    ...              np.array([0.1, 0.2, 0.3])).round(8)
    array([0.3, 0.7, 1.1])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .activations import Activation

__all__ = ["Node", "InputNode", "WeightNode", "AffineNode", "ActivationNode"]


@dataclass(frozen=True)
class Node:
    """Base of the node kinds; ``name`` is the node's id in its graph."""

    name: str
    kind: ClassVar[str] = "node"

    @property
    def arguments(self) -> dict[str, str]:
        """The nodes this one reads, as role → node name, in argument order."""
        return {}


@dataclass(frozen=True)
class InputNode(Node):
    """A signal fed at evaluation time: one sample ``(size,)`` or a batch ``(N, size)``."""

    size: int = 0
    kind: ClassVar[str] = "input"

    @property
    def width(self) -> int:
        return self.size


@dataclass(frozen=True, eq=False)
class WeightNode(Node):
    """A parameter tensor (a weight matrix W or a bias vector b), stored read-only."""

    value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kind: ClassVar[str] = "weight"

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape


@dataclass(frozen=True)
class AffineNode(Node):
    """``a = x·W + b`` (``b`` optional); ``width`` is the number of columns of W."""

    x: str = ""
    W: str = ""
    b: str | None = None
    width: int = 0
    kind: ClassVar[str] = "affine"

    @property
    def arguments(self) -> dict[str, str]:
        args = {"x": self.x, "W": self.W}
        if self.b is not None:
            args["b"] = self.b
        return args

    @staticmethod
    def forward(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if b is None:
            return np.dot(x, W)
        return np.dot(x, W) + b

    def formula(self) -> str:
        """``'x·W1 + b1'``: the right-hand side in the book's notation."""
        text = f"{self.x}·{self.W}"
        return text if self.b is None else f"{text} + {self.b}"


@dataclass(frozen=True)
class ActivationNode(Node):
    """``z = h(a)`` for a registered activation ``h``, applied to one source node."""

    source: str = ""
    activation: Activation | None = None
    width: int = 0
    kind: ClassVar[str] = "activation"

    @property
    def arguments(self) -> dict[str, str]:
        return {"a": self.source}

    def forward(self, a: np.ndarray) -> np.ndarray:
        return self.activation.function(a)

    def formula(self) -> str:
        """``'σ(a1)'``: the right-hand side in the book's notation."""
        return f"{self.activation.symbol}({self.source})"
