"""The node kinds: input, weight, affine (x·W + b) and activation h(a) — and yours.

Nodes are small immutable records. A node names the nodes it reads by role
(``x``, ``W``, ``b`` for an affine, ``a`` for an activation), so evaluation
order and diagrams never depend on networkx's adjacency order. Each kind owns
its behaviour: its checks (:meth:`Node.check`), its computation
(:meth:`Operation.forward`), its right-hand side in the book's notation
(:meth:`Node.expression`), its description in files (:meth:`Node.record`,
:meth:`Node.from_record`) and its line in ``nngraph info`` (:meth:`Node.summary`).

A new kind is one subclass of :class:`Operation` with a ``kind`` name; it joins
:data:`NODE_KINDS`, the table files are read with, by being defined.

Example:
    >>> import numpy as np
    >>> node = AffineNode(name="a1", x="x", W="W1", b="b1", width=3)
    >>> node.forward(np.array([1.0, 0.5]), np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
    ...              np.array([0.1, 0.2, 0.3])).round(8)
    array([0.3, 0.7, 1.1])
    >>> node.expression()
    'x·W1 + b1'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .activations import Activation
from .checks import article, as_parameter
from .errors import FormatError, GraphError, ShapeError
from .formatting import format_shape

if TYPE_CHECKING:
    from typing_extensions import Self

#: What ``from_record`` adds a node to: a :class:`nngraph.Graph` (not imported: the graph imports nodes).
GraphBeingBuilt = Any

__all__ = ["Node", "InputNode", "WeightNode", "Operation", "AffineNode", "ActivationNode", "NODE_KINDS"]

#: kind name → node class: how files name a node's kind. Filled by defining a subclass.
NODE_KINDS: dict[str, type[Node]] = {}


@dataclass(frozen=True, kw_only=True)
class Node:
    """Base of the node kinds; ``name`` is the node's id in its graph."""

    name: str
    kind: ClassVar[str] = "node"
    #: roles read from weight nodes (W, b); every other role reads a signal.
    parameter_roles: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **options):
        super().__init_subclass__(**options)
        if "kind" in cls.__dict__:
            if cls.kind in NODE_KINDS and NODE_KINDS[cls.kind].__qualname__ != cls.__qualname__:
                raise GraphError(f"node kind {cls.kind!r} is already defined by {NODE_KINDS[cls.kind].__qualname__}; choose another kind name")
            NODE_KINDS[cls.kind] = cls

    @property
    def arguments(self) -> dict[str, str]:
        """The nodes this one reads, as role → node name, in argument order."""
        return {}

    def validated(self) -> Self:
        """This node with its own fields checked (and arrays copied read-only); raises GraphError."""
        if not isinstance(self.name, str) or not self.name:
            raise GraphError(f"node names must be non-empty strings; got {self.name!r}")
        return self

    def check(self, sources: Mapping[str, Node]) -> None:
        """Raise GraphError or ShapeError if the nodes read (role → node) do not fit this one."""

    def expression(self) -> str | None:
        """The right-hand side in the book's notation, e.g. ``'x·W1 + b1'``; None for an input."""
        return None

    def record(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        """This node as JSON-ready fields for a file; arrays go into ``arrays``, named in the record."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {"kind": self.kind, **fields}

    @classmethod
    def from_record(cls, record: Mapping[str, Any], arrays: Mapping[str, np.ndarray], graph: GraphBeingBuilt) -> Node:
        """Add to ``graph`` the node a file describes (``record``, without its kind)."""
        _expect(cls, record, {f.name for f in dataclasses.fields(cls)})
        return graph.add(cls(**record))

    def summary(self) -> str:
        """What ``nngraph info`` says about this node."""
        return f"{self.kind:<10} {self.name}"


@dataclass(frozen=True, kw_only=True)
class InputNode(Node):
    """A signal fed at evaluation time: one sample ``(size,)`` or a batch ``(N, size)``."""

    size: int
    kind: ClassVar[str] = "input"

    @property
    def width(self) -> int:
        return self.size

    def validated(self) -> Self:
        size = self.size
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise GraphError(f"input {self.name!r} needs a positive integer size; got {size!r}")
        return dataclasses.replace(super().validated(), size=int(size))

    @classmethod
    def from_record(cls, record: Mapping[str, Any], arrays: Mapping[str, np.ndarray], graph: GraphBeingBuilt) -> Node:
        _expect(cls, record, {"name", "size"})
        return graph.input(record["name"], record["size"])

    def summary(self) -> str:
        return f"{super().summary():<19} size {self.size}"


@dataclass(frozen=True, kw_only=True, eq=False)
class WeightNode(Node):
    """A parameter tensor (a weight matrix W or a bias vector b), stored read-only."""

    value: np.ndarray
    kind: ClassVar[str] = "weight"

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def validated(self) -> Self:
        return dataclasses.replace(super().validated(), value=as_parameter(self.value, f"weight {self.name!r}"))

    def record(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        key = f"weight_{len(arrays)}"
        arrays[key] = self.value
        return {"kind": self.kind, "name": self.name, "array": key}

    @classmethod
    def from_record(cls, record: Mapping[str, Any], arrays: Mapping[str, np.ndarray], graph: GraphBeingBuilt) -> Node:
        _expect(cls, record, {"name", "array"})
        key = record["array"]
        if not isinstance(key, str) or key not in arrays:
            raise FormatError(f"weight {record['name']!r} refers to array {key!r}, which the file does not hold")
        return graph.weight(record["name"], arrays[key])

    def summary(self) -> str:
        return f"{super().summary():<19} shape {format_shape(self.shape)} {self.value.dtype}"


@dataclass(frozen=True, kw_only=True)
class Operation(Node):
    """A node computing a signal of ``width`` columns from the nodes it reads.

    Subclasses define ``kind``, their role fields, :attr:`arguments`,
    :meth:`forward` and, if they have any, :meth:`check` and :meth:`expression`.
    """

    width: int
    #: False for kinds defined outside nngraph: the plan then hands them copies and checks what they return.
    trusted: ClassVar[bool] = False

    def validated(self) -> Self:
        if isinstance(self.width, bool) or not isinstance(self.width, (int, np.integer)) or self.width < 1:
            raise GraphError(f"{self.kind} {self.name!r} needs a positive integer width; got {self.width!r}")
        return super().validated()

    def forward(self, *values: Any) -> np.ndarray:
        """The output from the values read, in the order of :attr:`arguments`."""
        raise NotImplementedError(f"node kind {self.kind!r} defines no forward()")

    def compile(self, weights: Mapping[str, np.ndarray]) -> Callable[..., np.ndarray]:
        """A function of the signals read (in argument order) with the weights already bound."""
        roles = list(self.arguments.items())
        if not any(role in self.parameter_roles for role, _ in roles):
            return self.forward
        bound = {i: weights[name] for i, (role, name) in enumerate(roles) if role in self.parameter_roles}

        def run(*signals):
            it = iter(signals)
            return self.forward(*(bound[i] if i in bound else next(it) for i in range(len(roles))))

        return run

    def expression(self) -> str | None:
        return f"{self.kind}({', '.join(self.arguments.values())})"

    def summary(self) -> str:
        return f"{super().summary():<19} = {self.expression():<16} → N×{self.width}"


@dataclass(frozen=True, kw_only=True)
class AffineNode(Operation):
    """``a = x·W + b`` (``b`` optional); ``width`` is the number of columns of W."""

    x: str
    W: str
    b: str | None = None
    kind: ClassVar[str] = "affine"
    parameter_roles: ClassVar[frozenset[str]] = frozenset({"W", "b"})
    trusted: ClassVar[bool] = True

    @property
    def arguments(self) -> dict[str, str]:
        args = {"x": self.x, "W": self.W}
        if self.b is not None:
            args["b"] = self.b
        return args

    def check(self, sources: Mapping[str, Any]) -> None:  # x: a signal node; W, b: weight nodes
        x, W, width = sources["x"], sources["W"], sources["x"].width
        where = f"affine {self.name!r}"
        if len(W.shape) != 2:
            raise ShapeError(f"{where} needs W as a matrix (rows × columns); {W.name} has shape {W.shape}; reshape it to ({width}, K)")
        rows, columns = W.shape
        if rows != width:
            raise ShapeError(
                f"{where} cannot multiply {x.name} (N×{width}) by {W.name} ({rows}×{columns}): inner sizes {width} ≠ {rows}; "
                f"{W.name} needs {width} row{'s' if width != 1 else ''}"
            )
        b = sources.get("b")
        if b is not None and b.shape != (columns,):
            raise ShapeError(
                f"{where} cannot add {b.name} {b.shape} to {x.name}·{W.name} (N×{columns}): {b.name} must have "
                f"shape ({columns},), one entry per column of {W.name}"
            )
        if self.width != columns:
            raise ShapeError(f"{where} has width {self.width}, but {W.name} has {columns} columns")

    @staticmethod
    def forward(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        return np.dot(x, W) if b is None else np.dot(x, W) + b

    def compile(self, weights: Mapping[str, np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
        W = weights[self.W]
        if self.b is None:
            return lambda x: np.dot(x, W)
        b = weights[self.b]
        if not np.can_cast(b.dtype, W.dtype):  # float64 b with float32 W: x·W + b is float64
            return lambda x: np.dot(x, W) + b

        def affine(x):
            a = np.dot(x, W)
            a += b  # in place: one array fewer per layer
            return a

        return affine

    def expression(self) -> str:
        text = f"{self.x}·{self.W}"
        return text if self.b is None else f"{text} + {self.b}"

    def record(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "x": self.x, "W": self.W, "b": self.b}

    @classmethod
    def from_record(cls, record: Mapping[str, Any], arrays: Mapping[str, np.ndarray], graph: GraphBeingBuilt) -> Node:
        _expect(cls, record, {"name", "x", "W", "b"}, optional={"b"})
        return graph.affine(record["name"], record["x"], record["W"], record.get("b"))


@dataclass(frozen=True, kw_only=True)
class ActivationNode(Operation):
    """``z = h(a)`` for a registered activation ``h`` with its ``parameters``, applied to ``source``."""

    source: str
    h: Activation
    parameters: Mapping[str, float]
    kind: ClassVar[str] = "activation"
    trusted: ClassVar[bool] = True  # its compile() guards a user's activation itself

    @property
    def arguments(self) -> dict[str, str]:
        return {"a": self.source}

    def validated(self) -> Self:
        if not isinstance(self.h, Activation):
            raise GraphError(f"activation {self.name!r}: h must be an Activation (nngraph.get_activation(name)); got {self.h!r}")
        checked = super().validated()
        return dataclasses.replace(checked, parameters=self.h.bind(self.parameters, f"activation {self.name!r}"))

    @property
    def settings(self) -> str:
        """The parameters that differ from their defaults, e.g. ``'α = 0.2'``, else ``''``."""
        return self.h.settings(self.parameters)

    def applied(self, argument: str) -> str:
        """``'σ(a1)'``, or ``'LReLU(a1; α = 0.2)'`` when a parameter is not its default."""
        settings = self.settings
        return f"{self.h.symbol}({argument}{'; ' + settings if settings else ''})"

    def check(self, sources: Mapping[str, Any]) -> None:  # a: a signal node
        # A user's activation is tried once on a zero sample and a zero batch, so that a
        # broken one fails here, naming its node; nngraph's own need no trial.
        width = sources["a"].width
        for shape in ((width,), (2, width)) if not self.h.builtin else ():
            _checked(self, np.zeros(shape), f"fails on a test {'sample' if len(shape) == 1 else 'batch'} of shape {shape}")
        if self.width != width:
            raise ShapeError(f"activation {self.name!r} has width {self.width}, but {sources['a'].name} has {width} columns")

    def forward(self, a: np.ndarray) -> np.ndarray:
        return self.compile({})(a)

    def compile(self, weights: Mapping[str, np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
        compute = partial(self.h.compute, **self.parameters) if self.parameters else self.h.compute
        if self.h.builtin:
            return compute
        return lambda a: _checked(self, a, "failed", compute)

    def expression(self) -> str:
        return self.applied(self.source)

    def record(self, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
        record = {"kind": self.kind, "name": self.name, "source": self.source, "function": self.h.name}
        return {**record, "parameters": dict(self.parameters)} if self.parameters else record

    @classmethod
    def from_record(cls, record: Mapping[str, Any], arrays: Mapping[str, np.ndarray], graph: GraphBeingBuilt) -> Node:
        _expect(cls, record, {"name", "source", "function", "parameters"}, optional={"parameters"})
        parameters = record.get("parameters", {})
        if not isinstance(parameters, Mapping):
            raise FormatError(f"activation {record['name']!r}: parameters must be a table of numbers; got {parameters!r}")
        return graph.activation(record["name"], record["source"], record["function"], **parameters)

    def summary(self) -> str:
        return f"{super().summary()} ({self.h.name})"


def _expect(cls: type[Node], record: Mapping[str, Any], fields: set[str], optional: frozenset | set = frozenset()) -> None:
    """Refuse a file's record with fields its kind does not have, or without those it needs."""
    unknown, missing = sorted(set(record) - fields), sorted(fields - set(record) - set(optional))
    if unknown or missing:
        problem = f"unexpected fields {unknown}" if unknown else f"no {', '.join(missing)}"
        raise FormatError(f"{cls.kind} {record.get('name')!r} has {problem}; {article(cls.kind)} {cls.kind} has {', '.join(sorted(fields))}")


def _checked(node: ActivationNode, a: np.ndarray, failure: str, compute=None) -> np.ndarray:
    """``h(a)`` on a copy of ``a``, refused unless it is a float array of ``a``'s shape."""
    compute = compute or (partial(node.h.compute, **node.parameters))
    where = f"activation {node.name!r}: {node.h.name}()"
    try:
        result = compute(a.copy())
    except Exception as err:  # a user's function may raise anything
        raise GraphError(f"{where} {failure}: {err!r}") from err
    shape = getattr(result, "shape", None)
    if shape != a.shape:
        raise ShapeError(f"{where} must return an array of its input's shape {a.shape}; got {shape or type(result).__name__}")
    if result.dtype.kind != "f":
        raise GraphError(f"{where} must return floats; got dtype {result.dtype} (use .astype(a.dtype))")
    return result
