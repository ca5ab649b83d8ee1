r"""DOT text for every view: quoting, statements, pinned text and text widths.

The one DOT writer of the project. Every user-given text goes through
:func:`quote`, so it is shown literally and changes nothing else.

Example:
    >>> print(statement("a", {"label": 'say "hi"', "width": 0.5}))
      a [label="say \"hi\"", width=0.5];
"""

from __future__ import annotations

import re
import unicodedata
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


# Advance widths in em of DejaVu Sans, the first font of every drawing (measured from
# the font file), so that labels, circles and boxes are sized to what is drawn.
_WIDTHS = {
    char: width
    for chars, width in (
        ('ⱼₗ', 0.17),
        ('ᵢⁱ', 0.18),
        ('₍₎⁽⁾', 0.25),
        ('ᵣ', 0.26),
        ("'", 0.27),
        ('ijl', 0.28),
        ('IJₜ', 0.29),
        (' ,.·⁝', 0.32),
        ('/:;\\|', 0.34),
        ('f', 0.35),
        ('-', 0.36),
        ('ₛ', 0.37),
        ('()[]tₐ', 0.39),
        ('!₀₁₂₃₄₅₆₇₈₉ₕₙᵤ⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ', 0.4),
        ('rₒ', 0.41),
        ('ₑᵥ', 0.42),
        ('ₖₚ', 0.43),
        ('ₓ', 0.44),
        ('"', 0.46),
        ('*_`', 0.5),
        ('sz', 0.52),
        ('?₊₋₌⁺⁻⁼', 0.53),
        ('c', 0.55),
        ('L', 0.56),
        ('Fk', 0.58),
        ('vxy', 0.59),
        ('P', 0.6),
        ('TYaoθ', 0.61),
        ('eₘ', 0.62),
        ('ESbdghnpquσΣ', 0.63),
        ('$0123456789{}√', 0.64),
        ('K', 0.66),
        ('AV', 0.68),
        ('BRXZ', 0.69),
        ('C', 0.7),
        ('U', 0.73),
        ('HN', 0.75),
        ('DG△', 0.77),
        ('&', 0.78),
        ('OQ', 0.79),
        ('w', 0.82),
        ('#+<=>^~×−→←≤≥≠', 0.84),
        ('M', 0.86),
        ('○', 0.87),
        ('%', 0.95),
        ('m', 0.97),
        ('W', 0.99),
        ('@…', 1.0),
    )
    for char in chars
}


def text_width(text: str, size: float) -> float:
    """``text``'s width in points at font ``size``, from DejaVu Sans's metrics.

    Example:
        >>> round(text_width("w₁₂⁽¹⁾ = 0.3", 12), 1)
        67.2
    """
    width = 0.0
    for char in text:
        if ord(char) >= 0x2E80:  # CJK: square
            width += 1.0
        elif unicodedata.combining(char):  # drawn over the character before it
            continue
        else:
            width += _WIDTHS.get(char, 0.7)
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


def text_node(node_id: str, x: float, y: float, text: str, *, size: float = 10, color: str = INK, fill: str | None = None,
              font: str | None = None, pad: float = 1.5) -> str:
    """A pinned label without border, sized by :func:`text_width` plus ``pad`` points a side (optionally on a filled box)."""
    lines = text.split("\n")
    attrs = {
        "shape": "plaintext",
        "label": text,
        "pos": pos(x, y),
        "width": (max(text_width(line, size) for line in lines) + 2 * pad) / 72,
        "height": len(lines) * size * 1.25 / 72,
        "fontsize": size,
        "fontcolor": color,
    }
    if fill:
        attrs.update(style="filled", fillcolor=fill, color=fill)
    if font and font != FONT:
        attrs["fontname"] = font
    return statement(node_id, attrs)
