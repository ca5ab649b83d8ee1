"""Turning user values into arrays and numbers, with errors that say what is wrong and where.

The bottom of the package: every layer above checks its arguments with these.

Example:
    >>> real_array([1, 2], "input 'x'", ValueError)
    array([1., 2.])
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

import numpy as np

from .errors import GraphError, NNGraphError

__all__ = ["real_array", "as_parameter", "first_nonfinite", "real_number", "did_you_mean", "article"]


def real_array(value, where: str, error: type[Exception], *, copy: bool = False) -> np.ndarray:
    """``value`` as a float array (integers and booleans become float64), else ``error`` naming ``where``.

    Example:
        >>> real_array(np.float32([1, 2]), "weight 'W'", GraphError).dtype
        dtype('float32')
    """
    try:
        array = np.array(value) if copy else np.asarray(value)
    except (ValueError, TypeError) as err:
        raise error(f"{where} is not a rectangular array of numbers: {err}") from err
    if array.dtype.kind not in "biuf":
        raise error(f"{where} must hold real numbers; got dtype {array.dtype}")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def as_parameter(value, where: str) -> np.ndarray:
    """A read-only float copy of ``value``; integers become float64, float32 stays.

    Raises:
        GraphError: if ``value`` is not a finite numeric array (``where`` names it).

    Example:
        >>> as_parameter([[1, 2]], "weight 'W'").dtype
        dtype('float64')
    """
    array = real_array(value, where, GraphError, copy=True)
    if array.ndim == 0:
        raise GraphError(f"{where} must be an array; got the scalar {array.item()!r}; wrap it: [{array.item()!r}]")
    if array.size == 0:
        raise GraphError(f"{where} is empty (shape {array.shape}); a layer needs at least one neuron")
    if np.count_nonzero(np.isfinite(array)) != array.size:
        position, _ = first_nonfinite(array)
        raise GraphError(f"{where} holds {array[position].item()!r} at index {position}; weights must be finite")
    array.flags.writeable = False
    return array


def first_nonfinite(array: np.ndarray) -> tuple[tuple[int, ...], int]:
    """Where the first inf or nan of ``array`` is, and how many there are (``((), 0)`` for none).

    Example:
        >>> first_nonfinite(np.array([[1.0, np.inf], [np.nan, 0.0]]))
        ((0, 1), 2)
    """
    bad = np.argwhere(~np.isfinite(array))
    return (tuple(int(i) for i in bad[0]), len(bad)) if len(bad) else ((), 0)


def real_number(value, where: str, error: type[NNGraphError] = GraphError) -> float:
    """``value`` as a finite float; booleans, strings and arrays are refused.

    Example:
        >>> real_number(np.float32(0.5), "alpha of 'z1'")
        0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(f"{where} must be a real number; got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float's range
        number = math.inf
    if not math.isfinite(number):
        raise error(f"{where} must be finite; got {str(value)[:40]}")
    return number


def did_you_mean(name, known: Iterable[str]) -> str:
    """``"; did you mean 'relu'?"`` for the known name closest to ``name``, else ``""``.

    Example:
        >>> did_you_mean("sigmod", ["sigmoid", "relu"])
        "; did you mean 'sigmoid'?"
    """
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def article(word: str) -> str:
    """``"an"`` before a vowel, else ``"a"``: ``f"{article(kind)} {kind}"`` reads "an input", "a weight".

    Example:
        >>> article("affine"), article("weight")
        ('an', 'a')
    """
    return "an" if word[:1] in tuple("aeiou") else "a"
