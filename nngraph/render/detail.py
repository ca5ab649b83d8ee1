"""Inside one neuron (book figures 3-4 and 3-5): a = b + w₁x₁ + w₂x₂, then y = h(a).

The inputs of the chosen neuron and the bias "1" enter a large circle that
holds two small ones: the weighted sum ``a`` and, through the activation
``h()``, the neuron's output. The formula is written underneath, with the
numbers of a run when ``values`` are given.

Example:
    >>> from nngraph import three_layer_network
    >>> d = neuron_detail(three_layer_network(), 1, 1)
    >>> "a₁⁽¹⁾ = b₁⁽¹⁾ + w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂" in d.source
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import GraphError
from ..nodes import ActivationNode
from ..notation import Notation, indexed, superscript
from . import style
from .diagram import Diagram
from .dot import (
    VERTICAL_DOTS,
    document,
    file_name,
    graph_attributes,
    pos,
    statement,
    text_node,
    text_width,
)
from .emphasis import emphasis
from .labels import Arrow, place_labels
from .neuron import CAPTIONS, shown_indices
from .options import language_words, whole

__all__ = ["neuron_detail", "MAX_INPUTS"]

MAX_INPUTS = 8  # a wider previous layer is elided to its first and last inputs


def _check(graph, layers, layer, neuron):
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= len(layers):
        raise GraphError(f"layer must be from 1 to {len(layers)} ({graph.name!r} has {len(layers)} layers); got {layer!r}")
    width = layers[layer - 1].affine.width
    if isinstance(neuron, bool) or not isinstance(neuron, (int, np.integer)) or not 1 <= neuron <= width:
        raise GraphError(
            f"neuron must be from 1 to {width} (layer {layer} of {graph.name!r} has {width} neurons, "
            f"numbered from 1 as in a₁⁽¹⁾); got {neuron!r}"
        )


def _with_value(symbol: str, values: dict, name: str, index: int, precision: int = 4) -> str:
    return f"{symbol}\n{style.value_text(values[name][index], precision)}" if name in values else symbol


def _sum_terms(term, shown: list) -> str:
    """``t₁ + t₂ + … + tₙ`` over the shown inputs (``term(i)`` writes one), "…" where elided."""
    return " + ".join(term(i) if i is not None else "…" for i in shown)


def _formula(notation, k: int, j: int, W, b, activation, values: dict, a_name: str, source_name: str, precision: int = 4) -> list[str]:
    """``a = b + w₁x₁ + …``, its numbers after a run, and ``z = h(a)``: one line each."""
    shown = shown_indices(len(W), 3 if len(W) > 4 else None)  # w₁x₁ + w₂x₂ + … + wₙxₙ
    a_symbol = notation.pre(k, j)
    total = _sum_terms(lambda i: notation.weight(k, j, i) + notation.signal(k - 1, i), shown)
    lines = [f"{a_symbol} = " + (f"{notation.bias(k, j)} + {total}" if b is not None else total)]
    if a_name in values and source_name in values:
        x = values[source_name]

        def product(i: int) -> str:
            factor = style.value_text(x[i], precision)
            return f"{style.value_text(W[i, j], precision)}×" + (f"({factor})" if x[i] < 0 else factor)

        numbers = _sum_terms(product, shown)
        numbers = f"{style.value_text(b[j], precision)} + {numbers}" if b is not None else numbers
        lines.append(f"= {numbers} = {style.value_text(values[a_name][j], precision)}")
    if activation is not None:
        spec = activation.h
        out_symbol = notation.signal(k, j)
        if spec.elementwise:
            line = f"{out_symbol} = {activation.applied(a_symbol)}"
        else:  # softmax: every output depends on the whole vector a⁽ᵏ⁾
            line = f"{out_symbol} = {activation.applied('a' + superscript(f'({k})'))}" + indexed("", j + 1)
            note = f"({out_symbol} depends on every aᵢ{superscript(f'({k})')} of the layer, not only on {a_symbol})"
        if activation.name in values:
            line += f" = {style.value_text(values[activation.name][j], precision)}"
        lines.append(line)
        if not spec.elementwise:
            lines.append(note)
    return lines


def _entry(source, target, centre, radius: float) -> float:
    """How far from ``source`` the line to ``target`` (inside the circle) enters the circle."""
    (x0, y0), (x1, y1), (cx, cy) = source, target, centre
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    along = (cx - x0) * ux + (cy - y0) * uy  # |p(t) − c|² = R² with p(t) = s + t·u
    across = (cx - x0) ** 2 + (cy - y0) ** 2 - along**2
    return along - math.sqrt(max(radius**2 - across, 0.0))


def neuron_detail(
    graph,
    layer: int,
    neuron: int,
    *,
    values: Mapping | None = None,
    sample: int | None = None,
    precision: int = 4,
    language: str = "en",
    title: str | None = None,
) -> Diagram:
    """Draw neuron ``neuron`` of ``layer`` from inside: its weighted sum and activation.

    Args:
        graph: a chain network (``graph.layers()`` must succeed).
        layer: the layer number, from 1 (as in a⁽¹⁾).
        neuron: the neuron's number in that layer, from 1 (neuron 1 is a₁⁽¹⁾), as everywhere in nngraph
            and the narration count them.
        values: node name → array after a run (``{s.node: s.output for s in graph.steps(x)}``):
            the inputs, ``a``, the output and the weights are then shown with their numbers.
        language: ``"en"`` or ``"zh"`` for the caption.
        sample: which sample to draw when ``values`` holds batches.
        precision: decimals of the numbers drawn.
        title: text above the drawing.

    Returns:
        a :class:`~nngraph.render.Diagram` (engine ``nop2``); its ``notes`` say when inputs were elided.

    Raises:
        GraphError: if the graph is not a chain of layers, or ``layer`` or ``neuron`` is out
            of range (the message gives the valid range).
        OptionError: for an unknown language or a bad precision.

    Example:
        >>> import numpy as np
        >>> from nngraph import three_layer_network
        >>> net = three_layer_network()
        >>> values = {s.node: s.output for s in net.steps(np.array([1.0, 0.5]))}
        >>> "= 0.1 + 0.1×1.0 + 0.2×0.5 = 0.3" in neuron_detail(net, 1, 1, values=values).source
        True
    """
    layers = graph.layers()
    words = language_words(language, CAPTIONS)
    _check(graph, layers, layer, neuron)
    precision = whole("precision", precision, 0, 17, meaning="decimals of the numbers drawn")
    model = _model(graph, layers, int(layer), int(neuron) - 1, emphasis(graph, values=values, sample=sample), precision)
    geometry = _geometry(model)
    nodes = _inputs(model, geometry)
    neuron_nodes, edges = _neuron(model, geometry)
    nodes += neuron_nodes + _weight_labels(model, geometry) + _caption(model, geometry, words, language)
    source = document(graph_attributes(title, style.CAPTION_FONTS[language]), nodes, edges)
    return Diagram(source, engine="nop2", name=f"{file_name(graph.name)}-layer{model.k}-neuron{model.j + 1}", notes=model.notes)


@dataclass
class _Detail:
    """What the detail of neuron j of layer k shows, before any position is known."""

    k: int
    j: int
    notation: Notation
    layers: list
    W: np.ndarray
    b: np.ndarray | None
    activation: ActivationNode | None
    values: dict
    source_name: str
    affine_name: str
    items: list  # "bias", input indices, None for the gap
    input_labels: dict
    a_label: str
    out_label: str | None
    precision: int
    notes: tuple = ()


def _model(graph, layers, k: int, j: int, shown, precision: int) -> _Detail:
    affine, activation = layers[k - 1].affine, layers[k - 1].activation
    values = {name: row for name, row in shown.rows.items() if name not in (affine.name, getattr(activation, "name", None)) or shown.known(name, j)}
    W = graph[affine.W].value
    b = graph[affine.b].value if affine.b is not None else None
    source_name = graph.inputs[0].name if k == 1 else layers[k - 2].output
    notation = Notation(layers)
    inputs = shown_indices(W.shape[0], MAX_INPUTS)
    notes: tuple[str, ...] = ()
    if None in inputs:
        notes = (f"{W.shape[0]} inputs: the first and last {MAX_INPUTS // 2} are drawn, {VERTICAL_DOTS} marks the {W.shape[0] - MAX_INPUTS} left out",)
    labels = {i: _with_value(notation.signal(k - 1, i), values, source_name, i, precision) for i in inputs if i is not None}
    a_label = _with_value(notation.pre(k, j), values, affine.name, j, precision)
    out_label = _with_value(notation.signal(k, j), values, activation.name, j, precision) if activation is not None else None
    items = (["bias"] if b is not None else []) + inputs
    return _Detail(k, j, notation, layers, W, b, activation, values, source_name, affine.name, items, labels, a_label, out_label, precision, notes)


@dataclass
class _Geometry:
    y_of: dict
    d_in: float
    d_inner: float
    radius: float
    cx: float
    a_x: float
    gap: float


def _geometry(model: _Detail) -> _Geometry:
    """Left: the bias "1" and the inputs in one column; right: the big circle holding a and z."""
    size = style.NEURON_TEXT_SIZE
    widest = max(text_width(line, size) for text in model.input_labels.values() for line in text.split("\n"))
    d_in = max(style.MIN_DIAMETER, widest + 12)
    row = d_in + style.ROW_GAP
    count = len(model.items)
    y_of = {item if item is not None else ("gap", r): ((count - 1) / 2 - r) * row for r, item in enumerate(model.items)}
    inner = max(text_width(line, size) for text in (model.a_label, model.out_label or "") for line in text.split("\n"))
    d_inner = max(44.0, inner + 14, 5.0 * count)  # room for the arrowheads
    gap = 70.0 if model.activation is not None else 0.0
    radius = (d_inner * (2 if model.activation is not None else 1) + gap) / 2 + 16
    cx = max(260.0, 0.45 * (count - 1) * row) + radius  # tall columns: less steep arrows
    a_x = cx - (gap + d_inner) / 2 if model.activation is not None else cx
    return _Geometry(y_of, d_in, d_inner, radius, cx, a_x, gap)


def _inputs(model: _Detail, g: _Geometry) -> list[str]:
    nodes = []
    reached = not model.values or model.source_name in model.values
    for r, item in enumerate(model.items):
        if item is None:
            nodes.append(text_node(f"G{r}", 0, g.y_of["gap", r], VERTICAL_DOTS, size=style.GAP_DOTS_SIZE))
        elif item == "bias":
            attrs = {"shape": "circle", "width": style.BIAS_SIZE / 72, "label": "1", "pos": pos(0, g.y_of["bias"]), "style": "filled", "fillcolor": style.BIAS_FILL}
            nodes.append(statement("B", attrs))
        else:
            attrs = {"shape": "circle", "width": round(g.d_in / 72, 3), "label": model.input_labels[item], "pos": pos(0, g.y_of[item])}
            if not reached:
                attrs.update(color=style.GREY, fontcolor=style.GREY)
            nodes.append(statement(f"X{item}", attrs))
    return nodes


def _neuron(model: _Detail, g: _Geometry) -> tuple[list[str], list[str]]:
    """The big circle with a (and, through h(), the output) inside, and every arrow."""
    width = round(g.d_inner / 72, 3)
    nodes = [statement("neuron", {"shape": "circle", "width": round(2 * g.radius / 72, 3), "label": "", "pos": pos(g.cx, 0), "penwidth": 1.5})]
    nodes.append(statement("a", {"shape": "circle", "width": width, "label": model.a_label, "pos": pos(g.a_x, 0)}))
    edges = []
    if model.activation is not None:
        nodes.append(statement("out", {"shape": "circle", "width": width, "label": model.out_label, "pos": pos(g.cx + (g.gap + g.d_inner) / 2, 0)}))
        nodes.append(text_node("h", g.cx, 14, f"{model.activation.h.symbol}()", size=style.NEURON_TEXT_SIZE))
        edges.append(statement("a -> out", {}))
    edges += [statement(f"{_source_id(item)} -> a", {}) for item in model.items if item is not None]
    return nodes, edges


def _source_id(item) -> str:
    return "B" if item == "bias" else f"X{item}"


def _weight_labels(model: _Detail, g: _Geometry) -> list[str]:
    """Each arrow's weight (w₁₂⁽¹⁾, and its number after a run), placed before the big circle."""
    k, j, notation = model.k, model.j, model.notation
    arrows, texts = [], []
    for item in (i for i in model.items if i is not None):
        symbol = notation.bias(k, j) if item == "bias" else notation.weight(k, j, item)
        weight = model.b[j] if item == "bias" and model.b is not None else model.W[item, j]
        text = f"{symbol} = {style.value_text(weight, model.precision)}" if model.values else symbol
        start = (0.0, g.y_of[item])
        half = (text_width(text, style.EDGE_LABEL_SIZE) / 2 + style.LABEL_PAD, style.EDGE_LABEL_SIZE * 0.625)
        length = math.hypot(g.a_x, start[1])
        inside = length - _entry(start, (g.a_x, 0), (g.cx, 0), g.radius)
        keep_start = (style.BIAS_SIZE if item == "bias" else g.d_in) / 2 + half[0] + 8
        arrows.append(Arrow(start, (g.a_x, 0.0), half, keep_start, inside + half[0] + style.ARROWHEAD, prefer=0.25))
        texts.append(text)
    circles = [(0.0, y, g.d_in / 2) for item, y in g.y_of.items() if isinstance(item, int)]
    circles.append((g.cx, 0.0, g.radius))
    centres = place_labels(arrows, circles)
    if centres is None:  # too many inputs to label clear of each other: the formula underneath names them
        return []
    # Every arrow here has a label, so no centre is None.
    return [text_node(f"L{_source_id(item)}", centre[0], centre[1], text, size=style.EDGE_LABEL_SIZE, fill="white", pad=style.LABEL_PAD)
            for item, text, centre in zip((i for i in model.items if i is not None), texts, centres) if centre is not None]


def _caption(model: _Detail, g: _Geometry, words: dict, language: str) -> list[str]:
    k, j, notation = model.k, model.j, model.notation
    lines = _formula(notation, k, j, model.W, model.b, model.activation, model.values, model.affine_name, model.source_name, model.precision)
    kind = (words["output"] if k == len(model.layers) else words["hidden"]) + f" ({words['layer'].format(k=k)})"
    caption = f"{kind} · {notation.pre(k, j)}" + (f" → {notation.signal(k, j)}" if model.activation is not None else "")
    top = min(-max(abs(y) for y in g.y_of.values()) - max(g.d_in, style.BIAS_SIZE) / 2, -g.radius) - 20
    middle, line = (g.cx + g.radius) / 2, style.CAPTION_SIZE * 1.25
    return [
        text_node("caption", middle, top - line / 2, caption, size=style.CAPTION_SIZE, font=style.CAPTION_FONTS[language]),
        text_node("formula", middle, top - line - len(lines) * line / 2, "\n".join(lines), size=style.CAPTION_SIZE),
    ]
