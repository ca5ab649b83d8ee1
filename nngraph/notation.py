"""The book's notation in plain Unicode: x₁, a₁⁽¹⁾, z₁⁽¹⁾, w₁₂⁽¹⁾, b₁⁽¹⁾, y₁.

Plain text (no HTML, no LaTeX), so the same strings work in DOT labels, SVG,
terminals and notebooks. Weights follow the book's index order: ``w₁₂⁽¹⁾`` is
the weight *from* neuron 2 of the previous layer *to* neuron 1 of layer 1.

Example:
    >>> indexed("a", 1, layer=1), weight_symbol(1, 1, 2), bias_symbol(1, 1)
    ('a₁⁽¹⁾', 'w₁₂⁽¹⁾', 'b₁⁽¹⁾')
"""

from __future__ import annotations

__all__ = ["subscript", "superscript", "indexed", "layer_mark", "weight_symbol", "bias_symbol", "signed"]

_SUBSCRIPTS = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPERSCRIPTS = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")


def subscript(text) -> str:
    """``text`` (a number or short string) in Unicode subscript characters.

    Characters without a subscript form are kept as they are.

    Example:
        >>> subscript(12), subscript("k")
        ('₁₂', 'ₖ')
    """
    return str(text).translate(_SUBSCRIPTS)


def superscript(text) -> str:
    """``text`` in Unicode superscript characters (digits, signs, parentheses, i, n).

    Example:
        >>> superscript("(2)")
        '⁽²⁾'
    """
    return str(text).translate(_SUPERSCRIPTS)


def indexed(symbol: str, *indices, layer: int | None = None) -> str:
    """``symbol`` with subscript ``indices`` and the layer as superscript ``⁽ᵏ⁾``.

    Several indices are written side by side when all are single digits
    (``w₁₂``), else separated by commas so that ``w₁₂,₃`` stays unambiguous.

    Example:
        >>> indexed("x", 1), indexed("z", 2, layer=1), indexed("w", 12, 3, layer=2)
        ('x₁', 'z₂⁽¹⁾', 'w₁₂,₃⁽²⁾')
    """
    parts = [str(i) for i in indices]
    separator = "" if all(len(p) == 1 for p in parts) else ","
    text = symbol + separator.join(subscript(p) for p in parts)
    if layer is not None:
        text += superscript(f"({layer})")
    return text


def layer_mark(layer: int) -> str:
    """The layer superscript alone, as in ``a⁽¹⁾`` or ``W⁽²⁾``.

    Example:
        >>> "a" + layer_mark(1)
        'a⁽¹⁾'
    """
    return superscript(f"({layer})")


def weight_symbol(layer: int, to: int, source: int) -> str:
    """The weight into neuron ``to`` of ``layer`` from neuron ``source`` of the layer before.

    Example:
        >>> weight_symbol(1, 1, 2)
        'w₁₂⁽¹⁾'
    """
    return indexed("w", to, source, layer=layer)


def bias_symbol(layer: int, to: int) -> str:
    """The bias of neuron ``to`` in ``layer``.

    Example:
        >>> bias_symbol(2, 1)
        'b₁⁽²⁾'
    """
    return indexed("b", to, layer=layer)


def signed(text: str) -> str:
    """A formatted number with the typographic minus sign (−0.7, not -0.7).

    Example:
        >>> signed("-0.7"), signed("1.2e-05")
        ('−0.7', '1.2e−05')
    """
    return text.replace("-", "−")
