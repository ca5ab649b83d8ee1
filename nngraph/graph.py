"""Graph: a network of nodes, checked as it is built, shown to networkx as a DAG.

Every node is validated when it is added (unique name, known sources of the
right kind, fitting shapes, known activation), so a finished graph is always
evaluable. Evaluation itself lives in :mod:`nngraph.plan`.

Example:
    >>> import numpy as np
    >>> g = Graph()
    >>> x = g.input("x", size=2)
    >>> W = g.weight("W", [[0.5], [0.5]])
    >>> b = g.weight("b", [-0.7])
    >>> a = g.affine("a", x, W, b)
    >>> y = g.activation("y", a, "step")
    >>> g.forward(np.array([[0, 0], [1, 0], [0, 1], [1, 1]]))[:, 0]
    array([0., 0., 0., 1.])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import networkx as nx
import numpy as np

from .activations import Activation, get_activation
from .checks import article, as_parameter, did_you_mean
from .errors import GraphError
from .nodes import ActivationNode, AffineNode, InputNode, Node, Operation, WeightNode
from .plan import Plan

__all__ = ["Graph", "Layer", "DISPLAY"]

_NodeT = TypeVar("_NodeT", bound=Node)


@dataclass(frozen=True)
class Layer:
    """One layer of a layered network: ``a = x·W + b`` then ``z = h(a)``.

    ``activation`` is None when the affine's result is used as it is.
    """

    index: int
    affine: AffineNode
    activation: ActivationNode | None

    @property
    def output(self) -> str:
        """Name of the node holding this layer's result."""
        return (self.activation or self.affine).name


#: How a notebook draws a graph: functions graph → {mime type: data}. The core never
#: imports rendering; ``nngraph`` puts here a function that does, when a graph is shown.
DISPLAY: list[Callable[[Graph], dict[str, Any]]] = []


class Graph:
    """A feed-forward network: inputs, weights, affine and activation nodes.

    Build it with :meth:`input`, :meth:`weight`, :meth:`affine` and
    :meth:`activation`; each returns the new node, which later calls accept in
    place of its name. Evaluate with :meth:`forward` or step through with
    :meth:`steps`.

    Example:
        >>> g = Graph()
        >>> g.input("x", size=2).kind
        'input'
        >>> g.names
        ('x',)
    """

    def __init__(self, name: str = "network"):
        if not isinstance(name, str):
            raise GraphError(f"a graph's name must be a string; got {name!r}")
        self.name = name
        self._frozen: nx.DiGraph[str] | None = None  # the networkx view, made when first asked for
        self._nodes: dict[str, Node] = {}
        # Readers of each node in the order they were added, kept as nodes arrive so that
        # consumers() and layers() stay linear in the graph's size.
        self._readers: dict[str, list[str]] = {}
        self._plan: Plan | None = None

    # -- building -------------------------------------------------------------

    def input(self, name: str, size: int) -> InputNode:
        """Add an input signal of ``size`` features per sample.

        Raises:
            GraphError: for a duplicate name or a size that is not a positive integer.

        Example:
            >>> Graph().input("x", size=2).size
            2
        """
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise GraphError(f"input {name!r} needs a positive integer size; got {size!r}")
        return self._add(InputNode(name=name, size=int(size)))

    def weight(self, name: str, value) -> WeightNode:
        """Add a parameter tensor (W or b); ``value`` is copied and made read-only.

        Integers become float64; float32 stays float32.

        Raises:
            GraphError: for a duplicate name, or a value that is empty, not numeric or not finite.

        Example:
            >>> Graph().weight("b1", [0.1, 0.2, 0.3]).shape
            (3,)
        """
        self._new_name(name)  # before copying the array: a taken name is the clearer error
        return self._add(WeightNode(name=name, value=as_parameter(value, f"weight {name!r}")))

    def affine(self, name: str, x, W, b=None) -> AffineNode:
        """Add ``name = x·W + b``: ``x`` a signal of width D, ``W`` (D, K), ``b`` (K,) or None.

        Arguments may be nodes or node names.

        Raises:
            GraphError: for an unknown source or one of the wrong kind.
            ShapeError: when x, W and b do not fit, naming both shapes and the fix.

        Example:
            >>> g = Graph()
            >>> a = g.affine("a1", g.input("x", 2), g.weight("W1", [[1, 2, 3], [4, 5, 6]]))
            >>> a.expression(), a.width
            ('x·W1', 3)
        """
        W_node = self._lookup(W, f"affine {name!r}", "W")
        columns = W_node.shape[-1] if isinstance(W_node, WeightNode) else 0
        return self._add(AffineNode(name=name, x=_name(x), W=W_node.name, b=None if b is None else _name(b), width=columns))

    def activation(self, name: str, source, activation: str | Activation, **parameters) -> ActivationNode:
        """Add ``name = h(source)`` for the registered activation ``h``, with its parameters.

        Raises:
            UnknownActivationError: for an unregistered name, suggesting the closest.
            GraphError: for a parameter ``h`` does not take or a value that is not a number.

        Example:
            >>> g = Graph()
            >>> g.activation("z", g.input("x", 3), "leaky_relu", alpha=0.2).expression()
            'LReLU(x; α = 0.2)'
        """
        source_node = self._lookup(source, f"activation {name!r}", "a")
        h = get_activation(activation)
        bound = h.bind(parameters, f"activation {name!r}")
        width = source_node.width if isinstance(source_node, (InputNode, Operation)) else 0
        return self._add(ActivationNode(name=name, source=source_node.name, h=h, parameters=bound, width=width))

    def add(self, node: _NodeT) -> _NodeT:
        """Add ``node``, of any kind, once it fits: a unique name, known sources of the right kind, fitting shapes.

        The builder methods above call this; a kind of your own is added with it.

        Raises:
            GraphError, ShapeError: naming the node, what does not fit and how to fix it.
        """
        if not isinstance(node, Node):
            raise GraphError(f"graph.add takes a node (an InputNode, AffineNode, …); got {type(node).__name__}")
        return self._add(node.validated())

    def _add(self, node: _NodeT) -> _NodeT:
        """Add a node whose own fields are valid (the builders make them so): check it against the graph."""
        self._new_name(node.name)
        where = f"{node.kind} {node.name!r}"
        arguments = node.arguments
        sources: dict[str, Node] = {}
        for role, ref in arguments.items():
            if role in node.parameter_roles:
                sources[role] = self._parameter(ref, where, role)
            else:
                sources[role] = self._signal(ref, where, role)
        node.check(sources)
        for source in arguments.values():
            if node.name not in self._readers[source]:
                self._readers[source].append(node.name)
        self._nodes[node.name] = node
        self._readers[node.name] = []
        self._plan = self._frozen = None
        return node

    def _new_name(self, name) -> str:
        if not isinstance(name, str) or not name:
            raise GraphError(f"node names must be non-empty strings; got {name!r}")
        if name in self._nodes:
            raise GraphError(f"node {name!r} already exists ({self._nodes[name].kind}); node names must be unique, choose another")
        return name

    def _lookup(self, ref, where: str, role: str) -> Node:
        name = _name(ref)
        if isinstance(name, str) and name in self._nodes:
            return self._nodes[name]
        hint = did_you_mean(name, self._nodes) or f"; add it first (known: {', '.join(self._nodes) or 'none'})"
        raise GraphError(f"{where} reads its {role} from {name!r}, which is not a node of this graph{hint}")

    def _signal(self, ref, where: str, role: str) -> InputNode | Operation:
        node = self._lookup(ref, where, role)
        if not isinstance(node, (InputNode, Operation)):
            raise GraphError(
                f"{where} reads its {role} from {node.name!r}, {article(node.kind)} {node.kind}; "
                f"{role} must be a signal: an input, affine or activation node"
            )
        return node

    def _parameter(self, ref, where: str, role: str) -> WeightNode:
        node = self._lookup(ref, where, role)
        if not isinstance(node, WeightNode):
            raise GraphError(
                f"{where} reads its {role} from {node.name!r}, {article(node.kind)} {node.kind}; "
                f"{role} must be a weight node (add it with graph.weight)"
            )
        return node

    # -- reading --------------------------------------------------------------

    @property
    def dag(self) -> nx.DiGraph:
        """A frozen networkx copy of the graph; edges carry their ``role`` (x, W, b or a).

        Example:
            >>> from nngraph import and_gate
            >>> sorted(and_gate().dag.in_edges("a1", data="role"))
            [('W1', 'a1', 'W'), ('b1', 'a1', 'b'), ('x', 'a1', 'x')]
        """
        if self._frozen is None:
            dag: nx.DiGraph[str] = nx.DiGraph()
            for node in self._nodes.values():
                dag.add_node(node.name, kind=node.kind)
                dag.add_edges_from((source, node.name, {"role": role}) for role, source in node.arguments.items())
            self._frozen = nx.freeze(dag)
        return self._frozen

    @property
    def names(self) -> tuple[str, ...]:
        """Node names in the order they were added."""
        return tuple(self._nodes)

    @property
    def inputs(self) -> tuple[InputNode, ...]:
        return tuple(n for n in self._nodes.values() if isinstance(n, InputNode))

    @property
    def outputs(self) -> tuple[Operation, ...]:
        """Computing nodes that no other node reads, in the order they were added."""
        return tuple(n for n in self._nodes.values() if isinstance(n, Operation) and not self._readers[n.name])

    def __getitem__(self, name: str) -> Node:
        if isinstance(name, str) and name in self._nodes:
            return self._nodes[name]
        raise GraphError(f"graph {self.name!r} has no node {name!r}{did_you_mean(name, self._nodes)}")

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name in self._nodes

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def __len__(self) -> int:
        return len(self._nodes)

    def __repr__(self) -> str:
        kinds = [n.kind for n in self._nodes.values()]
        counts = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(["input", "weight", "affine", "activation", *kinds]))
        return f"<Graph {self.name!r}: {counts}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """In a notebook, the graph's drawing (a hook in :data:`DISPLAY` makes it), else its repr."""
        bundle = {"text/plain": repr(self)}
        for draw in DISPLAY:
            bundle.update(draw(self))
        return bundle

    def consumers(self, name: str) -> list[str]:
        """Names of the nodes reading ``name``, in the order they were added.

        Example:
            >>> from nngraph import and_gate
            >>> and_gate().consumers("x")
            ['a1']
        """
        return list(self._readers[self[name].name])

    def layers(self) -> list[Layer]:
        """The network as a chain of layers, for neuron diagrams and narration.

        Raises:
            GraphError: if the graph is not one input feeding a single chain of
                affine (+ optional activation) layers.

        Example:
            >>> from nngraph import three_layer_network
            >>> [(layer.affine.name, layer.output) for layer in three_layer_network().layers()]
            [('a1', 'z1'), ('a2', 'z2'), ('a3', 'y')]
        """
        inputs = self.inputs
        if len(inputs) != 1:
            raise GraphError(
                f"a chain of layers needs exactly one input; {self.name!r} has {len(inputs)}; "
                f"use the signal diagram for general graphs"
            )
        layers: list[Layer] = []
        current = inputs[0].name
        while True:
            readers = [n for n in self.consumers(current) if not isinstance(self._nodes[n], WeightNode)]
            if not readers:
                break
            affine = self._nodes[readers[0]]
            if len(readers) > 1 or not isinstance(affine, AffineNode):
                raise GraphError(
                    f"{self.name!r} is not a chain of layers: {current!r} feeds {readers}; "
                    f"use the signal diagram for general graphs"
                )
            after = self.consumers(affine.name)
            follower = self._nodes[after[0]] if len(after) == 1 else None
            activation = None
            if isinstance(follower, ActivationNode):
                activation = follower
            elif after and not all(isinstance(self._nodes[n], AffineNode) for n in after):
                raise GraphError(
                    f"{self.name!r} is not a chain of layers: {affine.name!r} feeds {after}; "
                    f"use the signal diagram for general graphs"
                )
            layers.append(Layer(len(layers) + 1, affine, activation))
            current = layers[-1].output
        covered = {inputs[0].name}
        for layer in layers:
            covered.update(layer.affine.arguments.values(), [layer.affine.name])
            if layer.activation is not None:
                covered.add(layer.activation.name)
        if len(covered) != len(self._nodes):
            stray = [n for n in self._nodes if n not in covered]
            raise GraphError(f"{self.name!r} has nodes outside its chain of layers: {stray}; use the signal diagram")
        return layers

    # -- evaluating -----------------------------------------------------------

    def plan(self) -> Plan:
        """The compiled execution plan, built once and reused until the graph changes."""
        if self._plan is None:
            # A node can only read nodes added before it, so insertion order is an evaluation order.
            self._plan = Plan(self.name, list(self._nodes.values()), self.outputs)
        return self._plan

    def forward(self, *args, allow_nonfinite: bool = False, **inputs):
        """Evaluate the graph on one sample ``(D,)`` or a batch ``(N, D)``.

        Pass the array itself when the graph has one input, or the inputs by
        name (keywords or one dict). Returns the output array when the graph has
        one output, else a dict name → array. Inputs are never modified.

        Raises:
            InputError: for a missing, extra, misshapen, non-numeric or non-finite
                input, or an output that overflows to inf or nan from finite inputs
                (naming the node where it happens); ``allow_nonfinite=True`` lets
                inf and nan through.

        Example:
            >>> from nngraph import three_layer_network
            >>> three_layer_network().forward([[1.0, 0.5], [0.0, 0.0]]).shape
            (2, 2)
        """
        return self.plan().run(*args, allow_nonfinite=allow_nonfinite, **inputs)

    def steps(self, *args, allow_nonfinite: bool = False, **inputs):
        """Evaluate one node at a time, yielding a :class:`~nngraph.plan.Step` per node.

        Inputs are checked at this call, before the first step.

        Example:
            >>> from nngraph import and_gate
            >>> [step.node for step in and_gate().steps([1, 1])]
            ['x', 'a1', 'y']
        """
        return self.plan().steps(*args, allow_nonfinite=allow_nonfinite, **inputs)


def _name(ref) -> str:
    return ref.name if isinstance(ref, Node) else ref

