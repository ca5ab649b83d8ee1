"""Activation curves as the book draws them: figures 3-6 to 3-9.

``plot_activations("step")`` is figure 3-6, ``"sigmoid"`` 3-7,
``["sigmoid", "step"]`` 3-8 (step dashed) and ``"relu"`` 3-9; any elementwise
activation of the registry works, including your own. Needs matplotlib:
``pip install 'nngraph[plot]'``.

Example:
    >>> svg = plot_activations("sigmoid")
    >>> svg.startswith(b"<?xml")
    True
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..activations import get_activation
from ..errors import OptionError, RenderError
from ..files import write_atomically

__all__ = ["plot_activations"]

BOOK_X_RANGE = (-5.0, 5.0)
BOOK_STEP = 0.1
BOOK_Y_LIMITS = {"step": (-0.1, 1.1), "sigmoid": (-0.1, 1.1), "relu": (-1.0, 5.5)}
# rcParams for reproducible SVG. Keys typed Any: matplotlib ≥ 3.11 types them as a Literal of its names, older ones as str.
DETERMINISTIC: dict[Any, Any] = {"svg.hashsalt": "nngraph", "svg.fonttype": "path"}


def _activations(names) -> list:
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        names = [names]
    specs = [get_activation(name) for name in names]  # UnknownActivationError lists the known names
    if not specs:
        raise OptionError("plot_activations needs at least one activation name, e.g. 'sigmoid'")
    for spec in specs:
        if not spec.elementwise:
            raise OptionError(
                f"activation {spec.name!r} is not elementwise: each of its outputs depends on the "
                f"whole row, so it has no curve y = h(x); plot an elementwise one "
                f"(step, sigmoid, relu, …) or draw {spec.name!r} in a neuron diagram"
            )
    return specs


def _x_grid(x_range) -> np.ndarray:
    try:
        low, high = (float(v) for v in x_range)
    except (TypeError, ValueError):
        raise OptionError(f"x_range must be two numbers (low, high), like (-5.0, 5.0); got {x_range!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise OptionError(f"x_range must be finite with low < high; got {x_range!r}")
    # the book's grid: np.arange(-5.0, 5.0, 0.1), finer for wide ranges so curves stay smooth
    return np.arange(low, high, min(BOOK_STEP, (high - low) / 100))


def _y_limits(curves: dict[str, np.ndarray], book_range: bool) -> tuple[float, float]:
    low, high = math.inf, -math.inf
    for name, y in curves.items():
        if book_range and name in BOOK_Y_LIMITS:
            a, b = BOOK_Y_LIMITS[name]
        else:
            finite = y[np.isfinite(y)]
            a, b = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            margin = 0.1 * (b - a) or 0.1
            a, b = a - margin, b + margin
        low, high = min(low, a), max(high, b)
    return low, high


def _styles(specs, styles) -> dict[str, dict]:
    """Per curve plot keywords: the book dashes the step when it is compared (figure 3-8)."""
    names = [spec.name for spec in specs]
    chosen: dict[str, dict] = {name: {} for name in names}
    if "step" in chosen and len(names) > 1:
        chosen["step"] = {"color": "black", "linestyle": "--"}
    if styles is None:
        return chosen
    if not isinstance(styles, Mapping):
        raise OptionError(f"styles must be a dict activation name → plot keywords; got {type(styles).__name__}")
    unknown = sorted(str(k) for k in styles if k not in chosen)
    if unknown:
        raise OptionError(f"styles names {unknown}, which are not plotted; the curves are {names}")
    for name, style in styles.items():
        if not isinstance(style, Mapping):
            raise OptionError(f"styles[{name!r}] must be a dict of plot keywords such as {{'linestyle': '--'}}; got {style!r}")
        chosen[name].update(style)
    return chosen


def plot_activations(names, path=None, *, x_range=BOOK_X_RANGE, title=None, styles=None, format: str = "svg") -> bytes:
    """Plot activation curves y = h(x) like the book's figures 3-6 to 3-9.

    Args:
        names: an activation name (``"sigmoid"``) or several (``["sigmoid", "step"]``);
            registered :class:`~nngraph.Activation` objects work too.
        path: if given, the image is also written there (atomically).
        x_range: ``(low, high)``; x runs over ``np.arange(low, high, 0.1)`` as in the book.
            With the book's range, step and sigmoid get y ∈ [−0.1, 1.1] and relu [−1, 5.5].
        title: a title above the plot.
        styles: optional dict name → matplotlib line keywords, e.g.
            ``{"sigmoid": {"color": "red"}}``; by default a compared step is dashed.
        format: ``"svg"`` (default) or ``"png"``.

    Returns:
        The image bytes; the same arguments give the same bytes every run.

    Raises:
        UnknownActivationError: for a name not in the registry.
        RenderError: for a non-elementwise activation (softmax), a bad
            ``x_range`` or ``styles``, or when matplotlib is missing.

    Example:
        >>> svg = plot_activations(["sigmoid", "step"])
        >>> b'id="curve-step"' in svg
        True
    """
    specs = _activations(names)
    chosen = _styles(specs, styles)
    if format not in ("svg", "png"):
        raise OptionError(f"plot_activations writes 'svg' or 'png'; got format {format!r}")
    x = _x_grid(x_range)
    curves = {spec.name: np.asarray(spec(x.copy()), dtype=float) for spec in specs}
    for name, y in curves.items():
        if y.shape != x.shape:
            raise RenderError(f"activation {name!r} returned shape {y.shape} for x of shape {x.shape}; an elementwise activation keeps the shape")
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise RenderError(f"plotting activations needs matplotlib ({err}); install it with: pip install 'nngraph[plot]'") from err
    with matplotlib.rc_context(DETERMINISTIC):
        figure = Figure(figsize=(6.4, 4.8))
        FigureCanvasAgg(figure)  # a non-interactive canvas; pyplot's global state stays untouched
        axes = figure.add_subplot()
        for spec in specs:
            try:
                (line,) = axes.plot(x, curves[spec.name], label=spec.name, **chosen[spec.name])
            except (AttributeError, TypeError, ValueError) as err:
                raise OptionError(f"styles[{spec.name!r}] is not a valid matplotlib line style: {err}") from err
            line.set_gid(f"curve-{spec.name}")
        axes.set_ylim(*_y_limits(curves, tuple(map(float, x_range)) == BOOK_X_RANGE))
        axes.set_xlabel("x")
        axes.set_ylabel(specs[0].symbol + "(x)" if len(specs) == 1 else "h(x)")
        if len(specs) > 1:
            axes.legend()
        if title is not None:
            axes.set_title(str(title))
        buffer = io.BytesIO()
        metadata = {"Date": None} if format == "svg" else {"Software": None}
        figure.savefig(buffer, format=format, metadata=metadata)
    data = buffer.getvalue()
    if path is not None:
        write_atomically(path, lambda file: file.write(data))
    return data
