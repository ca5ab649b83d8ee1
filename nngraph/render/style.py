"""One style for every view: palette, fonts, sizes and layout constants, in points.

The neuron diagram, the neuron detail and the signal diagram all draw with
these, so a highlighted neuron, a grey one or a bias neuron look the same in
every drawing.

Example:
    >>> value_text(-0.7), EDGE_LABEL_SIZE >= 12
    ('−0.7', True)
"""

from __future__ import annotations

from ..formatting import format_number
from ..notation import signed

# DejaVu Sans first: it has the sub- and superscript digits that Helvetica and Arial lack.
FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"
# Latin first, so that x·W keeps its shapes; the CJK fonts only for the characters DejaVu lacks.
CAPTION_FONTS = {"en": FONT, "zh": FONT + ",Noto Sans CJK TC,Noto Sans TC,PingFang TC,Microsoft JhengHei"}

INK = "black"
GREY = "#a0a0a0"  # not reached yet
FAINT = "#d8d8d8"  # arrows outside the signal being shown
DENSE_INK = "#b4b4b4"  # arrows of a drawing too dense to follow one by one
HIGHLIGHT, HIGHLIGHT_FILL = "#e66100", "#fff1c9"  # the step being evaluated
BIAS_FILL = "#e4e4e4"
POSITIVE, NEGATIVE = "#2166ac", "#b2182b"  # signed weights
SIGNAL_FILL = {"input": "#e7f0fb", "weight": "#f3f3f3", "affine": "#ffffff", "activation": "#eaf6ea"}

NEURON_TEXT_SIZE = 12
EDGE_LABEL_SIZE = 12
CAPTION_SIZE = 12
TITLE_SIZE = 14
GAP_DOTS_SIZE = 20

MIN_DIAMETER = 40.0  # a neuron's circle, before its text asks for more
BIAS_SIZE = 30.0  # the bias neuron "1"
ROW_GAP = 18.0  # between two circles of a column
MIN_COLUMN_GAP = 130.0  # between two columns' centres, beyond the circles
ARROWHEAD = 12.0  # room kept for the arrowhead when placing labels
LABEL_PAD = 4.0  # white on either side of an edge label, so "−0.5" never reads as part of its line
DENSE = 100  # above this many arrows, draw them thin and light


def value_text(value, precision: int = 4) -> str:
    """A number as drawn: at most ``precision`` decimals, typographic minus."""
    return signed(format_number(value, precision))
