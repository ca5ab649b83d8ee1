"""The book's notation in plain Unicode: x₁, a₁⁽¹⁾, z₂⁽¹⁾, w₁₂⁽¹⁾, b₁⁽¹⁾, y₁.

Plain Unicode (no markup) so every renderer, terminal and browser shows it.

Example:
    >>> neuron_label("a", 1, layer=1), weight_label(1, 2, layer=1)
    ('a₁⁽¹⁾', 'w₁₂⁽¹⁾')
"""

from __future__ import annotations

__all__ = ["subscript", "superscript", "neuron_label", "weight_label", "layer_mark"]

_SUB = str.maketrans("0123456789,-", "₀₁₂₃₄₅₆₇₈₉,₋")
_SUP = str.maketrans("0123456789()-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁻")


def subscript(text) -> str:
    """``'12'`` → ``'₁₂'``."""
    return str(text).translate(_SUB)


def superscript(text) -> str:
    """``'(1)'`` → ``'⁽¹⁾'``."""
    return str(text).translate(_SUP)


def layer_mark(layer: int | None) -> str:
    """``⁽¹⁾`` for layer 1; empty for None."""
    return "" if layer is None else superscript(f"({layer})")


def neuron_label(letter: str, index: int, layer: int | None = None) -> str:
    """``aᵢ⁽ˡ⁾`` with a 1-based neuron ``index``; no layer mark when ``layer`` is None."""
    return f"{letter}{subscript(index)}{layer_mark(layer)}"


def weight_label(to: int, source: int, layer: int | None = None, letter: str = "w") -> str:
    """``w₁₂⁽¹⁾``: the book writes the receiving neuron first, then the sending one.

    Indices above 9 are separated by a comma (``w₁₀,₂``) so they stay readable.
    """
    sep = "," if to > 9 or source > 9 else ""
    return f"{letter}{subscript(f'{to}{sep}{source}')}{layer_mark(layer)}"
