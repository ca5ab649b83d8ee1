"""MNIST digits drawn as SVG: sample images (figure 3-24) and the output layer as digits 0–9 (3-23).

The SVG is written here, as plain text, so no renderer is needed and the same
input always gives the same bytes. Each 28×28 image is one PNG, encoded by
:func:`digit_png` and embedded as a data URI; 0 is drawn white and full ink
(1.0 or 255) black, as the book shows the digits.

Example:
    >>> image = np.zeros(784)
    >>> image[300:310] = 1.0
    >>> drawing = output_digits(np.full(10, 0.1), image=image)
    >>> drawing.svg().count('class="output')
    10
    >>> digit_png(image)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import base64
import html
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import InputError, OptionError, RenderError, ShapeError
from ..files import write_atomically
from ..notation import indexed
from .options import whole
from .style import FONT, HIGHLIGHT, HIGHLIGHT_FILL, POSITIVE

__all__ = ["SvgDrawing", "digit_grid", "digit_png", "digit_data_uri", "output_digits"]

SIDE = 28  # MNIST images are 28×28 pixels
PIXELS = SIDE * SIDE
DIGITS = 10
SUM_TOLERANCE = 1e-3  # float32 softmax rows sum to 1 within about 1e-6

INK, GREY, TRACK = "#222222", "#8a8a8a", "#e8e8e8"
BAR, WRONG = POSITIVE, "#c81e1e"

GRID_SCALE, CELL_WIDTH, CELL_PAD = 2, 84, 8  # sample images shown at 2× (56 px)
OUTPUT_SCALE, ROW, BAR_WIDTH = 4, 30, 180  # the input image at 4× (112 px)


class SvgDrawing:
    """A drawing that is already SVG text; it saves and shows itself like a :class:`Diagram`.

    Attributes:
        text: the SVG document.
        name: a short name, used for default file names.
        notes: remarks for the user.

    Example:
        >>> SvgDrawing("<svg/>", name="empty").render()
        b'<svg/>'
    """

    def __init__(self, text: str, *, name: str = "drawing", notes: tuple[str, ...] = ()):
        self.text = text
        self.name = name
        self.notes = tuple(notes)

    def __repr__(self) -> str:
        return f"<SvgDrawing {self.name!r}: {len(self.text)} characters of SVG>"

    def __str__(self) -> str:
        return self.text

    def render(self, format: str = "svg", *, renderer: str | None = None) -> bytes:
        """The drawing as SVG bytes; other formats raise a RenderError saying to use SVG.

        ``renderer`` is accepted for a Diagram's calling convention and ignored:
        the SVG needs no Graphviz.
        """
        if format != "svg":
            raise RenderError(
                f"{self.name!r} is drawn as SVG by nngraph itself and cannot be written as {format!r}; "
                f"save it as .svg (a browser or rsvg-convert turns it into PNG)"
            )
        return self.text.encode("utf-8")

    def svg(self, *, renderer: str | None = None) -> str:
        """The SVG text."""
        return self.text

    def save(self, path, format: str | None = None, *, renderer: str | None = None) -> Path:
        """Write the SVG to ``path`` atomically; a suffix other than .svg raises a RenderError.

        Example:
            >>> import tempfile, pathlib
            >>> path = SvgDrawing("<svg/>").save(pathlib.Path(tempfile.mkdtemp()) / "d.svg")
            >>> path.read_text()
            '<svg/>'
        """
        path = Path(path)
        data = self.render(format or path.suffix.lstrip(".").lower() or "svg")
        return write_atomically(path, lambda file: file.write(data))

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.text}


# -- pixels and PNG -------------------------------------------------------------


def digit_png(image) -> bytes:
    """One MNIST image as an 8-bit grayscale PNG, 28×28, ink black on white.

    Args:
        image: 784 pixels, flat ``(784,)`` or as rows ``(28, 28)``; floats in
            [0, 1] or whole numbers 0–255 (uint8, as in the IDX files).

    Returns:
        The PNG bytes; each pixel's grey level is 255 − ink (0 → white, 255 → black).

    Raises:
        ShapeError: for an image that is not 784 pixels.
        InputError: for values that are not numbers in [0, 1] or 0–255.

    Example:
        >>> png = digit_png(np.zeros((28, 28), np.uint8))
        >>> png[12:16], len(png) < 100
        (b'IHDR', True)
    """
    grey = 255 - _image(image)
    rows = b"".join(b"\x00" + row.tobytes() for row in grey)  # filter type 0 (none) on every row
    header = struct.pack(">IIBBBBB", SIDE, SIDE, 8, 0, 0, 0, 0)  # 8-bit grayscale, no interlace
    chunks = [_chunk(b"IHDR", header), _chunk(b"IDAT", zlib.compress(rows, 9)), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def digit_data_uri(image) -> str:
    """One MNIST image as a ``data:image/png;base64,…`` URI, for SVG ``<image>`` or HTML ``<img>``.

    Example:
        >>> digit_data_uri(np.zeros(784)).startswith("data:image/png;base64,iVBORw0KGgo")
        True
    """
    return "data:image/png;base64," + base64.b64encode(digit_png(image)).decode("ascii")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _numbers(values, what: str) -> np.ndarray:
    """``values`` as a NumPy array of real numbers (never the caller's array itself, never changed)."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as err:
        raise InputError(f"{what} must be an array of numbers; got {type(values).__name__} ({err})") from None
    if array.dtype.kind not in "biuf":
        raise InputError(f"{what} must hold numbers; got values of type {array.dtype}")
    return array


def _ink(pixels: np.ndarray, what: str) -> np.ndarray:
    """Pixels as uint8 ink levels 0–255: floats (and bools) from [0, 1], whole numbers as they are."""
    if pixels.dtype.kind in "bf":
        pixels = pixels.astype(np.float64)
        if not np.all(np.isfinite(pixels)):
            raise InputError(f"{what} holds nan or inf; pixels must be numbers in [0, 1]")
        low, high = float(pixels.min()), float(pixels.max())
        if low < 0.0 or high > 1.0:
            hint = "; divide by 255, or pass the uint8 pixels" if high > 1.0 else ""
            raise InputError(f"{what}: float pixels must lie in [0, 1] (0 = white, 1 = black); got values from {low:g} to {high:g}{hint}")
        return np.rint(pixels * 255.0).astype(np.uint8)
    low, high = int(pixels.min()), int(pixels.max())
    if low < 0 or high > 255:
        raise InputError(f"{what}: whole-number pixels must lie in 0–255 (0 = white, 255 = black); got values from {low} to {high}")
    return pixels.astype(np.uint8)


def _image(image, what: str = "image") -> np.ndarray:
    """One image as ``(28, 28)`` uint8 ink levels."""
    pixels = _numbers(image, what)
    if pixels.shape not in ((PIXELS,), (SIDE, SIDE)):
        raise ShapeError(f"{what} must be one MNIST image of {PIXELS} pixels, shape ({PIXELS},) or ({SIDE}, {SIDE}); got shape {pixels.shape}")
    return _ink(pixels.reshape(SIDE, SIDE), what)


def _images(images) -> np.ndarray:
    """Several images as ``(N, 28, 28)`` uint8 ink levels."""
    pixels = _numbers(images, "images")
    if pixels.ndim == 2 and pixels.shape[1] == PIXELS or pixels.ndim == 3 and pixels.shape[1:] == (SIDE, SIDE):
        if len(pixels) == 0:
            raise InputError("images is empty; digit_grid needs at least one image")
        return _ink(pixels.reshape(len(pixels), SIDE, SIDE), "images")
    hint = "; for one image write images[None]" if pixels.shape in ((PIXELS,), (SIDE, SIDE)) else ""
    raise ShapeError(f"images must be N MNIST images of {PIXELS} pixels, shape (N, {PIXELS}) or (N, {SIDE}, {SIDE}); got shape {pixels.shape}{hint}")


# -- digits and probabilities ---------------------------------------------------


def _digits(values, what: str, count: int) -> list[int]:
    """``count`` class numbers 0–9 (labels or predictions) as ints."""
    array = _numbers(values, what)
    if array.ndim != 1 or len(array) != count:
        raise ShapeError(f"{count} images but {what} of shape {array.shape}; give one {what[:-1]} per image, shape ({count},)")
    whole_numbers = array.dtype.kind in "iu" or array.dtype.kind == "f" and bool(np.all(np.isfinite(array) & (array == np.round(array))))
    if not whole_numbers:
        raise InputError(f"{what} must be whole numbers, the digits 0–9; got values of type {array.dtype}")
    outside = np.flatnonzero((array < 0) | (array > 9))
    if outside.size:
        i = int(outside[0])
        raise InputError(f"{what} must be digits 0–9; {what}[{i}] is {array[i].item()!r}")
    return [int(v) for v in array]


def _predictions(predictions, count: int) -> list[int]:
    """Predicted digits, given as digits ``(N,)`` or as the network's outputs ``(N, 10)``."""
    array = _numbers(predictions, "predictions")
    if array.ndim == 2 and array.shape == (count, DIGITS):
        if not np.all(np.isfinite(array)):
            raise InputError("predictions (the network's outputs) hold nan or inf; every output must be finite")
        return [int(v) for v in np.argmax(array, axis=1)]
    return _digits(array, "predictions", count)


def _label(label) -> int | None:
    if label is None:
        return None
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
        raise InputError(f"label must be one of the digits 0–9 (a whole number); got {label!r}")
    return int(label)


def _probabilities(probabilities) -> np.ndarray:
    """The ten outputs y₁ … y₁₀ as float64, checked to be probabilities."""
    p = _numbers(probabilities, "probabilities")
    if p.shape not in ((DIGITS,), (1, DIGITS)):
        raise ShapeError(
            f"probabilities must be the {DIGITS} outputs y₁ … y₁₀ of one image, shape ({DIGITS},); got shape {p.shape}"
            + ("; for a batch, draw one row: probabilities[i]" if p.ndim == 2 and p.shape[1] == DIGITS else "")
        )
    p = p.reshape(DIGITS).astype(np.float64)
    for k, value in enumerate(p):
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise InputError(f"probabilities must be finite numbers in [0, 1] (the softmax output); {indexed('y', k + 1)} (digit {k}) is {value:g}")
    if abs(p.sum() - 1.0) > SUM_TOLERANCE:
        raise InputError(f"probabilities must sum to 1 (the softmax output); these sum to {p.sum():.4g}")
    return p


def _title(title) -> str | None:
    if title is not None and not isinstance(title, str):
        raise OptionError(f"title must be text or None; got {type(title).__name__}")
    return title


# -- SVG text -------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, size: float = 12, color: str = INK, anchor: str = "middle", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{color}" text-anchor="{anchor}"{weight}>'
        f"{html.escape(text, quote=False)}</text>"
    )


def _picture(x: float, y: float, ink: np.ndarray, scale: int, frame: str = GREY, frame_width: float = 1) -> str:
    """One image, pixels kept square and sharp when scaled, inside a thin frame."""
    side = SIDE * scale
    uri = digit_data_uri(ink)
    return (
        f'<image x="{_n(x)}" y="{_n(y)}" width="{side}" height="{side}" preserveAspectRatio="none" '
        f'style="image-rendering:pixelated" href="{uri}" xlink:href="{uri}"/>'
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{side}" height="{side}" fill="none" stroke="{frame}" stroke-width="{_n(frame_width)}"/>'
    )


def _document(width: float, height: float, description: str, body: list[str]) -> str:
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" font-family="{FONT}">',
        f"<title>{html.escape(description, quote=False)}</title>",
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="white"/>',
        *body,
        "</svg>",
        "",
    ])


# -- figure 3-24: sample images -------------------------------------------------


def digit_grid(images, labels=None, *, columns: int = 10, predictions=None, title: str | None = None) -> SvgDrawing:
    """MNIST images in a grid, each with its label under it (figure 3-24).

    Args:
        images: N images, ``(N, 784)`` or ``(N, 28, 28)``; floats in [0, 1] or uint8 0–255.
        labels: optional, N digits 0–9, written under each image.
        columns: images per row.
        predictions: optional, N predicted digits, or the network's outputs ``(N, 10)``
            (their largest entry is the prediction). A prediction that differs
            from its label is written in red and its image framed in red.
        title: a line above the grid.

    Returns:
        An :class:`SvgDrawing`; the same arguments give the same bytes.

    Raises:
        ShapeError: for images that are not 784 pixels each, or labels or
            predictions not one per image.
        InputError: for pixels outside [0, 1] / 0–255, or labels not digits 0–9.
        OptionError: for ``columns`` < 1 or a title that is not text.

    Example:
        >>> images = np.zeros((3, 784), np.uint8)
        >>> svg = digit_grid(images, [7, 2, 1], predictions=[7, 2, 0]).svg()
        >>> svg.count("<image"), svg.count('class="digit wrong"')
        (3, 1)
    """
    ink = _images(images)
    count = len(ink)
    labels = None if labels is None else _digits(labels, "labels", count)
    predictions = None if predictions is None else _predictions(predictions, count)
    columns = whole("columns", columns, 1, meaning="images per row")
    title = _title(title)
    lines = (labels is not None) + (predictions is not None)
    side = SIDE * GRID_SCALE
    cell_height = side + CELL_PAD + 16 * lines + CELL_PAD
    top = 40 if title else 12
    shown = min(columns, count)
    rows = math.ceil(count / columns)
    body = [_text(12 + shown * CELL_WIDTH / 2, 26, title, size=15, bold=True)] if title else []
    wrong = 0
    for i in range(count):
        x = 12 + (i % columns) * CELL_WIDTH
        y = top + (i // columns) * cell_height
        label = None if labels is None else labels[i]
        predicted = None if predictions is None else predictions[i]
        is_wrong = label is not None and predicted is not None and label != predicted
        wrong += is_wrong
        body.append(_grid_cell(i, x, y, ink[i], label, predicted, is_wrong))
    height = top + rows * cell_height
    if labels is not None and predictions is not None:
        legend = f"{wrong} of {count} misclassified (in red: the prediction differs from the label)"
        body.append(_text(12, height + 8, legend, size=12, color=WRONG if wrong else INK, anchor="start"))
        height += 20
    description = title or f"{count} MNIST images"
    return SvgDrawing(_document(24 + shown * CELL_WIDTH, height + 4, description, body), name="mnist_samples")


def _grid_cell(index: int, x: float, y: float, ink: np.ndarray, label, predicted, wrong: bool) -> str:
    """One image with ``label 7`` / ``predicted 7`` under it (just ``7`` when only the label is given)."""
    side = SIDE * GRID_SCALE
    centre = x + CELL_WIDTH / 2
    parts = [_picture(centre - side / 2, y, ink, GRID_SCALE, WRONG if wrong else GREY, 2.5 if wrong else 1)]
    line = y + side + CELL_PAD + 11
    if label is not None:
        parts.append(_text(centre, line, f"label {label}" if predicted is not None else str(label), size=12 if predicted is not None else 14))
        line += 16
    if predicted is not None:
        parts.append(_text(centre, line, f"predicted {predicted}", size=12, color=WRONG if wrong else INK, bold=wrong))
    classes = "digit wrong" if wrong else "digit"
    data = "".join(f' data-{key}="{value}"' for key, value in (("label", label), ("predicted", predicted)) if value is not None)
    return f'<g id="digit-{index}" class="{classes}"{data}>' + "".join(parts) + "</g>"


# -- figure 3-23: the output layer as the digits 0–9 ----------------------------


def output_digits(probabilities, *, label=None, image=None, title: str | None = None) -> SvgDrawing:
    """The output layer of the MNIST network as the digits 0–9, the most probable marked (figure 3-23).

    Output yₖ is the probability that the image shows the digit k (k = 0 … 9):
    each is drawn as a neuron, its digit, a bar and the number; under them the
    line ``predicted 7 (p = 0.997)``. The most probable digit is ``np.argmax``
    of the outputs (the first of equal ones).

    Args:
        probabilities: the ten outputs y₁ … y₁₀ of one image (the softmax output),
            shape ``(10,)`` or ``(1, 10)``.
        label: optional, the digit the image really shows; written as ``label 7``
            (in red when the prediction differs).
        image: optional, the image itself (784 pixels), drawn beside the outputs.
        title: a line above the drawing.

    Returns:
        An :class:`SvgDrawing`; the same arguments give the same bytes.

    Raises:
        ShapeError: for probabilities that are not ten, or an image not of 784 pixels.
        InputError: for probabilities outside [0, 1], not finite or not summing
            to 1, or a label that is not a digit 0–9.
        OptionError: for a title that is not text.

    Example:
        >>> p = np.full(10, 0.01)
        >>> p[7] = 0.91
        >>> svg = output_digits(p, label=7).svg()
        >>> "predicted 7 (p = 0.910)" in svg, svg.count("most-probable")
        (True, 1)
    """
    p = _probabilities(probabilities)
    label = _label(label)
    ink = None if image is None else _image(image)
    title = _title(title)
    best = int(np.argmax(p))
    top = 46 if title else 16
    rows_top = top + 26
    left = 16 + (SIDE * OUTPUT_SCALE + 70 if ink is not None else 0)
    body = [_text(16, 28, title, size=15, bold=True, anchor="start")] if title else []
    body.append(_text(left, top + 10, "output layer: y₁ … y₁₀, one neuron per digit 0–9", size=12, color=GREY, anchor="start"))
    if ink is not None:
        body.append(_input_picture(ink, rows_top, left))
    body += [_output_row(k, float(p[k]), k == best, left, rows_top + k * ROW + ROW / 2) for k in range(DIGITS)]
    bottom = rows_top + DIGITS * ROW + 26
    body.append(_text(16, bottom, f"predicted {best} (p = {p[best]:.3f})", size=15, bold=True, anchor="start"))
    if label is not None:
        wrong = label != best
        verdict = f"label {label}" + (f": the network is wrong (it predicts {best})" if wrong else "")
        body.append(_text(16, bottom + 22, verdict, size=14, color=WRONG if wrong else INK, anchor="start", bold=wrong))
        bottom += 22
    width = left + 66 + BAR_WIDTH + 52 + 140  # room for “← most probable”
    description = title or f"MNIST output layer: predicted {best}"
    return SvgDrawing(_document(width, bottom + 14, description, body), name="mnist_output")


def _input_picture(ink: np.ndarray, rows_top: float, left: float) -> str:
    """The image at 4×, centred beside the ten outputs, with an arrow into the network."""
    side = SIDE * OUTPUT_SCALE
    y = rows_top + (DIGITS * ROW - side) / 2
    middle = rows_top + DIGITS * ROW / 2
    start, end = 16 + side + 10, left - 6
    arrow = (
        f'<line x1="{_n(start)}" y1="{_n(middle)}" x2="{_n(end - 8)}" y2="{_n(middle)}" stroke="{GREY}" stroke-width="1.5"/>'
        f'<polygon points="{_n(end)},{_n(middle)} {_n(end - 9)},{_n(middle - 4.5)} {_n(end - 9)},{_n(middle + 4.5)}" fill="{GREY}"/>'
    )
    parts = [
        _picture(16, y, ink, OUTPUT_SCALE),
        _text(16 + side / 2, y + side + 18, "input image", size=12, color=GREY),
        _text(16 + side / 2, y + side + 33, f"{SIDE}×{SIDE} = {PIXELS} pixels", size=11, color=GREY),
        arrow,
        _text((start + end) / 2, middle - 8, "network", size=11, color=GREY),
    ]
    return '<g id="input">' + "".join(parts) + "</g>"


def _output_row(k: int, p: float, best: bool, left: float, middle: float) -> str:
    """Neuron yₖ, its digit k, a bar of length p and the number; the most probable highlighted."""
    centre, digit_x, bar_x = left + 15, left + 48, left + 66
    fill, stroke, colour = (HIGHLIGHT_FILL, HIGHLIGHT, HIGHLIGHT) if best else ("white", INK, BAR)
    parts = [
        f'<circle cx="{_n(centre)}" cy="{_n(middle)}" r="13" fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if best else 1}"/>',
        _text(centre, middle + 4, indexed("y", k + 1), size=12),
        _text(digit_x, middle + 7, str(k), size=19, bold=best, color=HIGHLIGHT if best else INK),
        f'<rect x="{_n(bar_x)}" y="{_n(middle - 6)}" width="{BAR_WIDTH}" height="12" fill="{TRACK}"/>',
        f'<rect x="{_n(bar_x)}" y="{_n(middle - 6)}" width="{_n(p * BAR_WIDTH)}" height="12" fill="{colour}"/>',
        _text(bar_x + BAR_WIDTH + 8, middle + 4, f"{p:.3f}", size=12, anchor="start", bold=best),
    ]
    if best:
        parts.append(_text(bar_x + BAR_WIDTH + 52, middle + 4, "← most probable", size=12, color=HIGHLIGHT, anchor="start", bold=True))
    classes = "output most-probable" if best else "output"
    return f'<g id="y{k}" class="{classes}" data-digit="{k}" data-p="{p:.6f}">' + "".join(parts) + "</g>"
