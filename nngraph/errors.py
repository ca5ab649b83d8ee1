"""The exception hierarchy: every mistake a user can make raises one of these.

Each class also subclasses the matching builtin, so ``except ValueError`` keeps
working. Messages say what is wrong, where (node names, shapes) and how to fix it.
"""

__all__ = [
    "NNGraphError",
    "GraphError",
    "ShapeError",
    "InputError",
    "UnknownActivationError",
    "FormatError",
    "RenderError",
    "OptionError",
]


class NNGraphError(Exception):
    """Base class of every error nngraph raises for a user's mistake."""


class GraphError(NNGraphError, ValueError):
    """A graph that cannot be built: duplicate or unknown node, a cycle, a wrong kind."""


class ShapeError(NNGraphError, ValueError):
    """Two nodes whose shapes do not fit; names both nodes and both shapes."""


class InputError(NNGraphError, ValueError):
    """An input given to ``forward`` that is missing, extra, misshapen or not finite."""


class UnknownActivationError(NNGraphError, LookupError):
    """An activation name that is not registered; lists the known names."""


class FormatError(NNGraphError, ValueError):
    """A file that cannot be loaded, naming the file and what is wrong with it."""


class RenderError(NNGraphError):
    """A diagram that cannot be rendered, e.g. no Graphviz renderer available."""


class OptionError(RenderError, ValueError):
    """A drawing option given a value it cannot take; names the option and the allowed values."""
