r"""DOT text for pinned drawings: quoting, statements, text sizes and label placement.

Shared by the neuron diagram and the neuron detail. Every user-given text goes
through :func:`quote`, so it is shown literally and changes nothing else.

Example:
    >>> print(statement("a", {"label": 'say "hi"', "width": 0.5}))
      a [label="say \"hi\"", width=0.5];
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from .style import FONT, INK, NEURON_TEXT_SIZE, TITLE_SIZE

# Three vertical dots for elided neurons: U+205D, not "⋮" (U+22EE), which the fonts
# bundled with graphviz-pure lack, so PNGs would show an empty box.
VERTICAL_DOTS = "⁝"


def quote(text) -> str:
    """``text`` as a DOT string that Graphviz prints literally.

    ``&`` becomes ``&amp;`` because Graphviz decodes HTML entities in labels,
    and backslashes are doubled so that ``\\N`` or ``\\G`` stay text.

    Example:
        >>> print(quote('a"b'), quote("x\\\\N"), quote("&lt;"))
        "a\\"b" "x\\\\N" "&amp;lt;"
    """
    text = str(text).replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n").replace("\r", "") + '"'


def _number(value) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def statement(name: str, attrs: Mapping) -> str:
    """One DOT node or edge statement, attributes in the given order."""
    parts = [f"{key}={quote(value) if isinstance(value, str) else _number(value)}" for key, value in attrs.items()]
    return f"  {name} [{', '.join(parts)}];" if parts else f"  {name};"


def text_width(text: str, size: float) -> float:
    """A generous estimate of ``text``'s width in points at font ``size`` (sans-serif)."""
    width = 0.0
    for char in text:
        if ord(char) > 0x2E80:  # CJK
            width += 1.0
        elif char in "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾₍₎":
            width += 0.42
        elif char in " .,:·()[]1iljft":
            width += 0.32
        else:
            width += 0.6
    return width * size


def document(graph_attrs: Mapping, nodes: list[str], edges: list[str]) -> str:
    """The whole DOT text: pinned nodes, straight arrows, nodes drawn over arrows."""
    lines = ["digraph neurons {", statement("graph", graph_attrs)]
    lines.append(statement("node", {"fontname": FONT, "fontsize": NEURON_TEXT_SIZE, "fixedsize": "shape", "margin": 0}))
    lines.append(statement("edge", {"arrowsize": 0.6, "color": INK}))
    return "\n".join([*lines, *nodes, *edges, "}", ""])


def graph_attributes(title: str | None, font: str = FONT) -> dict:
    """Straight arrows under the nodes; the title, if any, on top."""
    attrs = {"splines": "line", "outputorder": "edgesfirst", "bgcolor": "white", "pad": 0.2}
    if title:
        attrs.update(label=title, labelloc="t", fontname=font, fontsize=TITLE_SIZE)
    return attrs


def pos(x: float, y: float) -> str:
    """A pinned position in points, as engine ``nop2`` reads it."""
    return f"{x:.1f},{y:.1f}"


def file_name(text: str) -> str:
    """``text`` reduced to characters safe in a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-.") or "network"


def text_node(node_id: str, x: float, y: float, text: str, *, size: float = 10, color: str = INK, fill: str | None = None, font: str | None = None) -> str:
    """A pinned label without border, sized by :func:`text_width` (optionally on a filled box)."""
    lines = text.split("\n")
    attrs = {
        "shape": "plaintext",
        "label": text,
        "pos": pos(x, y),
        "width": max(text_width(line, size) for line in lines) / 72 + 0.04,
        "height": len(lines) * size * 1.25 / 72,
        "fontsize": size,
        "fontcolor": color,
    }
    if fill:
        attrs.update(style="filled", fillcolor=fill, color=fill)
    if font and font != FONT:
        attrs["fontname"] = font
    return statement(node_id, attrs)


def place_label(source, target, start: float, end: float, text: str, placed: list, circles: list, *, near: str = "target") -> tuple[float, float]:
    """Where a label goes on the arrow ``source`` → ``target``: near the ``near`` end, unless taken.

    Tries points between ``start`` points after the source and ``end`` points
    before the target (room for the arrowhead), from the ``near`` end onwards,
    and takes the first whose box overlaps the fewest ``placed`` label boxes
    ``(x, y, half width, half height)`` and ``circles`` ``(x, y, radius)``;
    the chosen box is appended to ``placed``.

    Example:
        >>> place_label((0, 0), (100, 0), 10, 20, "w", [], [])
        (69.5, 0.0)
    """
    (x0, y0), (x1, y1) = source, target
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    stop = length - end
    half_w, half_h = text_width(text, 10) / 2 + 1, 7.0
    fractions = (0.85, 0.68, 0.5, 0.32, 0.15)
    spots = [start + t * (stop - start) for t in (fractions if near == "target" else fractions[::-1])]
    candidates = [(round(x0 + ux * d, 1), round(y0 + uy * d, 1)) for d in spots]

    def clashes(point) -> int:
        x, y = point
        count = sum(abs(x - px) < half_w + pw and abs(y - py) < half_h + ph for px, py, pw, ph in placed)
        return count + sum(abs(x - cx) < half_w + r and abs(y - cy) < half_h + r for cx, cy, r in circles)

    best = min(candidates, key=clashes)  # the first of the least crowded spots
    placed.append((*best, half_w, half_h))
    return best
