"""Matrix products as the book draws them: figures 3-10, 3-11, 3-12 and the shape rows.

- :func:`matrix_product` (3-10): two small matrices of numbers and their product,
  one entry worked out: row i of A times column j of B, the sum written underneath.
- :func:`matrix_shapes` (3-11, 3-12): shapes only; the inner sizes bracketed as
  "must be equal", the outer sizes linked to the shape of the result.
- :func:`shape_row` (under 3-14, 3-26, 3-27): the shapes a chain network
  multiplies, as a :class:`ShapeRow`; :func:`shape_row_nodes` draws it into a
  pinned diagram, :func:`shape_row_text` writes it as a one-line caption.

All drawings are pinned (engine ``nop2``): the same input gives the same bytes.

Example:
    >>> d = matrix_product([[1, 2], [3, 4]], [[5, 6], [7, 8]])
    >>> "1×5 + 2×7 = 19" in d.source
    True
    >>> print(shape_row_text(shape_chain([(2, 3), (3, 2)])))
    A (2×3) · B (3×2) = C (2×2)
    inner sizes equal: 3 = 3
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..errors import GraphError, InputError, OptionError, ShapeError
from ..formatting import format_number
from ..notation import signed
from .diagram import Diagram
from .dot import document, graph_attributes, pos, statement, text_node, text_width
from .options import choice, whole

__all__ = [
    "Match",
    "ShapeRow",
    "shape_chain",
    "shape_row",
    "shape_row_nodes",
    "shape_row_text",
    "matrix_shapes",
    "matrix_product",
    "MAX_DRAWN",
]

MAX_DRAWN = 6  # rows and columns of a matrix drawn with its numbers
INK = "black"
INNER = "#e66100"  # sizes that must be equal
OUTER = "#2166ac"  # sizes that make the result's shape
ROW_FILL, COLUMN_FILL, ENTRY_FILL = "#fff1c9", "#e7f0fb", "#e3f4e1"
ROW_LINE, COLUMN_LINE, ENTRY_LINE = INNER, OUTER, "#2f9e44"
LABEL_SIZE = 10
NUMBER_SIZE = 14
ROW_SIZE = 12  # shape rows under other diagrams
FIGURE_SIZE = 16  # shape rows drawn as figures of their own
PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Match(NamedTuple):
    """Two equal sizes in a shape row, each as ``(item, axis)``.

    ``kind`` is ``"inner"`` for sizes that must be equal for the product to
    exist, ``"outer"`` for a size of a factor that becomes a size of the result.
    """

    first: tuple[int, int]
    second: tuple[int, int]
    kind: str


@dataclass(frozen=True)
class ShapeRow:
    """A chain of matrix products by shape: ``items`` are (name, shape), the result last.

    ``relation`` stands between the factors and the result: ``"="`` for plain
    matrices, ``"→"`` for a network (whose biases and activations keep the shape).
    """

    items: tuple[tuple[str, tuple], ...]
    matches: tuple[Match, ...]
    relation: str = "="


def _shape_text(shape: tuple) -> str:
    return "×".join(map(str, shape)) if shape else "number"


def _dimension(value, where: str):
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0:
        return int(value)
    raise InputError(f"{where} must be a positive whole number or a name such as 'N'; got {value!r}")


def _checked_shape(shape, index: int) -> tuple:
    if isinstance(shape, (int, np.integer, str)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not 1 <= len(shape) <= 2:
        raise InputError(f"shape {index + 1} must have one or two sizes, like (2, 3) or (2,); got {shape!r}")
    return tuple(_dimension(value, f"size {axis + 1} of shape {index + 1}") for axis, value in enumerate(shape))


def _names(names, count: int) -> tuple[str, ...]:
    """``count`` names: the given ones, or A, B, C, …"""
    if names is None:
        return tuple(chr(ord("A") + i) for i in range(count)) if count <= 26 else tuple(f"M{i + 1}" for i in range(count))
    if isinstance(names, str) or not isinstance(names, (tuple, list)) or len(names) != count:
        raise OptionError(f"names must be {count} strings, one per shape and one for the result; got {names!r}")
    if not all(isinstance(name, str) for name in names):
        raise OptionError(f"names must be strings; got {names!r}")
    return tuple(names)


def _mismatch(left: str, left_shape: tuple, right: str, right_shape: tuple) -> ShapeError:
    need, have = left_shape[-1], right_shape[0]
    what = "rows" if len(right_shape) == 2 else "entries"
    return ShapeError(
        f"cannot multiply {left} ({_shape_text(left_shape)}) by {right} ({_shape_text(right_shape)}): "
        f"inner sizes {need} ≠ {have}; {right} needs {need} {what}"
    )


def shape_chain(shapes, names=None, *, relation: str = "=") -> ShapeRow:
    """The shape row of the product ``shapes[0] · shapes[1] · …``, following NumPy's ``@``.

    A vector first is a row (``x·W``), a vector later a column (``A·b``); each
    inner pair must be equal, and the sizes left over make the result's shape.

    Args:
        shapes: two or more shapes of one or two sizes; a size is a positive
            whole number or a name such as ``"N"``.
        names: one name per shape and one for the result (default A, B, C, …).
        relation: the sign before the result, ``"="`` or ``"→"``.

    Raises:
        ShapeError: if inner sizes differ (the book's rule: ``inner sizes 3 ≠ 2``).
        InputError: for a shape that is not one or two sizes.
        OptionError: for names of the wrong number or kind, or another relation.

    Example:
        >>> row = shape_chain([(3, 2), (2,)])
        >>> row.items
        (('A', (3, 2)), ('B', (2,)), ('C', (3,)))
        >>> [(m.first, m.second, m.kind) for m in row.matches]
        [((0, 1), (1, 0), 'inner'), ((0, 0), (2, 0), 'outer')]
    """
    choice("relation", relation, ("=", "→"))
    if isinstance(shapes, (str, bytes)) or not hasattr(shapes, "__iter__"):
        raise InputError(f"shapes must be a list of shapes, like [(2, 3), (3, 2)]; got {shapes!r}")
    shapes = [_checked_shape(shape, index) for index, shape in enumerate(shapes)]
    if len(shapes) < 2:
        raise InputError(f"a product needs at least two shapes, like [(2, 3), (3, 2)]; got {len(shapes)}")
    names = _names(names, len(shapes) + 1)
    origin = [(0, axis) for axis in range(len(shapes[0]))]  # where each size of the running product comes from
    matches = []
    for k in range(1, len(shapes)):
        left_name = names[0] if k == 1 else "·".join(names[:k])
        left_shape = tuple(shapes[i][axis] for i, axis in origin)
        if not origin:
            raise ShapeError(f"{left_name} is a number (a vector times a vector); nothing can be multiplied by it as a matrix")
        if left_shape[-1] != shapes[k][0]:
            raise _mismatch(left_name, left_shape, names[k], shapes[k])
        matches.append(Match(origin[-1], (k, 0), "inner"))
        origin = origin[:-1] + [(k, axis) for axis in range(1, len(shapes[k]))]
    result = tuple(shapes[i][axis] for i, axis in origin)
    matches += [Match(source, (len(shapes), r), "outer") for r, source in enumerate(origin)]
    items = tuple(zip(names, shapes)) + ((names[-1], result),)
    return ShapeRow(items, tuple(matches), relation)


def shape_row(graph, *, batch=None) -> ShapeRow:
    """The shapes a chain network multiplies: ``x · W1 · W2 · … → y``.

    Biases and activations keep the shape, so only the input and the weight
    matrices appear; the result is the network's output.

    Args:
        graph: a chain network (``graph.layers()`` must succeed).
        batch: None for one sample (``x`` is a vector), a positive number of
            samples or a name such as ``"N"`` for a batch (``x`` is N×D).

    Raises:
        GraphError: if the graph is not a chain of layers.
        OptionError: for a ``batch`` that is none of these.

    Example:
        >>> from nngraph import three_layer_network
        >>> print(shape_row_text(shape_row(three_layer_network(), batch=100)))
        x (100×2) · W1 (2×3) · W2 (3×2) · W3 (2×2) → y (100×2)
        inner sizes equal: 2 = 2, 3 = 3, 2 = 2
    """
    bad = isinstance(batch, bool) or not (
        batch is None or (isinstance(batch, str) and batch.strip()) or (isinstance(batch, (int, np.integer)) and batch > 0)
    )
    if bad:
        raise OptionError(f"batch must be None (one sample), a positive number of samples or a name such as 'N'; got {batch!r}")
    layers = graph.layers()
    if not layers:
        raise GraphError(f"{graph.name!r} has no layers: a shape row needs at least one weight matrix")
    source = graph.inputs[0]
    shapes = [(source.size,) if batch is None else (batch if isinstance(batch, str) else int(batch), source.size)]
    shapes += [graph[layer.affine.W].shape for layer in layers]
    names = [source.name, *(layer.affine.W for layer in layers), layers[-1].output]
    return shape_chain(shapes, names, relation="→")


def _marked(row: ShapeRow) -> dict[tuple[int, int], str]:
    """(item, axis) → the colour of its size: inner sizes and outer ones with their result sizes."""
    colours: dict[tuple[int, int], str] = {}
    for match in row.matches:
        for end in (match.first, match.second):
            colours.setdefault(end, INNER if match.kind == "inner" else OUTER)
    return colours


def shape_row_text(row: ShapeRow) -> str:
    """``row`` as two lines of plain text: the shapes, then the sizes that must be equal.

    Example:
        >>> print(shape_row_text(shape_chain([(3, 2), 2], relation="→")))
        A (3×2) · B (2) → C (3)
        inner sizes equal: 2 = 2
    """
    parts = [f"{name} ({'×'.join(map(str, shape)) if shape else 'number'})" for name, shape in row.items]
    text = " · ".join(parts[:-1]) + f" {row.relation} {parts[-1]}"
    pairs = [match for match in row.matches if match.kind == "inner"]
    if not pairs:
        return text
    sizes = [str(row.items[item][1][axis]) for item, axis in (match.first for match in pairs)]
    return text + "\ninner sizes equal: " + ", ".join(f"{size} = {size}" for size in sizes)


# -- drawing a shape row ------------------------------------------------------


def _width(text: str, size: float) -> float:
    return text_width(text, size)


def _tokens(row: ShapeRow, size: float):
    """Every piece of text of the row with its x centre (row centred on 0) and, for sizes, its (item, axis).

    Returns the pieces as ``(text, key, x)`` and the row's width.
    """
    sign_pad, name_pad = 0.45 * size, 0.3 * size
    pieces: list[tuple[str, tuple[int, int] | None, float, float]] = []  # (text, key, room before, room after)
    for index, (name, shape) in enumerate(row.items):
        pieces += [(name, None, 0.0, name_pad), ("(", None, 0.0, 0.0)]
        for axis, value in enumerate(shape):
            if axis:
                pieces.append(("×", None, 0.0, 0.0))
            pieces.append((str(value), (index, axis), 0.0, 0.0))
        if not shape:
            pieces.append(("number", None, 0.0, 0.0))
        pieces.append((")", None, 0.0, 0.0))
        if index < len(row.items) - 1:
            sign = row.relation if index == len(row.items) - 2 else "·"
            pieces.append((sign, None, sign_pad, sign_pad))
    tokens, x = [], 0.0
    for text, key, before, after in pieces:
        width = _width(text, size)
        tokens.append((text, key, x + before + width / 2))
        x += before + width + after
    return [(text, key, centre - x / 2) for text, key, centre in tokens], x


def _levels(spans: list[tuple[float, float]]) -> list[int]:
    """A depth for each span so that overlapping spans never share one."""
    levels: list[int] = []
    for index, (low, high) in enumerate(spans):
        level = 0
        while any(levels[j] == level and spans[j][0] < high and low < spans[j][1] for j in range(index)):
            level += 1
        levels.append(level)
    return levels


def _label_text(row: ShapeRow, match: Match) -> str:
    if match.kind == "inner":
        return "must be equal"
    result_name, result_shape = row.items[-1]
    if len(result_shape) == 1:
        return f"size of {result_name}"
    return f"{'rows' if match.second[1] == 0 else 'columns'} of {result_name}"


def _links(row, x_of, line_y, size, labels):
    """Brackets joining equal sizes around a row of text at ``line_y``.

    Returns ``(match, corner points)`` per bracket, ``(match, x, y, text)`` per
    label, and the lowest and highest y used.
    """
    up = [m for m in row.matches if m.first == (0, 0) and m.kind == "outer"]  # the rows of the result: over the top
    down = [m for m in row.matches if m not in up]
    spans = [(x_of[m.first], x_of[m.second]) for m in down]
    levels = _levels(spans)
    shapes, notes = [], []
    below, above = line_y - 0.55 * size, line_y + 0.6 * size
    low, high = line_y - 0.7 * size, line_y + 0.7 * size
    for match, level in zip(down, levels):
        depth = below - 6 - 7 * level
        shapes.append((match, [(x_of[match.first], below), (x_of[match.first], depth), (x_of[match.second], depth), (x_of[match.second], below)]))
        low = min(low, depth)
    for match in up:
        height = above + 6
        shapes.append((match, [(x_of[match.first], above), (x_of[match.first], height), (x_of[match.second], height), (x_of[match.second], above)]))
        high = max(high, height)
    if labels:
        low, high, notes = _place_labels(row, shapes, up, low, high)
    return shapes, notes, low, high


def _place_labels(row, shapes, up, low, high):
    """Each bracket's label under it (over it for the top one), moved a line down when two would touch."""
    line = LABEL_SIZE * 1.25
    notes = []
    taken: list[tuple[float, float, float]] = []  # (x, y, half width) of each label placed below
    for match, points in shapes:
        text = _label_text(row, match)
        x = (points[0][0] + points[-1][0]) / 2
        half = _width(text, LABEL_SIZE) / 2 + 3
        if match in up:
            y = points[1][1] + line / 2 + 1
            high = max(high, y + line / 2)
        else:
            y = points[1][1] - line / 2 - 1
            while any(abs(y - ty) < line and abs(x - tx) < half + th for tx, ty, th in taken):
                y -= line
            taken.append((x, y, half))
            low = min(low, y - line / 2)
        notes.append((match, x, y, text))
    return low, high, notes


def _row_statements(row: ShapeRow, x_centre: float, y_top: float, *, size: float, labels: bool, prefix: str):
    tokens, _ = _tokens(row, size)
    colours = _marked(row)
    x_of = {key: x_centre + x for _, key, x in tokens if key is not None}
    shapes, notes, low, high = _links(row, x_of, 0.0, size, labels)
    shift = y_top - high  # everything was laid out around a line at y = 0
    nodes, edges = [], []
    for index, (text, key, x) in enumerate(tokens):
        colour = colours.get(key, INK) if key is not None else INK
        nodes.append(text_node(f"{prefix}_t{index}", x_centre + x, shift, text, size=size, color=colour))
    for number, (match, points) in enumerate(shapes):
        colour = INNER if match.kind == "inner" else OUTER
        ids = [f"{prefix}_p{number}_{k}" for k in range(len(points))]
        for node_id, (x, y) in zip(ids, points):
            nodes.append(statement(node_id, {"shape": "point", "width": 0.01, "style": "invis", "pos": pos(x, y + shift)}))
        for a, b in zip(ids, ids[1:]):
            edges.append(statement(f"{a} -> {b}", {"dir": "none", "color": colour, "penwidth": 1.2}))
    for number, (match, x, y, text) in enumerate(notes):
        colour = INNER if match.kind == "inner" else OUTER
        nodes.append(text_node(f"{prefix}_l{number}", x, y + shift, text, size=LABEL_SIZE, color=colour))
    return nodes, edges, high - low


def shape_row_nodes(row: ShapeRow, x_centre: float, y_top: float, *, labels: bool = True, prefix: str = "shapes") -> tuple[list[str], float]:
    """DOT statements drawing ``row`` centred on ``x_centre``, its top at ``y_top`` (points, y up).

    The sizes that must be equal are joined by orange brackets underneath; the
    sizes that make the result's shape by blue ones (the result's rows over
    the top). Put the statements into a pinned (``nop2``) diagram, e.g. the
    ``nodes`` of :func:`~nngraph.render.dot.document`; node ids start with ``prefix``.

    Returns:
        the statements (nodes first, then the bracket lines) and the height used.

    Raises:
        OptionError: for a ``prefix`` that is not a plain DOT name.

    Example:
        >>> statements, height = shape_row_nodes(shape_chain([(2, 3), (3, 2)]), 0, -200)
        >>> statements[0]
        '  shapes_t0 [shape="plaintext", label="A", pos="-83.7,-226.7", width=0.15, height=0.21, fontsize=12, fontcolor="black"];'
        >>> round(height, 1)
        65.3
    """
    if not isinstance(prefix, str) or not PREFIX.match(prefix):
        raise OptionError(f"prefix must be letters, digits and '_', not starting with a digit; got {prefix!r}")
    nodes, edges, height = _row_statements(row, float(x_centre), float(y_top), size=ROW_SIZE, labels=bool(labels), prefix=prefix)
    return nodes + edges, height


def matrix_shapes(shapes, *, names=None, title=None) -> Diagram:
    """Figures 3-11 and 3-12: a product by shapes, the inner sizes marked "must be equal".

    Args:
        shapes: two or more shapes, e.g. ``[(2, 3), (3, 2)]`` or ``[(3, 2), (2,)]``.
        names: one name per shape and one for the result (default A, B, C, …).
        title: a caption above the drawing.

    Raises:
        ShapeError: if inner sizes differ (``inner sizes 3 ≠ 2``).
        InputError: for a shape that is not one or two sizes.
        OptionError: for names of the wrong number or kind.

    Example:
        >>> d = matrix_shapes([(2, 3), (3, 2)])
        >>> "must be equal" in d.source and "rows of C" in d.source and "columns of C" in d.source
        True
    """
    row = shape_chain(shapes, names)
    nodes, edges, _ = _row_statements(row, 0.0, 0.0, size=FIGURE_SIZE, labels=True, prefix="shapes")
    attrs = graph_attributes(None if title is None else str(title))
    return Diagram(document(attrs, nodes, edges), engine="nop2", name="matrix-shapes")


# -- a product with its numbers (figure 3-10) -----------------------------------


def _numbers(value, name: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise InputError(f"{name} is not a rectangular array of numbers: {err}") from err
    if array.dtype.kind not in "iuf":
        raise InputError(f"{name} must hold numbers (integers or floats); got dtype {array.dtype}")
    if array.ndim not in (1, 2) or array.size == 0:
        raise InputError(f"{name} must be a vector or a matrix with at least one entry; got shape {array.shape}")
    if max(array.shape) > MAX_DRAWN:
        raise InputError(
            f"{name} is {_shape_text(array.shape)}, but matrix_product draws at most {MAX_DRAWN}×{MAX_DRAWN} "
            f"with its numbers; take a smaller example, or draw the shapes alone with matrix_shapes"
        )
    if not np.isfinite(array).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise InputError(f"{name} holds {array[index].item()!r} at index {index}; the numbers must be finite")
    return array


def _product_names(names) -> tuple[str, str, str]:
    if isinstance(names, str) or not isinstance(names, (tuple, list)) or len(names) not in (2, 3):
        raise OptionError(f"names must be 2 strings (A, B) or 3 (A, B and the result); got {names!r}")
    if not all(isinstance(name, str) for name in names):
        raise OptionError(f"names must be strings; got {names!r}")
    return (names[0], names[1], names[2] if len(names) == 3 else f"{names[0]}·{names[1]}")


def _cell(value, integers: bool) -> str:
    return signed(str(int(value)) if integers else format_number(value, 4))


def _grids(A: np.ndarray, B: np.ndarray) -> list[np.ndarray]:
    """A, B and A·B as drawn: a vector first is a row, a vector second a column (as ``@`` reads them)."""
    product = np.asarray(A @ B)
    grid_a = A[None, :] if A.ndim == 1 else A
    grid_b = B[:, None] if B.ndim == 1 else B
    return [grid_a, grid_b, product.reshape(grid_a.shape[0], grid_b.shape[1])]


def _highlight(highlight, shape: tuple[int, int]) -> tuple[int, int] | None:
    if highlight is None:
        return None
    if isinstance(highlight, (str, bytes)) or not isinstance(highlight, (tuple, list)) or len(highlight) != 2:
        raise OptionError(f"highlight must be None or (row, column) of the result, counted from 0; got {highlight!r}")
    i = whole("highlight row", highlight[0], 0, shape[0] - 1, meaning=f"the result has {shape[0]} row(s), counted from 0")
    j = whole("highlight column", highlight[1], 0, shape[1] - 1, meaning=f"the result has {shape[1]} column(s), counted from 0")
    return i, j


def _sum_lines(grids, texts, names, i: int, j: int, vectors: tuple[bool, bool]) -> tuple[str, str]:
    """``row 1 of A · column 1 of B`` and ``1×5 + 2×7 = 19``."""
    left = names[0] if vectors[0] else f"row {i + 1} of {names[0]}"
    right = names[1] if vectors[1] else f"column {j + 1} of {names[1]}"
    terms = []
    for k in range(grids[0].shape[1]):
        left_factor, right_factor = texts[0][i][k], texts[1][k][j]
        if k and grids[0][i, k] < 0:  # "+ (−2)×7", not "+ −2×7"
            left_factor = f"({left_factor})"
        terms.append(f"{left_factor}×" + (f"({right_factor})" if grids[1][k, j] < 0 else right_factor))
    return f"{left} · {right}", f"{' + '.join(terms)} = {texts[2][i][j]}"


def _box(node_id: str, x: float, y: float, width: float, height: float, fill: str, line: str) -> str:
    return statement(node_id, {
        "shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": line, "penwidth": 1.2,
        "label": "", "width": round(width / 72, 3), "height": round(height / 72, 3), "pos": pos(x, y),
    })


def _bracket(prefix: str, x_left: float, x_right: float, half: float) -> tuple[list[str], list[str]]:
    """``[`` and ``]`` around a grid: three lines each, between invisible points."""
    nodes, edges, serif = [], [], 5.0
    for side, x, inward in (("l", x_left, serif), ("r", x_right, -serif)):
        points = [(x + inward, half), (x, half), (x, -half), (x + inward, -half)]
        ids = [f"{prefix}{side}{k}" for k in range(4)]
        nodes += [statement(i, {"shape": "point", "width": 0.01, "style": "invis", "pos": pos(px, py)}) for i, (px, py) in zip(ids, points)]
        edges += [statement(f"{a} -> {b}", {"dir": "none", "color": INK, "penwidth": 1.3}) for a, b in zip(ids, ids[1:])]
    return nodes, edges


def _grid_nodes(m: int, text: list[list[str]], left: float, cell: float, row_h: float) -> tuple[list[str], list[str]]:
    """The numbers of one grid, centred on y = 0, and its brackets."""
    rows, columns = len(text), len(text[0])
    nodes = [
        text_node(f"M{m}_{r}_{c}", left + (c + 0.5) * cell, ((rows - 1) / 2 - r) * row_h, value, size=NUMBER_SIZE)
        for r, line in enumerate(text)
        for c, value in enumerate(line)
    ]
    frame_nodes, frame_edges = _bracket(f"M{m}_", left - 2, left + columns * cell + 2, rows * row_h / 2 + 2)
    return frame_nodes + nodes, frame_edges


def _highlights(frames, shapes, chosen, row_h: float) -> list[str]:
    """Boxes under row i of A, column j of B and entry (i, j) of the result."""
    i, j = chosen
    (left_a, cell_a), (left_b, cell_b), (left_c, cell_c) = frames

    def y_of(m: int, r: int) -> float:
        return ((shapes[m][0] - 1) / 2 - r) * row_h

    width_a = shapes[0][1] * cell_a
    return [
        _box("row", left_a + width_a / 2, y_of(0, i), width_a - 2, row_h - 3, ROW_FILL, ROW_LINE),
        _box("column", left_b + (j + 0.5) * cell_b, 0.0, cell_b - 3, shapes[1][0] * row_h - 2, COLUMN_FILL, COLUMN_LINE),
        _box("entry", left_c + (j + 0.5) * cell_c, y_of(2, i), cell_c - 3, row_h - 3, ENTRY_FILL, ENTRY_LINE),
    ]


def matrix_product(A, B, *, highlight=(0, 0), names=("A", "B"), title=None) -> Diagram:
    """Figure 3-10: how a matrix product is computed, one entry worked out.

    The three matrices are drawn with their numbers in brackets, their names
    above and their shapes below. With ``highlight=(i, j)``, row i of A,
    column j of B and entry (i, j) of the result are shaded, and the sum that
    gives the entry is written underneath (``1×5 + 2×7 = 19``). A vector
    first is drawn as a row (x·W), a vector second as a column (A·b), as
    NumPy's ``@`` reads them.

    Args:
        A, B: vectors or matrices of numbers, at most 6×6 (:data:`MAX_DRAWN`).
        highlight: ``(row, column)`` of the result to work out, counted from 0, or None.
        names: the names of A and B, and optionally of the result (default ``A·B``).
        title: a caption above the drawing.

    Raises:
        ShapeError: if the inner sizes differ (``inner sizes 3 ≠ 2; B needs 3 rows``).
        InputError: for arrays that are not finite numbers, empty, more than 2-D or too big to draw.
        OptionError: for a ``highlight`` outside the result, or ``names`` that are not 2 or 3 strings.

    Example:
        >>> d = matrix_product([[1, 2], [3, 4]], [[5, 6], [7, 8]], highlight=(1, 1))
        >>> "row 2 of A · column 2 of B" in d.source and "3×6 + 4×8 = 50" in d.source
        True
    """
    names = _product_names(names)
    A, B = _numbers(A, names[0]), _numbers(B, names[1])
    row = shape_chain([A.shape, B.shape], names)  # the book's rule, before NumPy's own error
    grids = _grids(A, B)
    chosen = _highlight(highlight, grids[2].shape)
    texts = [[[_cell(v, grid.dtype.kind in "iu") for v in line] for line in grid] for grid in grids]
    row_h = NUMBER_SIZE * 1.7
    nodes, edges, frames, x = [], [], [], 0.0
    for m, text in enumerate(texts):
        cell = max(26.0, max(_width(t, NUMBER_SIZE) for line in text for t in line) + 14)
        frames.append((x + 9, cell))
        x += 18 + cell * len(text[0])
        if m < 2:
            nodes.append(text_node(f"sign{m}", x + 12, 0, ("·", "=")[m], size=NUMBER_SIZE + 2))
            x += 24
    if chosen is not None:
        nodes += _highlights(frames, [g.shape for g in grids], chosen, row_h)
    half = max(len(text) for text in texts) * row_h / 2
    for m, (text, (left, cell)) in enumerate(zip(texts, frames)):
        grid_nodes, grid_edges = _grid_nodes(m, text, left, cell, row_h)
        nodes += grid_nodes
        edges += grid_edges
        centre = left + cell * len(text[0]) / 2
        nodes.append(text_node(f"name{m}", centre, half + 16, row.items[m][0], size=NUMBER_SIZE))
        nodes.append(text_node(f"shape{m}", centre, -half - 16, _shape_text(row.items[m][1]), size=11, color="#555555"))
    if chosen is not None:
        about, worked = _sum_lines(grids, texts, names, *chosen, (A.ndim == 1, B.ndim == 1))
        nodes.append(text_node("about", x / 2, -half - 42, about, size=11))
        nodes.append(text_node("sum", x / 2, -half - 60, worked, size=NUMBER_SIZE, color=ENTRY_LINE))
    attrs = graph_attributes(None if title is None else str(title))
    return Diagram(document(attrs, nodes, edges), engine="nop2", name="matrix-product")
