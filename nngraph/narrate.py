"""Narrated evaluation for teaching: every weighted sum written out with its numbers.

:func:`narrate` runs a layered network on one sample (or one row of a batch)
and returns records a teacher reads one by one:

- ``level="neuron"``: each neuron's weighted sum, then its activation, and
  at the end the network's output ``y``;
- ``level="layer"``: each node in matrix form with its shapes.

Example:
    >>> from nngraph import three_layer_network
    >>> records = narrate(three_layer_network(), [1.0, 0.5])
    >>> print(records[1].text)
    a₁⁽¹⁾ = 1.0×0.1 + 0.5×0.2 + 0.1 = 0.3
    >>> print(records[2].text)
    z₁⁽¹⁾ = σ(0.3) = 0.57444252
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .formatting import format_array, format_number, format_shape
from .notation import Notation, layer_mark, subscript

__all__ = ["Narration", "narrate", "LEVELS"]

LEVELS = ("neuron", "layer")
TERMS_SHOWN = 3


@dataclass(frozen=True)
class Narration:
    """One narrated moment of an evaluation.

    Attributes:
        index: position in the narration, from 0.
        node: the node being computed (or the input).
        neuron: 0-based neuron of that node this record is about; None for the whole node.
        text: what to read, with its numbers.
        known: every value computed so far for the narrated sample (node → 1-D
            array); entries of ``node`` not yet computed are NaN.
    """

    index: int
    node: str
    neuron: int | None
    text: str
    known: dict[str, np.ndarray] = field(repr=False)

    def __str__(self) -> str:
        return self.text


def narrate(graph, x, *, level: str = "neuron", sample: int = 0, precision: int = 8, max_neurons: int = 4) -> list[Narration]:
    """Narrate the evaluation of a layered ``graph`` on ``x`` (one sample or a batch).

    Args:
        graph: a chain network (see :meth:`nngraph.Graph.layers`).
        x: one sample ``(D,)`` or a batch ``(N, D)``.
        level: ``"neuron"`` (each weighted sum written out) or ``"layer"`` (matrix form).
        sample: the row of a batch to narrate.
        precision: decimals printed (8 reproduces the book's printed values).
        max_neurons: neurons narrated per layer before the rest is summarised.

    Raises:
        InputError: for a bad ``level``, ``sample`` or input.
        GraphError: if ``graph`` is not a chain of layers.
    """
    if level not in LEVELS:
        raise InputError(f"unknown narration level {level!r}; choose one of {', '.join(LEVELS)}")
    for option, value, least in (("sample", sample, 0), ("precision", precision, 0), ("max_neurons", max_neurons, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise InputError(f"{option} must be a whole number ≥ {least}; got {value!r}")
    layers = graph.layers()
    steps = list(graph.steps(x))
    batch = steps[0].output.ndim == 2
    if not batch and sample != 0:
        raise InputError(f"sample {sample} asks for a row of a batch, but the input is one sample; drop sample or pass a batch (N, D)")
    if batch and len(steps[0].output) == 0:
        raise InputError("the batch is empty (0 samples); give at least one sample to narrate")
    if batch and not 0 <= sample < len(steps[0].output):
        raise InputError(f"sample {sample} is out of range for a batch of {len(steps[0].output)}; choose 0 … {len(steps[0].output) - 1}")
    out = {s.node: (s.output[sample] if batch else s.output) for s in steps}
    shapes = {s.node: s.output.shape for s in steps}
    story = _Story(precision)
    x_name = steps[0].node
    intro = f"{x_name} = {format_array(out[x_name], precision)}"
    if batch:
        intro += f"  (sample {sample} of a batch {_shape(shapes[x_name])})"
    story.add(x_name, None, intro, out[x_name])
    notation = Notation(layers, {0: x_name})
    source = x_name
    for layer in layers:
        if level == "layer":
            _narrate_layer(story, graph, layer, source, notation, out, shapes)
        else:
            _narrate_neurons(story, graph, layer, source, notation, out, max_neurons)
        source = layer.output
    if level == "neuron":
        story.add(source, None, f"y = {format_array(out[source], precision)}", out[source])
    return story.records


class _Story:
    def __init__(self, precision: int):
        self.precision = precision
        self.records: list[Narration] = []
        self.known: dict[str, np.ndarray] = {}

    def number(self, value) -> str:
        """A result: ``0.3``, ``−0.7``."""
        return format_number(value, self.precision)

    def term(self, value) -> str:
        """A factor or summand, bracketed when negative: ``(−0.5)``."""
        text = self.number(value)
        return f"({text})" if text.startswith("−") else text

    def add(self, node: str, neuron: int | None, text: str, value: np.ndarray | None = None, *, upto: int | None = None):
        """Record ``text``; the node's value is known in full, or only up to neuron ``upto``."""
        if value is not None:
            current = np.asarray(value, dtype=np.float64).copy()
            if upto is not None:
                current[upto + 1 :] = np.nan
            current.flags.writeable = False
            self.known = {**self.known, node: current}
        self.records.append(Narration(len(self.records), node, neuron, text, self.known))


def _shape(shape: tuple[int, ...]) -> str:
    return format_shape(shape) if len(shape) == 1 else f"({format_shape(shape)})"


def _narrate_layer(story, graph, layer, source, notation, out, shapes) -> None:
    affine, activation, k = layer.affine, layer.activation, layer.index
    W = graph[affine.W].value
    mark = layer_mark(k)
    a = notation.pre_vector(k)
    terms = f"{notation.signal_vector(k - 1)}·W{mark}" + (f" + b{mark}" if affine.b else "")
    sizes = f"{_shape(shapes[source])}·{_shape(W.shape)}" + (f" + {_shape((W.shape[1],))}" if affine.b else "")
    story.add(
        affine.name, None,
        f"{a} = {terms} : {sizes} → {_shape(shapes[affine.name])}\n{a} = {format_array(out[affine.name], story.precision)}",
        out[affine.name],
    )
    if activation is not None:
        z = notation.signal_vector(k)
        story.add(
            activation.name, None,
            f"{z} = {activation.activation.symbol}({a}) : {_shape(shapes[affine.name])} → {_shape(shapes[activation.name])}\n"
            f"{z} = {format_array(out[activation.name], story.precision)}",
            out[activation.name],
        )


def _weighted_sum(story, inputs: np.ndarray, weights: np.ndarray, bias: float | None) -> str:
    products = [f"{story.term(v)}×{story.term(w)}" for v, w in zip(inputs, weights)]
    if len(products) > TERMS_SHOWN + 1:
        hidden = len(products) - TERMS_SHOWN - 1
        products = [*products[:TERMS_SHOWN], f"… ({hidden} more products)", products[-1]]
    if bias is not None:
        products.append(story.term(bias))
    return " + ".join(products)


def _summary(story, values: np.ndarray, shown: int) -> str:
    rest = values[shown:]
    top = shown + int(np.argmax(rest))
    return (
        f"{len(rest)} more neuron{'s' if len(rest) != 1 else ''}: min {story.number(rest.min())}, "
        f"max {story.number(rest.max())} (neuron {top + 1})"
    )


def _narrate_neurons(story, graph, layer, source, notation, out, max_neurons: int) -> None:
    affine, activation, k = layer.affine, layer.activation, layer.index
    W = graph[affine.W].value
    b = graph[affine.b].value if affine.b else None
    a, x = out[affine.name], out[source]
    shown = min(len(a), max_neurons)
    elementwise = activation is None or activation.activation.elementwise
    z = None if activation is None else out[activation.name]
    for j in range(shown):
        bias = None if b is None else b[j]
        story.add(affine.name, j, f"{notation.pre(k, j)} = {_weighted_sum(story, x, W[:, j], bias)} = {story.number(a[j])}", a, upto=j)
        if activation is not None and elementwise:
            text = f"{notation.signal(k, j)} = {activation.activation.symbol}({story.number(a[j])}) = {story.number(z[j])}"
            story.add(activation.name, j, text, z, upto=j)
    if shown < len(a):
        story.add(affine.name, None, f"{notation.pre_vector(k)}: {_summary(story, a, shown)}", a)
        if activation is not None and elementwise:
            story.add(activation.name, None, f"{notation.signal_vector(k)}: {_summary(story, z, shown)}", z)
    if activation is not None and not elementwise:
        whole = notation.pre_vector(k)
        for j in range(shown):
            text = (
                f"{notation.signal(k, j)} = {activation.activation.symbol}({whole}){subscript(j + 1)} = "
                f"{story.number(z[j])}   (depends on every {whole}ᵢ)"
            )
            story.add(activation.name, j, text, z, upto=j)
        if shown < len(z):
            story.add(activation.name, None, f"{notation.signal_vector(k)}: {_summary(story, z, shown)}", z)
