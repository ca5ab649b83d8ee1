"""The book's notation in plain Unicode: x₁, a₁⁽¹⁾, z₁⁽¹⁾, w₁₂⁽¹⁾, b₁⁽¹⁾, y₁.

Plain text (no HTML, no LaTeX), so the same strings work in DOT labels, SVG,
terminals and notebooks. Weights follow the book's index order: ``w₁₂⁽¹⁾`` is
the weight *from* neuron 2 of the previous layer *to* neuron 1 of layer 1.

Example:
    >>> indexed("a", 1, layer=1), weight_symbol(1, 1, 2), bias_symbol(1, 1)
    ('a₁⁽¹⁾', 'w₁₂⁽¹⁾', 'b₁⁽¹⁾')
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Notation", "subscript", "superscript", "indexed", "layer_mark", "weight_symbol", "bias_symbol", "signed"]

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


class Notation:
    """The book's symbols for the neurons and weights of one chain network.

    Column 0 holds the inputs ``x₁ …``; column k the neurons of layer k, whose
    pre-activations are ``aⱼ⁽ᵏ⁾`` and outputs ``zⱼ⁽ᵏ⁾`` (``yⱼ`` in the last layer, or
    the letter ``names[k]``). A lone perceptron (one layer, one neuron) uses
    chapter 2's ``w₁, w₂, b, y``.

    Example:
        >>> from nngraph import three_layer_network
        >>> n = Notation(three_layer_network().layers())
        >>> n.signal(0, 0), n.pre(1, 2), n.signal(2, 1), n.signal(3, 0), n.weight(1, 0, 1)
        ('x₁', 'a₃⁽¹⁾', 'z₂⁽²⁾', 'y₁', 'w₁₂⁽¹⁾')
    """

    def __init__(self, layers, names: Mapping[int, str] | None = None):
        self.last = len(layers)
        self.widths = {layer.index: layer.affine.width for layer in layers}
        self.activated = {layer.index: layer.activation is not None for layer in layers}
        self.names = dict(names or {})
        self.chapter2 = self.last == 1 and self.widths[1] == 1

    def signal(self, k: int, i: int) -> str:
        """What neuron ``i`` (from 0) of column ``k`` sends on: x₁, z₁⁽¹⁾, y₁, s₁."""
        if k == 0:
            return indexed(self.names.get(0, "x"), i + 1)
        if not self.activated[k] and k not in self.names:
            return self.pre(k, i)  # a layer without activation sends its weighted sums on
        letter = self.names.get(k, "y" if k == self.last else None)
        if letter is None:
            return indexed("z", i + 1, layer=k)
        return letter if self.widths[k] == 1 else indexed(letter, i + 1)

    def pre(self, k: int, i: int) -> str:
        """The weighted sum of neuron ``i`` of layer ``k``: a₁⁽¹⁾."""
        return "a" if self.chapter2 else indexed("a", i + 1, layer=k)

    def weight(self, k: int, j: int, i: int) -> str:
        """The weight into neuron ``j`` of layer ``k`` from neuron ``i`` before it: w₁₂⁽¹⁾."""
        return indexed("w", i + 1) if self.chapter2 else weight_symbol(k, j + 1, i + 1)

    def bias(self, k: int, j: int) -> str:
        """The bias of neuron ``j`` of layer ``k``: b₁⁽¹⁾."""
        return "b" if self.chapter2 else bias_symbol(k, j + 1)

    def pre_vector(self, k: int) -> str:
        """The weighted sums of layer ``k`` as one vector: a⁽¹⁾ (a in a lone perceptron)."""
        return "a" if self.chapter2 else "a" + layer_mark(k)

    def signal_vector(self, k: int) -> str:
        """What column ``k`` sends on as one vector: x, z⁽¹⁾, y, s."""
        if k == 0:
            return self.names.get(0, "x")
        if not self.activated[k] and k not in self.names:
            return self.pre_vector(k)
        letter = self.names.get(k, "y" if k == self.last else None)
        return "z" + layer_mark(k) if letter is None else letter
