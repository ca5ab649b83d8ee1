"""Numbers as the book prints them: short, exact to a chosen precision, abbreviated.

Every number is written for people, with the typographic minus sign "−"
(U+2212) in the mantissa and the exponent alike; files written for machines
(CSV, .npy, JSON) never go through this module.

Example:
    >>> import numpy as np
    >>> format_array(np.array([1.0, 0.5]))
    '[1.0, 0.5]'
    >>> format_array(np.arange(20.0))
    '[0.0, 1.0, 2.0, …, 18.0, 19.0] (20,)'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .notation import signed

__all__ = ["format_number", "format_array", "format_shape"]


def format_number(value: float | np.generic | np.ndarray, digits: int = 8) -> str:
    """``value`` the way NumPy prints it: at most ``digits`` decimals, trailing zeros dropped.

    Very large or small magnitudes switch to scientific notation, as NumPy does,
    so the book's printed values reappear exactly, digit for digit; every minus
    sign is the typographic "−".

    Example:
        >>> format_number(0.574442516811659), format_number(1), format_number(2.06106005e-09)
        ('0.57444252', '1.0', '2.06106005e−09')
        >>> format_number(-0.7), format_number(-1.5e-7)
        ('−0.7', '−1.5e−07')
    """
    # () turns a 0-d array into its NumPy scalar, which the stubs cannot tell from an array
    scalar: Any = np.asarray(value)[()]
    if scalar.dtype.kind != "f":
        scalar = np.float64(scalar)
    if scalar != 0 and np.isfinite(scalar) and not 1e-4 <= abs(scalar) < 1e8:
        return signed(np.format_float_scientific(scalar, precision=digits, unique=True, trim="0"))
    return signed(np.format_float_positional(scalar, precision=digits, unique=True, trim="0"))


def _format_row(row: np.ndarray, digits: int, edge: int) -> str:
    if len(row) > 2 * edge + 1:
        parts = [format_number(v, digits) for v in row[:edge]]
        parts.append("…")
        parts += [format_number(v, digits) for v in row[len(row) - (edge - 1) :]]
    else:
        parts = [format_number(v, digits) for v in row]
    return "[" + ", ".join(parts) + "]"


def format_array(array: np.ndarray, digits: int = 8, edge: int = 3) -> str:
    """A 0-, 1- or 2-D array in one line; long rows and many rows are elided with ``…``.

    The shape is appended whenever something was left out.

    Example:
        >>> format_array(np.array([[-0.5, 0.25], [1e-9, 2.0]]))
        '[[−0.5, 0.25], [1.0e−09, 2.0]]'
    """
    array = np.asarray(array)
    if array.ndim == 0:
        return format_number(array, digits)
    if array.ndim == 1:
        text = _format_row(array, digits, edge)
    else:
        matrix = array.reshape(len(array), int(np.prod(array.shape[1:])))
        if len(matrix) > 2 * edge + 1:
            head = [_format_row(r, digits, edge) for r in matrix[:edge]]
            rows = [*head, "…", *(_format_row(r, digits, edge) for r in matrix[len(matrix) - (edge - 1) :])]
        else:
            rows = [_format_row(r, digits, edge) for r in matrix]
        text = "[" + ", ".join(rows) + "]"
    if "…" in text:
        shape = format_shape(array.shape)
        text += f" {shape}" if array.ndim == 1 else f" ({shape})"
    return text


def format_shape(shape: tuple[int, ...], batch: str | None = None) -> str:
    """Shapes as the book's figures write them: ``(3,)`` for a vector, ``100×50`` for a matrix.

    With ``batch='N'``, the batch dimension is named: ``N×50``.

    Example:
        >>> format_shape((3,)), format_shape((100, 50)), format_shape((50,), batch="N")
        ('(3,)', '100×50', 'N×50')
    """
    if batch is not None:
        return "×".join([batch, *map(str, shape[-1:])])
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "×".join(map(str, shape))
