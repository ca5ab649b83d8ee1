"""Safe terminal output: control characters escaped, the book's notation in plain text where it cannot be shown.

Names come from files and users, so a name could hold an escape sequence that
rewrites the terminal; every character below U+0020 (but newline, tab and
carriage return), DEL and the C1 controls is written as ``\\x1b``. A terminal
that cannot show a character (ASCII, Latin-1, ``LANG=C``) gets the plain
notation instead: a₁⁽¹⁾ as a_1^(1), − as -, × as x, → as ->.

Example:
    >>> escape_controls("net\\x1b[2J")
    'net\\\\x1b[2J'
    >>> plain("a₁⁽¹⁾ = 1.0×0.1 − 0.2 → σ")
    'a_1^(1) = 1.0x0.1 - 0.2 -> sigma'
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "plain", "Terminal"]

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "0123456789+-=()aehijklmnoprstuvx"))
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ", "0123456789+-=()in"))
_PLAIN = {"−": "-", "×": "x", "·": "*", "→": "->", "←": "<-", "…": "...", "σ": "sigma", "Σ": "sum", "≤": "<=", "≥": ">=",
          "≠": "!=", "✓": "ok", "✗": "wrong", "—": "-", "⁝": ":", "▶": ">", "◀": "<", "θ": "theta", "′": "'"}


def escape_controls(text: str) -> str:
    """``text`` with control characters written as ``\\xNN`` (newline, tab and carriage return kept)."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _runs(text: str, table: dict, mark: str) -> str:
    """Runs of sub- or superscript characters as ``_12`` or ``^(1)``."""
    pattern = "[" + re.escape("".join(table)) + "]+"
    return re.sub(pattern, lambda m: mark + "".join(table[c] for c in m.group()), text)


def plain(text: str) -> str:
    """The book's Unicode notation in ASCII: a₁⁽¹⁾ → a_1^(1)."""
    text = _runs(_runs(text, _SUBSCRIPTS, "_"), _SUPERSCRIPTS, "^")
    return "".join(_PLAIN.get(char, char) for char in text)


class Terminal:
    """A text stream that escapes control characters and falls back to plain notation.

    Example:
        >>> import io
        >>> raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
        >>> out = Terminal(raw)
        >>> _ = out.write("y₁ = 0.5\\x1b")
        >>> out.flush(); raw.buffer.getvalue()
        b'y_1 = 0.5\\\\x1b'
    """

    def __init__(self, stream):
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        text = escape_controls(text)
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            text = plain(text).encode(self.encoding, errors="replace").decode(self.encoding)
        except LookupError:
            pass
        return self.stream.write(text)

    def __getattr__(self, name):  # flush, fileno, isatty, … of the stream itself
        return getattr(self.stream, name)
