"""Inside one neuron (book figures 3-4 and 3-5): a = b + w₁x₁ + w₂x₂, then y = h(a).

The inputs of the chosen neuron and the bias "1" enter a large circle that
holds two small ones: the weighted sum ``a`` and, through the activation
``h()``, the neuron's output. The formula is written underneath, with the
numbers of a run when ``values`` are given.

Example:
    >>> from nngraph import three_layer_network
    >>> d = neuron_detail(three_layer_network(), 1, 0)
    >>> "a₁⁽¹⁾ = b₁⁽¹⁾ + w₁₁⁽¹⁾x₁ + w₁₂⁽¹⁾x₂" in d.source
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..errors import GraphError
from ..notation import Notation, indexed, superscript
from .diagram import Diagram
from .dot import (
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
from .neuron import (
    BIAS_FILL,
    BIAS_SIZE,
    CAPTION_FONTS,
    GREY,
    captions,
    sample_values,
    shown_indices,
    value_text,
)

__all__ = ["neuron_detail", "MAX_INPUTS"]

MAX_INPUTS = 8  # a wider previous layer is elided to its first and last inputs


def _check(graph, layers, layer, neuron):
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= len(layers):
        raise GraphError(f"layer must be from 1 to {len(layers)} ({graph.name!r} has {len(layers)} layers); got {layer!r}")
    width = layers[layer - 1].affine.width
    if isinstance(neuron, bool) or not isinstance(neuron, (int, np.integer)) or not 0 <= neuron < width:
        raise GraphError(
            f"neuron must be from 0 to {width - 1} (layer {layer} of {graph.name!r} has {width} neurons, "
            f"numbered from 0); got {neuron!r}"
        )


def _with_value(symbol: str, values: dict, name: str, index: int) -> str:
    return f"{symbol}\n{value_text(values[name][index])}" if name in values else symbol


def _sum_terms(term, shown: list) -> str:
    """``t₁ + t₂ + … + tₙ`` over the shown inputs (``term(i)`` writes one), "…" where elided."""
    return " + ".join(term(i) if i is not None else "…" for i in shown)


def _formula(notation, k: int, j: int, W, b, activation, values: dict, a_name: str, source_name: str) -> list[str]:
    """``a = b + w₁x₁ + …``, its numbers after a run, and ``z = h(a)``: one line each."""
    shown = shown_indices(len(W), 3 if len(W) > 4 else None)  # w₁x₁ + w₂x₂ + … + wₙxₙ
    a_symbol = notation.pre(k, j)
    total = _sum_terms(lambda i: notation.weight(k, j, i) + notation.signal(k - 1, i), shown)
    lines = [f"{a_symbol} = " + (f"{notation.bias(k, j)} + {total}" if b is not None else total)]
    if a_name in values and source_name in values:
        x = values[source_name]

        def product(i: int) -> str:
            factor = value_text(x[i])
            return f"{value_text(W[i, j])}·" + (f"({factor})" if x[i] < 0 else factor)

        numbers = _sum_terms(product, shown)
        numbers = f"{value_text(b[j])} + {numbers}" if b is not None else numbers
        lines.append(f"= {numbers} = {value_text(values[a_name][j])}")
    if activation is not None:
        spec = activation.activation
        out_symbol = notation.signal(k, j)
        if spec.elementwise:
            line = f"{out_symbol} = {spec.symbol}({a_symbol})"
        else:  # softmax: every output depends on the whole vector a⁽ᵏ⁾
            line = f"{out_symbol} = {spec.symbol}(a{superscript(f'({k})')})" + indexed("", j + 1)
            note = f"({out_symbol} depends on every aᵢ{superscript(f'({k})')} of the layer, not only on {a_symbol})"
        if activation.name in values:
            line += f" = {value_text(values[activation.name][j])}"
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


def neuron_detail(graph, layer: int, neuron: int, *, values: Mapping | None = None, language: str = "en", sample: int | None = None) -> Diagram:
    """Draw neuron ``neuron`` of ``layer`` from inside: its weighted sum and activation.

    Args:
        graph: a chain network (``graph.layers()`` must succeed).
        layer: the layer number, from 1 (as in a⁽¹⁾).
        neuron: the neuron's number in that layer, from 0 (neuron 0 is a₁⁽¹⁾), as ``neuron_diagram``
            and the narration count them.
        values: node name → array after a run (``{s.node: s.output for s in graph.steps(x)}``):
            the inputs, ``a``, the output and the weights are then shown with their numbers.
        language: ``"en"`` or ``"zh"`` for the caption.
        sample: which sample to draw when ``values`` holds batches.

    Returns:
        a :class:`~nngraph.render.Diagram` (engine ``nop2``); its ``notes`` say when inputs were elided.

    Raises:
        GraphError: if the graph is not a chain of layers, or ``layer`` or ``neuron`` is out
            of range (the message gives the valid range).
        RenderError: for an unknown language.

    Example:
        >>> import numpy as np
        >>> from nngraph import three_layer_network
        >>> net = three_layer_network()
        >>> values = {s.node: s.output for s in net.steps(np.array([1.0, 0.5]))}
        >>> "= 0.1 + 0.1·1.0 + 0.2·0.5 = 0.3" in neuron_detail(net, 1, 0, values=values).source
        True
    """
    layers = graph.layers()
    words = captions(language)
    _check(graph, layers, layer, neuron)
    values = sample_values(graph, values, sample)
    current = layers[layer - 1]
    notation = Notation(layers)
    k, j = int(layer), int(neuron)
    affine, activation = current.affine, current.activation
    for node in (affine, activation):  # NaN: not computed yet in a stepped evaluation
        if node is not None and node.name in values and np.isnan(values[node.name][j]):
            del values[node.name]
    W = graph[affine.W].value
    b = graph[affine.b].value if affine.b is not None else None
    source_name = graph.inputs[0].name if k == 1 else layers[k - 2].output
    size = W.shape[0]
    shown = shown_indices(size, MAX_INPUTS)
    notes = []
    if None in shown:
        notes.append(f"{size} inputs: the first and last {MAX_INPUTS // 2} are drawn, ⋮ marks the {size - MAX_INPUTS} left out")

    # Left: the bias "1" and the inputs in one column; right: the big circle.
    input_labels = {i: _with_value(notation.signal(k - 1, i), values, source_name, i) for i in shown if i is not None}
    widest = max(text_width(line, 11) for text in input_labels.values() for line in text.split("\n"))
    d_in = max(36.0, widest + 12)
    row = d_in + 14
    items = (["bias"] if b is not None else []) + shown
    y_of = {item if item is not None else ("gap", r): ((len(items) - 1) / 2 - r) * row for r, item in enumerate(items)}

    a_symbol = notation.pre(k, j)
    out_symbol = notation.signal(k, j) if activation is not None else None
    a_label = _with_value(a_symbol, values, affine.name, j)
    out_label = _with_value(out_symbol, values, activation.name, j) if activation is not None else None
    inner = max(text_width(line, 11) for text in (a_label, out_label or "") for line in text.split("\n"))
    d_inner = max(40.0, inner + 14, 5.0 * len(items))  # room for the arrowheads
    gap = 70.0 if activation is not None else 0.0
    radius = (d_inner * (2 if activation is not None else 1) + gap) / 2 + 16
    cx = max(230.0, 0.4 * (len(items) - 1) * row) + radius  # tall columns: less steep arrows
    a_x = cx - (gap + d_inner) / 2 if activation is not None else cx

    nodes, edges = [], []
    reached = not values or source_name in values
    for r, item in enumerate(items):
        if item is None:
            nodes.append(text_node(f"G{r}", 0, y_of["gap", r], VERTICAL_DOTS, size=20))
        elif item == "bias":
            nodes.append(statement("B", {"shape": "circle", "width": BIAS_SIZE / 72, "label": "1", "pos": pos(0, y_of["bias"]), "style": "filled", "fillcolor": BIAS_FILL}))
        else:
            attrs = {"shape": "circle", "width": round(d_in / 72, 3), "label": input_labels[item], "pos": pos(0, y_of[item])}
            if not reached:
                attrs.update(color=GREY, fontcolor=GREY)
            nodes.append(statement(f"X{item}", attrs))
    nodes.append(statement("neuron", {"shape": "circle", "width": round(2 * radius / 72, 3), "label": "", "pos": pos(cx, 0), "penwidth": 1.5}))
    nodes.append(statement("a", {"shape": "circle", "width": round(d_inner / 72, 3), "label": a_label, "pos": pos(a_x, 0)}))
    if activation is not None:
        nodes.append(statement("out", {"shape": "circle", "width": round(d_inner / 72, 3), "label": out_label, "pos": pos(cx + (gap + d_inner) / 2, 0)}))
        edges.append(statement("a -> out", {}))
        nodes.append(text_node("h", cx, 12, f"{activation.activation.symbol}()", size=11))

    # Arrows into a, each labelled with its weight, placed before the big circle.
    # Near their inputs, where the arrows are still a row apart.
    placed = []
    circles = [(0, y, d_in / 2) for item, y in y_of.items() if isinstance(item, int)]
    for item in items:
        if item is None:
            continue
        if item == "bias":
            source, text, start = "B", notation.bias(k, j), BIAS_SIZE / 2 + 2
            weight = b[j]
        else:
            source, text, start = f"X{item}", notation.weight(k, j, item), d_in / 2 + 2
            weight = W[item, j]
        if values:
            text += f" = {value_text(weight)}"
        edges.append(statement(f"{source} -> a", {}))
        length = math.hypot(a_x, y_of[item])
        end = length - _entry((0, y_of[item]), (a_x, 0), (cx, 0), radius) + text_width(text, 10) / 2 + 4
        start += text_width(text, 10) / 2 + 4
        x, y = place_label((0, y_of[item]), (a_x, 0), start, end, text, placed, circles, near="source")
        nodes.append(text_node(f"L{source}", x, y, text, size=10, fill="white"))

    lines = _formula(notation, k, j, W, b, activation, values, affine.name, source_name)
    kind = words["output"] if k == len(layers) else words["hidden"].format(k=k)
    caption = f"{kind} · {a_symbol}" + (f" → {out_symbol}" if activation is not None else "")
    top = min(-max(abs(y) for y in y_of.values()) - max(d_in, BIAS_SIZE) / 2, -radius) - 20
    middle, line = (cx + radius) / 2, 11 * 1.25
    nodes.append(text_node("caption", middle, top - line / 2, caption, size=11, font=CAPTION_FONTS[language]))
    nodes.append(text_node("formula", middle, top - line - len(lines) * line / 2, "\n".join(lines), size=11))
    source = document(graph_attributes(None), nodes, edges)
    return Diagram(source, engine="nop2", name=f"{file_name(graph.name)}-layer{k}-neuron{j}", notes=tuple(notes))
