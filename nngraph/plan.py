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

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from .checks import first_nonfinite, real_array
from .errors import GraphError, InputError, NNGraphError, ShapeError
from .formatting import format_array
from .nodes import InputNode, Node, Operation, WeightNode

__all__ = ["Plan", "Step", "check_input"]


@dataclass(frozen=True)
class Step:
    """One evaluated node: what it read, what it produced, and how.

    Attributes:
        index: position in evaluation order, from 0.
        node: the node's name, e.g. ``'a1'``.
        kind: the node's kind: ``'input'``, ``'affine'``, ``'activation'``, ….
        inputs: the arrays it read, by node name (``{'x': …, 'W1': …, 'b1': …}``), read-only.
        output: the array it produced, read-only.
        expression: its right-hand side, e.g. ``'x·W1 + b1'``; None for an input.
    """

    index: int
    node: str
    kind: str
    inputs: dict[str, np.ndarray]
    output: np.ndarray
    expression: str | None

    def describe(self, digits: int = 8) -> str:
        """``'a1 = x·W1 + b1 = [0.3, 0.7, 1.1]'``, the numbers at ``digits`` decimals."""
        value = format_array(self.output, digits)
        if self.expression is None:
            return f"{self.node} = {value}"
        return f"{self.node} = {self.expression} = {value}"

    def __str__(self) -> str:
        return self.describe()


#: One instruction: the output's slot, the node's function with its weights bound, and the
#: slot it reads. A node reading several signals reads the last slot, which holds the
#: slots themselves, and picks its values from there.
Instruction = tuple[int, Callable, int]


class Plan:
    """A graph compiled once into a flat program; build it with ``graph.plan()``.

    Values live in numbered slots. A slot is handed to a new value as soon as the
    last node reading the old one has run, so :meth:`run` keeps only what is still
    needed, for any graph; :meth:`steps` runs the same program and records it.

    Attributes:
        order: names of the evaluated nodes (inputs and computing nodes), in order.
        inputs: the graph's input nodes, as ``graph.inputs``.
        outputs: the graph's output nodes, as ``graph.outputs``.
    """

    def __init__(self, name: str, nodes: Sequence[Node], outputs: Sequence[Operation]):
        self.graph_name = name
        signals = [node for node in nodes if not isinstance(node, WeightNode)]
        if not any(isinstance(node, Operation) for node in signals):
            raise GraphError(f"graph {name!r} computes nothing; add an affine or activation node")
        self.order = tuple(node.name for node in signals)
        self.inputs = tuple(node for node in signals if isinstance(node, InputNode))
        self.outputs = tuple(outputs)
        self._weights = {node.name: node.value for node in nodes if isinstance(node, WeightNode)}
        self._nodes = signals
        self._compile()

    def _compile(self) -> None:
        kept = {node.name for node in self.outputs}
        signals = {node.name: self._signals_read(node) for node in self._nodes}
        last_reader = {source: name for name, sources in signals.items() for source in sources}
        slot: dict[str, int] = {}
        free: list[int] = []
        used = 0
        self._program: list[Instruction] = []
        self._reads: list[tuple[tuple[str, int | None], ...]] = []
        for node in self._nodes:
            if isinstance(node, InputNode):
                slot[node.name], used = used, used + 1
                continue
            sources = signals[node.name]
            reads = [slot[source] for source in sources]
            self._reads.append(tuple((n, None if n in self._weights else slot[n]) for n in node.arguments.values()))
            for source in dict.fromkeys(sources):
                if last_reader[source] == node.name and source not in kept:
                    free.append(slot[source])
            if free:
                slot[node.name] = free.pop()
            else:
                slot[node.name], used = used, used + 1
            operation = cast(Operation, node)
            function = operation.compile(self._weights)
            if not operation.trusted:
                function = _guarded(operation, function)
            self._program.append((slot[node.name], *_instruction(function, reads)))
        self._slots = used + 1  # the last slot: the slots themselves, for nodes reading several signals
        self._input_slots = [(node.name, node.size, slot[node.name]) for node in self.inputs]
        self._output_slots = [(node.name, slot[node.name]) for node in self.outputs]

    def _signals_read(self, node: Node) -> list[str]:
        return [name for role, name in node.arguments.items() if role not in node.parameter_roles]

    def __repr__(self) -> str:
        return f"<Plan {self.graph_name!r}: {' → '.join(self.order)}>"

    def run(self, *args, allow_nonfinite: bool = False, **inputs):
        """Evaluate; see :meth:`nngraph.Graph.forward` for the arguments."""
        fed = self._feed(args, inputs, allow_nonfinite)
        values = self._slots_holding(fed)
        try:
            for out, function, source in self._program:
                values[out] = function(values[source])
        finally:
            values[-1] = None  # the list no longer holds itself, so it is freed at once
        outputs = {name: values[i] for name, i in self._output_slots}
        for value in outputs.values() if not allow_nonfinite else ():
            if not _all_finite(value):
                self._report_overflow(fed)
        return next(iter(outputs.values())) if len(outputs) == 1 else outputs

    def _report_overflow(self, fed: dict[str, np.ndarray]) -> None:
        """Raise naming the first node that turned finite inputs into inf or nan."""
        with np.errstate(all="ignore"):
            for step in self._walk(self._slots_holding(fed, copy=True)):
                position, count = first_nonfinite(step.output)
                if count:
                    raise InputError(
                        f"node {step.node!r} = {step.expression} gives {step.output[position].item()!r} at index {position} "
                        f"from finite inputs and weights: the numbers overflow; scale the inputs or the weights down, "
                        f"or pass allow_nonfinite=True to get inf and nan"
                    )

    def steps(self, *args, allow_nonfinite: bool = False, **inputs) -> Iterator[Step]:
        """Run the program one node at a time, yielding a :class:`Step` per node.

        Inputs are checked and copied at this call: changing them afterwards changes no record.
        """
        return self._walk(self._slots_holding(self._feed(args, inputs, allow_nonfinite), copy=True))

    def _walk(self, values: list) -> Iterator[Step]:
        try:
            yield from self._records(values)
        finally:
            values[-1] = None

    def _records(self, values: list) -> Iterator[Step]:
        program = iter(zip(self._program, self._reads))
        for index, node in enumerate(self._nodes):
            if isinstance(node, InputNode):
                slot = next(s for name, _, s in self._input_slots if name == node.name)
                yield Step(index, node.name, node.kind, {}, _read_only(values[slot]), None)
                continue
            (out, function, source), reads = next(program)
            inputs = {name: _read_only(self._weights[name] if s is None else values[s]) for name, s in reads}
            values[out] = function(values[source])
            yield Step(index, node.name, node.kind, inputs, _read_only(values[out]), node.expression())

    def _feed(self, args: tuple, inputs: dict, allow_nonfinite: bool) -> dict[str, np.ndarray]:
        """Every input by name, checked; raises InputError."""
        one_array = len(args) == 1 and (isinstance(args[0], np.ndarray) or not isinstance(args[0], Mapping))
        if one_array and not inputs and len(self._input_slots) == 1:  # the common call, forward(x)
            name, size, _ = self._input_slots[0]
            return {name: check_input(name, size, args[0], allow_nonfinite)}
        names = [node.name for node in self.inputs]
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
        extra = sorted(str(n) for n in feeds if n not in names)
        if extra:
            raise InputError(f"unknown input {', '.join(map(repr, extra))}; the inputs of {self.graph_name!r} are {names}")
        if missing:
            raise InputError(f"missing input {', '.join(map(repr, missing))}; the inputs of {self.graph_name!r} are {names}")
        return {name: check_input(name, size, feeds[name], allow_nonfinite) for name, size, _ in self._input_slots}

    def _slots_holding(self, inputs: dict[str, np.ndarray], copy: bool = False) -> list:
        """The value slots of one run, the inputs (or copies) placed, the last slot holding the list itself."""
        values: list = [None] * self._slots
        values[-1] = values
        for name, _, slot in self._input_slots:
            values[slot] = inputs[name].copy() if copy else inputs[name]
        return values


def _guarded(node: Operation, function: Callable) -> Callable:
    """A kind defined outside nngraph, run on copies of what it reads, its result checked, errors naming it."""
    where = f"{node.kind} {node.name!r}"

    def guarded(*signals):
        try:
            result = function(*(signal.copy() for signal in signals))
        except NNGraphError:
            raise
        except Exception as err:  # a user's forward may raise anything
            raise GraphError(f"{where}: forward() failed: {err!r}") from err
        shape = getattr(result, "shape", None)
        if shape is None or shape[-1:] != (node.width,) or len(shape) != signals[0].ndim:
            raise ShapeError(f"{where}: forward() must return {node.width} columns per sample, like its input's rows; got {shape or type(result).__name__}")
        if result.dtype.kind != "f":
            raise GraphError(f"{where}: forward() must return floats; got dtype {result.dtype}")
        return result

    return guarded


def _instruction(function: Callable, reads: list[int]) -> tuple[Callable, int]:
    """``function`` and the slot it reads: its one signal's, or the last (all slots) for several."""
    if len(reads) == 1:
        return function, reads[0]
    return (lambda values: function(*[values[i] for i in reads])), -1


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
        position, count = first_nonfinite(array)
        raise InputError(
            f"input {name!r} holds {array[position].item()!r} at index {position} ({count} non-finite "
            f"value{'s' if count > 1 else ''}); clean the data or pass allow_nonfinite=True"
        )
    return array


def _all_finite(array: np.ndarray) -> bool:
    if array.size < 10_000:  # counting is a plain loop, without the set-up of a reduction
        return np.count_nonzero(np.isfinite(array)) == array.size
    # For big arrays one sum is cheaper than a mask: a finite sum proves every entry
    # finite, and only a non-finite sum (perhaps from overflow) needs the full scan.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):
            return True
    return bool(np.isfinite(array).all())
