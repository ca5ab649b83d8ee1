"""Step through an evaluation: one drawing per view, restyled at every step in the page.

For each narrated moment of an evaluation (see :mod:`nngraph.narration`) a
*frame* records the node and neuron being computed and what is known so far.
:class:`Stepper` draws the neuron and signal views once and puts them in one
self-contained HTML page with the frames as data; the page's script
highlights the current neuron, greys what is not computed yet, shows the
labels of the arrows being used and writes each number as it becomes known.
A drawing too big to read whole is shown zoomed on the current neuron, with a
small overview of where it is. MNIST-like inputs show the digit, classifiers
their outputs as bars and the prediction.

Example:
    >>> from nngraph import three_layer_network
    >>> stepper = Stepper(three_layer_network(), [1.0, 0.5])
    >>> len(stepper.frames), stepper.frames[-1].narration.text
    (16, 'y = [0.31682708, 0.69627909]')
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checks import real_array
from ..errors import InputError, OptionError
from ..files import write_atomically
from ..narration import Narration, narrate
from ..nodes import WeightNode
from .diagram import Diagram
from .digits import digit_data_uri
from .neuron import neuron_diagram
from .options import choice, language_words
from .signal import signal_diagram, signal_edges, value_lines
from .stepper_page import WORDS, page, widget
from .style import value_text

__all__ = ["Frame", "Stepper", "VIEWS", "MAX_STEPS"]

VIEWS = ("neuron", "signal")
MAX_STEPS = 600  # steps in one page; more need level="layer" or max_steps
MAX_SAMPLES = 20  # images in one page's picker
DRAWN_PRECISION = 4


@dataclass(frozen=True)
class Frame:
    """One step: its narration (node, neuron, text and the values known so far)."""

    narration: Narration

    def diagrams(self, graph, views=VIEWS, language: str = "en") -> dict[str, Diagram]:
        """This step drawn on its own, one :class:`Diagram` per view (for ``write_frames``)."""
        record = self.narration
        drawings = {}
        if "neuron" in views:
            drawings["neuron"] = neuron_diagram(graph, values=record.known, current=record.node, neuron=record.neuron,
                                                weights="both", language=language)
        if "signal" in views:
            drawings["signal"] = signal_diagram(graph, values=record.known, current=record.node, batch=None, language=language)
        return drawings


class Stepper:
    """The frames of a narrated evaluation of ``graph`` on ``x``, and the page that steps through them.

    Args:
        graph: a chain network.
        x: one sample, or a batch; ``sample`` picks the rows stepped through.
        sample: a row of the batch, or several rows (a picker switches between them).
        labels: the true class of every row of ``x`` (e.g. MNIST's labels), shown beside the prediction.
        level: ``"neuron"`` or ``"layer"`` (see :func:`nngraph.narrate`).
        precision: decimals of the narration.
        views: which views the page shows: ``"neuron"``, ``"signal"`` or both.
        title: the page title; defaults to the graph's name.
        language: ``"en"`` or ``"zh"`` for the page's words and the narration.
        max_steps: refuse pages with more steps than this (deep or wide networks).

    Raises:
        OptionError: an option it cannot take, or more steps than ``max_steps``.
        InputError: a sample out of range, labels that do not fit ``x``.
    """

    def __init__(self, graph, x, *, sample=0, labels=None, level: str = "neuron", precision: int = 8, views=VIEWS,
                 title: str | None = None, language: str = "en", max_steps: int = MAX_STEPS):
        self.graph = graph
        self.views = (views,) if isinstance(views, str) else tuple(views)
        if not self.views or not set(self.views) <= set(VIEWS):
            raise OptionError(f"views must be one or both of {', '.join(VIEWS)}; got {views!r}")
        self.words = language_words(language, WORDS)
        self.language = language
        self.title = title or f"{graph.name}: step by step"
        x = real_array(x, "x", InputError)
        self.samples = _samples(sample, x)
        self.labels = _labels(labels, x, self.samples)
        self.level, self.precision = choice("level", level, ("neuron", "layer")), precision
        self.runs = [
            narrate(graph, x, level=level, sample=s, precision=precision, label=None if self.labels is None else self.labels[i], language=language)
            for i, s in enumerate(self.samples)
        ]
        steps = sum(len(run) for run in self.runs)
        if steps > max_steps:
            raise OptionError(
                f"stepping {graph.name!r} takes {steps:,} steps (more than max_steps={max_steps:,}); "
                f"step by layer (level='layer', --level layer), pick fewer samples, or raise max_steps"
            )
        self.inputs = x if x.ndim == 2 else x[None, :]
        self.frames = [Frame(record) for record in self.runs[0]]
        self._shown = 0  # how often a notebook has shown it

    def write_frames(self, folder, format: str = "svg", *, renderer: str | None = None) -> list[Path]:
        """Write ``step-001-neuron.svg``, ``step-001-signal.svg``, … into ``folder`` (``sample-N/`` for each of several).

        Example:
            >>> import tempfile
            >>> from nngraph import and_gate
            >>> [p.name for p in Stepper(and_gate(), [1, 1]).write_frames(tempfile.mkdtemp())][:2]
            ['step-001-neuron.svg', 'step-001-signal.svg']
        """
        folder = Path(folder)
        older = [*folder.glob("step-*-*.*"), *folder.glob("sample-*/step-*-*.*")]
        written = []
        for row, run in zip(self.samples, self.runs):
            place = Path(folder) if len(self.samples) == 1 else Path(folder) / f"sample-{row}"
            place.mkdir(parents=True, exist_ok=True)
            width = max(3, len(str(len(run))))
            for record in run:
                for view, diagram in Frame(record).diagrams(self.graph, self.views, self.language).items():
                    path = place / f"step-{record.index + 1:0{width}d}-{view}.{format}"
                    written.append(diagram.save(path, format, renderer=renderer))
        _remove_stale(older, written)
        return written

    def drawings(self) -> dict[str, Diagram]:
        """The views, each drawn once with every value of the first sample and every label."""
        known = self.runs[0][-1].known
        drawings = {}
        if "neuron" in self.views:
            drawings["neuron"] = neuron_diagram(self.graph, values=known, weights="both", language=self.language)
        if "signal" in self.views:
            # Top to bottom: a chain of layers fills a screen this way, and reads at any width.
            drawings["signal"] = signal_diagram(self.graph, values=known, batch=None, language=self.language, direction="TB")
        return drawings

    def data(self) -> dict:
        """What the page's script needs: the graph's structure, and per sample its values and frames."""
        return {
            "columns": _columns(self.graph),
            "readers": {node.name: list(self.graph.consumers(node.name)) for node in self.graph if isinstance(node, WeightNode)},
            "signal_edges": [[source, target, target not in self.graph] for source, target in signal_edges(self.graph)],
            "input": self.graph.inputs[0].name,
            "words": self.words,
            "samples": [self._sample(index) for index in range(len(self.samples))],
        }

    def _sample(self, index: int) -> dict:
        run, row = self.runs[index], self.samples[index]
        final = run[-1].known
        return {
            "name": self.words["sample"].format(n=row) + (f" · {self.words['label']} {self.labels[index]}" if self.labels else ""),
            "neurons": {name: [value_text(v, DRAWN_PRECISION) for v in values] for name, values in final.items()},
            "signal": {name: value_lines(values, DRAWN_PRECISION)[0] for name, values in final.items()},
            "picture": _picture(self.inputs[row]),
            "outputs": _outputs(self.graph, final, self.labels[index] if self.labels else None, self.words),
            "frames": [_frame(record, self.graph) for record in run],
        }

    def html(self, *, renderer: str | None = None) -> str:
        """The whole stepper as one self-contained HTML page (no script, style or image from outside).

        Example:
            >>> from nngraph import and_gate
            >>> "Step 1 / 4" in Stepper(and_gate(), [1, 1]).html()
            True
        """
        svgs = {view: drawing.svg(renderer=renderer) for view, drawing in self.drawings().items()}
        return page(self.title, self._widget(svgs), self.language)

    def _widget(self, svgs: dict[str, str], shown: int = 0) -> str:
        data = self.data()
        uid = "nngraph-" + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]
        if shown:  # the same stepper shown again in a notebook: its own ids
            uid += f"-{shown}"
        total = len(data["samples"][0]["frames"])
        return widget(uid, self.title, svgs, data, total, self.words)

    def save(self, path, *, renderer: str | None = None) -> Path:
        """Write the HTML stepper to ``path`` atomically."""
        text = self.html(renderer=renderer).encode("utf-8")
        return write_atomically(path, lambda file: file.write(text))

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Inline in a notebook (no iframe), with the finished network as a static SVG for viewers without scripts."""
        svgs = {view: drawing.svg() for view, drawing in self.drawings().items()}
        self._shown += 1
        return {"text/html": self._widget(svgs, self._shown), "text/plain": repr(self), "image/svg+xml": next(iter(svgs.values()))}

    def __repr__(self) -> str:
        samples = f", samples {self.samples}" if len(self.samples) > 1 else ""
        return f"<Stepper {self.graph.name!r}: {len(self.frames)} steps at {self.level} level{samples}>"


def _samples(sample, x: np.ndarray) -> list[int]:
    rows = 1 if x.ndim == 1 else len(x)
    chosen = [sample] if isinstance(sample, (int, np.integer)) and not isinstance(sample, bool) else list(sample) if isinstance(sample, (list, tuple, range, np.ndarray)) else None
    if not chosen or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in chosen):
        raise InputError(f"sample must be a row number or a list of row numbers of x, from 0; got {sample!r}")
    for s in chosen:
        if not 0 <= s < rows:
            raise InputError(f"sample {s} is out of range for x with {rows} row{'s' if rows != 1 else ''} (numbered from 0)")
    if len(chosen) > MAX_SAMPLES:
        raise InputError(f"one page steps through at most {MAX_SAMPLES} samples; got {len(chosen)}")
    return [int(s) for s in chosen]


def _labels(labels, x: np.ndarray, samples: list[int]) -> list[int] | None:
    if labels is None:
        return None
    array = np.asarray(labels)
    rows = 1 if x.ndim == 1 else len(x)
    if array.ndim == 0:
        array = array[None]
    if array.shape != (rows,) or array.dtype.kind not in "iu":
        raise InputError(f"labels must be one whole number per row of x ({rows}); got shape {array.shape}, dtype {array.dtype}")
    return [int(array[s]) for s in samples]


def _columns(graph) -> list[list[str]]:
    """The node names each column of the neuron view shows, in the order of their lines."""
    columns = [[graph.inputs[0].name]]
    for layer in graph.layers():
        columns.append([layer.affine.name] + ([layer.activation.name] if layer.activation is not None else []))
    return columns


def _frame(record: Narration, graph) -> dict:
    known = {}
    for name, values in record.known.items():
        done = ~np.isnan(values)
        known[name] = int(np.argmin(done)) if not done.all() else len(values)
    kind = graph[record.node].kind
    position = None if record.neuron is None else record.neuron - 1  # the page numbers neurons from 0, as its SVG ids
    frame = {"text": record.text, "node": record.node, "neuron": position, "kind": kind, "known": known}
    partial = {name: value_lines(values, DRAWN_PRECISION, pending=True)[0] for name, values in record.known.items() if np.isnan(values).any()}
    if partial:  # layers computed in part: [0.3, ?, ?] in the signal view
        frame["lines"] = partial
    return frame


def _picture(row: np.ndarray) -> str | None:
    """The input as a picture when it is one: 784 values in [0, 1] are MNIST's 28×28 digit."""
    if row.size != 784 or row.min() < 0 or row.max() > 1:
        return None
    return digit_data_uri(row.reshape(28, 28))


def _outputs(graph, known: Mapping[str, np.ndarray], label: int | None, words: dict) -> dict | None:
    """A classifier's outputs as bars with the prediction (a softmax output layer)."""
    last = graph.layers()[-1]
    if last.activation is None or last.activation.h.name != "softmax" or last.affine.width > 20:
        return None
    p = known[last.activation.name]
    best = int(np.argmax(p))
    line = words["predicted"].format(k=best, p=value_text(p[best], 3))
    if label is not None:
        line += " · " + words["label"] + f" {label} " + ("✓" if label == best else "✗")
    return {"node": last.activation.name, "p": [round(float(v), 4) for v in p], "best": best, "line": line}


#: What write_frames names a frame: step-007-neuron.svg.
FRAME_NAME = re.compile(r"step-\d+-[a-z]+\.(svg|png|pdf|dot)")


def _remove_stale(older: list[Path], written: list[Path]) -> None:
    """Remove the frames of an earlier run that this one did not overwrite, and their emptied sample folders."""
    kept = {path.resolve() for path in written}
    for path in older:
        if path.resolve() not in kept and FRAME_NAME.fullmatch(path.name):
            path.unlink(missing_ok=True)
            if path.parent.name.startswith("sample-") and not any(path.parent.iterdir()):
                path.parent.rmdir()
