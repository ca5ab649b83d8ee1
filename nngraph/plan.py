"""The execution plan: a graph validated and ordered once, then run as a flat loop.

:class:`Plan` turns every computing node into ``(output slot, function, input
slot)`` with its weights already bound, so running it costs one Python call
per node on top of the NumPy work. :meth:`Plan.steps` runs the same program
one node at a time and yields a :class:`Step` record per node.

Example:
    >>> import numpy as np
    >>> from nngraph import three_layer_network
    >>> plan = three_layer_network().plan()
    >>> plan.order
    ('x', 'a1', 'z1', 'a2', 'z2', 'a3', 'y')
    >>> plan.run(np.array([1.0, 0.5])).round(8)
    array([0.31682708, 0.69627909])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from .errors import GraphError, InputError
from .formatting import format_array
from .graph import real_array, topological_order

__all__ = ["Plan", "Step"]


@dataclass(frozen=True)
class Step:
    """One evaluated node: what it read, what it produced, and how.

    Attributes:
        index: position in evaluation order, from 0.
        node: the node's name, e.g. ``'a1'``.
        kind: ``'input'``, ``'affine'`` or ``'activation'``.
        inputs: the arrays it read, by node name (``{'x': …, 'W1': …, 'b1': …}``).
        output: the array it produced (read-only).
        expression: its right-hand side, e.g. ``'x·W1 + b1'``; None for an input.
    """

    index: int
    node: str
    kind: str
    inputs: dict[str, np.ndarray]
    output: np.ndarray
    expression: str | None

    @property
    def formula(self) -> str:
        """``'a1 = x·W1 + b1 = [0.3, 0.7, 1.1]'``, with 8 significant digits."""
        return self.describe()

    def describe(self, digits: int = 8) -> str:
        """The formula with its numbers at ``digits`` significant digits."""
        value = format_array(self.output, digits)
        if self.expression is None:
            return f"{self.node} = {value}"
        return f"{self.node} = {self.expression} = {value}"

    def __str__(self) -> str:
        return self.formula


def evaluation_order(graph) -> list[str]:
    """All node names in a deterministic topological order (ties by insertion).

    Raises:
        GraphError: naming a cycle, should the graph contain one.
    """
    # A node can only read nodes added before it, so insertion order is normally
    # topological already: verify that in one pass, and sort only if it is not.
    seen = set()
    for node in graph:
        if not seen.issuperset(node.arguments.values()):
            break
        seen.add(node.name)
    else:
        return list(graph.names)
    return topological_order(graph.dag, list(graph.names), f"the nodes of graph {graph.name!r}")


def _bind_affine(W: np.ndarray, b: np.ndarray | None):
    if b is None:
        return lambda x: np.dot(x, W)
    if not np.can_cast(b.dtype, W.dtype):  # float64 b with float32 W: x·W + b is float64
        return lambda x: np.dot(x, W) + b

    def affine(x):
        a = np.dot(x, W)
        a += b  # in place: one array fewer per layer
        return a

    return affine


class Plan:
    """A graph compiled for evaluation; build it with ``graph.plan()``.

    Attributes:
        order: names of the evaluated nodes (inputs and computing nodes), in order.
        inputs: ``{name: size}`` of the graph's inputs.
        outputs: names of the output nodes.
    """

    def __init__(self, graph):
        self.graph_name = graph.name
        order = [name for name in evaluation_order(graph) if graph[name].kind != "weight"]
        if not any(graph[name].kind != "input" for name in order):
            raise GraphError(f"graph {graph.name!r} computes nothing; add an affine or activation node")
        slot = {name: i for i, name in enumerate(order)}
        self.order = tuple(order)
        self.inputs = {node.name: node.size for node in graph.inputs}
        self.outputs = tuple(node.name for node in graph.outputs)
        self._nodes = {name: graph[name] for name in order}
        self._weights = {n.name: n.value for n in graph if n.kind == "weight"}
        self._input_slots = [(name, size, slot[name]) for name, size in self.inputs.items()]
        self._output_slots = [(name, slot[name]) for name in self.outputs]
        self._program = []
        for name in order:
            node = graph[name]
            if node.kind == "affine":
                W = self._weights[node.W]
                b = self._weights[node.b] if node.b is not None else None
                self._program.append((slot[name], _bind_affine(W, b), slot[node.x]))
            elif node.kind == "activation":
                self._program.append((slot[name], node.activation.function, slot[node.source]))
        # One input, then nodes that each read the one before (the book's networks):
        # run() passes one value along, so each intermediate is freed as soon as it is used.
        chain = len(self.inputs) == 1 and all(source == out - 1 for out, _, source in self._program)
        self._chain = [function for _, function, _ in self._program] if chain else None

    def __repr__(self) -> str:
        return f"<Plan {self.graph_name!r}: {' → '.join(self.order)}>"

    def run(self, *args, allow_nonfinite: bool = False, **inputs):
        """Evaluate; see :meth:`nngraph.Graph.forward` for the arguments."""
        if self._chain is not None and len(args) == 1 and not inputs and not isinstance(args[0], Mapping):
            name, size, _ = self._input_slots[0]
            value = check_input(name, size, args[0], allow_nonfinite)
            for function in self._chain:
                value = function(value)
            return value
        values = self._feed(args, inputs, allow_nonfinite)
        for out, function, source in self._program:
            values[out] = function(values[source])
        if len(self._output_slots) == 1:
            return values[self._output_slots[0][1]]
        return {name: values[i] for name, i in self._output_slots}

    def steps(self, *args, allow_nonfinite: bool = False, **inputs) -> Iterator[Step]:
        """Evaluate one node at a time; inputs are checked before the first step.

        The records hold copies: changing the input afterwards changes no record.
        """
        values = [None if value is None else value.copy() for value in self._feed(args, inputs, allow_nonfinite)]
        return self._walk(values)

    def _walk(self, values: list) -> Iterator[Step]:
        by_name = dict(zip(self.order, values))
        for index, name in enumerate(self.order):
            node = self._nodes[name]
            if node.kind == "input":
                read, expression = {}, None
            else:
                read = {n: by_name.get(n, self._weights.get(n)) for n in node.arguments.values()}
                # Each node works on its own copy of the signals it reads: an activation that
                # changes its argument in place must not rewrite an earlier step or the caller's input.
                result = node.forward(*(value.copy() if n in by_name else value for n, value in read.items()))
                by_name[name] = result
                expression = node.formula()
            yield Step(index, name, node.kind, {n: _read_only(v) for n, v in read.items()}, _read_only(by_name[name]), expression)

    def _feed(self, args: tuple, inputs: dict, allow_nonfinite: bool) -> list:
        """The value slots with every input checked and placed; raises InputError."""
        names = list(self.inputs)
        if len(args) > 1:
            raise InputError(f"forward takes the input array or a dict of inputs; got {len(args)} positional arguments")
        if args and inputs:
            raise InputError("pass the inputs either positionally or by name, not both")
        if args and isinstance(args[0], Mapping):
            feeds = dict(args[0])
        elif args:
            if len(names) != 1:
                by_name = ", ".join(f"{n}=..." for n in names)
                raise InputError(
                    f"graph {self.graph_name!r} has {len(names)} inputs ({', '.join(names)}); "
                    f"pass them by name: forward({by_name})"
                )
            feeds = {names[0]: args[0]}
        else:
            feeds = inputs
        missing = [n for n in names if n not in feeds]
        extra = sorted(str(n) for n in feeds if n not in self.inputs)
        if extra:
            raise InputError(f"unknown input {', '.join(map(repr, extra))}; the inputs of {self.graph_name!r} are {names}")
        if missing:
            raise InputError(f"missing input {', '.join(map(repr, missing))}; the inputs of {self.graph_name!r} are {names}")
        values = [None] * len(self.order)
        for name, size, slot in self._input_slots:
            values[slot] = check_input(name, size, feeds[name], allow_nonfinite)
        return values


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def check_input(name: str, size: int, value, allow_nonfinite: bool = False) -> np.ndarray:
    """``value`` as a float array of shape ``(size,)`` or ``(N, size)``, never copied needlessly.

    Raises:
        InputError: for a wrong rank or width, non-numeric or non-finite values.

    Example:
        >>> check_input("x", 2, [1, 2])
        array([1., 2.])
    """
    array = real_array(value, f"input {name!r}", InputError)
    if array.ndim not in (1, 2):
        raise InputError(
            f"input {name!r} must be one sample ({size},) or a batch (N, {size}); got shape {array.shape}"
            + ("; flatten each sample, e.g. x.reshape(len(x), -1)" if array.ndim > 2 else "")
        )
    if array.shape[-1] != size:
        raise InputError(
            f"input {name!r} needs {size} values per sample; got shape {array.shape} "
            f"({array.shape[-1]} per sample)"
        )
    if not allow_nonfinite and not _all_finite(array):
        bad = np.argwhere(~np.isfinite(array))
        position = tuple(int(i) for i in bad[0])
        raise InputError(
            f"input {name!r} holds {array[position].item()!r} at index {position} ({len(bad)} non-finite "
            f"value{'s' if len(bad) > 1 else ''}); clean the data or pass allow_nonfinite=True"
        )
    return array


def _all_finite(array: np.ndarray) -> bool:
    if array.size < 10_000:
        return bool(np.isfinite(array).all())
    # For big arrays one sum is cheaper than a mask: a finite sum proves every entry
    # finite, and only a non-finite sum (perhaps from overflow) needs the full scan.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):
            return True
    return bool(np.isfinite(array).all())
