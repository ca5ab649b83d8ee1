"""Narrated evaluation for teaching: every weighted sum written out, symbols then numbers.

:func:`narrate` runs a layered network on one sample (or one row of a batch)
and returns records a teacher reads one by one:

- ``level="neuron"``: each neuron's weighted sum as the book writes it, then
  with its numbers; then ``h()`` applied; at the end the network's output ``y``
  and, for a classifier (softmax output), the predicted class;
- ``level="layer"``: each node in matrix form with its shapes.

Example:
    >>> from nngraph import three_layer_network
    >>> records = narrate(three_layer_network(), [1.0, 0.5])
    >>> print(records[1].text)
    a₁⁽¹⁾ = w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + b₁⁽¹⁾ = 1.0×0.1 + 0.5×0.2 + 0.1 = 0.3
    >>> print(records[2].text)
    z₁⁽¹⁾ = σ(a₁⁽¹⁾) = σ(0.3) = 0.57444252
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError, OptionError
from .formatting import format_array, format_number, format_shape
from .notation import Notation, layer_mark, subscript

__all__ = ["Known", "Narration", "narrate", "LEVELS", "LANGUAGES"]

LEVELS = ("neuron", "layer")
LANGUAGES = ("en", "zh")
TERMS_SHOWN = 3  # products written out before a long sum is abbreviated
OUTPUTS_SHOWN = 10  # an output layer this narrow is narrated in full (MNIST's ten digits)

# Formulas stay in the book's Latin symbols; only the prose around them is translated.
_WORDS = {
    "en": {
        "sample": "  (sample {i} of a batch {shape})",
        "in_all": "… ({n} products in all)",
        "zeros": "  ({n} zero term{s} left out)",
        "more": "{first}{to}{last}: {n} more neurons (smallest: {low}, largest: {high})",
        "one_more": "1 more neuron: {value}",
        "depends": "   (depends on every {a})",
        "predicted": "predicted {c} (p = {p})",
        "right": " · label {c} ✓",
        "wrong": " · label {c} ✗ (the network is wrong)",
    },
    "zh": {
        "sample": "  (批次 {shape} 的第 {i} 個樣本)",
        "in_all": "… (共 {n} 個乘積)",
        "zeros": "  (省略了 {n} 個為零的項)",
        "more": "{first}{to}{last}：還有 {n} 個神經元 (最小：{low}，最大：{high})",
        "one_more": "還有 1 個神經元：{value}",
        "depends": "   (與每一個 {a} 都有關)",
        "predicted": "預測 {c} (p = {p})",
        "right": " · 標籤 {c} ✓",
        "wrong": " · 標籤 {c} ✗ (網路判斷錯了)",
    },
}


class _Log:
    """Every value a narration recorded, in order, shared by all its records' :class:`Known` views."""

    def __init__(self):
        self.firsts: list[int] = []  # position in ``values`` where each node first appears …
        self.order: list[str] = []  # … and those nodes, in that order
        self.updates: dict[str, list[int]] = {}  # node → every position it was recorded at
        self.values: list[np.ndarray] = []

    def append(self, node: str, value: np.ndarray) -> None:
        if node not in self.updates:
            self.firsts.append(len(self.values))
            self.order.append(node)
            self.updates[node] = []
        self.updates[node].append(len(self.values))
        self.values.append(value)


class Known(Mapping):
    """The values known at one record: node → read-only 1-D array, in the order first computed.

    A view of the first ``count`` entries of a log that the whole narration shares,
    so a narration's memory grows with what it prints, not with its square.

    Example:
        >>> from nngraph import three_layer_network
        >>> known = narrate(three_layer_network(), [1.0, 0.5])[2].known
        >>> list(known), np.isnan(known["a1"]).tolist()
        (['x', 'a1', 'z1'], [False, True, True])
    """

    __slots__ = ("_log", "_count")

    def __init__(self, log: _Log, count: int):
        self._log = log
        self._count = count

    def __getitem__(self, name: str) -> np.ndarray:
        positions = self._log.updates.get(name, ()) if isinstance(name, str) else ()
        last = bisect_left(positions, self._count) - 1
        if last < 0:
            raise KeyError(name)
        return self._log.values[positions[last]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._log.order[: len(self)])

    def __len__(self) -> int:
        return bisect_left(self._log.firsts, self._count)

    def __repr__(self) -> str:
        return f"<Known: {', '.join(self) or 'nothing'}>"


@dataclass(frozen=True)
class Narration:
    """One narrated moment of an evaluation.

    Attributes:
        index: position in the narration, from 0.
        node: the node being computed (or the input).
        neuron: the neuron of that node this record is about, numbered from 1 as in
            a₁⁽¹⁾ (the numbering of every nngraph function); None for the whole node.
        text: what to read, with its numbers.
        known: every value computed so far for the narrated sample (node → 1-D
            array); entries of ``node`` not yet computed are NaN.
    """

    index: int
    node: str
    neuron: int | None
    text: str
    known: Known = field(repr=False)

    def __str__(self) -> str:
        return self.text


def narrate(
    graph, x, *, level: str = "neuron", sample: int = 0, precision: int = 8, max_neurons: int = 4,
    label: int | None = None, language: str = "en",
) -> list[Narration]:
    """Narrate the evaluation of a layered ``graph`` on ``x`` (one sample or a batch).

    Args:
        graph: a chain network (see :meth:`nngraph.Graph.layers`).
        x: one sample ``(D,)`` or a batch ``(N, D)``.
        level: ``"neuron"`` (each weighted sum written out) or ``"layer"`` (matrix form).
        sample: the row of a batch to narrate.
        precision: decimals printed (8 reproduces the book's printed values).
        max_neurons: neurons narrated per hidden layer before the rest is summarised
            (an output layer of at most 10 neurons is always narrated in full).
        label: the true class of the sample (0-based, as the output index), for a
            classifier: the prediction is then marked right ✓ or wrong ✗.
        language: ``"en"`` or ``"zh"`` (Traditional Chinese) for the words around the formulas.

    Raises:
        InputError: for a bad ``level``, ``sample``, ``label`` or input.
        OptionError: for an unknown ``language``.
        GraphError: if ``graph`` is not a chain of layers.

    Example:
        >>> from nngraph import mlp
        >>> net = mlp([([[1.0, -1.0]], [0.0, 0.0])], ["softmax"])
        >>> print(narrate(net, [2.0], label=0)[-1].text)
        y = [0.98201379, 0.01798621]
        predicted 0 (p = 0.98201379) · label 0 ✓
    """
    _check_options(level, sample, precision, max_neurons, language)
    layers = graph.layers()
    _check_label(label, layers)
    steps = list(graph.steps(x))
    out, shapes = _sample_values(steps, sample)
    story = _Story(precision, _WORDS[language])
    x_name = steps[0].node
    intro = f"{x_name} = {format_array(out[x_name], precision)}"
    if steps[0].output.ndim == 2:
        intro += story.words["sample"].format(i=sample, shape=_shape(shapes[x_name]))
    story.add(x_name, None, intro, out[x_name])
    notation = Notation(layers, {0: x_name})
    source = x_name
    for layer in layers:
        if level == "layer":
            _narrate_layer(story, graph, layer, source, notation, out, shapes)
        else:
            last = layer.index == len(layers)
            _narrate_neurons(story, graph, layer, source, notation, out, max(OUTPUTS_SHOWN, max_neurons) if last else max_neurons)
        source = layer.output
    y = out[source]
    text = f"y = {format_array(y, precision, edge=max(3, (len(y) + 1) // 2) if len(y) <= OUTPUTS_SHOWN else 3)}"
    if level == "layer":  # the matrix form's last record already ends with the y line
        text = story.records.pop().text
    if _is_classifier(layers):
        text += "\n" + _prediction(story, y, label)
    story.add(source, None, text, y)
    return story.records


def _check_options(level, sample, precision, max_neurons, language) -> None:
    if language not in LANGUAGES:
        raise OptionError(f"language must be one of 'en', 'zh'; got {language!r}")
    if level not in LEVELS:
        raise OptionError(f"level must be one of {', '.join(repr(v) for v in LEVELS)}; got {level!r}")
    for option, value, least in (("sample", sample, 0), ("precision", precision, 0), ("max_neurons", max_neurons, 1)):
        if not _is_whole(value) or value < least:
            raise OptionError(f"{option} must be a whole number ≥ {least}; got {value!r}")


def _is_whole(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def _is_classifier(layers) -> bool:
    activation = layers[-1].activation
    return activation is not None and activation.h.name == "softmax"


def _check_label(label, layers) -> None:
    if label is None:
        return
    if not _is_classifier(layers):
        raise InputError(f"label {label!r} needs a classifier, a network whose output activation is softmax; leave the label out (--labels on the command line)")
    classes = layers[-1].affine.width
    if not _is_whole(label) or not 0 <= label < classes:
        raise InputError(f"label must be a whole number from 0 to {classes - 1} (a class of the output y); got {label!r}")


def _sample_values(steps, sample: int):
    """Every node's value for the narrated sample, and every node's full shape."""
    batch = steps[0].output.ndim == 2
    if not batch and sample != 0:
        raise InputError(f"sample {sample} asks for a row of a batch, but the input is one sample; drop sample or pass a batch (N, D)")
    if batch and len(steps[0].output) == 0:
        raise InputError("the batch is empty (0 samples); give at least one sample to narrate")
    if batch and not 0 <= sample < len(steps[0].output):
        raise InputError(f"sample {sample} is out of range for a batch of {len(steps[0].output)}; choose 0 … {len(steps[0].output) - 1}")
    out = {s.node: (s.output[sample] if batch else s.output) for s in steps}
    return out, {s.node: s.output.shape for s in steps}


class _Story:
    def __init__(self, precision: int, words: dict[str, str]):
        self.precision = precision
        self.words = words
        self.records: list[Narration] = []
        self.log = _Log()

    def number(self, value) -> str:
        """A result: ``0.3``, ``−0.7``."""
        return format_number(value, self.precision)

    def term(self, value) -> str:
        """A factor or summand, bracketed when negative: ``(−0.5)``."""
        text = self.number(value)
        return f"({text})" if text.startswith("−") else text

    def add(self, node: str, position: int | None, text: str, value: np.ndarray | None = None, *, upto: int | None = None):
        """Record ``text`` about the neuron at 0-based ``position``; the node's value is known in full, or up to ``upto``."""
        if value is not None:
            current = np.asarray(value, dtype=np.float64).copy()
            if upto is not None:
                current[upto + 1 :] = np.nan
            current.flags.writeable = False
            self.log.append(node, current)
        neuron = None if position is None else position + 1
        self.records.append(Narration(len(self.records), node, neuron, text, Known(self.log, len(self.log.values))))


def _shape(shape: tuple[int, ...]) -> str:
    return format_shape(shape) if len(shape) == 1 else f"({format_shape(shape)})"


def _prediction(story, y: np.ndarray, label: int | None) -> str:
    """``predicted 7 (p = 0.99708)``, and whether it is the label."""
    predicted = int(np.argmax(y))
    text = story.words["predicted"].format(c=predicted, p=story.number(y[predicted]))
    if label is not None:
        text += story.words["right" if predicted == label else "wrong"].format(c=int(label))
    return text


def _narrate_layer(story, graph, layer, source, notation, out, shapes) -> None:
    affine, activation, k = layer.affine, layer.activation, layer.index
    W = graph[affine.W].value
    mark = layer_mark(k)
    a = notation.pre_vector(k)
    terms = f"{notation.signal_vector(k - 1)}·W{mark}" + (f" + b{mark}" if affine.b else "")
    sizes = f"{_shape(shapes[source])}·{_shape(W.shape)}" + (f" + {_shape(graph[affine.b].shape)}" if affine.b else "")
    story.add(
        affine.name, None,
        f"{a} = {terms} : {sizes} → {_shape(shapes[affine.name])}\n{a} = {format_array(out[affine.name], story.precision)}",
        out[affine.name],
    )
    if activation is not None:
        z = notation.signal_vector(k)
        story.add(
            activation.name, None,
            f"{z} = {activation.applied(a)} : {_shape(shapes[affine.name])} → {_shape(shapes[activation.name])}\n"
            f"{z} = {format_array(out[activation.name], story.precision)}",
            out[activation.name],
        )


def _symbolic_sum(notation, k: int, j: int, width: int, bias: bool) -> str:
    """The book's line: ``w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂ + … + w₁,₇₈₄⁽¹⁾x₇₈₄ + b₁⁽¹⁾``."""
    sources = range(width) if width <= TERMS_SHOWN + 1 else (0, 1, None, width - 1)
    terms = ["…" if i is None else f"{notation.weight(k, j, i)}{notation.signal(k - 1, i)}" for i in sources]
    return " + ".join(terms + ([notation.bias(k, j)] if bias else []))


def _numeric_sum(story, inputs: np.ndarray, weights: np.ndarray, bias: float | None) -> tuple[str, int]:
    """The same sum with its numbers, x×w, and how many zero terms it left out."""
    kept = np.arange(len(inputs))
    if len(inputs) > TERMS_SHOWN + 1:  # a short sum keeps its 0×w terms, as the book writes them
        kept = np.flatnonzero(inputs != 0)
    products = [f"{story.term(inputs[i])}×{story.term(weights[i])}" for i in kept]
    if len(products) > TERMS_SHOWN + 1:
        products = [*products[:TERMS_SHOWN], story.words["in_all"].format(n=len(products))]
    if bias is not None:
        products.append(story.term(bias))
    return " + ".join(products) or "0", len(inputs) - len(kept)


def _weighted_sum(story, notation, k: int, j: int, inputs, weights, bias, result) -> str:
    """``a₂⁽¹⁾ = w₂₁⁽¹⁾x₁ + w₂₂⁽¹⁾x₂ + b₂⁽¹⁾ = 1.0×0.3 + 0.5×0.4 + 0.2 = 0.7``."""
    numbers, zeros = _numeric_sum(story, inputs, weights, bias)
    symbols = _symbolic_sum(notation, k, j, len(inputs), bias is not None)
    text = f"{notation.pre(k, j)} = {symbols} = {numbers} = {story.number(result)}"
    if zeros:
        text += story.words["zeros"].format(n=zeros, s="s" if zeros != 1 else "")
    return text


def _summary(story, values: np.ndarray, shown: int, name) -> str:
    """The neurons after the first ``shown``, by the book's names: ``name(j)`` is neuron j's symbol."""
    def named(j: int) -> str:
        return f"{name(j)} = {story.number(values[j])}"

    if len(values) - shown == 1:
        return story.words["one_more"].format(value=named(shown))
    low, high = (shown + int(pick(values[shown:])) for pick in (np.argmin, np.argmax))
    rest = len(values) - shown
    return story.words["more"].format(
        first=name(shown), to=", " if rest == 2 else " … ", last=name(len(values) - 1), n=rest, low=named(low), high=named(high)
    )


def _narrate_neurons(story, graph, layer, source, notation, out, max_neurons: int) -> None:
    affine, activation, k = layer.affine, layer.activation, layer.index
    W = graph[affine.W].value
    b = graph[affine.b].value if affine.b else None
    a, x = out[affine.name], out[source]
    shown = min(len(a), max_neurons)
    elementwise = activation is None or activation.h.elementwise
    z: Any = None if activation is None else out[activation.name]  # read only when there is an activation
    for j in range(shown):
        bias = None if b is None else b[j]
        story.add(affine.name, j, _weighted_sum(story, notation, k, j, x, W[:, j], bias, a[j]), a, upto=j)
        if activation is not None and elementwise:
            h, pre = activation.applied, notation.pre(k, j)
            text = f"{notation.signal(k, j)} = {h(pre)} = {h(story.number(a[j]))} = {story.number(z[j])}"
            story.add(activation.name, j, text, z, upto=j)
    if shown < len(a):
        story.add(affine.name, None, _summary(story, a, shown, lambda j: notation.pre(k, j)), a)
        if activation is not None and elementwise:
            story.add(activation.name, None, _summary(story, z, shown, lambda j: notation.signal(k, j)), z)
    if activation is not None and not elementwise:
        _narrate_whole_row(story, activation, k, notation, z, shown)


def _narrate_whole_row(story, activation, k: int, notation, z: np.ndarray, shown: int) -> None:
    """An activation of the whole row (softmax): each output depends on every aᵢ."""
    whole, spec = notation.pre_vector(k), activation.h
    every = "aᵢ" + whole[1:]  # a⁽³⁾ → aᵢ⁽³⁾
    for j in range(shown):
        definition = f"{activation.applied(whole)}{subscript(j + 1)}"
        if spec.name == "softmax":
            definition += f" = exp({notation.pre(k, j)}) / Σᵢ exp({every})"
        text = f"{notation.signal(k, j)} = {definition} = {story.number(z[j])}{story.words['depends'].format(a=every)}"
        story.add(activation.name, j, text, z, upto=j)
    if shown < len(z):
        story.add(activation.name, None, _summary(story, z, shown, lambda j: notation.signal(k, j)), z)
