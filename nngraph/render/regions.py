"""Decision regions of 2-input networks in the (x₁, x₂) plane: figures 2-6, 2-7 and 2-8.

The network itself is evaluated on a fine grid over the plane. Where the
plotted output is 0 the plane is shaded light grey, the border between the
regions is a thin black line, and the inputs (0, 0), (1, 0), (0, 1), (1, 1) are
marked ○ where the network outputs 0 and △ where it outputs 1. A lone step
neuron gets its exact line w₁x₁ + w₂x₂ + b = 0 instead of a traced one; a
continuous output (sigmoid) is shaded by value with its 0.5 contour drawn; an
output of several columns is split into classes by its largest column.
Needs matplotlib: ``pip install 'nngraph[plot]'``.

Example:
    >>> from nngraph import or_gate
    >>> svg = plot_regions(or_gate())
    >>> b'id="boundary"' in svg and b'id="region-0"' in svg
    True
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from ..checks import real_array
from ..errors import InputError, OptionError, RenderError, ShapeError
from ..files import write_atomically
from ..formatting import format_number
from ..graph import Graph
from ..nodes import ActivationNode, AffineNode, InputNode, Operation, WeightNode
from ..notation import indexed, signed, subscript
from .options import LANGUAGES, choice, whole
from .plots import DETERMINISTIC

__all__ = ["plot_regions"]

GATE_POINTS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
BOOK_RANGE = (-0.5, 1.5)
SHADE = 0.82  # the grey of output 0; lighter shades for further classes, white for the last
MARKERS = ("o", "^", "s", "D", "v", "p", "h", "*")  # ○ for 0 and △ for 1, as in the book
FORMATS = ("pdf", "png", "svg")
CJK_FONTS = ("Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans TC", "WenQuanYi Zen Hei", "Microsoft JhengHei")


@dataclass(frozen=True)
class _Regions:
    """What the network computes on the plane, ready to draw.

    ``kind`` is ``"binary"`` (every value 0 or 1), ``"classes"`` (argmax of
    several columns) or ``"values"`` (continuous, split at ``threshold``);
    ``grid`` holds the class (or the value) at ``(ys[i], xs[j])`` as ``grid[i, j]``.
    """

    xs: np.ndarray
    ys: np.ndarray
    grid: np.ndarray
    kind: str
    classes: tuple[int, ...]
    threshold: float | None
    points: np.ndarray
    point_classes: np.ndarray
    line: tuple[float, float, float] | None
    axis_names: tuple[str, str]
    symbols: tuple[str, ...]


def _symbol(name: str, column: int, width: int) -> str:
    """A node's column in the book's notation: ``y``, ``y₂``, ``z₁⁽¹⁾`` (node ``z1``)."""
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if match:
        return indexed(match[1], column + 1, layer=int(match[2]))
    return name if width == 1 else indexed(name, column + 1)


def _plane(graph) -> tuple[tuple[str, str], Callable[[np.ndarray], dict[str, np.ndarray]]]:
    """The axis names and a function turning (N, 2) points into the graph's inputs."""
    if not isinstance(graph, Graph):
        raise InputError(f"plot_regions needs an nngraph Graph (e.g. nngraph.or_gate()); got {type(graph).__name__}")
    inputs = graph.inputs
    widths = [node.width for node in inputs]
    if widths == [2]:
        name = inputs[0].name
        return (indexed(name, 1), indexed(name, 2)), lambda xy: {name: xy}
    if widths == [1, 1]:
        first, second = (node.name for node in inputs)
        x_name, y_name = (re.sub(r"(?<=[A-Za-z])(\d+)$", lambda m: subscript(m[1]), n) for n in (first, second))
        return (x_name, y_name), lambda xy: {first: xy[:, :1], second: xy[:, 1:]}
    described = ", ".join(f"{node.name!r} of width {node.width}" for node in inputs) or "none"
    raise ShapeError(
        f"plot_regions draws networks with 2 inputs (x₁, x₂) in the plane; network {graph.name!r} "
        f"has {sum(widths)} (inputs: {described}); draw it as a neuron or signal diagram instead"
    )


def _pick(graph: Graph, node, output) -> tuple[str, int | str]:
    """The node to plot and its column (a number, or ``"argmax"`` for classes)."""
    signals = {n.name: n for n in graph if isinstance(n, Operation)}
    if node is None:
        outputs = [n.name for n in graph.outputs]
        if len(outputs) != 1:
            raise OptionError(f"network {graph.name!r} has outputs {outputs}; pick one with node=, e.g. node={outputs[0]!r}")
        node = outputs[0]
    node = choice("node", node, signals)
    width = signals[node].width
    if output is None:
        return node, 0 if width == 1 else "argmax"
    if isinstance(output, str):
        if output != "argmax":
            raise OptionError(f"output must be a column of {node!r} from 0 to {width - 1} or 'argmax'; got {output!r}")
        return node, output
    return node, whole("output", output, 0, width - 1, meaning=f"a column of {node!r}, or 'argmax'")


def _range(option: str, value) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise OptionError(f"{option} must be two numbers (low, high), like (-0.5, 1.5); got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise OptionError(f"{option} must be two finite numbers with low < high, like (-0.5, 1.5); got {value!r}")
    return low, high


def _points(points, x_range, y_range) -> np.ndarray:
    """The points to mark: the gate inputs for ``"auto"`` (if they are in view), none for None."""
    if isinstance(points, str):
        choice("points", points, ("auto",))
        inside = x_range[0] <= 0 and x_range[1] >= 1 and y_range[0] <= 0 and y_range[1] >= 1
        return GATE_POINTS.copy() if inside else np.zeros((0, 2))
    if points is None:
        return np.zeros((0, 2))
    array = real_array(points, "points", InputError, copy=True).astype(np.float64)
    if array.shape == (2,):
        array = array.reshape(1, 2)
    if array.ndim != 2 or array.shape[1] != 2:
        raise InputError(f"points must be (x₁, x₂) pairs, an array of shape (N, 2); got shape {array.shape}")
    if not np.isfinite(array).all():
        raise InputError("points must be finite numbers; remove the inf or nan")
    outside = (array[:, 0] < x_range[0]) | (array[:, 0] > x_range[1]) | (array[:, 1] < y_range[0]) | (array[:, 1] > y_range[1])
    if outside.any():
        raise InputError(
            f"point {tuple(array[outside][0].tolist())} lies outside x_range {x_range} × y_range {y_range}; "
            f"widen the ranges or leave it out"
        )
    return array


def _values(graph: Graph, feed, node: str, xy: np.ndarray) -> np.ndarray:
    """``node``'s output on every row of ``xy``, as an (N, width) array."""
    for step in graph.steps(feed(xy)):
        if step.node == node:
            values = np.asarray(step.output, dtype=np.float64).reshape(len(xy), -1)
            if not np.isfinite(values).all():
                raise RenderError(f"node {node!r} of {graph.name!r} gives inf or nan in the plotted ranges; narrow x_range and y_range")
            return values
    raise RenderError(f"node {node!r} was not evaluated")  # every signal node is a step of the plan


def _step_line(graph: Graph, node: str, column) -> tuple[float, float, float] | None:
    """(w₁, w₂, b) when the column is step(w₁x₁ + w₂x₂ + b) of the inputs: its boundary is that line."""
    # Beside each kind its class, for mypy (NODE_KINDS holds one class per kind); W and b are weights, as Graph.add checks.
    step = graph[node]
    if not isinstance(step, ActivationNode) or step.h.name != "step" or column == "argmax":
        return None
    affine = graph[step.source]
    if not isinstance(affine, AffineNode):
        return None
    x = graph[affine.x]
    if not isinstance(x, InputNode) or x.width != 2:
        return None
    W = cast(WeightNode, graph[affine.W]).value
    b = 0.0 if affine.b is None else float(cast(WeightNode, graph[affine.b]).value[column])
    return float(W[0, column]), float(W[1, column]), b


def _classify(values: np.ndarray, column, threshold) -> tuple[str, np.ndarray, float | None]:
    """The kind of output, the class (or value) of each row, and the threshold used."""
    if column == "argmax":
        return "classes", np.argmax(values, axis=1).astype(np.float64), None
    chosen = values[:, column]
    if threshold is None and np.isin(chosen, (0.0, 1.0)).all():
        return "binary", chosen, None
    if threshold is None:
        threshold = 0.5 if chosen.min() >= 0 and chosen.max() <= 1 else 0.0
    elif isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)) or not math.isfinite(threshold):
        raise OptionError(f"threshold must be a finite number such as 0.5; got {threshold!r}")
    return "values", chosen, float(threshold)


def _evaluate(graph, node, output, points, x_range, y_range, resolution, threshold) -> _Regions:
    axis_names, feed = _plane(graph)
    node, column = _pick(graph, node, output)
    x_range, y_range = _range("x_range", x_range), _range("y_range", y_range)
    resolution = whole("resolution", resolution, 10, 2000, meaning="grid points along each axis")
    points = _points(points, x_range, y_range)
    xs, ys = (np.linspace(low, high, resolution) for low, high in (x_range, y_range))
    X, Y = np.meshgrid(xs, ys)
    values = _values(graph, feed, node, np.vstack([np.column_stack([X.ravel(), Y.ravel()]), points]))
    kind, grid, threshold = _classify(values, column, threshold)
    if kind == "values":
        point_classes = (grid[X.size :] > threshold).astype(int)
    else:
        point_classes = grid[X.size :].astype(int)
    width = values.shape[1]
    shown = range(width) if isinstance(column, str) else [column]  # a str column is "argmax": kind "classes"
    classes = tuple(range(width)) if kind == "classes" else (0, 1)
    return _Regions(
        xs, ys, grid[: X.size].reshape(X.shape), kind, classes, threshold, points, point_classes,
        _step_line(graph, node, column), axis_names, tuple(_symbol(node, c, width) for c in shown),
    )


def _half_plane(line, x_range, y_range):
    """The view's part where w₁x₁ + w₂x₂ + b ≤ 0 (output 0) as a polygon, and the line's visible segment."""
    w1, w2, b = line
    (x0, x1), (y0, y1) = x_range, y_range
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    polygon, segment = [], []
    for p, q in zip(corners, corners[1:] + corners[:1]):
        sp, sq = w1 * p[0] + w2 * p[1] + b, w1 * q[0] + w2 * q[1] + b
        if sp <= 0:
            polygon.append(p)
        if sp == 0:
            segment.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            crossing = (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
            polygon.append(crossing)
            segment.append(crossing)
    return polygon, (segment if len(segment) == 2 else [])


def _equation(line, axis_names) -> str:
    """``0.5x₁ + 0.5x₂ − 0.2 = 0``, the book's way of writing the line."""
    terms = [(w, name) for w, name in zip(line[:2], axis_names) if w != 0] + [(line[2], "")]
    text = ""
    for w, name in terms:
        if name == "" and w == 0 and text:
            continue
        magnitude = format_number(abs(w), 4)
        text += (" − " if w < 0 else " + ") if text else ("−" if w < 0 else "")
        text += magnitude + name
    return signed(text) + " = 0"


def _shades(count: int) -> list[str]:
    """Light greys for classes 0 … count−1: class 0 the book's grey, the last white."""
    levels = np.linspace(SHADE, 1.0, max(count, 2))
    return [f"{level:.3f}" for level in levels]


def _draw_regions(axes, regions: _Regions):
    """Shade the plane; returns the filled contours of a continuous output (for its colour bar)."""
    xs, ys, grid = regions.xs, regions.ys, regions.grid
    if regions.line is not None:
        polygon, _ = _half_plane(regions.line, (xs[0], xs[-1]), (ys[0], ys[-1]))
        if len(polygon) >= 3:
            (patch,) = axes.fill(*zip(*polygon), color=str(SHADE), linewidth=0, zorder=0)
            patch.set_gid("region-0")
        return None
    if regions.kind == "values":
        from matplotlib.colors import LinearSegmentedColormap
        from matplotlib.ticker import MaxNLocator

        low, high = float(grid.min()), float(grid.max())
        levels = MaxNLocator(10).tick_values(low, high) if high > low else [low - 0.5, low + 0.5]
        greys = LinearSegmentedColormap.from_list("nngraph-greys", [str(SHADE), "white"])
        filled = axes.contourf(xs, ys, grid, levels=levels, cmap=greys, zorder=0)
        filled.set_gid("region-values")
        return filled
    shades = _shades(len(regions.classes))
    for k in regions.classes[:-1]:  # the last class stays white
        inside = (grid == k).astype(np.float64)
        if inside.any():
            filled = axes.contourf(xs, ys, inside, levels=[0.5, 1.5], colors=[shades[k]], zorder=0)
            filled.set_gid(f"region-{k}")
    return None


def _draw_boundary(axes, regions: _Regions) -> None:
    xs, ys, grid = regions.xs, regions.ys, regions.grid
    thin = {"colors": "black", "linewidths": 1.0, "zorder": 2}
    if regions.line is not None:
        _, segment = _half_plane(regions.line, (xs[0], xs[-1]), (ys[0], ys[-1]))
        if segment:
            (line,) = axes.plot(*zip(*segment), color="black", linewidth=1.0, zorder=2)
            line.set_gid("boundary")
    elif regions.kind == "values":
        if grid.min() < regions.threshold < grid.max():
            axes.contour(regions.xs, regions.ys, grid, levels=[regions.threshold], **thin).set_gid("boundary")
    elif regions.kind == "binary":
        if grid.min() < grid.max():
            axes.contour(xs, ys, grid, levels=[0.5], **thin).set_gid("boundary")
    else:
        present = [k for k in regions.classes if (grid == k).any()]
        for k in present[:-1]:  # every border touches a class before the last present one
            axes.contour(xs, ys, (grid == k).astype(np.float64), levels=[0.5], **thin).set_gid(f"boundary-{k}")


def _marker_style(k: int) -> dict:
    return {"marker": MARKERS[k % len(MARKERS)], "markersize": 11, "markerfacecolor": "none",
            "markeredgecolor": "black", "markeredgewidth": 1.3, "linestyle": "none"}


def _draw_points(axes, regions: _Regions) -> None:
    for k in sorted(set(regions.point_classes.tolist())):
        chosen = regions.points[regions.point_classes == k]
        (marks,) = axes.plot(chosen[:, 0], chosen[:, 1], clip_on=False, zorder=3, **_marker_style(k))
        marks.set_gid(f"points-{k}")


def _legend_entries(regions: _Regions, shaded: bool, boundary: bool) -> list[tuple]:
    """(handle, label) pairs: each class as its shade with its marker, then the boundary."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shades = _shades(len(regions.classes))
    marked = set(regions.point_classes.tolist())
    entries: list[tuple[Artist | tuple[Artist, ...], str]] = []
    for k in regions.classes:
        in_view = k in marked or (regions.kind != "values" and bool((regions.grid == k).any()))
        if not in_view:
            continue
        parts: list[Artist] = []
        if shaded and regions.kind != "values":
            parts.append(Patch(facecolor=shades[k], edgecolor="0.45", linewidth=0.6))
        if k in marked:
            parts.append(Line2D([], [], **{**_marker_style(k), "markersize": 8}))
        if regions.kind == "classes":
            label = f"{regions.symbols[k]} = max"
        elif regions.kind == "values" and regions.threshold is not None:  # a threshold always splits values
            label = f"{regions.symbols[0]} {'>' if k else '≤'} {format_number(regions.threshold, 4)}"
        else:
            label = f"{regions.symbols[0]} = {k}"
        if parts:
            entries.append((tuple(parts), signed(label)))
    if boundary and regions.line is not None:
        entries.append((Line2D([], [], color="black", linewidth=1.0), _equation(regions.line, regions.axis_names)))
    elif boundary and regions.kind == "values" and regions.threshold is not None and regions.grid.min() < regions.threshold < regions.grid.max():
        entries.append((Line2D([], [], color="black", linewidth=1.0), signed(f"{regions.symbols[0]} = {format_number(regions.threshold, 4)}")))
    return entries


def _output_format(path, format) -> str:
    """The file format: ``format`` if given, else the suffix of ``path``, else SVG."""
    if format is not None:
        format = choice("format", format, FORMATS)
    if path is None:
        return format or "svg"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise OptionError(f"path must end in .pdf, .png or .svg (its suffix picks the format); got {str(path)!r}")
    if format not in (None, suffix):
        raise OptionError(f"format {format!r} does not match the file {str(path)!r}; leave format out or end the name in .{format}")
    return suffix


def _fonts(language: str) -> list[str]:
    """DejaVu Sans (x₁, ⁽¹⁾, −), then for Chinese any installed CJK font for the glyphs it lacks."""
    if language != "zh":
        return ["DejaVu Sans"]
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(name for name in CJK_FONTS if name in installed)]


def _flag(option: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise OptionError(f"{option} must be True or False; got {value!r}")
    return bool(value)


def _draw(regions: _Regions, shaded: bool, boundary: bool, title, fonts: list[str], format: str) -> bytes:
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise RenderError(f"plotting decision regions needs matplotlib ({err}); install it with: pip install 'nngraph[plot]'") from err
    with matplotlib.rc_context({**DETERMINISTIC, "font.family": fonts}):
        figure = Figure(figsize=(4.6, 4.6))
        FigureCanvasAgg(figure)  # a non-interactive canvas; pyplot's global state stays untouched
        axes = figure.add_subplot()
        axes.patch.set_gid("plot-area")
        filled = _draw_regions(axes, regions) if shaded else None
        if boundary:
            _draw_boundary(axes, regions)
        _draw_points(axes, regions)
        axes.set_xlim(regions.xs[0], regions.xs[-1])
        axes.set_ylim(regions.ys[0], regions.ys[-1])
        axes.set_aspect("equal")
        for name, set_label, limits, set_ticks in (
            (regions.axis_names[0], axes.set_xlabel, regions.xs, axes.set_xticks),
            (regions.axis_names[1], axes.set_ylabel, regions.ys, axes.set_yticks),
        ):
            set_label(name, parse_math=False, fontsize=12)
            ticks = [t for t in (0, 1) if limits[0] <= t <= limits[-1]]
            if ticks:
                set_ticks(ticks, [str(t) for t in ticks])
        if filled is not None:
            bar = figure.colorbar(filled, ax=axes, fraction=0.046, pad=0.04)
            bar.ax.set_ylabel(regions.symbols[0], parse_math=False)
        entries = _legend_entries(regions, shaded, boundary)
        if entries:
            handles, labels = zip(*entries)
            legend = axes.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                                 ncol=min(len(entries), 3), frameon=False,
                                 handlelength=1.8, handleheight=1.8)
            for text in legend.get_texts():
                text.set_parse_math(False)
        if title is not None:
            axes.set_title(str(title), parse_math=False)
        buffer = io.BytesIO()
        metadata = {"svg": {"Date": None}, "png": {"Software": None}, "pdf": {"CreationDate": None}}[format]
        figure.savefig(buffer, format=format, metadata=metadata, bbox_inches="tight")
    return buffer.getvalue()


def plot_regions(graph: Graph, path=None, *, node: str | None = None, output: int | str | None = None, points="auto",
                 x_range=BOOK_RANGE, y_range=BOOK_RANGE, regions: bool = True, boundary: bool = True,
                 threshold: float | None = None, resolution: int = 400, title: str | None = None,
                 language: str = "en", format: str | None = None) -> bytes:
    """Draw what a 2-input network computes over the (x₁, x₂) plane, like figures 2-6 to 2-8.

    Args:
        graph: a network with 2 inputs: one input of width 2 (x₁, x₂) or two of width 1.
        path: if given, the image is also written there (atomically); its suffix
            (.svg, .png, .pdf) picks the format.
        node: the node to plot; by default the network's only output. A hidden
            node works too (``node="z1"``: what XOR's first layer computes).
        output: the column of ``node`` to plot, from 0; ``"argmax"`` splits the plane
            into classes by the largest column. By default 0 for one column, else ``"argmax"``.
        points: ``"auto"`` marks the gate inputs (0, 0), (1, 0), (0, 1), (1, 1); an
            (N, 2) array marks those points; None marks none. Each point is marked
            by the network's own output there: ○ for 0 (or below ``threshold``), △ for 1.
        x_range, y_range: ``(low, high)`` of each axis; the book's view is (−0.5, 1.5).
        regions: shade the plane: grey where the output is 0 (a continuous output
            by its value, with a colour bar).
        boundary: draw the border between the regions: the exact line
            w₁x₁ + w₂x₂ + b = 0 for a step neuron of the inputs, else traced on the grid.
        threshold: where a continuous output is split; by default 0.5 for outputs in
            [0, 1] (sigmoid), else 0. Giving it treats a 0/1 output as continuous too.
        resolution: grid points along each axis (10 to 2000).
        title: a title above the plot.
        language: ``"en"`` or ``"zh"``; the drawing itself is notation only (x₁, y = 0,
            y₂ = max), and ``"zh"`` adds an installed CJK font for a Chinese ``title``.
        format: ``"svg"``, ``"png"`` or ``"pdf"``; by default from ``path``, else SVG.

    Returns:
        The image bytes; the same arguments give the same bytes every run.

    Raises:
        ShapeError: for a network that does not have 2 inputs.
        InputError: for ``points`` that are not finite (N, 2) pairs inside the view.
        OptionError: for a bad option (``node``, ``output``, ranges, ``path``'s suffix, …).
        RenderError: when matplotlib is missing.

    Example:
        >>> from nngraph import xor_gate
        >>> svg = plot_regions(xor_gate(), title="XOR")
        >>> b'id="points-0"' in svg and b'id="points-1"' in svg
        True
    """
    shaded, boundary = _flag("regions", regions), _flag("boundary", boundary)
    fonts = _fonts(choice("language", language, LANGUAGES))
    format = _output_format(path, format)
    found = _evaluate(graph, node, output, points, x_range, y_range, resolution, threshold)
    data = _draw(found, shaded, boundary, title, fonts, format)
    if path is not None:
        write_atomically(path, lambda file: file.write(data))
    return data
