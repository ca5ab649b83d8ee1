"""Neuron diagrams: one circle per neuron, one arrow per weight (book figures 2-1 … 3-22).

Layers are columns from left to right, neurons top to bottom in index order,
the bias of each layer drawn as a neuron "1" above the layer before it. Every
position is computed here and pinned (Graphviz engine ``nop2``), so columns are
straight and the drawing is the same on every Graphviz version. Layers too wide
to draw are elided: their first and last neurons with "⋮" between.

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

import numpy as np

from ..errors import GraphError, InputError, RenderError, ShapeError
from ..formatting import format_number
from ..graph import real_array
from ..notation import Notation, signed
from .diagram import Diagram
from .dot import (
    FONT,
    INK,
    VERTICAL_DOTS,
    document,
    file_name,
    graph_attributes,
    place_label,
    pos,
    statement,
    text_node,
    text_width,
)

__all__ = ["neuron_diagram", "FULL_EDGE_LIMIT", "FULL_LAYER_LIMIT", "FORCE_EDGE_LIMIT", "LABEL_LIMIT"]

FULL_EDGE_LIMIT = 2_000  # above this many weights, layers are elided unless elide=False
FULL_LAYER_LIMIT = 64  # … and above this many neurons in one layer
FORCE_EDGE_LIMIT = 20_000  # drawing more arrows than this needs force=True
FORCE_LAYER_LIMIT = 300  # … and so does a column of more neurons than this (metres tall)
LABEL_LIMIT = 200  # more arrows than this are drawn without labels

GREY, FAINT = "#a0a0a0", "#d8d8d8"
HIGHLIGHT, HIGHLIGHT_FILL, BIAS_FILL = "#e66100", "#fff1c9", "#e4e4e4"
POSITIVE, NEGATIVE = "#2166ac", "#b2182b"
BIAS_SIZE = 28.8  # points

CAPTION_FONTS = {"en": FONT, "zh": "Noto Sans CJK TC,Noto Sans TC,PingFang TC,Microsoft JhengHei," + FONT}
CAPTIONS = {
    "en": {"input": "input layer", "hidden": "hidden layer {k}", "output": "output layer", "neurons": "{n} neurons", "neuron": "1 neuron"},
    "zh": {"input": "輸入層", "hidden": "隱藏層 {k}", "output": "輸出層", "neurons": "{n} 個神經元", "neuron": "1 個神經元"},
}
WEIGHT_MODES = ("notation", "values", "none")
EDGE_STYLES = ("plain", "signed")


# -- options and values ---------------------------------------------------------


def captions(language: str) -> dict:
    """The caption words for ``language``; raises RenderError for an unknown one."""
    if not isinstance(language, str) or language not in CAPTIONS:
        raise RenderError(f"unknown language {language!r}; choose one of {', '.join(sorted(CAPTIONS))}")
    return CAPTIONS[language]


def sample_values(graph, values: Mapping | None, sample: int | None) -> dict[str, np.ndarray]:
    """``values`` as node name → 1-D array of one sample; weights are ignored.

    Raises:
        GraphError: for a name that is not a node of ``graph``.
        InputError: for a batch without ``sample`` or a wrong width.
    """
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InputError(f"values must map node names to arrays, e.g. {{s.node: s.output for s in graph.steps(x)}}; got {type(values).__name__}")
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, (int, np.integer))):
        raise InputError(f"sample must be a whole number (the row of the batch to draw); got {sample!r}")
    chosen = {}
    for name, value in values.items():
        node = graph[name]
        if node.kind == "weight":
            continue
        array = real_array(value, f"values[{name!r}]", InputError)
        if array.ndim == 2:
            if sample is None and len(array) != 1:
                raise InputError(f"values[{name!r}] holds a batch of {len(array)} samples; pass sample=i to draw sample i")
            index = 0 if sample is None else sample
            if not -len(array) <= index < len(array):
                raise InputError(f"sample {index} is out of range for values[{name!r}] with {len(array)} samples")
            array = array[index]
        if array.shape != (node.width,):
            raise ShapeError(f"values[{name!r}] must have shape ({node.width},) for one sample; got {array.shape}")
        chosen[name] = array
    return chosen


def value_text(value) -> str:
    """A number as drawn: at most 4 decimals, typographic minus."""
    return signed(format_number(value, 4))


def shown_indices(size: int, limit: int | None, keep: int | None = None) -> list[int | None]:
    """Neuron indices to draw, ``None`` marking a gap ("⋮"); ``keep`` is always shown.

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


# -- the diagram's model ---------------------------------------------------------


@dataclass
class Column:
    """One column of circles: a layer (or the output activation when drawn apart)."""

    size: int
    items: list[int | None]
    rows: list[tuple]  # (symbol function index → str, node name)
    caption: list[str]
    bias: np.ndarray | None = None  # the bias vector of the layer to the right, drawn as "1" on top
    x: float = 0.0
    y: dict = field(default_factory=dict)


def _rows(notation: Notation, layer, values: dict) -> list[tuple]:
    """(symbol function, node name) for each line a neuron of ``layer`` shows.

    Perceptron layers (step) and layers given a letter in ``names`` show
    only their output, as chapter 2 draws them, unless values are shown.
    """
    k = layer.index
    if layer.activation is None:
        named = k in notation.names  # e.g. figure 3-14 calls the plain weighted sums y
        return [(partial(notation.signal if named else notation.pre, k), layer.affine.name)]
    rows = [(partial(notation.pre, k), layer.affine.name)]
    rows.append((partial(notation.signal, k), layer.activation.name))
    perceptron = layer.activation.activation.name == "step" or k in notation.names
    return rows[1:] if perceptron and not values else rows


def _caption(kind: str, words: dict, size: int, formulas: list[str]) -> list[str]:
    count = words["neuron"] if size == 1 else words["neurons"].format(n=size)
    return [kind, count, *formulas]


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # "weight", "bias" or "activation"
    layer: int
    target_index: int
    weight: float | None = None
    symbol: str = ""


# -- the public function ------------------------------------------------------------


def neuron_diagram(
    graph,
    *,
    values: Mapping | None = None,
    weights: str = "notation",
    bias: bool = True,
    max_neurons: int | None = 10,
    language: str = "en",
    edge_style: str = "plain",
    current: str | None = None,
    neuron: int | None = None,
    focus: int | None = None,
    output_activation: bool = False,
    force: bool = False,
    title: str | None = None,
    names: Mapping[int, str] | None = None,
    sample: int | None = None,
    elide: bool | None = None,
) -> Diagram:
    """Draw a chain network as the book does: circles for neurons, arrows for weights.

    Args:
        graph: a chain network (``graph.layers()`` must succeed).
        values: node name → array after a run, e.g. ``{s.node: s.output for s in graph.steps(x)}``;
            neurons then show their numbers, and nodes missing from it are greyed.
        weights: label arrows with the book's ``"notation"`` (w₁₂⁽¹⁾, b₁⁽¹⁾), the weights'
            ``"values"`` (0.5, −0.7), or ``"none"``.
        bias: draw each layer's bias as a neuron "1" (figure 3-3).
        max_neurons: how many neurons an elided layer shows (first and last ones, "⋮" between);
            None never elides.
        language: ``"en"`` or ``"zh"`` (輸入層 / 隱藏層 / 輸出層) for the captions.
        edge_style: ``"plain"``, or ``"signed"``: blue for positive, red for negative weights,
            thicker for larger magnitudes.
        current: a node name (the input, an affine or an activation) to highlight as the
            step being evaluated, with its incoming arrows.
        neuron: with ``current``, highlight only this neuron, numbered from 0 (neuron 0 is a₁⁽¹⁾).
        focus: a layer number k: the signal into layer k in black, other arrows faint (figures 3-17 … 3-20).
        output_activation: draw the output layer's activation as its own column of neurons
            (figure 3-21 identity: one arrow each; 3-22 softmax: every output from every input).
        force: allow a full drawing of more than ``FORCE_EDGE_LIMIT`` arrows.
        title: text above the drawing.
        names: layer number → letter for that layer's neurons, e.g. ``{1: "s"}`` draws XOR's
            hidden neurons as s₁, s₂ (figure 2-13); 0 names the inputs.
        sample: which sample to draw when ``values`` holds batches.
        elide: None elides only networks too big to draw in full (more than ``FULL_EDGE_LIMIT``
            weights or ``FULL_LAYER_LIMIT`` neurons a layer); True always elides layers wider than
            ``max_neurons``; False never does.

    Returns:
        a :class:`~nngraph.render.Diagram` (engine ``nop2``) whose ``notes`` say what was left out.

    Raises:
        GraphError: if the graph is not a chain of layers, or ``current``, ``neuron`` or ``focus``
            do not exist in it.
        InputError: for ``values`` of the wrong shape.
        RenderError: for an unknown option value, or a drawing too big without ``force=True``.

    Example:
        >>> import numpy as np
        >>> from nngraph import and_gate
        >>> d = neuron_diagram(and_gate(), weights="values")
        >>> "−0.7" in d.source, "x₁" in d.source
        (True, True)
    """
    layers = graph.layers()
    words = captions(language)
    if weights not in WEIGHT_MODES:
        raise RenderError(f"weights must be one of {', '.join(WEIGHT_MODES)}; got {weights!r}")
    if edge_style not in EDGE_STYLES:
        raise RenderError(f"edge_style must be one of {', '.join(EDGE_STYLES)}; got {edge_style!r}")
    names = dict(names or {})
    for key, letter in names.items():
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= len(layers) or not isinstance(letter, str) or not letter:
            raise RenderError(f"names maps a layer number 0…{len(layers)} to a letter; got {key!r}: {letter!r}")
    if focus is not None and (isinstance(focus, bool) or not isinstance(focus, int) or not 1 <= focus <= len(layers)):
        raise GraphError(f"focus must be a layer number from 1 to {len(layers)} of {graph.name!r}; got {focus!r}")
    values = sample_values(graph, values, sample)
    split = output_activation and layers[-1].activation is not None

    # Which column and neuron `current` points at.
    column_of = {graph.inputs[0].name: 0}
    for layer in layers:
        column_of[layer.affine.name] = layer.index
        if layer.activation is not None:
            column_of[layer.activation.name] = layer.index + (split and layer.index == len(layers))
    if current is not None and (not isinstance(current, str) or current not in column_of):
        kind = graph[current].kind  # an unknown name raises GraphError with a suggestion
        raise GraphError(f"current must be the input, an affine or an activation of {graph.name!r}; {current!r} is a {kind}")
    if neuron is not None:
        if current is None:
            raise GraphError("neuron= picks a neuron of the current node; pass current= too")
        width = graph[current].width
        if isinstance(neuron, bool) or not isinstance(neuron, (int, np.integer)) or not 0 <= neuron < width:
            raise GraphError(f"neuron must be from 0 to {width - 1} for {current!r} (it has {width} neurons, numbered from 0); got {neuron!r}")
    current_column = column_of.get(current)
    keep = None if neuron is None else int(neuron)

    sizes = [graph.inputs[0].size] + [layer.affine.width for layer in layers]
    limit, notes = _elision(graph.name, sizes, max_neurons, elide, force)

    notation = Notation(layers, names)
    rows = [[(partial(notation.signal, 0), graph.inputs[0].name)]] + [_rows(notation, layer, values) for layer in layers]
    if split:
        k = len(layers)
        rows[k:] = [[(partial(notation.pre, k), layers[-1].affine.name)], [(partial(notation.signal, k), layers[-1].activation.name)]]
    columns = _columns(graph, layers, rows, words, sizes, limit, split, current_column, keep)
    if not bias:
        for column in columns:
            column.bias = None
    style = _Style(graph, layers, values, current, current_column, keep, focus, edge_style)
    edges = _edges(graph, layers, columns, split, notation)
    nodes, edge_lines = _draw(columns, edges, style, weights, CAPTION_FONTS[language])
    labelled = [e for e in edges if style.labelled(e)]
    if weights != "none" and len(labelled) > LABEL_LIMIT:
        notes.append(f"{len(labelled)} arrows are drawn without labels (more than {LABEL_LIMIT}); elide more (elide=True, max_neurons) to see them labelled")
    source = document(graph_attributes(title, CAPTION_FONTS[language]), nodes, edge_lines)
    return Diagram(source, engine="nop2", name=f"{file_name(graph.name)}-neurons", notes=tuple(notes))


def _elision(name: str, sizes: list[int], max_neurons, elide, force: bool) -> tuple[int | None, list[str]]:
    """How many neurons a layer may show (None: all), and notes on what was left out."""
    total = sum(a * b for a, b in zip(sizes, sizes[1:]))
    notes = []
    if max_neurons is not None and (not isinstance(max_neurons, int) or max_neurons < 2):
        raise RenderError(f"max_neurons must be an integer ≥ 2 or None; got {max_neurons!r}")
    if elide is None:
        elide = max_neurons is not None and (total > FULL_EDGE_LIMIT or max(sizes) > FULL_LAYER_LIMIT)
    elif elide and max_neurons is None:
        raise RenderError("elide=True needs max_neurons, the number of neurons an elided layer shows")
    shown = [min(size, max_neurons) if elide else size for size in sizes]
    arrows = sum(a * b for a, b in zip(shown, shown[1:]))
    if arrows < total:
        notes.append(
            f"layers wider than {max_neurons} neurons are elided (first and last neurons, ⋮ between): "
            f"drawn in full the network has {total:,} weights and up to {max(sizes)} neurons a layer; "
            f"draw it all with elide=False (nngraph render --full)"
        )
    if arrows > FORCE_EDGE_LIMIT or max(shown) > FORCE_LAYER_LIMIT:
        if not force:
            raise RenderError(
                f"drawing {name!r} with {arrows:,} arrows and up to {max(shown):,} neurons a column (limits "
                f"{FORCE_EDGE_LIMIT:,} and {FORCE_LAYER_LIMIT}) would be slow and huge; let wide layers be "
                f"elided (max_neurons), or pass force=True (--force)"
            )
        warnings.warn(f"drawing {arrows:,} arrows; rendering will be slow", stacklevel=3)
    return (max_neurons if elide else None), notes


def _columns(graph, layers, rows, words, sizes, limit, split, current_column, keep) -> list[Column]:
    columns = []
    kinds = [words["input"]] + [words["output"] if k == len(layers) else words["hidden"].format(k=k) for k in range(1, len(layers) + 1)]
    formulas = [[graph.inputs[0].name]]
    for layer in layers:
        lines = [f"{layer.affine.name} = {layer.affine.formula()}"]
        if layer.activation is not None:
            lines.append(f"{layer.activation.name} = {layer.activation.formula()}")
        formulas.append(lines)
    if split:
        activation = layers[-1].activation
        kinds.append(activation.activation.name)
        formulas.append([formulas[-1].pop()])
        sizes = [*sizes, sizes[-1]]
    for index, (own_rows, size) in enumerate(zip(rows, sizes)):
        own = keep if current_column == index else None
        caption = [kinds[index], *formulas[index]] if split and index == len(layers) + 1 else _caption(kinds[index], words, size, formulas[index])
        columns.append(Column(size, shown_indices(size, limit, own), own_rows, caption))
    for layer, column in zip(layers, columns):
        if layer.affine.b is not None:
            column.bias = graph[layer.affine.b].value
    return columns


def _edges(graph, layers, columns, split, notation: Notation) -> list[Edge]:
    edges = []
    for layer in layers:
        k = layer.index
        W = graph[layer.affine.W].value
        before, column = columns[k - 1], columns[k]
        for j in column.items:
            if j is None:
                continue
            if before.bias is not None:
                edges.append(Edge(f"B{k}", f"N{k}_{j}", "bias", k, j, float(before.bias[j]), notation.bias(k, j)))
            for i in before.items:
                if i is not None:
                    edges.append(Edge(f"N{k - 1}_{i}", f"N{k}_{j}", "weight", k, j, float(W[i, j]), notation.weight(k, j, i)))
    if split:
        k = len(layers)
        activation = layers[-1].activation.activation
        symbol = f"{activation.symbol}()" if activation.elementwise else ""
        for j in columns[k + 1].items:
            for i in columns[k].items:
                if i is not None and j is not None and (i == j or not activation.elementwise):
                    edges.append(Edge(f"N{k}_{i}", f"N{k + 1}_{j}", "activation", k + 1, j, symbol=symbol))
    return edges


class _Style:
    """Colours and emphasis for neurons and arrows from values, current and focus."""

    def __init__(self, graph, layers, values, current, current_column, keep, focus, edge_style):
        self.values, self.current, self.column, self.keep = values, current, current_column, keep
        self.focus, self.signed = focus, edge_style == "signed"
        self.current_kind = graph[current].kind if current is not None else None
        self.scale = {}
        for layer in layers:
            parts = [np.abs(graph[layer.affine.W].value).max()]
            if layer.affine.b is not None:
                parts.append(np.abs(graph[layer.affine.b].value).max())
            self.scale[layer.index] = float(max(parts)) or 1.0

    def reached(self, column: Column) -> bool:
        return not self.values or any(name in self.values for _, name in column.rows)

    def highlighted(self, column_index: int, index: int | None) -> bool:
        return self.column == column_index and (self.keep is None or self.keep == index)

    def edge_highlighted(self, edge: Edge) -> bool:
        if self.column != edge.layer or not self.highlighted(edge.layer, edge.target_index):
            return False
        return self.current_kind == "affine" or edge.kind == "activation"

    def labelled(self, edge: Edge) -> bool:
        if edge.kind == "activation" and not edge.symbol:
            return False
        if self.current is not None:
            return self.edge_highlighted(edge)
        if self.focus is not None:
            return edge.layer == self.focus
        return True

    def faint(self, edge: Edge, columns: list[Column]) -> bool:
        return not self.reached(columns[edge.layer]) or (self.focus is not None and edge.layer != self.focus)

    def edge(self, edge: Edge, columns: list[Column]) -> dict:
        attrs = {}
        if self.signed and edge.weight is not None:
            width = 0.4 + 2.6 * abs(edge.weight) / self.scale[edge.layer]
            color = POSITIVE if edge.weight > 0 else NEGATIVE if edge.weight < 0 else GREY
            attrs.update(color=color, penwidth=round(width, 2))
        if self.edge_highlighted(edge):
            attrs.update(color=HIGHLIGHT, penwidth=max(2.0, attrs.get("penwidth", 0)))
        elif self.faint(edge, columns):
            attrs.update(color=FAINT)
        return attrs


def _geometry(columns: list[Column], diameter: float, spacing: float, row: float) -> float:
    """Pin every column's neurons; returns the y of the lowest circle's bottom."""
    lowest = 0.0
    for c, column in enumerate(columns):
        column.x = c * spacing
        count = len(column.items)
        for r, item in enumerate(column.items):
            column.y[("gap", r) if item is None else item] = ((count - 1) / 2 - r) * row
        top = (count - 1) / 2 * row
        column.y["bias"] = top + row
        lowest = min(lowest, -top - diameter / 2)
    return lowest


def _neuron_label(column: Column, index: int, values: dict) -> str:
    lines = []
    for symbol, name in column.rows:
        text = symbol(index)
        if name in values and not math.isnan(values[name][index]):  # NaN: not computed yet
            text += " = " + value_text(values[name][index])
        lines.append(text)
    return "\n".join(lines)


def _draw(columns: list[Column], edges: list[Edge], style: _Style, weights: str, caption_font: str):
    """DOT statements for the neurons, captions and labels, and for the arrows."""
    labels = {}
    for c, column in enumerate(columns):
        for index in column.items:
            if index is not None:
                labels[c, index] = _neuron_label(column, index, style.values)
    # One size for every circle: the widest label, with room for a number in every row,
    # so that the frames of a stepped evaluation keep their geometry.
    rows = max(len(c.rows) for c in columns)
    budget = " = −00.0000" if style.values else ""
    lines = [line for text in labels.values() for line in text.split("\n")]
    widest = max(max(text_width(line, 11), text_width(line.split(" = ")[0] + budget, 11)) for line in lines)
    diameter = max(36.0, math.hypot(widest, rows * 14) + 8)
    row = diameter + 16
    label_texts = {id(e): _edge_label(e, weights) for e in edges if style.labelled(e)}
    if len(label_texts) > LABEL_LIMIT or weights == "none":
        label_texts = {}
    widest_label = max((text_width(t, 10) for t in label_texts.values()), default=0)
    tallest = max(len(c.items) for c in columns) * row
    # Wide enough for the labels, and for tall columns wide enough that arrows do not pile up.
    spacing = max(diameter + max(120.0, 2.2 * widest_label + 40), 0.45 * tallest)
    lowest = _geometry(columns, diameter, spacing, row)

    nodes = []
    for c, column in enumerate(columns):
        reached = style.reached(column)
        for r, index in enumerate(column.items):
            if index is None:
                nodes.append(text_node(f"G{c}_{r}", column.x, column.y["gap", r], VERTICAL_DOTS, size=20, color=INK if reached else GREY))
                continue
            attrs = {"shape": "circle", "width": round(diameter / 72, 3), "label": labels[c, index], "pos": pos(column.x, column.y[index])}
            if style.highlighted(c, index):
                attrs.update(color=HIGHLIGHT, penwidth=2.5, style="filled", fillcolor=HIGHLIGHT_FILL)
            elif not reached:
                attrs.update(color=GREY, fontcolor=GREY)
            nodes.append(statement(f"N{c}_{index}", attrs))
        if column.bias is not None:
            faint = (style.focus is not None and style.focus != c + 1) or not style.reached(columns[c + 1])
            attrs = {"shape": "circle", "width": BIAS_SIZE / 72, "label": "1", "pos": pos(column.x, column.y["bias"]), "style": "filled", "fillcolor": BIAS_FILL}
            if faint:
                attrs.update(color=GREY, fontcolor=GREY)
            nodes.append(statement(f"B{c + 1}", attrs))
        caption = "\n".join(column.caption)
        height = len(column.caption) * 11 * 1.25
        nodes.append(text_node(f"C{c}", column.x, lowest - 14 - height / 2, caption, size=11, color=INK if reached else GREY, font=caption_font))

    # Highlighted arrows last, so that they are drawn over the others.
    ordered = sorted(edges, key=style.edge_highlighted)
    edge_lines = [statement(f"{e.source} -> {e.target}", style.edge(e, columns)) for e in ordered]
    circles = [(column.x, y, diameter / 2) for column in columns for key, y in column.y.items() if isinstance(key, int)]
    placed: list[tuple] = []
    for edge in edges:
        text = label_texts.get(id(edge))
        if text:
            x, y = _label_spot(edge, columns, text, placed, circles, diameter / 2)
            color = GREY if style.faint(edge, columns) else INK
            nodes.append(text_node(f"L{edge.source}_{edge.target}", x, y, text, size=10, color=color, fill="white"))
    return nodes, edge_lines


def _edge_label(edge: Edge, weights: str) -> str:
    return edge.symbol if weights == "notation" or edge.weight is None else value_text(edge.weight)


def _label_spot(edge: Edge, columns: list[Column], text: str, placed: list, circles: list, radius: float) -> tuple[float, float]:
    source_column, target_column = columns[edge.layer - 1], columns[edge.layer]
    x0 = source_column.x
    y0 = source_column.y["bias"] if edge.kind == "bias" else source_column.y[int(edge.source.split("_")[1])]
    x1, y1 = target_column.x, target_column.y[edge.target_index]
    if edge.kind == "activation":  # one arrow per neuron: the middle is free
        return (x0 + x1) / 2, (y0 + y1) / 2
    start = (BIAS_SIZE / 2 if edge.kind == "bias" else radius) + 2
    return place_label((x0, y0), (x1, y1), start, radius + 12, text, placed, circles)
