"""Diagram: DOT text that knows how to render, save and show itself in a notebook.

Example:
    >>> d = Diagram("digraph { x -> y }", name="tiny")
    >>> d.source
    'digraph { x -> y }'
"""

from __future__ import annotations

import html
from pathlib import Path

from ..errors import OptionError, RenderError
from ..files import write_atomically
from .backend import render_dot

__all__ = ["Diagram"]

FORMATS = ("svg", "png", "pdf", "dot")


class Diagram:
    """A diagram as DOT ``source``; rendering happens only when asked.

    Attributes:
        source: the DOT text (deterministic: the same graph gives the same text).
        engine: the Graphviz layout engine to use (``dot``, or ``nop2`` for pinned positions).
        name: a short name, used for default file names.
        notes: remarks for the user, e.g. that layers were elided.
    """

    def __init__(self, source: str, *, engine: str = "dot", name: str = "diagram", notes: tuple[str, ...] = ()):
        self.source = source
        self.engine = engine
        self.name = name
        self.notes = tuple(notes)

    def __repr__(self) -> str:
        return f"<Diagram {self.name!r}: {len(self.source)} characters of DOT>"

    def __str__(self) -> str:
        return self.source

    def render(self, format: str = "svg", *, renderer: str | None = None, timeout: float = 120.0) -> bytes:
        """The diagram as ``format`` bytes (``'dot'`` needs no renderer).

        Example:
            >>> Diagram("digraph { x -> y }").render("dot")
            b'digraph { x -> y }'
        """
        if format not in FORMATS:
            raise OptionError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        if format == "dot":
            return self.source.encode("utf-8")
        return render_dot(self.source, format, engine=self.engine, renderer=renderer, timeout=timeout)

    def svg(self, *, renderer: str | None = None) -> str:
        """The diagram as SVG text."""
        return self.render("svg", renderer=renderer).decode("utf-8")

    def save(self, path, format: str | None = None, *, renderer: str | None = None) -> Path:
        """Write the diagram to ``path`` atomically; the format defaults to the suffix.

        Example:
            >>> import tempfile, pathlib
            >>> path = Diagram("digraph { x -> y }").save(pathlib.Path(tempfile.mkdtemp()) / "d.svg")
            >>> path.read_text().count("<svg")
            1
        """
        path = Path(path)
        format = format or path.suffix.lstrip(".").lower() or "svg"
        data = self.render(format, renderer=renderer)
        return write_atomically(path, lambda file: file.write(data))

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return {"image/svg+xml": self.svg()}
        except RenderError as err:
            text = f"cannot draw {self.name!r}: {err}"
            return {"text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"}
