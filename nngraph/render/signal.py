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

from collections.abc import Mapping

import numpy as np

from ..errors import InputError, RenderError, ShapeError
from ..formatting import format_number
from ..graph import real_array
from .diagram import Diagram
from .dot import quote

__all__ = ["signal_diagram"]

FONT = "Helvetica"
INK = "#333333"
FILL = {"input": "#e7f0fb", "weight": "#f3f3f3", "affine": "#ffffff", "activation": "#eaf6ea"}
CURRENT = {"color": "#d9480f", "fillcolor": "#fff1d6", "penwidth": "3"}
GREY = {"color": "#bbbbbb", "fontcolor": "#a0a0a0", "fillcolor": "#fafafa"}
SHOWN = 3  # entries shown of a long row
SMALL_ROWS, SMALL_COLUMNS = 4, 6  # arrays up to this size are shown in full


def escape(text) -> str:
    """``text`` as the body of a DOT double-quoted string that Graphviz shows literally.

    Example:
        >>> print(escape('a"] -> b \\\\N &'))
        a\\"] -> b \\\\N &amp;
    """
    return quote(text)[1:-1]


def _attributes(attrs: Mapping[str, str]) -> str:
    return ", ".join(f'{key}="{value}"' for key, value in attrs.items())


def _shape_text(shape: tuple[int, ...]) -> str:
    """``100×784`` for a batch or a matrix, ``(784,)`` for a vector."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "×".join(map(str, shape))


def _weight_shape(shape: tuple[int, ...]) -> str:
    """``(784×50)`` for a matrix, ``(50,)`` for a vector."""
    return _shape_text(shape) if len(shape) == 1 else f"({_shape_text(shape)})"


def _static_shape(width: int, batch) -> str:
    return f"({width},)" if batch is None else f"{batch}×{width}"


def _row(values: np.ndarray, precision: int, pending: bool = False) -> str:
    head = values[: SHOWN if len(values) > SMALL_COLUMNS else None]
    shown = ["?" if pending and np.isnan(v) else format_number(v, precision) for v in head]
    if len(values) > SMALL_COLUMNS:
        shown.append("…")
    return "[" + ", ".join(shown) + "]"


def value_lines(value, precision: int = 4, pending: bool = False) -> tuple[list[str], bool]:
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
    return [first, f"min {low}, max {high}"], True


def _check_arguments(graph, values, batch, current, precision) -> dict[str, np.ndarray]:
    if isinstance(batch, bool) or not (batch is None or isinstance(batch, str) or isinstance(batch, (int, np.integer)) and batch > 0):
        raise RenderError(f"batch must be a name such as 'N', a positive number of samples, or None; got {batch!r}")
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or precision < 0:
        raise RenderError(f"precision must be a whole number of decimals ≥ 0; got {precision!r}")
    if current is not None:
        graph[current]  # raises GraphError naming the closest node
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InputError(f"values must be a dict node name → array, e.g. {{s.node: s.output for s in graph.steps(x)}}; got {type(values).__name__}")
    checked = {}
    for name, value in values.items():
        node = graph[name]
        array = real_array(value, f"the value given for {name!r}", InputError)
        expected = node.shape if node.kind == "weight" else (node.width,)
        got = array.shape if node.kind == "weight" else array.shape[-1:]
        if got != expected or (node.kind != "weight" and array.ndim > 2):
            raise ShapeError(
                f"the value given for {node.kind} {name!r} has shape {array.shape}, but {name!r} holds "
                f"{_shape_text(expected) if node.kind == 'weight' else f'(N, {node.width}) or ({node.width},)'}; "
                f"pass the values of this graph, e.g. {{s.node: s.output for s in graph.steps(x)}}"
            )
        checked[name] = array
    return checked


def _value_batch(graph, values: dict[str, np.ndarray], batch):
    """The batch of the given values (for edges not reached yet), else ``batch``."""
    for node in graph:
        if node.kind != "weight" and node.name in values:
            array = values[node.name]
            return array.shape[0] if array.ndim == 2 else None
    return batch


def _sink_name(graph, name: str) -> str:
    sink = f"{name} (out)"
    while sink in graph:
        sink += "'"
    return sink


def signal_diagram(graph, *, values=None, batch="N", current=None, precision: int = 4, title=None) -> Diagram:
    """The op-level dataflow of ``graph`` as a left-to-right :class:`Diagram`.

    Args:
        graph: any :class:`~nngraph.Graph` (several inputs and outputs allowed).
        values: optional dict node name → array, e.g.
            ``{s.node: s.output for s in graph.steps(x)}``; nodes show their
            values (abbreviated when big) and edges the actual shapes.
        batch: how edge shapes name the batch: ``"N"`` gives ``N×784``, ``100``
            gives ``100×784``, None the single-sample ``(784,)``. With
            ``values``, edges not reached yet use the batch of the values.
        current: the node being evaluated (stepping): highlighted with its
            incoming edges, while nodes without a value are greyed (weights
            while none of their readers has been reached). While stepping, NaN
            entries of a value are neurons not computed yet, shown as ``?``.
        precision: decimals of the values shown.
        title: a caption above the diagram.

    Returns:
        A :class:`Diagram` (Graphviz ``dot`` engine).

    Raises:
        GraphError: if ``current`` or a key of ``values`` is not a node.
        ShapeError: if a value does not fit its node.
        RenderError: for a ``batch`` or ``precision`` that makes no sense, or
            values that are not arrays of numbers.

    Example:
        >>> import numpy as np
        >>> from nngraph import three_layer_network
        >>> net = three_layer_network()
        >>> run = {s.node: s.output for s in net.steps(np.array([1.0, 0.5]))}
        >>> d = signal_diagram(net, values=run, current="a2")
        >>> "[0.5744, 0.6682, 0.7503]" in d.source
        True
    """
    values = _check_arguments(graph, values, batch, current, precision)
    batch = _value_batch(graph, values, batch)
    stepping = current is not None
    abbreviated = []

    def reached(name: str) -> bool:
        if not stepping or name in values:
            return True
        if graph[name].kind == "weight":  # known, but drawn grey until a reader is reached
            return any(reader == current or reader in values for reader in graph.consumers(name))
        return False

    lines = [
        f'digraph "{escape(graph.name)}" {{',
        f'  graph [rankdir=LR, fontname="{FONT}", fontsize=14, nodesep=0.2, ranksep=0.35, labelloc=t];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=12, color="{INK}", fontcolor="{INK}", margin="0.12,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=10, color="{INK}", fontcolor="{INK}", arrowsize=0.7];',
    ]
    if title is not None:
        lines.append(f'  label="{escape(title)}";')
    for node in graph:
        if node.kind == "weight":
            text = [f"{node.name} {_weight_shape(node.shape)}"]
        elif node.kind == "input":
            text = [node.name]
        else:
            text = [f"{node.name} = {node.formula()}"]
        if node.name in values:
            shown, cut = value_lines(values[node.name], precision, pending=stepping)
            text += shown
            if cut:
                abbreviated.append(node.name)
        attrs = {"label": "\\n".join(escape(t) for t in text), "fillcolor": FILL[node.kind]}
        if node.kind == "weight":
            attrs.update(style="filled", fontsize="10", margin="0.06,0.02", height="0.3", color="#999999")
        else:
            attrs["group"] = "signal"
        if node.name == current:
            attrs.update(CURRENT)
        elif not reached(node.name):
            attrs.update(GREY, style=attrs.get("style", "rounded,filled") + ",dashed")
        lines.append(f'  "{escape(node.name)}" [{_attributes(attrs)}];')
    for node in graph:
        for source in node.arguments.values():
            attrs = _edge(graph, source, node.name, values, batch, current, reached)
            lines.append(f'  "{escape(source)}" -> "{escape(node.name)}" [{_attributes(attrs)}];')
    for node in graph.outputs:
        sink = escape(_sink_name(graph, node.name))
        attrs = _edge(graph, node.name, None, values, batch, current, reached)
        lines.append(f'  "{sink}" [shape=point, width=0.01, style=invis, label=""];')
        lines.append(f'  "{escape(node.name)}" -> "{sink}" [{_attributes(attrs)}];')
    lines.append("}")
    notes = ()
    if abbreviated:
        notes = (f"values of {', '.join(abbreviated)} abbreviated: first {SHOWN} entries, then min and max",)
    return Diagram("\n".join(lines) + "\n", engine="dot", name=f"{graph.name}-signal", notes=notes)


def _edge(graph, source: str, target: str | None, values, batch, current, reached) -> dict[str, str]:
    """Attributes of the edge ``source → target`` (target None: the output's exit arrow)."""
    if graph[source].kind == "weight":
        attrs = {"color": "#999999", "arrowsize": "0.5"}
    elif source in values:
        attrs = {"label": escape(_shape_text(values[source].shape)), "weight": "8"}
    else:
        attrs = {"label": escape(_static_shape(graph[source].width, batch)), "weight": "8"}
    if target is not None and target == current:
        attrs.update(color=CURRENT["color"], fontcolor=CURRENT["color"], penwidth="2.5")
    elif not reached(target if target is not None else source):
        attrs.update(color=GREY["color"], fontcolor=GREY["fontcolor"], style="dashed")
    return attrs
