"""Step-through frames and a self-contained HTML stepper for teaching.

For each narrated moment of an evaluation (see :mod:`nngraph.narrate`) the
neuron and signal diagrams are drawn with what is known so far: computed
values shown, the current neuron or node highlighted, the rest greyed.
:class:`Stepper` puts every frame, with its narration, in one HTML file with
Previous / Next buttons, ← / → / Home / End keys and a view toggle; no
external script, style sheet, font or image, so it works offline.

Example:
    >>> from nngraph import three_layer_network
    >>> stepper = Stepper(three_layer_network(), [1.0, 0.5])
    >>> len(stepper.frames), stepper.frames[-1].narration.text
    (16, 'y = [0.31682708, 0.69627909]')
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path


from ..errors import OptionError
from ..io import write_atomically
from ..narrate import Narration, narrate
from .diagram import Diagram
from .neuron import neuron_diagram
from .signal import signal_diagram

__all__ = ["Frame", "Stepper", "VIEWS"]

VIEWS = ("neuron", "signal")


@dataclass(frozen=True)
class Frame:
    """One step: its narration and its diagrams (view name → Diagram)."""

    narration: Narration
    diagrams: dict[str, Diagram]


class Stepper:
    """The frames of a narrated evaluation of ``graph`` on ``x``.

    Args:
        graph: a chain network.
        x: one sample, or a batch with ``sample`` choosing the row narrated.
        level: ``"neuron"`` or ``"layer"`` (see :func:`nngraph.narrate.narrate`).
        views: which diagrams to draw per frame.
        title: the page title; defaults to the graph's name.
    """

    def __init__(self, graph, x, *, sample: int = 0, level: str = "neuron", precision: int = 8, views=VIEWS, title: str | None = None):
        self.graph = graph
        self.title = title or f"{graph.name}: step by step"
        self.views = (views,) if isinstance(views, str) else tuple(views)
        if not self.views or not set(self.views) <= set(VIEWS):
            raise OptionError(f"views must be one or both of {', '.join(VIEWS)}; got {views!r}")
        records = narrate(graph, x, level=level, sample=sample, precision=precision)
        self.frames = [Frame(r, self._diagrams(r)) for r in records]

    def _diagrams(self, record: Narration) -> dict[str, Diagram]:
        drawings = {}
        if "neuron" in self.views:
            drawings["neuron"] = neuron_diagram(self.graph, values=record.known, current=record.node, neuron=record.neuron)
        if "signal" in self.views:
            drawings["signal"] = signal_diagram(self.graph, values=record.known, current=record.node, batch=None)
        return drawings

    def write_frames(self, folder, format: str = "svg", *, renderer: str | None = None) -> list[Path]:
        """Write ``step-001-neuron.svg``, ``step-001-signal.svg``, … into ``folder``.

        Example:
            >>> import tempfile
            >>> from nngraph import and_gate
            >>> [p.name for p in Stepper(and_gate(), [1, 1]).write_frames(tempfile.mkdtemp())][:2]
            ['step-001-neuron.svg', 'step-001-signal.svg']
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        width = max(3, len(str(len(self.frames))))
        written = []
        for frame in self.frames:
            for view, diagram in frame.diagrams.items():
                path = folder / f"step-{frame.narration.index + 1:0{width}d}-{view}.{format}"
                written.append(diagram.save(path, format, renderer=renderer))
        return written

    def html(self, *, renderer: str | None = None) -> str:
        """The whole stepper as one self-contained HTML page.

        Example:
            >>> from nngraph import and_gate
            >>> Stepper(and_gate(), [1, 1]).html().count('class="step"')
            4
        """
        sections = []
        for frame in self.frames:
            index = frame.narration.index
            figures = "".join(
                f'<figure class="view view-{view}">{_inline_svg(diagram.svg(renderer=renderer), f"s{index}{view[0]}-")}</figure>'
                for view, diagram in frame.diagrams.items()
            )
            sections.append(
                f'<section class="step" data-node="{html.escape(frame.narration.node)}" hidden>'
                f'<pre class="narration">{html.escape(frame.narration.text)}</pre>{figures}</section>'
            )
        toggle = (
            '<button id="toggle" title="switch between the neuron and the signal diagram (V)">signal view</button>'
            if len(self.views) > 1 else ""
        )
        return PAGE.format(
            title=html.escape(self.title),
            view=html.escape(self.views[0]),
            toggle=toggle,
            steps="\n".join(sections),
            total=len(self.frames),
        )

    def save(self, path, *, renderer: str | None = None) -> Path:
        """Write the HTML stepper to ``path`` atomically."""
        page = self.html(renderer=renderer).encode("utf-8")
        return write_atomically(path, lambda file: file.write(page))

    def _repr_html_(self) -> str:
        # An iframe keeps the page's ids and key handlers out of the notebook's own page.
        return f'<iframe srcdoc="{html.escape(self.html())}" style="width:100%;height:720px;border:0"></iframe>'


def _inline_svg(svg: str, prefix: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog, ids made unique per frame."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    return re.sub(r'\bid="', f'id="{prefix}', svg)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #222; }}
header {{ display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }}
h1 {{ font-size: 1.3rem; margin: 0 1rem 0 0; }}
button {{ font-size: 1rem; padding: .3rem .8rem; }}
#counter {{ font-variant-numeric: tabular-nums; min-width: 7rem; }}
.narration {{ font-family: 'DejaVu Sans', system-ui, sans-serif; font-size: 1.15rem; background: #f4f6fb; border-left: 4px solid #3465a4; padding: .6rem 1rem; white-space: pre-wrap; }}
figure {{ margin: 0; }}
figure svg {{ max-width: 100%; max-height: calc(100vh - 11rem); width: auto; height: auto; }}
body[data-view="neuron"] .view-signal, body[data-view="signal"] .view-neuron {{ display: none; }}
.keys {{ color: #666; font-size: .85rem; }}
</style>
</head>
<body data-view="{view}">
<header>
<h1>{title}</h1>
<button id="first" title="first step (Home)">First</button>
<button id="prev" title="previous step (←)">◀ Previous</button>
<span id="counter">Step 1 / {total}</span>
<button id="next" title="next step (→)">Next ▶</button>
<button id="last" title="last step (End)">Last</button>
{toggle}
<span class="keys">keys: ← → Home End, V switches view</span>
</header>
<main>
{steps}
</main>
<script>
"use strict";
const steps = Array.from(document.querySelectorAll(".step"));
const counter = document.getElementById("counter");
const toggle = document.getElementById("toggle");
let current = 0;
function show(index) {{
  current = Math.max(0, Math.min(steps.length - 1, index));
  steps.forEach((step, i) => {{ step.hidden = i !== current; }});
  counter.textContent = "Step " + (current + 1) + " / " + steps.length;
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("first").disabled = current === 0;
  document.getElementById("next").disabled = current === steps.length - 1;
  document.getElementById("last").disabled = current === steps.length - 1;
}}
function switchView() {{
  if (!toggle) return;
  const view = document.body.dataset.view === "neuron" ? "signal" : "neuron";
  document.body.dataset.view = view;
  toggle.textContent = (view === "neuron" ? "signal" : "neuron") + " view";
}}
document.getElementById("first").onclick = () => show(0);
document.getElementById("prev").onclick = () => show(current - 1);
document.getElementById("next").onclick = () => show(current + 1);
document.getElementById("last").onclick = () => show(steps.length - 1);
if (toggle) toggle.onclick = switchView;
document.addEventListener("keydown", (event) => {{
  if (event.key === "ArrowRight") show(current + 1);
  else if (event.key === "ArrowLeft") show(current - 1);
  else if (event.key === "Home") show(0);
  else if (event.key === "End") show(steps.length - 1);
  else if (event.key === "v" || event.key === "V") switchView();
  else return;
  event.preventDefault();
}});
show(0);
</script>
</body>
</html>
"""
