"""Edge labels placed, not hoped for: each on its own arrow, clear of everything else.

Positions in a neuron diagram are pinned, so every arrow is a known segment and
every neuron a known circle. :func:`place_labels` slides each label along its
own arrow and keeps the first spot (nearest the end it prefers) where its box
touches no other arrow, no circle and no label placed before it. When some
label finds no such spot, it returns None and the caller spreads the drawing.

Example:
    >>> arrows = [Arrow((0, 0), (200, 0), (10, 7)), Arrow((0, 50), (200, 50), (10, 7))]
    >>> place_labels(arrows, circles=[])
    [(150.0, 0.0), (150.0, 50.0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Arrow", "place_labels", "segment_box_hits"]

CLEARANCE = 3.0  # points of white kept between a label's box and anything else
STEP = 3.0  # points between the spots tried along an arrow


@dataclass(frozen=True)
class Arrow:
    """A straight arrow ``start`` → ``end`` and, if labelled, its label's half width and height.

    ``keep_start`` and ``keep_end`` are lengths at either end where no label may
    sit (the circles, the arrowhead); ``prefer`` is the fraction of the way at
    which the label would ideally sit.
    """

    start: tuple[float, float]
    end: tuple[float, float]
    half: tuple[float, float] | None = None
    keep_start: float = 0.0
    keep_end: float = 0.0
    prefer: float = 0.75


def segment_box_hits(starts: np.ndarray, ends: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Which segments cross which boxes: a (boxes × segments) boolean array.

    ``starts`` and ``ends`` are (S, 2) arrays of points, ``boxes`` a (B, 4) array
    of ``x_min, y_min, x_max, y_max``. A Liang–Barsky clip, vectorised.

    Example:
        >>> hits = segment_box_hits(np.array([[0.0, 0.0]]), np.array([[10.0, 10.0]]),
        ...                         np.array([[4.0, 4.0, 6.0, 6.0], [7.0, 0.0, 9.0, 2.0]]))
        >>> hits.ravel().tolist()
        [True, False]
    """
    d = ends - starts  # (S, 2)
    low = np.zeros((len(boxes), len(starts)))
    high = np.ones((len(boxes), len(starts)))
    inside = np.ones((len(boxes), len(starts)), dtype=bool)
    for axis in (0, 1):
        p = d[:, axis][None, :]
        for bound, sign in ((boxes[:, axis], -1.0), (boxes[:, axis + 2], 1.0)):
            q = sign * (bound[:, None] - starts[:, axis][None, :])  # distance to the bound, inward positive
            parallel = p == 0
            inside &= ~(parallel & (q < 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                t = q / (sign * p)
            entering = ~parallel & (sign * p < 0)
            leaving = ~parallel & (sign * p > 0)
            low = np.where(entering, np.maximum(low, t), low)
            high = np.where(leaving, np.minimum(high, t), high)
    return inside & (low <= high)


def _spots(arrow: Arrow) -> np.ndarray:
    """Candidate label centres along ``arrow``, best (nearest ``prefer``) first."""
    (x0, y0), (x1, y1) = arrow.start, arrow.end
    length = float(np.hypot(x1 - x0, y1 - y0))
    first, last = arrow.keep_start, length - arrow.keep_end
    if last < first:
        return np.empty((0, 2))
    distances = np.arange(first, last + 1e-9, STEP)
    distances = distances[np.argsort(np.abs(distances - arrow.prefer * length), kind="stable")]
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    return np.round(np.column_stack([x0 + ux * distances, y0 + uy * distances]), 1)


def _clear(spots: np.ndarray, half, others_start, others_end, circles: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """Which ``spots`` give a label box touching no other arrow, circle or placed label."""
    hw, hh = half[0] + CLEARANCE, half[1] + CLEARANCE
    boxes = np.column_stack([spots[:, 0] - hw, spots[:, 1] - hh, spots[:, 0] + hw, spots[:, 1] + hh])
    ok = np.ones(len(spots), dtype=bool)
    if len(others_start):
        ok &= ~segment_box_hits(others_start, others_end, boxes).any(axis=1)
    if len(circles):  # nearest point of the box to each circle's centre, within its radius?
        nx = np.clip(circles[None, :, 0], boxes[:, None, 0], boxes[:, None, 2]) - circles[None, :, 0]
        ny = np.clip(circles[None, :, 1], boxes[:, None, 1], boxes[:, None, 3]) - circles[None, :, 1]
        ok &= ~(nx**2 + ny**2 < circles[None, :, 2] ** 2).any(axis=1)
    if len(placed):
        px, py, pw, ph = placed.T
        ok &= ~((np.abs(spots[:, 0, None] - px) < hw + pw) & (np.abs(spots[:, 1, None] - py) < hh + ph)).any(axis=1)
    return ok


def place_labels(arrows: list[Arrow], circles: list[tuple[float, float, float]]) -> list[tuple[float, float] | None] | None:
    """A centre for each labelled arrow's label (None for unlabelled ones), or None if some will not fit.

    Every labelled arrow's box lies on its own arrow, crosses no other arrow and
    keeps ``CLEARANCE`` from every circle ``(x, y, radius)``, twice that from every other label.
    """
    starts = np.array([a.start for a in arrows], dtype=float).reshape(-1, 2)
    ends = np.array([a.end for a in arrows], dtype=float).reshape(-1, 2)
    low = np.minimum(starts, ends)
    high = np.maximum(starts, ends)
    circle_array = np.array(circles, dtype=float).reshape(-1, 3)
    placed = np.empty((len(arrows), 4))  # the labels placed so far: x, y, half width, half height
    count = 0
    centres: list[tuple[float, float] | None] = []
    for index, arrow in enumerate(arrows):
        if arrow.half is None:
            centres.append(None)
            continue
        spots = _spots(arrow)
        hw, hh = arrow.half
        # Only arrows whose bounding box meets this one's (grown by the label) can get in the way.
        near = (high[:, 0] >= low[index, 0] - hw) & (low[:, 0] <= high[index, 0] + hw)
        near &= (high[:, 1] >= low[index, 1] - hh) & (low[:, 1] <= high[index, 1] + hh)
        near[index] = False
        # … and so can only the labels and circles beside it: a long network stays fast.
        middle, reach = (low[index, 0] + high[index, 0]) / 2, (high[index, 0] - low[index, 0]) / 2 + hw + CLEARANCE
        boxes = placed[:count][np.abs(placed[:count, 0] - middle) <= reach + placed[:count, 2]]
        beside = circle_array[np.abs(circle_array[:, 0] - middle) <= reach + circle_array[:, 2]]
        ok = _clear(spots, arrow.half, starts[near], ends[near], beside, boxes) if len(spots) else spots[:, 0] > 0
        if not ok.any():
            return None
        x, y = spots[int(np.argmax(ok))]
        placed[count] = (x, y, hw + CLEARANCE, hh + CLEARANCE)
        count += 1
        centres.append((float(x), float(y)))
    return centres
