"""Signal diagrams: the op-level dataflow of any graph, shapes on its edges.

Inputs, weights (``W1 (784×50)``), affine nodes (``a1 = x·W1 + b1``) and
activations (``z1 = σ(a1)``) flow left to right; each signal edge carries the
shape of what it carries (``N×784`` as in the book's figures 3-26/3-27). After
a run the nodes show their values; while stepping, the current node is
highlighted and the nodes not reached yet are greyed.

Example:
    >>> from nngraph import three_layer_network
    >>> d = signal_diagram(three_layer_network())
    >>> '"x" -> "a1" [label="N×2"' in d.source
    True
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import OptionError
from ..formatting import format_number, format_shape
from ..nodes import WeightNode
from . import style
from .diagram import Diagram
from .dot import file_name, quote, statement
from .emphasis import emphasis
from .options import choice, language_words, whole

__all__ = ["signal_diagram", "signal_edges"]

CURRENT = {"color": style.HIGHLIGHT, "fillcolor": style.HIGHLIGHT_FILL, "penwidth": 2.5}
NOT_REACHED = {"color": "#bbbbbb", "fontcolor": style.GREY, "fillcolor": "#fafafa"}
WEIGHT_INK = "#999999"
WORDS = {"en": {"min": "min", "max": "max"}, "zh": {"min": "最小", "max": "最大"}}
SHOWN = 3  # entries shown of a long row
SMALL_ROWS, SMALL_COLUMNS = 4, 6  # arrays up to this size are shown in full


def _weight_shape(shape: tuple[int, ...]) -> str:
    """``(784×50)`` for a matrix, ``(50,)`` for a vector."""
    return format_shape(shape) if len(shape) == 1 else f"({format_shape(shape)})"


def _static_shape(width: int, batch) -> str:
    return f"({width},)" if batch is None else f"{batch}×{width}"


def _row(values: np.ndarray, precision: int, pending: bool = False) -> str:
    head = values[: SHOWN if len(values) > SMALL_COLUMNS else None]
    shown = ["?" if pending and np.isnan(v) else format_number(v, precision) for v in head]
    if len(values) > SMALL_COLUMNS:
        shown.append("…")
    return "[" + ", ".join(shown) + "]"


def value_lines(value, precision: int = 4, pending: bool = False, words: dict | None = None) -> tuple[list[str], bool]:
    """Lines showing ``value`` in a node, and whether it was abbreviated.

    Small arrays are shown in full (one line per row); bigger ones show their
    first entries, then their minimum and maximum. With ``pending``, NaN
    entries are neurons not computed yet and show as ``?``.

    Example:
        >>> value_lines(np.array([0.57444252, 0.66818777]))
        (['[0.5744, 0.6682]'], False)
        >>> value_lines(np.arange(10.0))
        (['[0.0, 1.0, 2.0, …]', 'min 0.0, max 9.0'], True)
    """
    array = np.asarray(value)
    if array.ndim == 0:
        return [format_number(array, precision)], False
    if array.size == 0:
        return ["[]"], False
    matrix = array.reshape(-1, array.shape[-1]) if array.ndim > 1 else array[None, :]
    rows, columns = matrix.shape
    if rows <= SMALL_ROWS and columns <= SMALL_COLUMNS:
        return [_row(row, precision, pending) for row in matrix], False
    first = _row(matrix[0], precision, pending)
    if array.ndim > 1:
        first = f"[{first}, …]"
    known = array[~np.isnan(array)] if pending else array
    if known.size == 0:
        return [first], True
    low, high = (format_number(v, precision) for v in (np.min(known), np.max(known)))
    words = words or WORDS["en"]
    return [first, f"{words['min']} {low}, {words['max']} {high}"], True


def _check_options(batch, precision, title, caption) -> int:
    if isinstance(batch, bool) or not (batch is None or isinstance(batch, str) or isinstance(batch, (int, np.integer)) and batch > 0):
        raise OptionError(f"batch must be a name such as 'N', a positive number of samples, or None; got {batch!r}")
    for option, text in (("title", title), ("caption", caption)):
        if text is not None and not isinstance(text, str):
            raise OptionError(f"{option} must be a string; got {type(text).__name__}")
    return whole("precision", precision, 0, 17, meaning="decimals of the values shown")


def _value_batch(graph, values: dict[str, np.ndarray], batch):
    """The batch of the given values (for edges not reached yet), else ``batch``."""
    for node in graph:
        if not isinstance(node, WeightNode) and node.name in values:
            array = values[node.name]
            return array.shape[0] if array.ndim == 2 else None
    return batch


def signal_edges(graph) -> list[tuple[str, str]]:
    """The signal diagram's edges (source, target) in the order drawn, each output's exit arrow last.

    Graphviz numbers edges in this order (``edge1``, ``edge2``, …), which lets the
    stepper find an edge without parsing a title that a node name could confuse.

    Example:
        >>> from nngraph import and_gate
        >>> signal_edges(and_gate())
        [('x', 'a1'), ('W1', 'a1'), ('b1', 'a1'), ('a1', 'y'), ('y', 'y (out)')]
    """
    edges = [(source, node.name) for node in graph for source in node.arguments.values()]
    return edges + [(node.name, _sink_name(graph, node.name)) for node in graph.outputs]


def _sink_name(graph, name: str) -> str:
    sink = f"{name} (out)"
    while sink in graph:
        sink += "'"
    return sink


def signal_diagram(graph, *, values=None, sample=None, current=None, batch="N", precision: int = 4, language: str = "en", title=None, caption=None, direction: str = "LR") -> Diagram:
    """The op-level dataflow of ``graph`` as a :class:`Diagram`, left to right or top to bottom.

    Args:
        graph: any :class:`~nngraph.Graph` (several inputs and outputs allowed).
        values: optional dict node name → array, e.g.
            ``{s.node: s.output for s in graph.steps(x)}``; nodes show their
            values (abbreviated when big) and edges the actual shapes.
        sample: with batch ``values``, show only this sample (row), numbered from 0.
        batch: how edge shapes name the batch: ``"N"`` gives ``N×784``, ``100``
            gives ``100×784``, None the single-sample ``(784,)``. With
            ``values``, edges not reached yet use the batch of the values.
        current: the node being evaluated (stepping): highlighted with its
            incoming edges, while nodes without a value are greyed (weights
            while none of their readers has been reached). While stepping, NaN
            entries of a value are neurons not computed yet, shown as ``?``.
        precision: decimals of the values shown.
        language: ``"en"`` or ``"zh"`` for the few words drawn (min, max).
        title: a caption above the diagram.
        caption: a line under it, e.g. the shape row of figures 3-26/3-27
            (:func:`~nngraph.render.matrices.shape_row_text`).
        direction: ``"LR"`` (left to right, as the book) or ``"TB"`` (top to bottom,
            for narrow screens: the stepper's choice).

    Returns:
        A :class:`Diagram` (Graphviz ``dot`` engine).

    Raises:
        GraphError: if ``current`` or a key of ``values`` is not a node.
        ShapeError: if a value does not fit its node.
        InputError: values that are not arrays of numbers.
        OptionError: a ``batch``, ``sample``, ``precision`` or ``language`` that makes no sense.

    Example:
        >>> import numpy as np
        >>> from nngraph import three_layer_network
        >>> net = three_layer_network()
        >>> run = {s.node: s.output for s in net.steps(np.array([1.0, 0.5]))}
        >>> d = signal_diagram(net, values=run, current="a2")
        >>> "[0.5744, 0.6682, 0.7503]" in d.source
        True
    """
    precision = _check_options(batch, precision, title, caption)
    choice("direction", direction, ("LR", "TB"))
    words = language_words(language, WORDS)
    shown = emphasis(graph, values=values, sample=sample, current=current, rows=sample is not None)
    if sample is not None:  # one sample: its rows stand for the values
        shown = replace(shown, values={**shown.values, **shown.rows})
    batch = _value_batch(graph, shown.values, batch)
    reached = _Reached(graph, shown)
    lines = ["digraph signal {", statement("graph", {"rankdir": direction, "fontname": style.FONT, "fontsize": style.TITLE_SIZE,
                                                      "nodesep": 0.2, "ranksep": 0.35, **_graph_label(title, caption)})]
    lines.append(statement("node", {"shape": "box", "style": "rounded,filled", "fontname": style.FONT, "fontsize": style.NEURON_TEXT_SIZE,
                                    "color": style.INK, "fontcolor": style.INK, "margin": "0.12,0.06"}))
    lines.append(statement("edge", {"fontname": style.FONT, "fontsize": style.EDGE_LABEL_SIZE, "color": style.INK, "fontcolor": style.INK, "arrowsize": 0.7}))
    abbreviated = []
    for node in graph:
        attrs, cut = _node_attributes(node, shown, precision, reached, words)
        lines.append(statement(quote(node.name), attrs))
        abbreviated += [node.name] if cut else []
    for source, target in signal_edges(graph):
        if target not in graph:  # an output's exit arrow, to an invisible point
            lines.append(statement(quote(target), {"shape": "point", "width": 0.01, "style": "invis", "label": ""}))
        attrs = _edge(graph, source, target if target in graph else None, shown, batch, reached)
        lines.append(statement(f"{quote(source)} -> {quote(target)}", attrs))
    lines.append("}")
    notes: tuple[str, ...] = ()
    if abbreviated:
        notes = (f"values of {', '.join(abbreviated)} abbreviated: first {SHOWN} entries, then min and max",)
    return Diagram("\n".join(lines) + "\n", engine="dot", name=f"{file_name(graph.name)}-signal", notes=notes)


def _graph_label(title: str | None, caption: str | None) -> dict:
    """The title on top, or the caption underneath (both on top when both are given)."""
    if title:
        return {"label": f"{title}\n{caption}" if caption else title, "labelloc": "t"}
    return {"label": caption, "labelloc": "b"} if caption else {}


class _Reached:
    """Which nodes a stepped evaluation has reached: weights once one of their readers is."""

    def __init__(self, graph, shown):
        self.graph, self.shown = graph, shown

    def __call__(self, name: str) -> bool:
        shown = self.shown
        if not shown.stepping or name in shown.values:
            return True
        if isinstance(self.graph[name], WeightNode):  # known, but drawn grey until a reader is reached
            return any(reader == shown.current or reader in shown.values for reader in self.graph.consumers(name))
        return False


def _node_attributes(node, shown, precision: int, reached, words: dict) -> tuple[dict, bool]:
    """A node's box: its name and formula (``a1 = x·W1 + b1``, as the book's code writes it), its values."""
    if isinstance(node, WeightNode):
        text = [f"{node.name} {_weight_shape(node.shape)}"]
    elif node.expression() is None:
        text = [node.name]
    else:
        text = [f"{node.name} = {node.expression()}"]
    cut = False
    if node.name in shown.values:
        lines, cut = value_lines(shown.values[node.name], precision, pending=shown.stepping, words=words)
        text += lines
    attrs: dict[str, Any] = {"label": "\n".join(text), "fillcolor": style.SIGNAL_FILL.get(node.kind, style.SIGNAL_FILL["affine"])}
    if isinstance(node, WeightNode):
        attrs.update(style="filled", fontsize=style.EDGE_LABEL_SIZE, margin="0.06,0.02", height=0.3, color=WEIGHT_INK)
    else:
        attrs["group"] = "signal"
    if node.name == shown.current:
        attrs.update(CURRENT)
    elif not reached(node.name):
        attrs.update(NOT_REACHED, style=attrs.get("style", "rounded,filled") + ",dashed")
    return attrs, cut


def _edge(graph, source: str, target: str | None, shown, batch, reached) -> dict:
    """Attributes of the edge ``source → target`` (target None: the output's exit arrow)."""
    if isinstance(graph[source], WeightNode):
        attrs = {"color": WEIGHT_INK, "arrowsize": 0.5}
    elif source in shown.values:
        attrs = {"label": format_shape(shown.values[source].shape), "weight": 8}
    else:
        attrs = {"label": _static_shape(graph[source].width, batch), "weight": 8}
    if target is not None and target == shown.current:
        attrs.update(color=style.HIGHLIGHT, fontcolor=style.HIGHLIGHT, penwidth=2.5)
    elif not reached(target if target is not None else source):
        attrs.update(color=NOT_REACHED["color"], fontcolor=NOT_REACHED["fontcolor"], style="dashed")
    return attrs
