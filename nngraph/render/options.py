"""Checks for drawing options: one error class, naming the option and what it may be.

Every view takes the same keywords for the same things (``values``, ``sample``,
``current``, ``precision``, ``title``, ``language``) and checks them here, so a
bad option reads the same whichever view it was given to.

Example:
    >>> choice("weights", "values", ("notation", "values", "none"))
    'values'
    >>> choice("weights", "numbers", ("notation", "values", "none"))
    Traceback (most recent call last):
    ...
    nngraph.errors.OptionError: weights must be one of 'none', 'notation', 'values'; got 'numbers'
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from ..errors import OptionError

__all__ = ["choice", "whole", "language_words", "LANGUAGES"]

LANGUAGES = ("en", "zh")


def choice(option: str, value, allowed: Collection[str]):
    """``value`` if it is one of ``allowed``, else an OptionError listing them."""
    if not isinstance(value, str) or value not in allowed:
        listed = ", ".join(repr(a) for a in sorted(allowed))
        raise OptionError(f"{option} must be one of {listed}; got {value!r}")
    return value


def whole(option: str, value, low: int = 0, high: int | None = None, *, meaning: str = "") -> int:
    """``value`` as an int in ``low … high``, else an OptionError saying the range.

    Example:
        >>> whole("precision", 4)
        4
    """
    in_range = not isinstance(value, bool) and isinstance(value, (int, np.integer))
    in_range = in_range and low <= value and (high is None or value <= high)
    if not in_range:
        bounds = f"from {low} to {high}" if high is not None else f"≥ {low}"
        about = f" ({meaning})" if meaning else ""
        raise OptionError(f"{option} must be a whole number {bounds}{about}; got {value!r}")
    return int(value)


def language_words(language, table: dict) -> dict:
    """The entry of ``table`` for ``language`` (``"en"`` or ``"zh"``)."""
    return table[choice("language", language, LANGUAGES)]
