"""Drawing networks: DOT built by pure code, rendered by one small backend.

Nothing outside this package (and the CLI) imports graphviz.
"""

from .backend import available_renderers, render_dot
from .diagram import Diagram

__all__ = ["Diagram", "available_renderers", "render_dot"]
