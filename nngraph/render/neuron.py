"""Neuron diagrams: one circle per neuron, one arrow per weight (book figures 2-1 … 3-22).

Built in three steps: a *model* of the drawing (columns of neurons, arrows,
captions, what is emphasised), its *layout* (every position computed here and
pinned, Graphviz engine ``nop2``, and every edge label placed on its own arrow
clear of all others by :mod:`nngraph.render.labels`), and the DOT text. Layers
are columns from left to right (the input is layer 0), neurons top to bottom,
the bias of each layer a neuron "1" above the layer before it. Layers too wide
to draw are elided: their first and last neurons with "⁝" between.

Example:
    >>> from nngraph import three_layer_network
    >>> diagram = neuron_diagram(three_layer_network())
    >>> diagram.engine, "w₁₂⁽¹⁾" in diagram.source
    ('nop2', True)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from ..errors import GraphError, OptionError, RenderError
from ..nodes import AffineNode
from ..notation import Notation, layer_mark
from . import style
from .diagram import Diagram
from .dot import VERTICAL_DOTS, document, file_name, graph_attributes, pos, statement, text_node, text_width
from .emphasis import Emphasis, emphasis
from .labels import Arrow, place_labels
from .matrices import shape_row, shape_row_nodes
from .options import choice, language_words, whole
from .truth_table import table_statements
from .truth_table import truth_table as make_truth_table

__all__ = ["neuron_diagram", "shown_indices", "FORCE_EDGE_LIMIT", "FORCE_LAYER_LIMIT", "LABEL_LIMIT"]

FORCE_EDGE_LIMIT = 20_000  # drawing more arrows than this needs force=True
FORCE_LAYER_LIMIT = 300  # … and so does a column of more neurons than this (metres tall)
LABEL_LIMIT = 60  # a layer with more labelled arrows into it than this is drawn without labels
DRAWING_LABEL_LIMIT = 2_000  # … and so is a drawing with more labelled arrows than this (placing them takes long)
SPREAD_TRIES = 10  # how often the drawing is spread out to make room for labels
MAX_COLUMN_GAP = 480.0  # tall columns: the gap grows with their height up to this

CAPTIONS = {
    "en": {"input": "input layer", "hidden": "hidden layer", "output": "output layer", "layer": "layer {k}",
           "neurons": "{n} neurons", "neuron": "1 neuron"},
    "zh": {"input": "輸入層", "hidden": "隱藏層", "output": "輸出層", "layer": "第 {k} 層",
           "neurons": "{n} 個神經元", "neuron": "1 個神經元"},
}
WEIGHT_MODES = ("notation", "values", "both", "none")
EDGE_STYLES = ("plain", "signed")


def shown_indices(size: int, limit: int | None, keep: int | None = None) -> list[int | None]:
    """Neuron indices to draw, ``None`` marking a gap ("⁝"); ``keep`` is always shown.

    Example:
        >>> shown_indices(784, 6)
        [0, 1, 2, None, 781, 782, 783]
        >>> shown_indices(50, 4, keep=20)
        [0, 1, None, 20, None, 48, 49]
    """
    if limit is None or size <= limit:
        return list(range(size))
    head = (limit + 1) // 2
    wanted = sorted({*range(head), *range(size - (limit - head), size), *([keep] if keep is not None else [])})
    items: list[int | None] = []
    for index in wanted:
        if items and items[-1] is not None and index != items[-1] + 1:
            items.append(None)
        items.append(index)
    return items


# -- the model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The checked drawing options of one neuron diagram."""

    weights: str
    bias: bool
    max_neurons: int | None
    language: str
    signed: bool
    focus: int | None
    split: bool
    force: bool
    names: dict
    precision: int
    title: str | None


@dataclass
class Column:
    """One column of circles: a layer (or the output activation when drawn apart)."""

    items: list[int | None]
    rows: list[tuple]  # (symbol function index → str, node name)
    caption: list[str]
    bias: np.ndarray | None = None  # the bias vector of the layer to the right, drawn as "1" on top
    x: float = 0.0
    y: dict = field(default_factory=dict)


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # "weight", "bias" or "activation"
    layer: int
    target_index: int
    weight: float | None = None
    symbol: str = ""
    look: str = "plain"  # "current", "faint" or "plain"
    label: str = ""


def _options(graph, layers, *, weights, bias, max_neurons, language, edge_style, focus, output_activation, force, names, precision, title) -> Options:
    choice("weights", weights, WEIGHT_MODES)
    choice("edge_style", edge_style, EDGE_STYLES)
    language_words(language, CAPTIONS)
    if max_neurons is not None:
        max_neurons = whole("max_neurons", max_neurons, 2, meaning="the neurons an elided layer shows; None draws all")
    if focus is not None:
        focus = whole("focus", focus, 1, len(layers), meaning=f"a layer of {graph.name!r}")
    names = dict(names or {})
    for key, letter in names.items():
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= len(layers) or not isinstance(letter, str) or not letter:
            raise OptionError(f"names maps a layer number 0…{len(layers)} to a letter; got {key!r}: {letter!r}")
    precision = whole("precision", precision, 0, 17, meaning="decimals of the numbers drawn")
    if title is not None and not isinstance(title, str):
        raise OptionError(f"title must be a string; got {type(title).__name__}")
    split = bool(output_activation) and layers[-1].activation is not None
    return Options(weights, bool(bias), max_neurons, language, edge_style == "signed", focus, split, bool(force), names, precision, title)


def _rows(notation: Notation, layer, shown: Emphasis) -> list[tuple]:
    """(symbol function, node name) for each line a neuron of ``layer`` shows.

    Perceptron layers (step) and layers given a letter in ``names`` show
    only their output, as chapter 2 draws them, unless values are shown.
    """
    k = layer.index
    if layer.activation is None:
        named = k in notation.names  # e.g. figure 3-14 calls the plain weighted sums y
        return [(partial(notation.signal if named else notation.pre, k), layer.affine.name)]
    rows = [(partial(notation.pre, k), layer.affine.name), (partial(notation.signal, k), layer.activation.name)]
    perceptron = layer.activation.h.name == "step" or k in notation.names
    return rows[1:] if perceptron and not shown.rows else rows


def _formulas(notation: Notation, layer, inputs: int) -> list[str]:
    """The layer's formulas in the book's notation: a⁽¹⁾ = x·W⁽¹⁾ + b⁽¹⁾, z⁽¹⁾ = σ(a⁽¹⁾)."""
    k = layer.index
    with_bias = layer.affine.b is not None
    if notation.chapter2:  # a lone perceptron: y = step(b + w₁x₁ + w₂x₂), as chapter 2 writes it
        terms = " + ".join(notation.weight(1, 0, i) + notation.signal(0, i) for i in range(inputs))
        total = f"b + {terms}" if with_bias else terms
        if layer.activation is None:
            return [f"{notation.signal_vector(1)} = {total}"]
        return [f"{notation.signal_vector(1)} = {layer.activation.applied(total)}"]
    product = f"{notation.signal_vector(k - 1)}·W{layer_mark(k)}" + (f" + b{layer_mark(k)}" if with_bias else "")
    if layer.activation is None:
        return [f"{notation.signal_vector(k)} = {product}"]
    pre = notation.pre_vector(k)
    return [f"{pre} = {product}", f"{notation.signal_vector(k)} = {layer.activation.applied(pre)}"]


def _input_vector(notation: Notation, size: int) -> str:
    """x = (x₁, x₂), or x = (x₁, …, x₇₈₄) for a wide input."""
    if size <= 3:
        items = ", ".join(notation.signal(0, i) for i in range(size))
    else:
        items = f"{notation.signal(0, 0)}, …, {notation.signal(0, size - 1)}"
    return f"{notation.signal_vector(0)} = ({items})" if size > 1 else notation.signal(0, 0)


def _kinds(words: dict, count: int) -> list[str]:
    """The column headings: input layer (layer 0), hidden layer (layer 1), …, output layer (layer n)."""
    kinds = [words["input"]] + [words["hidden"]] * (count - 1) + [words["output"]]
    return [f"{kind} ({words['layer'].format(k=k)})" for k, kind in enumerate(kinds)]


def _columns(graph, layers, notation: Notation, shown: Emphasis, options: Options, keep) -> list[Column]:
    words = CAPTIONS[options.language]
    sizes = [graph.inputs[0].size] + [layer.affine.width for layer in layers]
    rows = [[(partial(notation.signal, 0), graph.inputs[0].name)]] + [_rows(notation, layer, shown) for layer in layers]
    kinds = _kinds(words, len(layers))
    formulas = [[_input_vector(notation, sizes[0])]] + [_formulas(notation, layer, sizes[0]) for layer in layers]
    if options.split:
        k = len(layers)
        rows[k:] = [[(partial(notation.pre, k), layers[-1].affine.name)], [(partial(notation.signal, k), layers[-1].activation.name)]]
        kinds.append(layers[-1].activation.h.name)
        formulas.append([formulas[-1].pop()])
        sizes.append(sizes[-1])
    columns = []
    for index, size in enumerate(sizes):
        count = words["neuron"] if size == 1 else words["neurons"].format(n=size)
        caption = [kinds[index], *formulas[index]] if options.split and index == len(layers) + 1 else [kinds[index], count, *formulas[index]]
        columns.append(Column(shown_indices(size, options.max_neurons, keep.get(index)), rows[index], caption))
    for layer, column in zip(layers, columns):
        if layer.affine.b is not None and options.bias:
            column.bias = graph[layer.affine.b].value
    return columns


def _edges(graph, layers, columns, options: Options, notation: Notation) -> list[Edge]:
    edges = []
    for layer in layers:
        k = layer.index
        W = graph[layer.affine.W].value
        before, column = columns[k - 1], columns[k]
        for j in (j for j in column.items if j is not None):
            if before.bias is not None:
                edges.append(Edge(f"B{k}", f"N{k}_{j}", "bias", k, j, float(before.bias[j]), notation.bias(k, j)))
            for i in (i for i in before.items if i is not None):
                edges.append(Edge(f"N{k - 1}_{i}", f"N{k}_{j}", "weight", k, j, float(W[i, j]), notation.weight(k, j, i)))
    if options.split:
        k = len(layers)
        activation = layers[-1].activation.h
        symbol = f"{activation.symbol}()" if activation.elementwise else ""
        for j in (j for j in columns[k + 1].items if j is not None):
            for i in (i for i in columns[k].items if i is not None and (i == j or not activation.elementwise)):
                edges.append(Edge(f"N{k}_{i}", f"N{k + 1}_{j}", "activation", k + 1, j, symbol=symbol))
    return edges


# -- emphasis and labels ----------------------------------------------------------


class _Looks:
    """How neurons and arrows look from what is known, what is current and what is in focus."""

    def __init__(self, graph, columns: list[Column], shown: Emphasis, options: Options, current_column: int | None):
        self.shown, self.options, self.column = shown, options, current_column
        self.current_is_affine = shown.current is not None and isinstance(graph[shown.current], AffineNode)
        self.reached_columns = [not shown.rows or any(name in shown.rows for _, name in c.rows) for c in columns]

    def neuron(self, column: int, index: int) -> str:
        if self.column == column and (self.shown.neuron is None or self.shown.neuron == index):
            return "current"
        return "plain" if self.reached_columns[column] else "grey"

    def edge(self, edge: Edge) -> str:
        into_current = self.neuron(edge.layer, edge.target_index) == "current"
        if into_current and (self.current_is_affine or edge.kind == "activation"):
            return "current"
        focus = self.options.focus
        if not self.reached_columns[edge.layer] or (focus is not None and (edge.layer != focus or edge.target_index != 0)):
            return "faint"
        return "plain"

    def labelled(self, edge: Edge) -> bool:
        if edge.kind == "activation":
            return bool(edge.symbol)
        if self.options.weights == "none":
            return False
        if self.shown.current is not None:
            return edge.look == "current"
        return edge.look != "faint" or self.options.focus is None


def _crowded_layers(labelled: list[Edge]) -> list[int]:
    """The layers with more than ``LABEL_LIMIT`` labelled arrows into them (all, in a drawing of too many)."""
    counts: dict[int, int] = {}
    for edge in labelled:
        counts[edge.layer] = counts.get(edge.layer, 0) + 1
    if len(labelled) > DRAWING_LABEL_LIMIT:
        return list(counts)
    return [layer for layer, count in counts.items() if count > LABEL_LIMIT]


def _label_text(edge: Edge, options: Options) -> str:
    if edge.kind == "activation" or edge.weight is None or options.weights == "notation":
        return edge.symbol
    number = style.value_text(edge.weight, options.precision)
    return number if options.weights == "values" else f"{edge.symbol} = {number}"


def _emphasise(graph, columns, edges: list[Edge], shown: Emphasis, options: Options, current_column) -> tuple[_Looks, list[str]]:
    looks = _Looks(graph, columns, shown, options, current_column)
    for edge in edges:
        edge.look = looks.edge(edge)
    labelled = [edge for edge in edges if looks.labelled(edge)]
    notes = []
    crowded = _crowded_layers(labelled)
    if crowded:
        count = sum(edge.layer in crowded for edge in labelled)
        if len(labelled) > DRAWING_LABEL_LIMIT:
            why = f"{count} arrows are drawn without labels (more than {DRAWING_LABEL_LIMIT:,} in one drawing)"
        else:
            layers = ("layer " if len(crowded) == 1 else "layers ") + ", ".join(map(str, crowded))
            why = f"{count} arrows into {layers} are drawn without labels (more than {LABEL_LIMIT} into one layer)"
        notes.append(f"{why}; lower max_neurons (--max-neurons) to see them labelled")
        labelled = [edge for edge in labelled if edge.kind == "activation" or edge.layer not in crowded]
    for edge in labelled:
        edge.label = _label_text(edge, options)
    return looks, notes


# -- the layout -----------------------------------------------------------------------


@dataclass
class Layout:
    """Pinned geometry in points: circle size, column centres, neuron and label positions."""

    diameter: float
    spacing: float
    row: float
    labels: dict = field(default_factory=dict)  # id(edge) → (x, y)
    lowest: float = 0.0


def _neuron_text(column: Column, index: int, shown: Emphasis, precision: int) -> str:
    lines = []
    for symbol, name in column.rows:
        text = symbol(index)
        if shown.known(name, index):
            text += " = " + style.value_text(shown.rows[name][index], precision)
        lines.append(text)
    return "\n".join(lines)


def _diameter(columns: list[Column], shown: Emphasis, precision: int) -> float:
    """One size for every circle: the widest text with room for a number in every row,
    so that the frames of a stepped evaluation keep their geometry."""
    budget = " = −0." + "0" * max(precision, 1) if shown.rows else ""
    widest, rows = 0.0, max(len(c.rows) for c in columns)
    for column in columns:
        for index in (i for i in column.items if i is not None):
            for line in _neuron_text(column, index, shown, precision).split("\n"):
                symbol = line.split(" = ")[0] + budget
                widest = max(widest, text_width(line, style.NEURON_TEXT_SIZE), text_width(symbol, style.NEURON_TEXT_SIZE))
    return max(style.MIN_DIAMETER, math.hypot(widest, rows * style.NEURON_TEXT_SIZE * 1.2) + 8)


def _place_columns(columns: list[Column], spacing: float, row: float, diameter: float) -> float:
    """Pin every column's neurons and bias; returns the y of the lowest circle's bottom."""
    lowest = 0.0
    tops = [(len(c.items) - 1) / 2 * row for c in columns]
    for c, column in enumerate(columns):
        column.x = c * spacing
        column.y = {}
        for r, item in enumerate(column.items):
            column.y[("gap", r) if item is None else item] = tops[c] - r * row
        # All on one line above the tallest column, as the book draws them; no arrow runs under one.
        column.y["bias"] = max(tops) + row
        lowest = min(lowest, -tops[c] - diameter / 2)
    return lowest


def _centre(columns: list[Column], key: str) -> tuple[float, float]:
    """The centre of node ``N{c}_{i}``, ``B{k}`` (above column k − 1) or ``G{c}_{r}``."""
    if key.startswith("B"):
        column = columns[int(key[1:]) - 1]
        return column.x, column.y["bias"]
    c, i = (int(part) for part in key[1:].split("_"))
    return columns[c].x, columns[c].y[i]


def _arrows(columns: list[Column], edges: list[Edge], texts: list[str], radius: float) -> list[Arrow]:
    arrows = []
    for edge, text in zip(edges, texts):
        start, end = _centre(columns, edge.source), _centre(columns, edge.target)
        if not text:
            arrows.append(Arrow(start, end))
            continue
        half = (text_width(text, style.EDGE_LABEL_SIZE) / 2 + style.LABEL_PAD, style.EDGE_LABEL_SIZE * 0.625)
        length = math.hypot(end[0] - start[0], end[1] - start[1])
        along = half[0] * abs(end[0] - start[0]) / length + half[1] * abs(end[1] - start[1]) / length
        source_radius = style.BIAS_SIZE / 2 if edge.kind == "bias" else radius
        arrows.append(Arrow(start, end, half, source_radius + along, radius + style.ARROWHEAD + along, prefer=0.65))
    return arrows


def _obstacles(columns: list[Column], radius: float) -> list[tuple[float, float, float]]:
    circles = []
    for column in columns:
        for key, y in column.y.items():
            if isinstance(key, int):
                circles.append((column.x, y, radius))
            elif key == "bias" and column.bias is not None:
                circles.append((column.x, y, style.BIAS_SIZE / 2))
            elif key != "bias":
                circles.append((column.x, y, style.GAP_DOTS_SIZE / 2))
    return circles


def _layout(columns: list[Column], edges: list[Edge], shown: Emphasis, options: Options) -> tuple[Layout, list[str]]:
    """Positions for everything, spread out until every label sits clear on its own arrow.

    While stepping, every frame keeps one geometry: the one in which every arrow
    is labelled (or, when that is too many labels, none), and each frame shows
    the labels of its own arrows at their places in it.
    """
    texts = [e.label for e in edges]
    if shown.stepping:
        texts = [_label_text(e, options) if options.weights != "none" or e.kind == "activation" else "" for e in edges]
        crowded = _crowded_layers([e for e, text in zip(edges, texts) if text])
        if crowded:  # room for the labels into one neuron of each crowded layer
            first = {edge.layer: edge.target_index for edge in reversed(edges)}
            texts = [text if e.layer not in crowded or first[e.layer] == e.target_index else "" for e, text in zip(edges, texts)]
    layout, placed = _spread(columns, edges, texts, shown, options)
    labelled = [e for e in edges if e.label]
    if placed and all(id(e) in layout.labels for e in labelled):
        layout.labels = {key: spot for key, spot in layout.labels.items() if key in {id(e) for e in labelled}}
        return layout, []
    centres = place_labels(_arrows(columns, edges, [e.label for e in edges], layout.diameter / 2), _obstacles(columns, layout.diameter / 2))
    if centres is not None:  # a frame's own labels in a geometry made for others
        layout.labels = {id(e): c for e, c in zip(edges, centres) if c is not None}
        return layout, []
    layout, placed = _spread(columns, edges, [e.label for e in edges], shown, options)
    if placed:  # the last resort: this frame's own geometry
        return layout, []
    for edge in labelled:
        edge.label = ""
    return layout, [f"{len(labelled)} labels did not fit clear of the other arrows and were left out; lower max_neurons or label fewer arrows (focus, weights='none')"]


def _spread(columns: list[Column], edges: list[Edge], texts: list[str], shown: Emphasis, options: Options) -> tuple[Layout, bool]:
    """The first geometry, widening step by step, in which labels ``texts`` all fit; whether they did."""
    diameter = _diameter(columns, shown, options.precision)
    widest_label = max((text_width(text, style.EDGE_LABEL_SIZE) for text in texts if text), default=0.0)
    tallest = max(len(c.items) for c in columns) * (diameter + style.ROW_GAP)
    spacing = diameter + max(style.MIN_COLUMN_GAP, 2.0 * widest_label + 40, min(0.3 * tallest, MAX_COLUMN_GAP))
    row = diameter + style.ROW_GAP
    for attempt in range(SPREAD_TRIES):
        lowest = _place_columns(columns, spacing, row, diameter)
        if not any(texts):
            return Layout(diameter, spacing, row, {}, lowest), True
        centres = place_labels(_arrows(columns, edges, texts, diameter / 2), _obstacles(columns, diameter / 2))
        if centres is not None:
            return Layout(diameter, spacing, row, {id(e): c for e, c in zip(edges, centres) if c is not None}, lowest), True
        if attempt < SPREAD_TRIES - 1:
            spacing, row = spacing * 1.25, row * 1.12
    return Layout(diameter, spacing, row, {}, lowest), False


# -- DOT --------------------------------------------------------------------------------

NEURON_LOOKS: dict[str, dict[str, object]] = {
    "current": {"color": style.HIGHLIGHT, "penwidth": 2.5, "style": "filled", "fillcolor": style.HIGHLIGHT_FILL},
    "grey": {"color": style.GREY, "fontcolor": style.GREY},
    "plain": {},
}


def _neuron_statements(columns: list[Column], looks: _Looks, layout: Layout, options: Options) -> list[str]:
    nodes = []
    font = style.CAPTION_FONTS[options.language]
    for c, column in enumerate(columns):
        for r, index in enumerate(column.items):
            if index is None:
                color = style.INK if looks.reached_columns[c] else style.GREY
                nodes.append(text_node(f"G{c}_{r}", column.x, column.y["gap", r], VERTICAL_DOTS, size=style.GAP_DOTS_SIZE, color=color))
                continue
            label = _neuron_text(column, index, looks.shown, options.precision)
            attrs = {"shape": "circle", "width": round(layout.diameter / 72, 3), "label": label, "pos": pos(column.x, column.y[index])}
            nodes.append(statement(f"N{c}_{index}", {**attrs, **NEURON_LOOKS[looks.neuron(c, index)]}))
        if column.bias is not None:
            attrs = {"shape": "circle", "width": style.BIAS_SIZE / 72, "label": "1", "pos": pos(column.x, column.y["bias"]),
                     "style": "filled", "fillcolor": style.BIAS_FILL}
            faint = (options.focus is not None and options.focus != c + 1) or not looks.reached_columns[c + 1]
            nodes.append(statement(f"B{c + 1}", {**attrs, **(NEURON_LOOKS["grey"] if faint else {})}))
        height = len(column.caption) * style.CAPTION_SIZE * 1.25
        color = style.INK if looks.reached_columns[c] else style.GREY
        y = layout.lowest - 14 - height / 2
        nodes.append(text_node(f"C{c}", column.x, y, "\n".join(column.caption), size=style.CAPTION_SIZE, color=color, font=font))
    return nodes


def _edge_attributes(edge: Edge, options: Options, scale: dict, dense: bool) -> dict:
    attrs: dict[str, Any] = {}
    if options.signed and edge.weight is not None:
        width = 0.4 + 2.6 * abs(edge.weight) / scale[edge.layer]
        color = style.POSITIVE if edge.weight > 0 else style.NEGATIVE if edge.weight < 0 else style.GREY
        attrs.update(color=color, penwidth=round(width, 2))
    elif dense:
        attrs.update(color=style.DENSE_INK, penwidth=0.5, arrowsize=0.3)
    if edge.look == "current":
        attrs.update(color=style.HIGHLIGHT, penwidth=max(2.0, attrs.get("penwidth", 0)))
    elif edge.look == "faint":
        attrs.update(color=style.FAINT)
    return attrs


def _edge_statements(graph, layers, edges: list[Edge], layout: Layout, options: Options) -> tuple[list[str], list[str]]:
    """The arrows (faint first, current last, so the emphasised ones are on top) and their labels."""
    scale = {}
    for layer in layers:
        parts = [np.abs(graph[layer.affine.W].value).max()]
        if layer.affine.b is not None:
            parts.append(np.abs(graph[layer.affine.b].value).max())
        scale[layer.index] = float(max(parts)) or 1.0
    dense = len(edges) > style.DENSE and not layout.labels  # thin and light, unless labels sit on them
    order = {"faint": 0, "plain": 1, "current": 2}
    lines = [statement(f"{e.source} -> {e.target}", _edge_attributes(e, options, scale, dense)) for e in sorted(edges, key=lambda e: order[e.look])]
    labels = []
    for edge in edges:
        if id(edge) in layout.labels:
            x, y = layout.labels[id(edge)]
            color = style.GREY if edge.look == "faint" else style.INK
            labels.append(text_node(f"L{edge.source}_{edge.target}", x, y, edge.label, size=style.EDGE_LABEL_SIZE, color=color, fill="white", pad=style.LABEL_PAD))
    return lines, labels


# -- the public function ----------------------------------------------------------------


def neuron_diagram(
    graph,
    *,
    values: Mapping | None = None,
    sample: int | None = None,
    current: str | None = None,
    neuron: int | None = None,
    weights: str = "notation",
    bias: bool = True,
    max_neurons: int | None = 10,
    focus: int | None = None,
    output_activation: bool = False,
    names: Mapping[int, str] | None = None,
    edge_style: str = "plain",
    precision: int = 4,
    language: str = "en",
    title: str | None = None,
    truth_table: bool = False,
    shapes: bool = False,
    force: bool = False,
) -> Diagram:
    """Draw a chain network as the book does: circles for neurons, arrows for weights.

    Args:
        graph: a chain network (``graph.layers()`` must succeed).
        values: node name → array after a run, e.g. ``{s.node: s.output for s in graph.steps(x)}``;
            neurons then show their numbers, and columns missing from it are greyed.
        sample: which sample to draw when ``values`` holds batches.
        current: a node name (the input, an affine or an activation) to highlight as the
            step being evaluated, with its incoming arrows, which alone are labelled.
        neuron: with ``current``, highlight only this neuron, numbered from 1 (neuron 1 is a₁⁽¹⁾).
        weights: label arrows with the book's ``"notation"`` (w₁₂⁽¹⁾, b₁⁽¹⁾), the weights'
            ``"values"`` (0.5, −0.7), ``"both"`` (w₂₁⁽¹⁾ = 0.3) or ``"none"``.
        bias: draw each layer's bias as a neuron "1" (figure 3-3).
        max_neurons: how many neurons a layer wider than this shows (first and last ones,
            "⁝" between); None draws every neuron.
        focus: a layer number k: the arrows into the first neuron of layer k and its bias
            labelled, every other arrow faint (figures 3-17 … 3-20).
        output_activation: draw the output layer's activation as its own column of neurons
            (figure 3-21 identity: one arrow each; 3-22 softmax: every output from every input).
        names: layer number → letter for that layer's neurons, e.g. ``{1: "s"}`` draws XOR's
            hidden neurons as s₁, s₂ (figure 2-13); 0 names the inputs.
        edge_style: ``"plain"``, or ``"signed"``: blue for positive, red for negative weights,
            thicker for larger magnitudes.
        precision: decimals of the numbers drawn.
        language: ``"en"`` or ``"zh"`` (輸入層 / 隱藏層 / 輸出層) for the captions.
        title: text above the drawing.
        truth_table: draw the network's truth table beside it, over every 0/1 input
            (figures 2-2 … 2-4, and 2-12 with XOR's s₁, s₂).
        shapes: draw the shapes of the matrix products under it, the inner sizes that must
            be equal marked (figure 3-14: x 2 · W 2×3 → y 3).
        force: allow a drawing of more than ``FORCE_EDGE_LIMIT`` arrows.

    Returns:
        a :class:`~nngraph.render.Diagram` (engine ``nop2``) whose ``notes`` say what was left out.

    Raises:
        GraphError: the graph is not a chain of layers, or ``current`` or ``neuron`` are not in it.
        InputError, ShapeError: ``values`` that are not this graph's.
        OptionError: an option given a value it cannot take (the message lists the allowed ones).
        RenderError: a drawing too big without ``force=True``.

    Example:
        >>> from nngraph import and_gate
        >>> d = neuron_diagram(and_gate(), weights="values")
        >>> "−0.7" in d.source, "x₁" in d.source
        (True, True)
    """
    layers = graph.layers()
    options = _options(graph, layers, weights=weights, bias=bias, max_neurons=max_neurons, language=language, edge_style=edge_style,
                       focus=focus, output_activation=output_activation, force=force, names=names, precision=precision, title=title)
    shown = emphasis(graph, values=values, sample=sample, current=current, neuron=neuron)
    current_column = _column_of(graph, layers, options, shown.current)
    sizes = [graph.inputs[0].size] + [layer.affine.width for layer in layers]
    notes = _elision(graph.name, sizes, options)
    notation = Notation(layers, options.names)
    keep = {} if shown.neuron is None else {current_column: shown.neuron}
    columns = _columns(graph, layers, notation, shown, options, keep)
    edges = _edges(graph, layers, columns, options, notation)
    looks, label_notes = _emphasise(graph, columns, edges, shown, options, current_column)
    layout, layout_notes = _layout(columns, edges, shown, options)
    nodes = _neuron_statements(columns, looks, layout, options)
    edge_lines, labels = _edge_statements(graph, layers, edges, layout, options)
    nodes += _extras(graph, notation, columns, layout, options, truth_table=truth_table, shapes=shapes)
    source = document(graph_attributes(options.title, style.CAPTION_FONTS[options.language]), nodes + labels, edge_lines)
    return Diagram(source, engine="nop2", name=f"{file_name(graph.name)}-neurons", notes=tuple(notes + label_notes + layout_notes))


def _extras(graph, notation: Notation, columns: list[Column], layout: Layout, options: Options, *, truth_table: bool, shapes: bool) -> list[str]:
    """The truth table to the right of the drawing and the shape row under it, when asked for."""
    statements = []
    if truth_table:
        table = make_truth_table(graph, notation, options.precision)
        top = max(max(y for key, y in c.y.items() if key != "bias" or c.bias is not None) for c in columns) + layout.diameter / 2
        statements += table_statements(table, columns[-1].x + layout.diameter / 2 + 60, top)
    if shapes:
        row = shape_row(graph)
        captions = max(len(c.caption) for c in columns) * style.CAPTION_SIZE * 1.25
        nodes, _ = shape_row_nodes(row, (columns[0].x + columns[-1].x) / 2, layout.lowest - 14 - captions - 16)
        statements += nodes
    return statements


def _column_of(graph, layers, options: Options, current: str | None) -> int | None:
    """The column of ``current``; refuses a node that is not drawn as neurons."""
    column_of = {graph.inputs[0].name: 0}
    for layer in layers:
        column_of[layer.affine.name] = layer.index
        if layer.activation is not None:
            column_of[layer.activation.name] = layer.index + (options.split and layer.index == len(layers))
    if current is not None and current not in column_of:
        raise GraphError(f"current must be the input, an affine or an activation of {graph.name!r}; {current!r} is a {graph[current].kind}")
    return column_of.get(current)


def _elision(name: str, sizes: list[int], options: Options) -> list[str]:
    """Notes on what was left out; refuses a drawing too big to be useful without ``force``."""
    limit = options.max_neurons
    total = sum(a * b for a, b in zip(sizes, sizes[1:]))
    shown = [size if limit is None else min(size, limit) for size in sizes]
    arrows = sum(a * b for a, b in zip(shown, shown[1:]))
    notes = []
    if arrows < total:
        notes.append(
            f"layers wider than {limit} neurons are elided (first and last neurons, ⁝ between): "
            f"drawn in full the network has {total:,} weights and up to {max(sizes)} neurons a layer; "
            f"draw it all with max_neurons=None (nngraph render --full)"
        )
    if arrows > FORCE_EDGE_LIMIT or max(shown) > FORCE_LAYER_LIMIT:
        if not options.force:
            raise RenderError(
                f"drawing {name!r} with {arrows:,} arrows and up to {max(shown):,} neurons a column (limits "
                f"{FORCE_EDGE_LIMIT:,} and {FORCE_LAYER_LIMIT}) would be slow and huge; let wide layers be "
                f"elided (max_neurons), or pass force=True (--force)"
            )
        warnings.warn(f"drawing {arrows:,} arrows; rendering will be slow", stacklevel=3)
    return notes
